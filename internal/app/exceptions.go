package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/config"
)

// How exceptions are tracked: each compiled policy notes when an exception last changed
// one of its decisions; the server writes that to the catalog when it starts, every
// minute, and when it stops, so that `vetted report exceptions` can name the ones no
// decision needs. An exception is known by its policy's name and its content
// (ExceptionKey): editing one makes it a new exception, unused until it lifts a rule
// again, and the same exception in two policies is tracked in each.

const exceptionFlushInterval = time.Minute

// RecordExceptionUses writes to the catalog every configured exception of the policies
// in use, first seen now unless it was seen before, with the latest time one of them
// changed a decision in this process.
func (a *App) RecordExceptionUses(ctx context.Context) error {
	now := time.Now()
	byKey := map[string]catalog.ExceptionUse{}
	for _, p := range a.policies {
		for _, u := range p.ExceptionUses() {
			key := p.Name() + "/" + u.Spec.Key()
			rec := byKey[key]
			rec.Key, rec.FirstSeen = key, now
			if u.LastLifted.After(rec.LastLifted) {
				rec.LastLifted = u.LastLifted
			}
			byKey[key] = rec
		}
	}
	keys := slices.Sorted(maps.Keys(byKey))
	us := make([]catalog.ExceptionUse, 0, len(keys))
	for _, k := range keys {
		us = append(us, byKey[k])
	}
	return a.catalog.PutExceptionUses(ctx, us)
}

// recordExceptionUsesEvery records exception uses until ctx ends.
func (a *App) recordExceptionUsesEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.RecordExceptionUses(ctx); err != nil {
				a.Log.Warn("could not record which policy exceptions were used", "err", err)
			}
		}
	}
}

// ExceptionKey is the key under which the catalog records a configured exception of the
// named policy.
func ExceptionKey(policyName string, e config.Exception) string {
	return policyName + "/" + ExceptionSpec(e).Key()
}

// ReadExceptionUses returns what the catalog in dataDir has recorded of exceptions, by
// ExceptionKey; found is false when there is no catalog there yet (no server has run).
// It creates nothing.
func ReadExceptionUses(ctx context.Context, dataDir string) (uses map[string]catalog.ExceptionUse, found bool, err error) {
	path := filepath.Join(dataDir, catalogFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	cat, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, false, fmt.Errorf("catalog %s: %w", path, err)
	}
	defer cat.Close()
	list, err := cat.ListExceptionUses(ctx)
	if err != nil {
		return nil, false, err
	}
	uses = make(map[string]catalog.ExceptionUse, len(list))
	for _, u := range list {
		uses[u.Key] = u
	}
	return uses, true, nil
}

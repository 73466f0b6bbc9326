package app

import (
	"context"
	"maps"
	"slices"
	"time"

	"vetted/internal/catalog"
)

// How exceptions are tracked: each compiled policy notes when an exception last changed
// one of its decisions; the server writes that to the catalog when it starts, every
// minute, and when it stops, so that `vetted report exceptions` can name the ones no
// decision needs. An exception is known by its content (policy.ExceptionSpec.Key):
// editing one makes it a new exception, unused until it lifts a rule again.

const exceptionFlushInterval = time.Minute

// RecordExceptionUses writes to the catalog every configured exception of the policies
// in use, first seen now unless it was seen before, with the latest time one of them
// changed a decision in this process.
func (a *App) RecordExceptionUses(ctx context.Context) error {
	now := time.Now()
	byKey := map[string]catalog.ExceptionUse{}
	for _, p := range a.policies {
		for _, u := range p.ExceptionUses() {
			key := u.Spec.Key()
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

// ExceptionUses returns what the catalog has recorded of exceptions, by key
// (ExceptionSpec(e).Key() for a configured one); a key is missing when no server has run
// with that exception yet.
func (a *App) ExceptionUses(ctx context.Context) (map[string]catalog.ExceptionUse, error) {
	list, err := a.catalog.ListExceptionUses(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]catalog.ExceptionUse, len(list))
	for _, u := range list {
		out[u.Key] = u
	}
	return out, nil
}

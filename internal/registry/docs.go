package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"vetted/internal/catalog"
	"vetted/internal/upstream"
)

// docs caches a repository's upstream documents of one kind (PyPI project pages, the
// project list, a conda subdir's repodata): in memory (bounded), in the catalog, and
// revalidated with a conditional GET once older than the TTL. When upstream fails, the
// last good document is served with a warning, and upstream is not asked again for a
// while; any number of concurrent requests for a document cause one upstream request.
type docs[T any] struct {
	repo   string
	what   string // "page", "repodata": in metrics and logs
	ttl    time.Duration
	deps   *Deps
	flight *singleflight.Group

	// fetch asks upstream for key; notModified means prev still holds.
	fetch func(ctx context.Context, key string, prev upstream.Validators) (v T, val upstream.Validators, notModified bool, err error)
	// encode and decode convert a document to and from its catalog form.
	encode func(T) ([]byte, error)
	decode func([]byte) (T, error)
	// stored, if set, is told of each new version stored.
	stored func(ctx context.Context, key string, v T)
	// name describes a key in messages.
	name func(key string) string
	// owned: vetted writes these documents itself (a hosted repository's index), so an
	// unreadable copy cannot be fetched again and is an error, not a refetch.
	owned bool

	mu sync.RWMutex
	m  map[string]*doc[T]
}

// doc is one cached document. value, gen and changedAt never change once the doc is
// shared; the other fields are guarded by docs.mu.
type doc[T any] struct {
	value      T
	validators upstream.Validators
	gen        uint64    // changes whenever the content changes
	changedAt  time.Time // when this content was fetched (Last-Modified)
	fetchedAt  time.Time
	retryAfter time.Time // after a failed refresh: serve stale without asking until then
	staleErr   error
	blob       string // sha256 of the blob holding a big document's catalog form, or ""
}

func newDocs[T any](repo, what string, ttl time.Duration, deps *Deps, flight *singleflight.Group) *docs[T] {
	return &docs[T]{repo: repo, what: what, ttl: ttl, deps: deps, flight: flight, m: map[string]*doc[T]{}, name: func(k string) string { return k }}
}

// errUnreadable marks a cached document that the catalog has but vetted cannot read back
// (its blob missing or damaged, a shard gone, a form it cannot decode): get fetches it
// again rather than failing every request.
var errUnreadable = errors.New("the cached copy is unreadable")

// cached returns the document from memory, else from the catalog; nil if never fetched.
func (c *docs[T]) cached(ctx context.Context, key string) (*doc[T], error) {
	c.mu.RLock()
	d := c.m[key]
	c.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	// Concurrent first requests after a restart share one load: a big document is
	// read and decoded once, not once per request.
	v, err, _ := c.flight.Do(c.repo+"\x00"+c.what+"\x00load\x00"+key, func() (any, error) {
		return c.load(context.WithoutCancel(ctx), key)
	})
	if err != nil {
		return nil, err
	}
	return v.(*doc[T]), nil // nil when never fetched
}

// load reads the document of key from the catalog and caches it; nil if never fetched.
func (c *docs[T]) load(ctx context.Context, key string) (*doc[T], error) {
	c.mu.RLock()
	d := c.m[key]
	c.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	row, err := c.deps.Catalog.GetPage(ctx, c.repo, key)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	body, blob, err := c.loadBody(ctx, key, row.Body)
	if err != nil {
		return nil, fmt.Errorf("catalog %s %s/%s: %w: %w", c.what, c.repo, c.name(key), errUnreadable, err)
	}
	v, err := c.decode(body)
	if err != nil {
		return nil, fmt.Errorf("catalog %s %s/%s: %w: %w", c.what, c.repo, c.name(key), errUnreadable, err)
	}
	d = &doc[T]{value: v, validators: upstream.Validators{ETag: row.ETag, LastModified: row.LastModified}, changedAt: row.FetchedAt, fetchedAt: row.FetchedAt, gen: genOf(body), blob: blob}
	c.mu.Lock()
	if cur := c.m[key]; cur != nil {
		d = cur
	} else {
		bounded(c.m, key, d)
	}
	c.mu.Unlock()
	return d, nil
}

func genOf(body []byte) uint64 {
	sum := sha256.Sum256(body)
	var g uint64
	for _, b := range sum[:8] {
		g = g<<8 | uint64(b)
	}
	return g
}

// get returns the document to serve for key, refreshing it from upstream when its TTL
// has passed. A failed refresh serves the cached document with a Warning value.
func (c *docs[T]) get(ctx context.Context, key string) (*doc[T], string, error) {
	// The common case, a fresh document in memory, takes the read lock once: on a busy
	// server every lock taken is a cache line that moves between the CPUs.
	now := c.deps.Clock()
	c.mu.RLock()
	d := c.m[key]
	fresh := d != nil && now.Sub(d.fetchedAt) < c.ttl
	c.mu.RUnlock()
	if fresh {
		return d, "", nil
	}
	d, err := c.cached(ctx, key)
	if errors.Is(err, errUnreadable) && c.owned {
		return nil, "", fmt.Errorf("%w; vetted wrote it and cannot fetch it from anywhere: restore the data folder from a backup, or upload the packages again", err)
	}
	if errors.Is(err, errUnreadable) {
		c.deps.Log.Warn("fetching a cached "+c.what+" again: "+err.Error(), "repo", c.repo, c.what, c.name(key))
		d, err = nil, nil
	}
	if err != nil {
		return nil, "", err
	}
	now = c.deps.Clock()
	if d != nil {
		c.mu.RLock()
		fetchedAt, retryAfter, staleErr := d.fetchedAt, d.retryAfter, d.staleErr
		c.mu.RUnlock()
		if now.Sub(fetchedAt) < c.ttl {
			return d, "", nil
		}
		if now.Before(retryAfter) {
			return d, staleWarning(staleErr, fetchedAt), nil
		}
	}
	v, err, _ := c.flight.Do(c.repo+"\x00"+c.what+"\x00"+key, func() (any, error) {
		// The refresh outlives the request that started it: others wait on it.
		ctx := context.WithoutCancel(ctx)
		// A refresh that ended between the look above and this flight counts: one
		// upstream request serves every request that found the document stale.
		old := d
		if cur, err := c.cached(ctx, key); err == nil && cur != nil {
			c.mu.RLock()
			fetchedAt := cur.fetchedAt
			c.mu.RUnlock()
			if c.deps.Clock().Sub(fetchedAt) < c.ttl {
				return cur, nil
			}
			old = cur
		}
		return c.refresh(ctx, key, old)
	})
	if err == nil {
		return v.(*doc[T]), "", nil
	}
	var ue *upstream.Error
	if errors.As(err, &ue) && ue.NotFound() {
		return nil, "", fmt.Errorf("%s: %w", ue.Error(), ErrNotFound)
	}
	if d == nil {
		return nil, "", err
	}
	c.mu.Lock()
	d.staleErr = err
	d.retryAfter = now.Add(min(c.ttl, 30*time.Second))
	fetchedAt := d.fetchedAt
	c.mu.Unlock()
	c.deps.Log.Warn("upstream unavailable; serving the cached "+c.what, "repo", c.repo, c.what, c.name(key), "cached_at", fetchedAt, "err", err)
	return d, staleWarning(err, fetchedAt), nil
}

func staleWarning(err error, fetchedAt time.Time) string {
	return fmt.Sprintf(`110 vetted "Response is stale: cached at %s; %v"`, fetchedAt.UTC().Format(time.RFC3339), strings.ReplaceAll(fmt.Sprint(err), `"`, `'`))
}

// refresh asks upstream for a document (conditionally when cached) and stores it.
func (c *docs[T]) refresh(ctx context.Context, key string, old *doc[T]) (*doc[T], error) {
	var prev upstream.Validators
	if old != nil {
		c.mu.RLock()
		prev = old.validators
		c.mu.RUnlock()
	}
	v, val, notModified, err := c.fetch(ctx, key, prev)
	c.deps.Metrics.upstreamRequest(c.repo, c.what, resultOf(err, notModified))
	if err != nil {
		return nil, err
	}
	now := c.deps.Clock()
	if notModified && old != nil {
		c.mu.Lock()
		old.fetchedAt, old.staleErr, old.retryAfter = now, nil, time.Time{}
		if val != (upstream.Validators{}) {
			// Keep the validators upstream sent last; they are equivalent.
			old.validators = val
		}
		c.mu.Unlock()
		if err := c.deps.Catalog.TouchPage(ctx, c.repo, key, now); err != nil && !errors.Is(err, catalog.ErrNotFound) {
			c.deps.Log.Warn("catalog: could not record a revalidation", "repo", c.repo, c.what, c.name(key), "err", err)
		}
		return old, nil
	}
	if notModified { // upstream said 304 to an unconditional request
		return nil, &upstream.Error{URL: c.repo + "/" + c.name(key), Err: errors.New("upstream answered 304 Not Modified to a request without validators")}
	}
	body, err := c.encode(v)
	if err != nil {
		return nil, err
	}
	d := &doc[T]{value: v, validators: val, changedAt: now, fetchedAt: now, gen: genOf(body)}
	if err := c.store(ctx, key, d, body); err != nil {
		return nil, err
	}
	if old != nil && old.blob != "" && old.blob != d.blob {
		c.dropBlob(ctx, old.blob)
	}
	if c.stored != nil {
		c.stored(ctx, key, v)
	}
	return d, nil
}

// replace stores v as the document of key (for repositories whose documents vetted
// writes itself: hosted channels). The caller serialises replacements of one key.
func (c *docs[T]) replace(ctx context.Context, key string, v T) error {
	body, err := c.encode(v)
	if err != nil {
		return err
	}
	now := c.deps.Clock()
	c.mu.RLock()
	old := c.m[key]
	c.mu.RUnlock()
	oldBlob := ""
	if old != nil {
		oldBlob = old.blob
	} else if row, err := c.deps.Catalog.GetPage(ctx, c.repo, key); err == nil {
		// Not in memory (evicted, or since a restart): the row names the blob.
		if ref, ok := bytes.CutPrefix(row.Body, []byte(blobRef)); ok {
			oldBlob = string(ref)
		}
	}
	d := &doc[T]{value: v, changedAt: now, fetchedAt: now, gen: genOf(body)}
	if err := c.store(ctx, key, d, body); err != nil {
		return err
	}
	if oldBlob != "" && oldBlob != d.blob {
		c.dropBlob(ctx, oldBlob)
	}
	return nil
}

// Documents of bigDocument bytes or more (a channel's repodata.json: 100+ MB) are kept in
// the blob store, streamed to a file, and the catalog row holds blobRef + their sha256:
// the database stays small and no copy of the document is made to store it. The blob
// starts with a line naming the repository and key (blobHeader), so that two repositories
// holding the same document never share a blob that one of them will delete.
const (
	bigDocument = 8 << 20
	blobRef     = "vetted-blob:"
)

// store writes d's catalog form (body) and makes d the cached version of key.
func (c *docs[T]) store(ctx context.Context, key string, d *doc[T], body []byte) error {
	row := body
	if len(body) >= bigDocument {
		w, err := c.deps.Blobs.Create(ctx)
		if err != nil {
			return fmt.Errorf("store %s %s/%s: %w", c.what, c.repo, c.name(key), err)
		}
		if _, err := io.WriteString(w, c.blobHeader(key)); err != nil {
			w.Abort()
			return fmt.Errorf("store %s %s/%s: %w", c.what, c.repo, c.name(key), err)
		}
		if _, err := w.Write(body); err != nil {
			w.Abort()
			return fmt.Errorf("store %s %s/%s: %w", c.what, c.repo, c.name(key), err)
		}
		info, err := w.Commit(ctx, "")
		if err != nil {
			return fmt.Errorf("store %s %s/%s: %w", c.what, c.repo, c.name(key), err)
		}
		d.blob = info.SHA256
		row = []byte(blobRef + info.SHA256)
	}
	if err := c.deps.Catalog.PutPage(ctx, catalog.Page{Repo: c.repo, Key: key, Body: row, ETag: d.validators.ETag, LastModified: d.validators.LastModified, FetchedAt: d.fetchedAt}); err != nil {
		if d.blob != "" {
			c.dropBlob(ctx, d.blob) // no row refers to it
		}
		return fmt.Errorf("store %s %s/%s: %w", c.what, c.repo, c.name(key), err)
	}
	c.mu.Lock()
	bounded(c.m, key, d)
	c.mu.Unlock()
	return nil
}

func (c *docs[T]) blobHeader(key string) string {
	return fmt.Sprintf("vetted document %q %q\n", c.repo, key)
}

// loadBody returns a catalog row's document: the row itself, or the blob it refers to.
func (c *docs[T]) loadBody(ctx context.Context, key string, row []byte) (body []byte, blob string, err error) {
	ref, ok := bytes.CutPrefix(row, []byte(blobRef))
	if !ok {
		return row, "", nil
	}
	blob = string(ref)
	f, info, err := c.deps.Blobs.Open(ctx, blob)
	if err != nil {
		return nil, "", fmt.Errorf("its blob %s is missing: %w", blob, err)
	}
	defer f.Close()
	body = make([]byte, info.Size)
	if _, err := io.ReadFull(f, body); err != nil {
		return nil, "", fmt.Errorf("reading its blob %s: %w", blob, err)
	}
	body, ok = bytes.CutPrefix(body, []byte(c.blobHeader(key)))
	if !ok {
		return nil, "", fmt.Errorf("its blob %s belongs to another document", blob)
	}
	return body, blob, nil
}

// dropBlob deletes the blob of a replaced big document.
func (c *docs[T]) dropBlob(ctx context.Context, blob string) {
	if err := c.deps.Blobs.Delete(ctx, blob); err != nil {
		c.deps.Log.Warn("could not delete a replaced document", "repo", c.repo, c.what, blob, "err", err)
	}
}

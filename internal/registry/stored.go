package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"

	"vetted/internal/blob"
	"vetted/internal/catalog"
)

// stored is a repository's fetched or uploaded files: their records in the catalog (kept
// in memory, bounded) and their bytes in the blob store. Every ecosystem's repositories
// keep files this way, under keys of their own ("pkg-1.0.whl", "linux-64/x.conda").
type stored struct {
	repo   string
	deps   *Deps
	flight *singleflight.Group

	mu    sync.RWMutex
	files map[string]catalog.File
}

func newStored(repo string, deps *Deps, flight *singleflight.Group) *stored {
	return &stored{repo: repo, deps: deps, flight: flight, files: map[string]catalog.File{}}
}

// open returns the file stored under key, or nil, nil when there is none (a record whose
// blob has gone counts as none, so that the file is fetched again).
func (st *stored) open(ctx context.Context, key string) (*Artifact, error) {
	st.mu.RLock()
	rec, ok := st.files[key]
	st.mu.RUnlock()
	if !ok {
		var err error
		rec, err = st.deps.Catalog.GetFile(ctx, st.repo, key)
		if errors.Is(err, catalog.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		st.mu.Lock()
		bounded(st.files, key, rec)
		st.mu.Unlock()
	}
	rc, info, err := st.deps.Blobs.Open(ctx, rec.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		st.deps.Log.Warn("blob missing for a catalogued file; fetching it again", "repo", st.repo, "file", key, "sha256", rec.SHA256)
		st.mu.Lock()
		delete(st.files, key)
		st.mu.Unlock()
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Artifact{Content: rc, Info: info, Filename: key}, nil
}

// get returns the file stored under key, calling fetch (once for any number of concurrent
// callers) when it is not stored yet. fetch stores the bytes in the blob store and
// returns the record, which get keeps. The fetch finishes and is kept even if the client
// that started it hangs up.
func (st *stored) get(ctx context.Context, key string, fetch func(context.Context) (catalog.File, error)) (*Artifact, error) {
	if a, err := st.open(ctx, key); a != nil || err != nil {
		return a, err
	}
	_, err, _ := st.flight.Do(st.repo+"\x00file\x00"+key, func() (any, error) {
		ctx := context.WithoutCancel(ctx)
		// A fetch that ended between the look above and this flight counts.
		if a, err := st.open(ctx, key); a != nil || err != nil {
			if a != nil {
				a.Content.Close()
			}
			return nil, err
		}
		row, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		return nil, st.record(ctx, row)
	})
	if err != nil {
		return nil, err
	}
	a, err := st.open(ctx, key)
	if a == nil && err == nil {
		err = fmt.Errorf("%s was fetched but is not in the blob store", key)
	}
	return a, err
}

// record keeps a file's record (after a fetch or an upload).
func (st *stored) record(ctx context.Context, row catalog.File) error {
	row.Repo = st.repo
	if row.FetchedAt.IsZero() {
		row.FetchedAt = st.deps.Clock()
	}
	if err := st.deps.Catalog.PutFile(ctx, row); err != nil {
		return fmt.Errorf("record %s in the catalog: %w", row.Filename, err)
	}
	st.mu.Lock()
	bounded(st.files, row.Filename, row)
	st.mu.Unlock()
	st.deps.Log.Info("stored", "repo", st.repo, "file", row.Filename, "sha256", row.SHA256, "size", row.Size, "from", row.UpstreamURL)
	return nil
}

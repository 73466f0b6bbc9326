package registry

import (
	"context"
	"fmt"
	"path"
	"sort"
	"sync"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/conda"
	"vetted/internal/ecosystem/conda/repodata"
)

// MirrorFilter selects what a conda mirror repository takes from its upstream.
type MirrorFilter struct {
	Subdirs  []string // the subdirs to sync, e.g. noarch, linux-64
	Names    []string // package name globs; empty: every package
	Versions string   // a conda version spec every mirrored version satisfies; "": any
	Latest   int      // keep only the newest N versions of each package; 0: all

	spec *conda.VersionSpec
}

// Compile checks the filter.
func (f *MirrorFilter) Compile() error {
	if len(f.Subdirs) == 0 {
		return fmt.Errorf("a mirror needs subdirs to sync (for example [noarch, linux-64])")
	}
	for _, sd := range f.Subdirs {
		if err := checkSubdir(sd); err != nil {
			return err
		}
	}
	for _, g := range f.Names {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("mirror name %q is not a valid glob: %v", g, err)
		}
	}
	if f.Versions != "" {
		vs, err := conda.ParseVersionSpec(f.Versions, conda.Strict)
		if err != nil {
			return fmt.Errorf("mirror versions: %w", err)
		}
		f.spec = &vs
	}
	if f.Latest < 0 {
		return fmt.Errorf("mirror latest must not be negative")
	}
	return nil
}

func (f *MirrorFilter) nameMatches(name string) bool { return matchesAny(f.Names, name) }

// matchesAny reports whether name matches one of a mirror's name globs; no globs match
// every name.
func matchesAny(globs []string, name string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// selector returns the mirror's filter over one subdir's records (names, versions and
// the newest N versions of each name).
func (f *MirrorFilter) selector(rd *repodata.Repodata) repodata.KeepFunc {
	if f == nil {
		return func(string, *repodata.Record) bool { return true }
	}
	versions := map[string][]string{}
	for _, m := range []map[string]*repodata.Record{rd.Packages, rd.PackagesConda} {
		for _, rec := range m {
			versions[rec.Name] = append(versions[rec.Name], rec.Version)
		}
	}
	newest := map[string]map[string]bool{}
	if f.Latest > 0 {
		for name, vs := range versions {
			sort.Slice(vs, func(i, j int) bool { return conda.Compare(vs[i], vs[j]) > 0 })
			keep := map[string]bool{}
			for _, v := range vs {
				if len(keep) == f.Latest && !keep[v] {
					break
				}
				keep[v] = true
			}
			newest[name] = keep
		}
	}
	return func(_ string, rec *repodata.Record) bool {
		if !f.nameMatches(rec.Name) {
			return false
		}
		if f.spec != nil {
			v, err := conda.ParseVersion(rec.Version)
			if err != nil || !f.spec.Matches(v) {
				return false
			}
		}
		return f.Latest == 0 || newest[rec.Name][rec.Version]
	}
}

// SyncProgress is told of a mirror sync's progress: files done out of total, per subdir.
type SyncProgress func(subdir string, done, total int)

// SyncResult reports a mirror sync.
type SyncResult struct {
	Subdirs    int
	Records    int // records selected (filter and policy)
	Fetched    int // files downloaded now
	Present    int // files already stored
	Failed     int
	FirstError error
}

// Sync brings a mirror repository up to date: it revalidates each subdir's repodata with
// upstream (a conditional GET), then downloads and verifies every selected, allowed file
// not yet stored. Files already stored are not fetched again.
func (s *Conda) Sync(ctx context.Context, repo string, progress SyncProgress) (SyncResult, error) {
	var res SyncResult
	r, err := s.repo(repo)
	if err != nil {
		return res, err
	}
	if r.mirror == nil {
		return res, fmt.Errorf("repository %s is not a mirror (kind: mirror): %w", repo, ErrInvalid)
	}
	for _, subdir := range r.mirror.Subdirs {
		old, err := r.repodata.cached(ctx, subdir)
		if err != nil {
			return res, err
		}
		st, err := r.repodata.refresh(ctx, subdir, old)
		if err != nil {
			return res, fmt.Errorf("sync %s/%s: %w", repo, subdir, err)
		}
		res.Subdirs++
		keep := r.keep(st.value)
		var todo []string
		for _, m := range []map[string]*repodata.Record{st.value.Packages, st.value.PackagesConda} {
			for filename, rec := range m {
				if keep(filename, rec) {
					todo = append(todo, filename)
				}
			}
		}
		sort.Strings(todo)
		res.Records += len(todo)
		var (
			mu   sync.Mutex
			done int
			wg   sync.WaitGroup
			sem  = make(chan struct{}, 4) // four downloads at a time
		)
		for _, filename := range todo {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			if a, _ := r.stored.open(ctx, subdir+"/"+filename); a != nil {
				a.Content.Close()
				mu.Lock()
				res.Present++
				done++
				mu.Unlock()
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func(filename string) {
				defer wg.Done()
				defer func() { <-sem }()
				a, err := r.stored.get(ctx, subdir+"/"+filename, func(ctx context.Context) (catalog.File, error) {
					return s.fetch(ctx, r, subdir, filename)
				})
				if a != nil {
					a.Content.Close()
				}
				mu.Lock()
				defer mu.Unlock()
				done++
				if err != nil {
					res.Failed++
					if res.FirstError == nil {
						res.FirstError = err
					}
				} else {
					res.Fetched++
				}
				if progress != nil {
					progress(subdir, done, len(todo))
				}
			}(filename)
		}
		wg.Wait()
		if progress != nil {
			progress(subdir, len(todo), len(todo))
		}
	}
	return res, nil
}

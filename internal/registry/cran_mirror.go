package registry

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/cran"
	"vetted/internal/upstream"
)

// A CRAN mirror repository serves a snapshot: the source packages its last sync
// selected, verified and stored, never more. Requests do not reach upstream, so the
// mirror keeps serving while upstream is down, and a new upstream release appears at the
// next sync (scheduled, or `vetted mirror sync`). The catalog holds, under the repository:
//
//	upstream/PACKAGES   upstream's src/contrib/PACKAGES as of the last sync, gzipped (its
//	                    validators make the next sync's request conditional)
//	archive keys        upstream's Archive/<pkg>/ listings, as for a proxy
//	mirror/PACKAGES     the snapshot, gzipped, written by Sync only: an index entry for every
//	                    mirrored version, archived ones included (read from their
//	                    DESCRIPTION, with their MD5)
//	PACKAGES            the serving copy of the snapshot, re-read from mirror/PACKAGES once
//	                    index_ttl has passed, so that a server sees a sync another process
//	                    made (a server writes only this one: no process overwrites another's
//	                    snapshot)
//
// PACKAGES served to R lists, for each package, the newest mirrored version that policy
// allows now; every mirrored version is a top-level src/contrib/<pkg>_<ver>.tar.gz.

const (
	upstreamPackagesKey = "upstream/PACKAGES"
	mirrorPackagesKey   = "mirror/PACKAGES"
)

// CRANMirror selects what a CRAN mirror repository takes from its upstream.
type CRANMirror struct {
	Names    []string // package name globs, case-sensitive ("data.*"); empty: every package
	Versions string   // an R version constraint every mirrored version satisfies (">= 1.0"); "": any
	// Latest keeps, of each package, the newest N versions that Versions and the policy
	// allow (so a block on the newest version mirrors the one before it, as a proxy would
	// serve it); 0 keeps every allowed version, which means reading every Archive/ listing.
	Latest int

	constraint cran.Constraint
}

// Compile checks the filter.
func (f *CRANMirror) Compile() error {
	for _, g := range f.Names {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("mirror name %q is not a valid glob: %v", g, err)
		}
	}
	c, err := cran.ParseConstraint(f.Versions)
	if err != nil {
		return fmt.Errorf("mirror versions: %w", err)
	}
	f.constraint = c
	if f.Latest < 0 {
		return fmt.Errorf("mirror latest must not be negative (0 mirrors every version)")
	}
	return nil
}

func (f *CRANMirror) nameMatches(name string) bool { return matchesAny(f.Names, name) }

// readSnapshot reads the mirror's snapshot from the catalog for the serving copy of
// PACKAGES: "not modified" while it is the one served (its digest is the validator), and
// no entries before the first sync.
func (s *CRAN) readSnapshot(ctx context.Context, r *cranRepo, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
	row, err := s.deps.Catalog.GetPage(ctx, r.name, mirrorPackagesKey)
	if errors.Is(err, catalog.ErrNotFound) {
		row, err = catalog.Page{}, nil
	}
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	val := upstream.Validators{ETag: fmt.Sprintf(`"%016x"`, genOf(row.Body))}
	if prev.ETag == val.ETag {
		return nil, val, true, nil
	}
	var es []cran.Entry
	if len(row.Body) > 0 {
		es, err = decodeGzipped(row.Body)
	}
	if err != nil {
		return nil, upstream.Validators{}, false, fmt.Errorf("catalog mirror/PACKAGES of %s is unreadable (run `vetted mirror sync %s` again): %w", r.name, r.name, err)
	}
	if es == nil {
		es = []cran.Entry{}
	}
	return es, val, false, nil
}

// decodeGzipped reads a gzipped PACKAGES kept in the catalog.
func decodeGzipped(b []byte) ([]cran.Entry, error) {
	data, err := cran.GunzipPackages(b, "catalog")
	if err != nil {
		return nil, err
	}
	return cran.ParsePackages(data, "catalog")
}

// mirrored returns the snapshot's entry of one version, if the mirror has it.
func (s *CRAN) mirrored(ctx context.Context, r *cranRepo, pkg, version string) (cran.Entry, bool, error) {
	st, _, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return cran.Entry{}, false, err
	}
	for _, e := range st.value {
		if e.Package() == pkg && e.Version() == version {
			return e, true, nil
		}
	}
	return cran.Entry{}, false, nil
}

// notMirrored is the error for a version a mirror does not have.
func notMirrored(repo, filename string) error {
	return fmt.Errorf("%s is not in mirror %s: its filter or policy did not select it, or it has not been synced yet (`vetted mirror sync %s`): %w", filename, repo, repo, ErrNotFound)
}

// Sync brings a CRAN mirror repository up to date: it revalidates upstream's PACKAGES
// (a conditional GET), selects for each package the versions the filter and the policy
// allow (reading Archive/<pkg>/ when older versions are needed), downloads and verifies
// every selected tarball not yet stored (against PACKAGES' MD5sum; an archived one, which
// CRAN publishes no digest for, must hold the DESCRIPTION its name says), and then
// replaces the mirror's snapshot. Files already stored are not fetched again. When a
// package's new version fails, the versions mirrored before stay listed. Progress counts
// packages, under the name "src/contrib".
func (s *CRAN) Sync(ctx context.Context, repo string, progress SyncProgress) (SyncResult, error) {
	var res SyncResult
	r, err := s.repo(repo)
	if err != nil {
		return res, err
	}
	if r.mirror == nil {
		return res, fmt.Errorf("repository %s is not a mirror (kind: mirror): %w", repo, ErrInvalid)
	}
	r.syncing.Lock()
	defer r.syncing.Unlock()
	old, err := r.upstreamIndex.cached(ctx, upstreamPackagesKey)
	if err != nil {
		return res, err
	}
	prevCurrent := map[string]string{} // upstream's current versions at the last sync
	if old != nil {
		for _, e := range old.value {
			prevCurrent[e.Package()] = e.Version()
		}
	}
	up, err := r.upstreamIndex.refresh(ctx, upstreamPackagesKey, old)
	if err != nil {
		return res, fmt.Errorf("sync %s: %w", repo, err)
	}
	// What the last sync mirrored, by package (kept when a package's new version fails)
	// and by filename (archived versions' entries, read from their DESCRIPTION once).
	prevSnap, _, _, err := s.readSnapshot(ctx, r, upstream.Validators{})
	if err != nil {
		return res, err
	}
	prevByPkg := map[string][]cran.Entry{}
	prevByFile := map[string]cran.Entry{}
	for _, e := range prevSnap {
		prevByPkg[e.Package()] = append(prevByPkg[e.Package()], e)
		prevByFile[cran.SourceFilename(e.Package(), e.Version())] = e
	}
	var todo []cran.Entry // upstream's current entry of each selected package
	for _, e := range up.value {
		if r.mirror.nameMatches(e.Package()) {
			todo = append(todo, e)
		}
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].Package() < todo[j].Package() })

	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 4) // four packages at a time
		got  = make([][]cran.Entry, len(todo))
	)
	for i, cur := range todo {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, cur cran.Entry) {
			defer wg.Done()
			defer func() { <-sem }()
			entries, t := s.syncPackage(ctx, r, cur, prevCurrent[cur.Package()] != cur.Version(), prevByPkg[cur.Package()], prevByFile)
			if len(t.errs) > 0 {
				// Keep what the last sync mirrored of this package, besides what this one got.
				have := map[string]bool{}
				for _, e := range entries {
					have[e.Version()] = true
				}
				for _, e := range prevByPkg[cur.Package()] {
					if !have[e.Version()] {
						entries = append(entries, e)
					}
				}
			}
			got[i] = entries
			mu.Lock()
			defer mu.Unlock()
			res.Records += t.selected
			res.Fetched += t.fetched
			res.Present += t.present
			res.Failed += len(t.errs)
			if res.FirstError == nil && len(t.errs) > 0 {
				res.FirstError = t.errs[0]
			}
			done++
			if progress != nil {
				progress("src/contrib", done, len(todo))
			}
		}(i, cur)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, err // the snapshot stays as it was; what was fetched is kept
	}
	var snap []cran.Entry
	for _, es := range got {
		snap = append(snap, es...)
	}
	if err := s.deps.Catalog.PutPage(ctx, catalog.Page{Repo: r.name, Key: mirrorPackagesKey, Body: cran.GzipPackages(cran.RenderPackages(snap)), FetchedAt: s.deps.Clock()}); err != nil {
		return res, fmt.Errorf("store the snapshot of mirror %s: %w", repo, err)
	}
	// Serve the new snapshot in this process at once.
	cur, err := r.packages.cached(ctx, packagesKey)
	if err != nil {
		return res, err
	}
	if _, err := r.packages.refresh(ctx, packagesKey, cur); err != nil {
		return res, err
	}
	if progress != nil {
		progress("src/contrib", len(todo), len(todo))
	}
	return res, nil
}

// syncTally is what the sync of one package did.
type syncTally struct {
	selected, fetched, present int
	errs                       []error
}

// syncPackage mirrors one package: its newest versions (upstream's current one, then the
// archived ones, newest first) that the filter and the policy allow, up to the filter's
// Latest. moved says that upstream's current version is not the one of the last sync;
// prev are the package's versions the last sync mirrored. It returns the snapshot entries
// of the versions it has.
func (s *CRAN) syncPackage(ctx context.Context, r *cranRepo, cur cran.Entry, moved bool, prev []cran.Entry, prevByFile map[string]cran.Entry) ([]cran.Entry, syncTally) {
	var (
		t   syncTally
		out []cran.Entry
		pkg = cur.Package()
		f   = r.mirror
	)
	try := func(v string, current bool) {
		if !f.constraint.Contains(v) {
			return
		}
		var license []string // known before the download for the current version
		if current {
			license = []string{cur.Get("License")}
		} else if e, ok := prevByFile[cran.SourceFilename(pkg, v)]; ok {
			license = []string{e.Get("License")}
		}
		if !r.decide(pkg, v, license...).Allowed() {
			return
		}
		e, fetched, err := s.mirrorVersion(ctx, r, cur, v, current, prevByFile)
		switch {
		case err != nil:
			t.selected++
			t.errs = append(t.errs, err)
		case !r.decide(pkg, v, e.Get("License")).Allowed():
			// An archived version whose licence, read from its DESCRIPTION, policy denies.
		default:
			t.selected++
			out = append(out, e)
			if fetched {
				t.fetched++
			} else {
				t.present++
			}
		}
	}
	try(cur.Version(), true)
	if f.Latest == 1 && len(out) == 1 {
		return out, t // no need for the archive
	}
	// The listing is cached like a proxy's; when upstream's current version changed since
	// the last sync, the one before it has just moved to Archive/: ask again.
	var st *doc[[]string]
	var err error
	if moved {
		if st, err = r.archives.cached(ctx, pkg); err == nil {
			st, err = r.archives.refresh(ctx, pkg, st)
		}
	} else {
		st, _, err = r.archives.get(ctx, pkg)
	}
	if err != nil {
		t.errs = append(t.errs, fmt.Errorf("list the archived versions of %s: %w", pkg, err))
		return out, t
	}
	// Versions mirrored before are candidates even if the listing has not caught up.
	seen := map[string]bool{}
	older := make([]string, 0, len(st.value)+len(prev))
	for _, v := range st.value {
		if cran.Compare(v, cur.Version()) < 0 && !seen[v] {
			older, seen[v] = append(older, v), true
		}
	}
	for _, e := range prev {
		if v := e.Version(); cran.Compare(v, cur.Version()) < 0 && !seen[v] {
			older, seen[v] = append(older, v), true
		}
	}
	sort.Slice(older, func(i, j int) bool { return cran.Compare(older[i], older[j]) > 0 })
	for _, v := range older {
		if f.Latest > 0 && len(out) >= f.Latest {
			break
		}
		try(v, false)
	}
	return out, t
}

// mirrorVersion makes sure one version is stored, fetching and verifying it when it is
// not, and returns its snapshot entry: upstream's PACKAGES entry for the current
// version, the entry made from DESCRIPTION for an archived one.
func (s *CRAN) mirrorVersion(ctx context.Context, r *cranRepo, cur cran.Entry, version string, current bool, prevByFile map[string]cran.Entry) (cran.Entry, bool, error) {
	pkg := cur.Package()
	filename := cran.SourceFilename(pkg, version)
	rel, md := "src/contrib/Archive/"+pkg+"/"+filename, ""
	if current {
		rel, md = "src/contrib/"+filename, cur.Get("MD5sum")
	} else if e, ok := prevByFile[filename]; ok {
		md = e.Get("MD5sum") // what it had when it was mirrored
	}
	fetched := false
	a, err := r.stored.get(ctx, filename, func(ctx context.Context) (catalog.File, error) {
		row, err := s.download(ctx, r, pkg, version, filename, rel, md)
		fetched = err == nil
		return row, err
	})
	if err != nil {
		return cran.Entry{}, false, err
	}
	a.Content.Close()
	if current {
		return cur, fetched, nil
	}
	if e, ok := prevByFile[filename]; ok {
		return e, fetched, nil
	}
	e, err := s.describe(ctx, a.Info.SHA256, filename)
	return e, fetched, err
}

// describe reads a stored source tarball's DESCRIPTION, checks it against the filename
// and returns its index entry, with the tarball's MD5.
func (s *CRAN) describe(ctx context.Context, sha256, filename string) (cran.Entry, error) {
	rc, _, err := s.deps.Blobs.Open(ctx, sha256)
	if err != nil {
		return cran.Entry{}, err
	}
	defer rc.Close()
	md := md5.New()
	desc, err := cran.ReadDescription(io.TeeReader(rc, md), filename)
	if err != nil {
		return cran.Entry{}, err
	}
	if err := cran.Validate(desc, filename); err != nil {
		return cran.Entry{}, err
	}
	io.Copy(md, rc) // the MD5 is of the whole file
	return cran.EntryFromDescription(desc, hex.EncodeToString(md.Sum(nil)))
}

// mirrorLocation says where a mirrored version lives upstream, as of the last sync, and
// the MD5 it had when mirrored (for fetching it again when its blob has gone).
func (s *CRAN) mirrorLocation(ctx context.Context, r *cranRepo, pkg, version, filename string) (rel, md5sum string, err error) {
	e, ok, err := s.mirrored(ctx, r, pkg, version)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", notMirrored(r.name, filename)
	}
	rel = "src/contrib/Archive/" + pkg + "/" + filename
	if up, err := r.upstreamIndex.cached(ctx, upstreamPackagesKey); err == nil && up != nil {
		for _, u := range up.value {
			if u.Package() == pkg && u.Version() == version {
				rel = "src/contrib/" + filename
				break
			}
		}
	}
	return rel, strings.ToLower(e.Get("MD5sum")), nil
}

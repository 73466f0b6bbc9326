package registry

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/cran"
	"vetted/internal/license"
	"vetted/internal/policy"
	"vetted/internal/upstream"
)

// CRANRepo configures one CRAN-like repository.
type CRANRepo struct {
	Name     string
	Upstream string // http(s) URL of a CRAN mirror, or a local folder laid out as one
	IndexTTL time.Duration
	Policy   *policy.Policy
	// Hosted repositories take uploads of source packages; their index is vetted's own.
	Hosted bool
	// PruneDependents also leaves out packages whose hard dependency (Depends, Imports,
	// LinkingTo) on a package of the repository has no allowed version that satisfies it.
	PruneDependents bool
	// Mirror, when set, makes a mirror repository: it serves the snapshot of its last sync
	// (Sync), which takes what the filter selects (see cran_mirror.go).
	Mirror *CRANMirror
}

// CRAN serves CRAN-like repositories. CRAN lists only each package's newest version in
// src/contrib/PACKAGES and moves older ones to src/contrib/Archive/<pkg>/, while R
// installs only what PACKAGES lists; so when policy blocks the newest version, vetted
// lists the newest allowed one instead (read from its DESCRIPTION) and serves its tarball
// at the top level, where R asks for it.
type CRAN struct {
	deps   Deps
	repos  map[string]*cranRepo
	flight singleflight.Group
}

type cranRepo struct {
	name     string
	upstream string // URL ending in "/", or an absolute folder
	local    bool
	hosted   bool
	prune    bool
	pruned   map[string]string // package → why it was left out by dependent pruning
	uploads  sync.Mutex        // serialises uploads (hosted)
	mirror   *CRANMirror       // nil unless a mirror
	syncing  sync.Mutex        // serialises syncs (mirror)
	governed
	// packages is the index the repository serves from, under "PACKAGES": upstream's
	// src/contrib/PACKAGES (proxy), the uploads (hosted), the snapshot of the last sync
	// (mirror).
	packages *docs[[]cran.Entry]
	// upstreamIndex is a mirror's upstream src/contrib/PACKAGES, as of the last sync.
	upstreamIndex *docs[[]cran.Entry]
	archives      *docs[[]string]     // archived versions, by package name
	binaries      *docs[[]cran.Entry] // binary trees' PACKAGES, by "bin/<dir>" (made on first use)

	mu       sync.RWMutex
	rendered *Rendered
	gzipped  *Rendered
	stored   *stored               // source tarballs by filename, binaries by "bin/<dir>/<filename>"
	entries  map[string]cran.Entry // index entries of archived versions, by filename
}

const packagesKey = "PACKAGES"

// NewCRAN builds the CRAN service.
func NewCRAN(deps Deps, repos []CRANRepo) (*CRAN, error) {
	s := &CRAN{deps: deps, repos: map[string]*cranRepo{}}
	for _, rc := range repos {
		pol := rc.Policy
		if pol == nil {
			var err error
			if pol, err = policy.Compile(policy.Spec{Name: "(none)"}, cran.Ecosystem{}); err != nil {
				return nil, err
			}
		}
		r := &cranRepo{name: rc.Name, entries: map[string]cran.Entry{}, hosted: rc.Hosted, prune: rc.PruneDependents, pruned: map[string]string{},
			governed: governed{eco: cran.OSVEcosystem, policy: pol, intel: deps.Intel, licenses: deps.Licenses, source: license.CRANLicense, clock: deps.Clock}}
		if strings.HasPrefix(rc.Upstream, "http://") || strings.HasPrefix(rc.Upstream, "https://") {
			r.upstream = strings.TrimSuffix(rc.Upstream, "/") + "/"
		} else {
			abs, err := filepath.Abs(rc.Upstream)
			if err != nil {
				return nil, err
			}
			r.upstream, r.local = abs, true
		}
		r.stored = newStored(r.name, &s.deps, &s.flight)
		ttl := rc.IndexTTL
		if rc.Hosted {
			ttl = 100 * 365 * 24 * time.Hour // vetted writes a hosted repository's index itself
		}
		encode := func(es []cran.Entry) ([]byte, error) { return cran.RenderPackages(es), nil }
		decode := func(b []byte) ([]cran.Entry, error) { return cran.ParsePackages(b, "catalog") }
		r.packages = newDocs[[]cran.Entry](r.name, "PACKAGES", ttl, &s.deps, &s.flight)
		r.packages.fetch = func(ctx context.Context, _ string, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
			return s.fetchPackages(ctx, r, prev)
		}
		r.packages.encode, r.packages.decode = encode, decode
		r.packages.owned = rc.Hosted
		if rc.Mirror != nil {
			if rc.Hosted {
				return nil, fmt.Errorf("repository %s: a hosted repository cannot be a mirror", rc.Name)
			}
			if err := rc.Mirror.Compile(); err != nil {
				return nil, fmt.Errorf("repository %s: %w", rc.Name, err)
			}
			r.mirror = rc.Mirror
			// A mirror serves its snapshot; only Sync asks upstream.
			r.packages.fetch = func(ctx context.Context, _ string, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
				return s.readSnapshot(ctx, r, prev)
			}
			r.packages.what = "mirror snapshot"
			r.upstreamIndex = newDocs[[]cran.Entry](r.name, "PACKAGES", ttl, &s.deps, &s.flight)
			r.upstreamIndex.fetch = func(ctx context.Context, _ string, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
				return s.fetchPackages(ctx, r, prev)
			}
			// Kept gzipped: smaller, and never the same bytes as the served PACKAGES, which
			// may hold the same entries (big documents are blobs, shared by content).
			r.upstreamIndex.encode = func(es []cran.Entry) ([]byte, error) { return cran.GzipPackages(cran.RenderPackages(es)), nil }
			r.upstreamIndex.decode = decodeGzipped
		}
		r.archives = newDocs[[]string](r.name, "archive", rc.IndexTTL, &s.deps, &s.flight)
		r.archives.fetch = func(ctx context.Context, pkg string, prev upstream.Validators) ([]string, upstream.Validators, bool, error) {
			return s.fetchArchive(ctx, r, pkg, prev)
		}
		r.archives.encode = func(vs []string) ([]byte, error) { return []byte(strings.Join(vs, "\n")), nil }
		r.archives.decode = func(b []byte) ([]string, error) {
			if len(b) == 0 {
				return nil, nil
			}
			return strings.Split(string(b), "\n"), nil
		}
		r.archives.name = func(pkg string) string { return "Archive/" + pkg + "/" }
		s.repos[rc.Name] = r
	}
	return s, nil
}

// Has reports whether a CRAN repository of that name exists.
func (s *CRAN) Has(repo string) bool { _, ok := s.repos[repo]; return ok }

func (s *CRAN) repo(name string) (*cranRepo, error) {
	r, ok := s.repos[name]
	if !ok {
		return nil, fmt.Errorf("repository %q: %w (no CRAN repository of that name is configured)", name, ErrNotFound)
	}
	return r, nil
}

func (s *CRAN) fetchPackages(ctx context.Context, r *cranRepo, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
	if r.hosted {
		return []cran.Entry{}, upstream.Validators{}, false, nil
	}
	if r.local {
		p := filepath.Join(r.upstream, "src", "contrib", "PACKAGES")
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, upstream.Validators{}, false, &upstream.Error{URL: p, Err: err}
		}
		es, err := cran.ParsePackages(data, p)
		if err != nil {
			return nil, upstream.Validators{}, false, &BadUpstreamError{URL: p, Err: err}
		}
		return es, upstream.Validators{}, false, nil
	}
	u := r.upstream + "src/contrib/PACKAGES"
	page, err := s.deps.Upstream.GetPage(ctx, u, "", prev)
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	es, err := cran.ParsePackages(page.Body, u)
	if err != nil {
		return nil, upstream.Validators{}, false, &BadUpstreamError{URL: u, Err: err}
	}
	return es, page.Validators, false, nil
}

var archiveHref = regexp.MustCompile(`href="([A-Za-z0-9.]+)_([0-9][0-9.-]*)\.tar\.gz"`)

// fetchArchive lists the archived versions of a package: Archive/<pkg>/ as a directory
// (local) or as the web server's index page (HTTP). No archive is no versions.
func (s *CRAN) fetchArchive(ctx context.Context, r *cranRepo, pkg string, prev upstream.Validators) ([]string, upstream.Validators, bool, error) {
	var versions []string
	if r.local {
		ents, err := os.ReadDir(filepath.Join(r.upstream, "src", "contrib", "Archive", pkg))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, upstream.Validators{}, false, &upstream.Error{URL: r.upstream, Err: err}
		}
		for _, e := range ents {
			if name, v, err := cran.ParseFilename(e.Name()); err == nil && name == pkg {
				versions = append(versions, v)
			}
		}
		return versions, upstream.Validators{}, false, nil
	}
	u := r.upstream + "src/contrib/Archive/" + url.PathEscape(pkg) + "/"
	page, err := s.deps.Upstream.GetPage(ctx, u, "text/html", prev)
	var ue *upstream.Error
	if errors.As(err, &ue) && ue.NotFound() {
		return nil, upstream.Validators{}, false, nil
	}
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	for _, m := range archiveHref.FindAllStringSubmatch(string(page.Body), -1) {
		if m[1] == pkg {
			versions = append(versions, m[2])
		}
	}
	return versions, page.Validators, false, nil
}

// decide evaluates the policy on one version; licenseText is its declared License field
// when known.
func (r *cranRepo) decide(pkg, version string, licenseText ...string) policy.Decision {
	return r.policy.Evaluate(r.facts(pkg, version, nil, licenseText...))
}

// Packages serves GET /cran/<repo>/src/contrib/PACKAGES[.gz]: for each package, its
// newest allowed version, whether upstream has it at the top level or in Archive/.
func (s *CRAN) Packages(ctx context.Context, repo string, gz bool) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	st, warning, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return nil, err
	}
	rev := r.revision()
	r.mu.RLock()
	cached, cachedGz := r.rendered, r.gzipped
	r.mu.RUnlock()
	if cached == nil || cached.gen != st.gen || cached.revision != rev {
		v, err, _ := s.flight.Do(repo+"\x00PACKAGES", func() (any, error) {
			return s.render(context.WithoutCancel(ctx), r, st.value, st.gen, st.changedAt, rev)
		})
		if err != nil {
			return nil, err
		}
		cached = v.(*Rendered)
		cachedGz = &Rendered{Body: cran.GzipPackages(cached.Body), ContentType: "application/x-gzip", LastModified: cached.LastModified, gen: cached.gen, revision: rev}
		sum := sha256.Sum256(cachedGz.Body)
		cachedGz.ETag = `"` + hex.EncodeToString(sum[:12]) + `"`
		r.mu.Lock()
		r.rendered, r.gzipped = cached, cachedGz
		r.mu.Unlock()
	}
	if gz {
		return &Page{Rendered: cachedGz, Warning: warning}, nil
	}
	return &Page{Rendered: cached, Warning: warning}, nil
}

func (s *CRAN) render(ctx context.Context, r *cranRepo, entries []cran.Entry, gen uint64, changedAt time.Time, rev string) (*Rendered, error) {
	// A hosted repository's index holds every uploaded version; an upstream's, one per
	// package. Either way, each package gets its newest allowed version.
	byPkg := map[string][]cran.Entry{}
	var order []string
	for _, e := range entries {
		if byPkg[e.Package()] == nil {
			order = append(order, e.Package())
		}
		byPkg[e.Package()] = append(byPkg[e.Package()], e)
	}
	sort.Strings(order)
	out := make([]cran.Entry, 0, len(order))
	for _, pkg := range order {
		es := byPkg[pkg]
		sort.Slice(es, func(i, j int) bool { return cran.Compare(es[i].Version(), es[j].Version()) > 0 })
		found := false
		for _, e := range es {
			if r.decide(pkg, e.Version(), e.Get("License")).Allowed() {
				out, found = append(out, e), true
				break
			}
		}
		if !found && !r.hosted && r.mirror == nil { // a mirror's snapshot holds its older versions
			if e2, ok := s.newestArchived(ctx, r, pkg, es[0].Version()); ok {
				out = append(out, e2)
			}
		}
	}
	if r.prune {
		out = s.pruneDependents(r, out, byPkg)
	}
	body := cran.RenderPackages(out)
	sum := sha256.Sum256(body)
	return &Rendered{Body: body, ContentType: "text/plain; charset=utf-8", ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, LastModified: changedAt, gen: gen, revision: rev}, nil
}

// newestArchived returns the index entry of the newest archived version of pkg (older
// than current) that policy allows, reading its DESCRIPTION from the tarball (fetched
// and kept like any download).
func (s *CRAN) newestArchived(ctx context.Context, r *cranRepo, pkg, current string) (cran.Entry, bool) {
	st, _, err := r.archives.get(ctx, pkg)
	if err != nil {
		s.deps.Log.Warn("could not list archived versions", "repo", r.name, "package", pkg, "err", err)
		return cran.Entry{}, false
	}
	versions := append([]string(nil), st.value...)
	sort.Slice(versions, func(i, j int) bool { return cran.Compare(versions[i], versions[j]) > 0 })
	for _, v := range versions {
		if cran.Compare(v, current) >= 0 || !r.decide(pkg, v).Allowed() {
			continue
		}
		filename := cran.SourceFilename(pkg, v)
		r.mu.RLock()
		e, ok := r.entries[filename]
		r.mu.RUnlock()
		if ok {
			if r.decide(pkg, v, e.Get("License")).Allowed() {
				return e, true
			}
			continue
		}
		a, err := s.obtain(ctx, r, pkg, v, filename)
		if err != nil {
			s.deps.Log.Warn("could not fetch an archived version", "repo", r.name, "file", filename, "err", err)
			return cran.Entry{}, false
		}
		// One pass reads DESCRIPTION and the MD5 that R checks the download against.
		md := md5.New()
		desc, err := cran.ReadDescription(io.TeeReader(a.Content, md), filename)
		a.Content.Close()
		if err != nil {
			s.deps.Log.Warn("archived tarball has no readable DESCRIPTION", "repo", r.name, "file", filename, "err", err)
			return cran.Entry{}, false
		}
		e, err = cran.EntryFromDescription(desc, hex.EncodeToString(md.Sum(nil)))
		if err != nil {
			s.deps.Log.Warn("archived DESCRIPTION makes no index entry", "repo", r.name, "file", filename, "err", err)
			return cran.Entry{}, false
		}
		r.mu.Lock()
		bounded(r.entries, filename, e)
		r.mu.Unlock()
		if !r.decide(pkg, v, e.Get("License")).Allowed() {
			continue // its licence is not allowed: try an older one
		}
		return e, true
	}
	return cran.Entry{}, false
}

// File serves GET /cran/<repo>/src/contrib/[Archive/<pkg>/]<pkg>_<ver>.tar.gz.
func (s *CRAN) File(ctx context.Context, repo, filename string) (*Artifact, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	pkg, version, err := cran.ParseFilename(filename)
	if err != nil || !strings.HasSuffix(filename, cran.ExtSource) {
		return nil, fmt.Errorf("%s is not a source package file name (<pkg>_<version>.tar.gz): %w", filename, ErrNotFound)
	}
	if r.mirror != nil {
		// A version the mirror does not have is not found, unless policy blocks it: then
		// the block, with its reason, is the better answer.
		if _, ok, err := s.mirrored(ctx, r, pkg, version); err != nil {
			return nil, err
		} else if !ok && r.decide(pkg, version).Allowed() {
			return nil, notMirrored(repo, filename)
		}
	}
	d := s.pruning(ctx, r, pkg, r.decide(pkg, version, s.knownLicense(ctx, r, pkg, version)...))
	if !d.Allowed() {
		s.deps.Metrics.blockedDownload(repo)
		return nil, &BlockedError{Repo: repo, Project: pkg, Version: version, Filename: filename, Decision: d, NewestAllowed: s.newestAllowed(ctx, r, pkg)}
	}
	return s.obtain(ctx, r, pkg, version, filename)
}

// knownLicense returns the declared licence of a version when vetted has read it: from
// the index, or from an archived version's DESCRIPTION read for PACKAGES.
func (s *CRAN) knownLicense(ctx context.Context, r *cranRepo, pkg, version string) []string {
	if st, _, err := r.packages.get(ctx, packagesKey); err == nil {
		for _, e := range st.value {
			if e.Package() == pkg && e.Version() == version {
				return []string{e.Get("License")}
			}
		}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e, ok := r.entries[cran.SourceFilename(pkg, version)]; ok {
		return []string{e.Get("License")}
	}
	return nil
}

// pruning turns an allowed decision into a block when dependent pruning left pkg out of
// PACKAGES (brought up to date first).
func (s *CRAN) pruning(ctx context.Context, r *cranRepo, pkg string, d policy.Decision) policy.Decision {
	if !r.prune || !d.Allowed() {
		return d
	}
	if _, err := s.Packages(ctx, r.name, false); err != nil {
		return d
	}
	r.mu.RLock()
	why := r.pruned[pkg]
	r.mu.RUnlock()
	if why == "" {
		return d
	}
	return policy.Decision{Verdict: policy.Block, Policy: r.policy.Name(), Revision: r.policy.Revision(), Reasons: []policy.Reason{{
		Rule: "prune-dependents", Verdict: policy.Block, Message: why,
		Remedy: "allow a version of the dependency, or ask for an exception",
	}}}
}

// newestAllowed returns the newest version of pkg that policy allows, from the index and,
// for a proxy, from upstream's Archive/ (reading DESCRIPTIONs as PACKAGES does); "" if none
// or if dependent pruning leaves pkg out of PACKAGES.
func (s *CRAN) newestAllowed(ctx context.Context, r *cranRepo, pkg string) string {
	st, _, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return ""
	}
	if r.prune {
		if _, err := s.Packages(ctx, r.name, false); err != nil { // brings the pruning up to date
			return ""
		}
		r.mu.RLock()
		pruned := r.pruned[pkg] != ""
		r.mu.RUnlock()
		if pruned {
			return "" // no version of it is listed
		}
	}
	best := ""
	for _, e := range st.value {
		if e.Package() != pkg || (best != "" && cran.Compare(e.Version(), best) <= 0) {
			continue
		}
		if r.decide(pkg, e.Version(), e.Get("License")).Allowed() {
			best = e.Version()
		} else if r.hosted || r.mirror != nil {
			continue // every version is listed
		} else if e2, ok := s.newestArchived(ctx, r, pkg, e.Version()); ok {
			best = e2.Version()
		}
	}
	return best
}

// obtain returns a tarball from the blob store or fetched from upstream, without any
// policy check (File checks policy first; rendering PACKAGES reads archived versions
// whose decision it has made).
func (s *CRAN) obtain(ctx context.Context, r *cranRepo, pkg, version, filename string) (*Artifact, error) {
	return r.stored.get(ctx, filename, func(ctx context.Context) (catalog.File, error) {
		return s.fetch(ctx, r, pkg, version, filename)
	})
}

// fetch downloads a source tarball: the current version from src/contrib/ (verified
// against PACKAGES' MD5sum), an older one from src/contrib/Archive/<pkg>/ (CRAN publishes
// no digest for those: it is kept with its own digests and a warning). A mirror fetches a
// mirrored version whose blob has gone from where upstream listed it at the last sync,
// against the MD5 it had then.
func (s *CRAN) fetch(ctx context.Context, r *cranRepo, pkg, version, filename string) (catalog.File, error) {
	if r.mirror != nil {
		rel, md, err := s.mirrorLocation(ctx, r, pkg, version, filename)
		if err != nil {
			return catalog.File{}, err
		}
		return s.download(ctx, r, pkg, version, filename, rel, md)
	}
	st, _, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return catalog.File{}, err
	}
	rel, md := "src/contrib/Archive/"+pkg+"/"+filename, ""
	for _, e := range st.value {
		if e.Package() == pkg && e.Version() == version {
			rel, md = "src/contrib/"+filename, e.Get("MD5sum")
		}
	}
	return s.download(ctx, r, pkg, version, filename, rel, md)
}

// download fetches the tarball at rel (relative to the upstream's root), verified against
// md5sum, and stores it. CRAN publishes no digest for archived files (md5sum ""): such a
// source package must at least hold the DESCRIPTION its name says, or it is not kept.
func (s *CRAN) download(ctx context.Context, r *cranRepo, pkg, version, filename, rel, md5sum string) (catalog.File, error) {
	hashes := map[string]string{}
	if md5sum != "" {
		hashes["md5"] = md5sum
	}
	var src string
	var open func(context.Context) (io.ReadCloser, error)
	if r.local {
		src = filepath.Join(r.upstream, filepath.FromSlash(rel))
		open = func(context.Context) (io.ReadCloser, error) {
			f, err := os.Open(src)
			if errors.Is(err, os.ErrNotExist) {
				return nil, &upstream.Error{URL: src, Status: 404}
			}
			if err != nil {
				return nil, &upstream.Error{URL: src, Err: err}
			}
			return f, nil
		}
	} else {
		src = r.upstream + rel
		open = func(ctx context.Context) (io.ReadCloser, error) {
			rc, _, err := s.deps.Upstream.Open(ctx, src)
			return rc, err
		}
	}
	sum, n, err := s.deps.download(ctx, open, filename, src, hashes, -1)
	s.deps.Metrics.upstreamRequest(r.name, "file", resultOf(err, false))
	if err != nil {
		var ue *upstream.Error
		if errors.As(err, &ue) && ue.NotFound() {
			return catalog.File{}, fmt.Errorf("%s: %w", ue.Error(), ErrNotFound)
		}
		return catalog.File{}, err
	}
	if md5sum == "" && strings.HasSuffix(filename, cran.ExtSource) {
		if _, err := s.describe(ctx, sum, filename); err != nil {
			return catalog.File{}, &BadUpstreamError{URL: src, Err: err}
		}
	}
	return catalog.File{Project: pkg, Version: version, Filename: filename, SHA256: sum, Size: n, UpstreamURL: src}, nil
}

// Upload serves PUT /cran/<repo>/src/contrib/<pkg>_<ver>.tar.gz for hosted repositories:
// the tarball's DESCRIPTION is read safely and must agree with the filename; the file is
// stored immutably (409 on re-upload) and added to the index.
func (s *CRAN) Upload(ctx context.Context, repo, filename string, body io.Reader) (cran.Entry, error) {
	r, err := s.repo(repo)
	if err != nil {
		return cran.Entry{}, err
	}
	if !r.hosted {
		kind := "proxy"
		if r.mirror != nil {
			kind = "mirror"
		}
		return cran.Entry{}, fmt.Errorf("repository %s is a %s; upload to a repository of kind hosted: %w", repo, kind, ErrInvalid)
	}
	if _, _, err := cran.ParseFilename(filename); err != nil || !strings.HasSuffix(filename, cran.ExtSource) {
		return cran.Entry{}, fmt.Errorf("%q is not a source package file name (<pkg>_<version>.tar.gz): %w", filename, ErrInvalid)
	}
	tmp, err := os.CreateTemp("", "vetted-upload-*")
	if err != nil {
		return cran.Entry{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	md := md5.New()
	if _, err := io.Copy(io.MultiWriter(tmp, md), io.LimitReader(body, cran.MaxTarballBytes+1)); err != nil {
		return cran.Entry{}, fmt.Errorf("receive %s: %w", filename, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return cran.Entry{}, err
	}
	desc, err := cran.ReadDescription(tmp, filename)
	if err != nil {
		return cran.Entry{}, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	if err := cran.Validate(desc, filename); err != nil {
		return cran.Entry{}, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	entry, err := cran.EntryFromDescription(desc, hex.EncodeToString(md.Sum(nil)))
	if err != nil {
		return cran.Entry{}, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	r.uploads.Lock()
	defer r.uploads.Unlock()
	st, _, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return cran.Entry{}, err
	}
	for _, e := range st.value {
		if e.Package() == entry.Package() && e.Version() == entry.Version() {
			return cran.Entry{}, fmt.Errorf("%s %s is already in %s; uploads are immutable, bump the version: %w", e.Package(), e.Version(), repo, ErrConflict)
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return cran.Entry{}, err
	}
	w, err := s.deps.Blobs.Create(ctx)
	if err != nil {
		return cran.Entry{}, err
	}
	if _, err := io.Copy(w, tmp); err != nil {
		w.Abort()
		return cran.Entry{}, err
	}
	info, err := w.Commit(ctx, "")
	if err != nil {
		return cran.Entry{}, err
	}
	next := append(append([]cran.Entry(nil), st.value...), entry)
	if err := r.packages.replace(ctx, packagesKey, next); err != nil {
		return cran.Entry{}, err
	}
	if err := r.stored.record(ctx, catalog.File{Project: entry.Package(), Version: entry.Version(), Filename: filename, SHA256: info.SHA256, Size: info.Size, UpstreamURL: "uploaded"}); err != nil {
		return cran.Entry{}, err
	}
	return entry, nil
}

// pruneDependents removes, to a fixed point, the entries whose hard dependency names a
// package the repository has (upstream lists it) but whose listed version is gone or does
// not satisfy the constraint. Dependencies on R itself and on packages the repository
// does not have (base packages, other repositories) never remove anything.
func (s *CRAN) pruneDependents(r *cranRepo, entries []cran.Entry, known map[string][]cran.Entry) []cran.Entry {
	live := map[string]cran.Entry{}
	for _, e := range entries {
		live[e.Package()] = e
	}
	// unsatisfied returns why e cannot be installed from what is still listed, or "".
	unsatisfied := func(e cran.Entry) string {
		for _, field := range []string{"Depends", "Imports", "LinkingTo"} {
			deps, err := e.Deps(field)
			if err != nil {
				continue
			}
			for _, d := range deps {
				if d.IsR() || known[d.Name] == nil {
					continue
				}
				if dep, ok := live[d.Name]; ok {
					if c, err := d.Constraint(); err != nil || c.Contains(dep.Version()) {
						continue
					}
				}
				return fmt.Sprintf("%s %s depends on %s, and no allowed version of %s satisfies it", e.Package(), e.Version(), d.String(), d.Name)
			}
		}
		return ""
	}
	why := map[string]string{}
	for changed := true; changed; {
		changed = false
		for name, e := range live {
			if reason := unsatisfied(e); reason != "" {
				delete(live, name)
				why[name], changed = reason, true
			}
		}
	}
	out := make([]cran.Entry, 0, len(live))
	for _, e := range entries {
		if _, ok := live[e.Package()]; ok {
			out = append(out, e)
		}
	}
	r.mu.Lock()
	r.pruned = why
	r.mu.Unlock()
	return out
}

package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"vetted/internal/blob"
	"vetted/internal/catalog"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/ecosystem/pypi/pep440"
	"vetted/internal/license"
	"vetted/internal/policy"
	"vetted/internal/upstream"
)

// Format is the representation of an index page.
type Format int

const (
	FormatHTML Format = iota // PEP 503
	FormatJSON               // PEP 691
)

// Content types of the simple API.
const (
	ContentTypeSimpleHTML = "application/vnd.pypi.simple.v1+html"
	ContentTypeSimpleJSON = "application/vnd.pypi.simple.v1+json"
)

// Deps are what the registry is built from.
type Deps struct {
	Catalog  catalog.Store
	Blobs    blob.Store
	Upstream *upstream.Client
	Log      *slog.Logger
	Clock    func() time.Time
	Metrics  *Metrics // optional
	Intel    *Intel   // optional: vulnerability facts
	// Licenses normalises declared licences (optional: no licence facts without it).
	Licenses *license.Normalizer
}

// PyPIRepo configures one PyPI repository.
type PyPIRepo struct {
	Name     string
	Upstream string // http(s) URL of a simple index, or a local folder
	IndexTTL time.Duration
	Policy   *policy.Policy
}

// PyPI serves PyPI repositories.
type PyPI struct {
	deps   Deps
	repos  map[string]*pypiRepo
	flight singleflight.Group
}

type pypiRepo struct {
	name string
	src  pypiSource
	ttl  time.Duration
	governed

	lists    *docs[*pypi.ProjectList] // the project list, under listKey
	projects *docs[*pypi.Project]     // project pages, by normalised name
	stored   *stored                  // fetched files, by filename

	mu         sync.RWMutex
	rendered   map[renderKey]*Rendered    // valid while gen and policy revision match
	licensesOf map[string]*policy.License // by project + "\x00" + version (licence rules only)
}

type renderKey struct {
	key    string
	format Format
}

// maxCached bounds each of a repository's in-memory maps. Everything in them can be
// rebuilt from the catalog (pages, files) or by rendering again, so when a map is full an
// arbitrary tenth of it is dropped: cheap, and hot entries come back at once.
const maxCached = 20000

// bounded stores v under k, first making room if m is full. The caller holds the lock.
func bounded[K comparable, V any](m map[K]V, k K, v V) {
	if _, ok := m[k]; !ok && len(m) >= maxCached {
		drop := maxCached / 10
		for key := range m {
			delete(m, key)
			if drop--; drop == 0 {
				break
			}
		}
	}
	m[k] = v
}

// Rendered is an index page ready to send.
type Rendered struct {
	Body         []byte
	Gzip         []byte
	ContentType  string
	ETag         string
	LastModified time.Time
	gen          uint64
	revision     string // policy revision and facts generation it was rendered under
	headers      atomic.Pointer[HeaderValues]
}

// HeaderValues are a rendering's HTTP header values, formatted once and shared by every
// response that sends it (net/http only reads them). The Gzip ones describe Gzip.
type HeaderValues struct {
	ETag, ContentLength         []string
	GzipETag, GzipContentLength []string
	LastModified                []string // nil when the time is unknown
}

// Headers returns the rendering's header values, formatted on first use. Each request
// for a cached page reads them, so they are reached without a lock.
func (r *Rendered) Headers() *HeaderValues {
	if h := r.headers.Load(); h != nil {
		return h
	}
	h := &HeaderValues{
		ETag:              []string{r.ETag},
		ContentLength:     []string{strconv.Itoa(len(r.Body))},
		GzipETag:          []string{strings.TrimSuffix(r.ETag, `"`) + `-gzip"`},
		GzipContentLength: []string{strconv.Itoa(len(r.Gzip))},
	}
	if !r.LastModified.IsZero() {
		h.LastModified = []string{r.LastModified.UTC().Format(httpTime)}
	}
	r.headers.CompareAndSwap(nil, h)
	return r.headers.Load()
}

// httpTime is the form of dates in HTTP headers (RFC 9110, section 5.6.7).
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

// Page is a rendered page with per-request information.
type Page struct {
	*Rendered
	// Warning is set when upstream could not be reached and a cached page is served.
	Warning string
}

// Artifact is a file ready to send.
type Artifact struct {
	Content  io.ReadSeekCloser
	Info     blob.Info
	Filename string
}

// NewPyPI builds the PyPI service.
func NewPyPI(deps Deps, repos []PyPIRepo) (*PyPI, error) {
	s := &PyPI{deps: deps, repos: map[string]*pypiRepo{}}
	for _, rc := range repos {
		pol := rc.Policy
		if pol == nil {
			// Even without a policy, malicious packages are refused.
			var err error
			if pol, err = policy.Compile(policy.Spec{Name: "(none)"}, pypi.Ecosystem{}); err != nil {
				return nil, err
			}
		}
		r := &pypiRepo{
			name:       rc.Name,
			ttl:        rc.IndexTTL,
			governed:   governed{eco: pypi.OSVEcosystem, policy: pol, intel: deps.Intel, licenses: deps.Licenses, clock: deps.Clock},
			rendered:   map[renderKey]*Rendered{},
			licensesOf: map[string]*policy.License{},
		}
		if strings.HasPrefix(rc.Upstream, "http://") || strings.HasPrefix(rc.Upstream, "https://") {
			r.src = newHTTPSource(rc.Upstream, deps.Upstream)
		} else {
			src, err := newFolderSource(rc.Upstream, min(rc.IndexTTL, 10*time.Second), deps.Clock)
			if err != nil {
				return nil, err
			}
			r.src = src
		}
		r.stored = newStored(r.name, &s.deps, &s.flight)
		s.setupDocs(r)
		s.repos[rc.Name] = r
	}
	return s, nil
}

// setupDocs makes the repository's caches of upstream pages.
func (s *PyPI) setupDocs(r *pypiRepo) {
	r.lists = newDocs[*pypi.ProjectList](r.name, "page", r.ttl, &s.deps, &s.flight)
	r.lists.fetch = func(ctx context.Context, _ string, prev upstream.Validators) (*pypi.ProjectList, upstream.Validators, bool, error) {
		return r.src.ProjectList(ctx, prev)
	}
	r.lists.encode, r.lists.decode = pypi.EncodeProjectList, pypi.DecodeProjectList
	r.lists.name = func(string) string { return "(project list)" }

	r.projects = newDocs[*pypi.Project](r.name, "page", r.ttl, &s.deps, &s.flight)
	r.projects.fetch = func(ctx context.Context, name string, prev upstream.Validators) (*pypi.Project, upstream.Validators, bool, error) {
		return r.src.Project(ctx, name, prev)
	}
	r.projects.encode, r.projects.decode = pypi.EncodePage, pypi.DecodePage
	r.projects.stored = func(ctx context.Context, _ string, p *pypi.Project) { s.recordProject(ctx, r, p) }
}

// Has reports whether a PyPI repository of that name exists.
func (s *PyPI) Has(repo string) bool { _, ok := s.repos[repo]; return ok }

func (s *PyPI) repo(name string) (*pypiRepo, error) {
	r, ok := s.repos[name]
	if !ok {
		return nil, fmt.Errorf("repository %q: %w (no PyPI repository of that name is configured)", name, ErrNotFound)
	}
	return r, nil
}

// checkProject validates a project name from a request.
func checkProject(name string) error {
	if !pypi.ValidName(name) {
		return fmt.Errorf("project name %q: %w: a name has letters, digits, '.', '_' and '-' only", name, ErrInvalid)
	}
	return nil
}

// checkVersion validates a version from a request: a PEP 440 version, or else a legacy
// one made of the characters a distribution filename allows in a version.
func checkVersion(v string) error {
	if _, err := pep440.Parse(v); err == nil {
		return nil
	}
	ok := v != "" && len(v) <= 128
	for i := 0; ok && i < len(v); i++ {
		c := v[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		ok = alnum || (i > 0 && strings.IndexByte("._-+!", c) >= 0)
	}
	if !ok {
		return fmt.Errorf("version %q: %w: a version has letters, digits, '.', '_', '-', '+' and '!' only (like 1.0, 2.1.0rc1, 1!2.0+local)", v, ErrInvalid)
	}
	return nil
}

// listKey is the catalog key of the project list; project pages use their names.
const listKey = ""

// ProjectList serves GET /pypi/<repo>/simple/.
func (s *PyPI) ProjectList(ctx context.Context, repo string, format Format) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	st, warning, err := r.lists.get(ctx, listKey)
	if err != nil {
		return nil, err
	}
	return &Page{Rendered: r.render(listKey, format, st.gen, st.changedAt, func() ([]byte, error) {
		out := &pypi.ProjectList{Meta: pypi.Meta{APIVersion: "1.1"}}
		for _, p := range st.value.Projects {
			if r.projectVisible(pypi.NormalizeName(p.Name)) {
				out.Projects = append(out.Projects, p)
			}
		}
		if format == FormatJSON {
			return pypi.RenderProjectListJSON(out), nil
		}
		return pypi.RenderProjectListHTML(out), nil
	}), Warning: warning}, nil
}

// ProjectPage serves GET /pypi/<repo>/simple/<project>/ with only the allowed versions.
// project must be normalised (the handler redirects other spellings).
func (s *PyPI) ProjectPage(ctx context.Context, repo, project string, format Format) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkProject(project); err != nil {
		return nil, err
	}
	if !r.projectVisible(project) {
		return nil, fmt.Errorf("project %s in %s: %w", project, repo, ErrNotFound)
	}
	st, warning, err := r.projects.get(ctx, project)
	if err != nil {
		return nil, err
	}
	if r.needsLicense() {
		s.prefetchLicenses(ctx, r, st.value, projectVersions(st.value))
	}
	return &Page{Rendered: r.render(project, format, st.gen, st.changedAt, func() ([]byte, error) {
		p := r.filter(st.value)
		if format == FormatJSON {
			return pypi.RenderProjectJSON(p), nil
		}
		return pypi.RenderProjectHTML(p), nil
	}), Warning: warning}, nil
}

// projectVisible reports whether a project may appear at all (policy by name alone).
func (r *pypiRepo) projectVisible(project string) bool {
	return r.policy.ProjectVisible(project)
}

// decide gathers the facts of one version and evaluates the policy. versions, the
// project's known versions, lets remedies name the nearest unaffected one; it may be nil.
func (r *pypiRepo) decide(project, version string, versions []string) policy.Decision {
	f := r.facts(project, version, versions)
	if r.needsLicense() {
		r.mu.RLock()
		f.License = r.licensesOf[project+"\x00"+version]
		r.mu.RUnlock()
	}
	return r.policy.Evaluate(f)
}

// needsLicense reports whether the policy decides on licences (read from core metadata).
func (r *pypiRepo) needsLicense() bool { return r.licenses != nil && r.policy.NeedsLicense() }

// prefetchLicenses reads the declared licence of each version not known yet from the
// core metadata of one of its files (PEP 658 from upstream, or extracted from a wheel),
// eight at a time. A version without readable metadata gets NOASSERTION, so that the
// policy's unknown setting decides it.
func (s *PyPI) prefetchLicenses(ctx context.Context, r *pypiRepo, p *pypi.Project, versions []string) {
	byVersion := map[string]string{} // version → a file whose metadata to read
	for _, f := range p.Files {
		d, err := pypi.ParseFilenameFor(p.Name, f.Filename)
		if err != nil || (d.Kind != "wheel" && f.CoreMetadata == nil) {
			continue
		}
		if cur, ok := byVersion[d.Version]; !ok || (f.CoreMetadata != nil && !strings.HasSuffix(cur, "+meta")) {
			name := f.Filename
			if f.CoreMetadata != nil {
				name += "+meta"
			}
			byVersion[d.Version] = name
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, v := range versions {
		key := p.Name + "\x00" + v
		r.mu.RLock()
		_, known := r.licensesOf[key]
		r.mu.RUnlock()
		if known {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(v, key string) {
			defer wg.Done()
			defer func() { <-sem }()
			lic := s.readLicense(ctx, r, p.Name, strings.TrimSuffix(byVersion[v], "+meta"))
			r.mu.Lock()
			bounded(r.licensesOf, key, lic)
			r.mu.Unlock()
		}(v, key)
	}
	wg.Wait()
}

// readLicense reads and normalises the licence declared in a file's core metadata.
func (s *PyPI) readLicense(ctx context.Context, r *pypiRepo, project, filename string) *policy.License {
	unknown := func(why string) *policy.License {
		return &policy.License{Declared: "(" + why + ")", Expression: license.NOASSERTION, Category: string(license.Unknown)}
	}
	if filename == "" {
		return unknown("no wheel or core metadata to read the licence from")
	}
	a, err := s.obtain(ctx, r, project, filename+".metadata")
	if err != nil {
		return unknown(fmt.Sprintf("core metadata unavailable: %v", err))
	}
	data, err := io.ReadAll(io.LimitReader(a.Content, pypi.MaxMetadataBytes))
	a.Content.Close()
	if err != nil {
		return unknown(err.Error())
	}
	md, err := pypi.ParseMetadata(data)
	if err != nil {
		return unknown(fmt.Sprintf("core metadata unreadable: %v", err))
	}
	switch {
	case md.LicenseExpression != "":
		return licenseFact(r.licenses.Normalize(md.LicenseExpression, license.PyPIExpression))
	case strings.TrimSpace(md.License) != "" && md.License != "UNKNOWN":
		return licenseFact(r.licenses.Normalize(md.License, license.PyPILicense))
	case len(licenseClassifiers(md.Classifiers)) > 0:
		return licenseFact(r.licenses.NormalizeClassifiers(licenseClassifiers(md.Classifiers)))
	}
	return licenseFact(r.licenses.Normalize("", license.PyPILicense))
}

func licenseClassifiers(cs []string) []string {
	var out []string
	for _, c := range cs {
		if strings.HasPrefix(c, "License ::") {
			out = append(out, c)
		}
	}
	return out
}

// render returns the cached rendering of a page, rendering it when the page or the
// policy changed since.
func (r *pypiRepo) render(key string, format Format, gen uint64, changedAt time.Time, build func() ([]byte, error)) *Rendered {
	rk := renderKey{key, format}
	rev := r.revision()
	r.mu.RLock()
	cached := r.rendered[rk]
	r.mu.RUnlock()
	if cached != nil && cached.gen == gen && cached.revision == rev {
		return cached
	}
	body, _ := build()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
	sum := sha256.Sum256(body)
	out := &Rendered{
		Body:         body,
		Gzip:         gz.Bytes(),
		ETag:         `"` + hex.EncodeToString(sum[:12]) + `"`,
		LastModified: changedAt,
		gen:          gen,
		revision:     rev,
	}
	out.ContentType = ContentTypeSimpleHTML
	if format == FormatJSON {
		out.ContentType = ContentTypeSimpleJSON
	}
	r.mu.Lock()
	bounded(r.rendered, rk, out)
	r.mu.Unlock()
	return out
}

// filter returns the page a client may see: allowed files only, with URLs pointing at
// vetted, and the allowed versions.
func (r *pypiRepo) filter(up *pypi.Project) *pypi.Project {
	out := &pypi.Project{Name: up.Name, Meta: pypi.Meta{APIVersion: "1.1"}}
	all := projectVersions(up)
	allowed := map[string]bool{}
	ok := func(v string) bool {
		a, seen := allowed[v]
		if !seen {
			a = r.decide(up.Name, v, all).Allowed()
			allowed[v] = a
		}
		return a
	}
	seen := map[string]bool{}
	var versions []string
	for _, f := range up.Files {
		dist, err := pypi.ParseFilenameFor(up.Name, f.Filename)
		if err != nil {
			// Not a distribution of this project: policy cannot judge its version, and
			// the download route would refuse it, so it is not listed.
			continue
		}
		version := dist.Version
		if !ok(version) {
			continue
		}
		f.URL = "../../files/" + up.Name + "/" + url.PathEscape(f.Filename)
		if f.CoreMetadata == nil && dist.Kind == "wheel" {
			f.CoreMetadata = map[string]string{} // extracted from the wheel on request
		}
		out.Files = append(out.Files, f)
		if !seen[version] {
			seen[version] = true
			versions = append(versions, version)
		}
	}
	for _, v := range up.Versions {
		if !seen[v] && ok(v) {
			seen[v] = true
			versions = append(versions, v)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return pep440.Compare(versions[i], versions[j]) < 0 })
	out.Versions = versions
	return out
}

// projectVersions lists the versions of a page's files and PEP 700 versions, in PEP 440
// order, each once.
func projectVersions(p *pypi.Project) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range p.Files {
		if d, err := pypi.ParseFilenameFor(p.Name, f.Filename); err == nil && !seen[d.Version] {
			seen[d.Version] = true
			out = append(out, d.Version)
		}
	}
	for _, v := range p.Versions {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sortVersions(out)
	return out
}

// sortVersions sorts versions in PEP 440 order.
func sortVersions(vs []string) {
	sort.Slice(vs, func(i, j int) bool { return pep440.Compare(vs[i], vs[j]) < 0 })
}

// newestAllowed returns the newest version of a project that the policy allows and that
// is not yanked, preferring final releases to pre-releases; "" if there is none.
func (r *pypiRepo) newestAllowed(p *pypi.Project) string {
	f := r.filter(p)
	live := map[string]bool{} // versions with at least one file that is not yanked
	for _, file := range f.Files {
		if d, err := pypi.ParseFilenameFor(p.Name, file.Filename); err == nil && !file.Yanked {
			live[d.Version] = true
		}
	}
	newest := ""
	for i := len(f.Versions) - 1; i >= 0; i-- {
		v := f.Versions[i]
		if !live[v] {
			continue
		}
		if pv, err := pep440.Parse(v); err == nil && !pv.IsPrerelease() {
			return v
		}
		if newest == "" {
			newest = v
		}
	}
	return newest
}

// File serves GET /pypi/<repo>/files/<project>/<filename>, and the PEP 658 core metadata
// when filename ends in ".metadata".
func (s *PyPI) File(ctx context.Context, repo, project, filename string) (*Artifact, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkProject(project); err != nil {
		return nil, err
	}
	// Policy rules name normalised projects: "Alpha" must not slip past a rule on "alpha".
	project = pypi.NormalizeName(project)
	if !pypi.SafeFilename(filename) {
		return nil, fmt.Errorf("filename %q: %w: it must be a plain file name", filename, ErrInvalid)
	}
	distName, _ := strings.CutSuffix(filename, ".metadata")
	dist, err := pypi.ParseFilenameFor(project, distName)
	if err != nil {
		return nil, fmt.Errorf("%s is not a distribution of %s: %w", filename, project, ErrNotFound)
	}
	if r.needsLicense() {
		if st, _, err := r.projects.get(ctx, project); err == nil {
			s.prefetchLicenses(ctx, r, st.value, []string{dist.Version})
		}
	}
	if d := r.decide(project, dist.Version, nil); !d.Allowed() {
		be := &BlockedError{Repo: repo, Project: project, Version: dist.Version, Filename: filename, Decision: d}
		if st, _, err := r.projects.get(ctx, project); err == nil {
			be.NewestAllowed = r.newestAllowed(st.value)
			// Decide again knowing the versions, so the remedy can name a fixed one.
			be.Decision = r.decide(project, dist.Version, projectVersions(st.value))
		}
		s.deps.Metrics.blockedDownload(repo)
		return nil, be
	}
	return s.obtain(ctx, r, project, filename)
}

// obtain returns a file of a project, from the blob store or fetched from upstream
// (verified), without any policy check: File checks policy before calling it.
func (s *PyPI) obtain(ctx context.Context, r *pypiRepo, project, filename string) (*Artifact, error) {
	distName, isMeta := strings.CutSuffix(filename, ".metadata")
	dist, err := pypi.ParseFilenameFor(project, distName)
	if err != nil {
		return nil, fmt.Errorf("%s is not a distribution of %s: %w", filename, project, ErrNotFound)
	}
	return r.stored.get(ctx, filename, func(ctx context.Context) (catalog.File, error) {
		return s.fetch(ctx, r, project, distName, dist.Kind, isMeta)
	})
}

// fetch pulls a file (or its core metadata) from upstream, verifies and stores it.
func (s *PyPI) fetch(ctx context.Context, r *pypiRepo, project, distName, kind string, isMeta bool) (catalog.File, error) {
	st, _, err := r.projects.get(ctx, project)
	if err != nil {
		return catalog.File{}, err
	}
	var uf *pypi.File
	for i := range st.value.Files {
		if st.value.Files[i].Filename == distName {
			uf = &st.value.Files[i]
			break
		}
	}
	if uf == nil {
		return catalog.File{}, fmt.Errorf("%s is not listed by %s: %w", distName, r.src, ErrNotFound)
	}
	fileURL, _, _ := strings.Cut(uf.URL, "#")
	rec := catalog.File{Repo: r.name, Project: project, Version: "", Filename: distName, UpstreamURL: fileURL}
	if d, err := pypi.ParseFilenameFor(project, distName); err == nil {
		rec.Version = d.Version
	}
	switch {
	case !isMeta:
		rec.SHA256, rec.Size, err = s.fetchVerified(ctx, r, distName, fileURL, uf.Hashes, uf.Size)
	case uf.CoreMetadata != nil && !strings.HasPrefix(fileURL, "file:"):
		rec.Filename += ".metadata"
		rec.UpstreamURL = fileURL + ".metadata"
		rec.SHA256, rec.Size, err = s.fetchVerified(ctx, r, rec.Filename, rec.UpstreamURL, uf.CoreMetadata, -1)
	case kind == "wheel":
		rec.Filename += ".metadata"
		rec.UpstreamURL = fileURL + " (METADATA extracted by vetted)"
		rec.SHA256, rec.Size, err = s.extractMetadata(ctx, r, project, distName, fileURL)
	default:
		return catalog.File{}, fmt.Errorf("%s has no core metadata file: %w", distName, ErrNotFound)
	}
	return rec, err
}

// hashFor returns a hash.Hash for an algorithm name of the simple API, or nil.
func hashFor(algo string) hash.Hash {
	switch algo {
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha224":
		return sha256.New224()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// validHex reports whether s is the hex encoding of n bytes.
func validHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// shorten quotes s for a message, cutting it when it is long.
func shorten(s string) string {
	if len(s) > 80 {
		return strconv.Quote(s[:80]) + "…"
	}
	return strconv.Quote(s)
}

// fetchVerified streams url into a new blob while hashing it, and commits the blob only
// if every digest the index gave (and the size, when known) matches.
func (s *PyPI) fetchVerified(ctx context.Context, r *pypiRepo, filename, url string, hashes map[string]string, size int64) (string, int64, error) {
	sum, n, err := s.deps.download(ctx, func(ctx context.Context) (io.ReadCloser, error) { return r.src.Open(ctx, url) }, filename, url, hashes, size)
	s.deps.Metrics.upstreamRequest(r.name, "file", resultOf(err, false))
	if err == nil {
		s.deps.Metrics.fileBytes(r.name, n)
	}
	return sum, n, err
}

// download streams a file from open into a new blob while hashing it, and commits the
// blob only if every digest given (hashlib names: sha256, md5, …) and the size (when
// not -1) match. Nothing is stored otherwise.
func (d *Deps) download(ctx context.Context, open func(context.Context) (io.ReadCloser, error), filename, url string, hashes map[string]string, size int64) (string, int64, error) {
	// A digest that cannot be one would fail every download, and only after it.
	for algo, want := range hashes {
		h := hashFor(algo)
		if algo == "sha256" {
			h = sha256.New()
		}
		if h != nil && want != "" && !validHex(want, h.Size()) {
			return "", 0, &BadUpstreamError{URL: url, Err: fmt.Errorf("the index gives %s %s for %s, which is not %d hex digits", algo, shorten(want), filename, 2*h.Size())}
		}
	}
	body, err := open(ctx)
	if err != nil {
		return "", 0, err
	}
	defer body.Close()
	w, err := d.Blobs.Create(ctx)
	if err != nil {
		return "", 0, err
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	writers := []io.Writer{w}
	extra := map[string]hash.Hash{}
	for algo, want := range hashes {
		if h := hashFor(algo); h != nil && want != "" {
			extra[algo] = h
			writers = append(writers, h)
		}
	}
	n, err := io.Copy(io.MultiWriter(writers...), body)
	if err != nil {
		return "", 0, fmt.Errorf("download %s from %s: %w", filename, url, err)
	}
	if size >= 0 && n != size {
		return "", 0, &VerifyError{Filename: filename, URL: url, Algo: "size", Expected: fmt.Sprint(size), Got: fmt.Sprint(n)}
	}
	for algo, h := range extra {
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, hashes[algo]) {
			return "", 0, &VerifyError{Filename: filename, URL: url, Algo: algo, Expected: hashes[algo], Got: got}
		}
	}
	want := strings.ToLower(hashes["sha256"])
	if want == "" && len(extra) == 0 {
		d.Log.Warn("upstream gives no digest for this file; stored unverified", "file", filename, "upstream", url)
	}
	info, err := w.Commit(ctx, want)
	var mm *blob.DigestMismatchError
	if errors.As(err, &mm) {
		return "", 0, &VerifyError{Filename: filename, URL: url, Algo: "sha256", Expected: mm.Expected, Got: mm.Got}
	}
	if err != nil {
		return "", 0, fmt.Errorf("store %s: %w", filename, err)
	}
	committed = true
	return info.SHA256, info.Size, nil
}

// extractMetadata reads METADATA out of a wheel (fetching the wheel from fileURL if
// needed), checks that it is core metadata, and stores it as a blob.
func (s *PyPI) extractMetadata(ctx context.Context, r *pypiRepo, project, wheel, fileURL string) (string, int64, error) {
	a, err := s.obtain(ctx, r, project, wheel) // policy was checked by the caller
	if err != nil {
		return "", 0, err
	}
	defer a.Content.Close()
	ra, ok := a.Content.(io.ReaderAt)
	if !ok {
		data, err := io.ReadAll(a.Content)
		if err != nil {
			return "", 0, err
		}
		ra = bytes.NewReader(data)
	}
	meta, err := pypi.ReadWheelMetadata(ra, a.Info.Size, wheel)
	if err == nil {
		_, err = pypi.ParseMetadata(meta)
	}
	if err != nil {
		return "", 0, &BadUpstreamError{URL: fileURL, Err: err}
	}
	w, err := s.deps.Blobs.Create(ctx)
	if err != nil {
		return "", 0, err
	}
	if _, err := w.Write(meta); err != nil {
		w.Abort()
		return "", 0, err
	}
	info, err := w.Commit(ctx, "")
	if err != nil {
		return "", 0, err
	}
	return info.SHA256, info.Size, nil
}

// Explanation answers "why is this version allowed or blocked?".
type Explanation struct {
	Repository    string          `json:"repository"`
	Project       string          `json:"project"`
	Version       string          `json:"version"`
	Listed        bool            `json:"listed_upstream"` // whether upstream has this version
	Files         []string        `json:"files"`
	Decision      policy.Decision `json:"decision"`
	NewestAllowed string          `json:"newest_allowed,omitempty"`
	// Vulnerabilities are the advisories that affect the version, with triage.
	Vulnerabilities []policy.Vulnerability `json:"vulnerabilities"`
	// License is the version's licence, when a licence rule made vetted read it.
	License *policy.License `json:"license,omitempty"`
	Warning string          `json:"warning,omitempty"`
}

// setFacts copies into the explanation what the decision was made on: the advisories
// (an empty list, never null, when there are none) and the licence.
func (ex *Explanation) setFacts(f policy.Facts) {
	ex.Vulnerabilities, ex.License = f.Vulnerabilities, f.License
	if ex.Vulnerabilities == nil {
		ex.Vulnerabilities = []policy.Vulnerability{}
	}
}

// Explain serves GET /api/v1/repositories/<repo>/decisions/<project>/<version> and
// `vetted why`. The project page is consulted for the versions and files upstream has;
// the decision itself needs no network.
func (s *PyPI) Explain(ctx context.Context, repo, project, version string) (*Explanation, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkProject(project); err != nil {
		return nil, err
	}
	project = pypi.NormalizeName(project)
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	if pv, err := pep440.Parse(version); err == nil {
		version = pv.String()
	}
	ex := &Explanation{Repository: repo, Project: project, Version: version}
	st, warning, err := r.projects.get(ctx, project)
	if err != nil && !errors.Is(err, ErrNotFound) {
		ex.Warning = fmt.Sprintf("upstream not consulted: %v", err)
	}
	ex.Warning = strings.TrimSpace(ex.Warning + " " + warning)
	if st != nil {
		for _, f := range st.value.Files {
			d, err := pypi.ParseFilenameFor(project, f.Filename)
			if err == nil && pep440.Compare(d.Version, version) == 0 {
				ex.Listed = true
				ex.Files = append(ex.Files, f.Filename)
			}
		}
		ex.NewestAllowed = r.newestAllowed(st.value)
	}
	var versions []string
	if st != nil {
		versions = projectVersions(st.value)
		if r.needsLicense() {
			s.prefetchLicenses(ctx, r, st.value, []string{version})
		}
	}
	f := r.facts(project, version, versions)
	if r.needsLicense() {
		r.mu.RLock()
		f.License = r.licensesOf[project+"\x00"+version]
		r.mu.RUnlock()
	}
	ex.Decision = r.policy.Evaluate(f)
	ex.setFacts(f)
	return ex, nil
}

// Ready checks the stores (for /readyz).
func (s *PyPI) Ready(ctx context.Context) error {
	if err := s.deps.Catalog.Ping(ctx); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	w, err := s.deps.Blobs.Create(ctx)
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	return w.Abort()
}

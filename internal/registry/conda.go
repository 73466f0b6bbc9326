package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/conda"
	"vetted/internal/ecosystem/conda/repodata"
	"vetted/internal/license"
	"vetted/internal/policy"
	"vetted/internal/upstream"
)

// CondaRepo configures one conda channel repository.
type CondaRepo struct {
	Name     string
	Upstream string // http(s) URL of a channel, or a local folder laid out as one
	IndexTTL time.Duration
	Policy   *policy.Policy
	// Hosted channels take uploads; their repodata is vetted's own (Upstream is unused).
	Hosted bool
	// Mirror, when set, makes a mirror repository: synced ahead of time (Sync), serving
	// only what the filter selects.
	Mirror *MirrorFilter
	// PruneDependents also removes records that can no longer be installed because every
	// record that could satisfy one of their dependencies is blocked.
	PruneDependents bool
}

// Conda serves conda channel repositories.
type Conda struct {
	deps   Deps
	repos  map[string]*condaRepo
	flight singleflight.Group
}

type condaRepo struct {
	name     string
	upstream string // ends with "/" for URLs
	local    bool
	governed
	prune       bool
	hosted      bool
	mirror      *MirrorFilter                // nil unless a mirror
	uploads     sync.Mutex                   // serialises uploads (hosted)
	repodata    *docs[*repodata.Repodata]    // by subdir
	channeldata *docs[*repodata.Channeldata] // under channeldataKey

	mu          sync.RWMutex
	rendered    map[condaKey]*Rendered
	shardSets   map[string]*shardSet  // vetted's CEP 16 shards, by subdir
	staleShards map[string][][32]byte // upstream shards replaced, to delete once the new document is stored
	// fullSweep, per subdir seen in this process: whether its next sweep looks at every
	// shard (see sweepShards); absent before its first sweep.
	fullSweep map[string]bool
	prunings  map[string]*pruning // by subdir
	stored    *stored             // packages, by "subdir/filename"
}

type condaKey struct {
	subdir string
	doc    CondaDoc
}

// CondaDoc names the index documents of a subdir.
type CondaDoc int

const (
	RepodataJSON    CondaDoc = iota // repodata.json
	RepodataZstd                    // repodata.json.zst
	RepodataBzip2                   // repodata.json.bz2
	CurrentRepodata                 // current_repodata.json
	RepodataShards                  // repodata_shards.msgpack.zst (CEP 16), with its shards
)

// Content types of the conda documents.
const (
	ContentTypeJSON = "application/json"
	ContentTypeZstd = "application/zstd"
	ContentTypeBz2  = "application/x-bzip2"
	// ContentTypeShards is what conda.anaconda.org answers for CEP 16 files.
	ContentTypeShards = "application/octet-stream"
)

// subdirPattern admits conda's platform subdirs (noarch, linux-64, osx-arm64, win-64,
// emscripten-wasm32, …) and nothing that could name a path elsewhere.
var subdirPattern = regexp.MustCompile(`^(noarch|[a-z0-9]+-[a-z0-9_]+)$`)

// NewConda builds the conda service.
func NewConda(deps Deps, repos []CondaRepo) (*Conda, error) {
	s := &Conda{deps: deps, repos: map[string]*condaRepo{}}
	for _, rc := range repos {
		pol := rc.Policy
		if pol == nil {
			var err error
			if pol, err = policy.Compile(policy.Spec{Name: "(none)"}, conda.Ecosystem{}); err != nil {
				return nil, err
			}
		}
		r := &condaRepo{name: rc.Name, governed: governed{eco: conda.OSVEcosystem, policy: pol, intel: deps.Intel, licenses: deps.Licenses, source: license.CondaLicense, clock: deps.Clock}, rendered: map[condaKey]*Rendered{}, shardSets: map[string]*shardSet{}, prunings: map[string]*pruning{}, prune: rc.PruneDependents}
		r.stored = newStored(r.name, &s.deps, &s.flight)
		r.hosted = rc.Hosted
		if rc.Mirror != nil {
			if err := rc.Mirror.Compile(); err != nil {
				return nil, fmt.Errorf("repository %s: %w", rc.Name, err)
			}
			r.mirror = rc.Mirror
		}
		if rc.Hosted {
			r.upstream = "(hosted)"
		} else if strings.HasPrefix(rc.Upstream, "http://") || strings.HasPrefix(rc.Upstream, "https://") {
			r.upstream = strings.TrimSuffix(rc.Upstream, "/") + "/"
		} else {
			abs, err := filepath.Abs(rc.Upstream)
			if err != nil {
				return nil, fmt.Errorf("upstream folder %s: %w", rc.Upstream, err)
			}
			r.upstream, r.local = abs, true
		}
		ttl := rc.IndexTTL
		if rc.Hosted {
			ttl = 100 * 365 * 24 * time.Hour // vetted writes a hosted channel's repodata itself
		}
		r.repodata = newDocs[*repodata.Repodata](r.name, "repodata", ttl, &s.deps, &s.flight)
		r.repodata.fetch = func(ctx context.Context, subdir string, prev upstream.Validators) (*repodata.Repodata, upstream.Validators, bool, error) {
			return s.fetchRepodata(ctx, r, subdir, prev)
		}
		r.repodata.encode = encodeRepodata
		r.repodata.owned = rc.Hosted
		r.repodata.decode = func(b []byte) (*repodata.Repodata, error) {
			if bytes.HasPrefix(b, []byte(shardedHeader)) {
				return s.decodeSharded(context.Background(), r, b)
			}
			return repodata.Parse(b, "catalog")
		}
		r.repodata.stored = func(ctx context.Context, subdir string, rd *repodata.Repodata) {
			s.sweepShards(ctx, r, subdir, rd)
		}
		r.repodata.name = func(subdir string) string { return subdir + "/repodata.json" }
		r.channeldata = newDocs[*repodata.Channeldata](r.name, "channeldata", ttl, &s.deps, &s.flight)
		r.channeldata.fetch = func(ctx context.Context, _ string, prev upstream.Validators) (*repodata.Channeldata, upstream.Validators, bool, error) {
			return s.fetchChanneldata(ctx, r, prev)
		}
		r.channeldata.encode = func(cd *repodata.Channeldata) ([]byte, error) {
			var buf bytes.Buffer
			err := repodata.RenderChanneldata(&buf, cd, nil)
			return buf.Bytes(), err
		}
		r.channeldata.decode = func(b []byte) (*repodata.Channeldata, error) { return repodata.ParseChanneldata(b, "catalog") }
		s.repos[rc.Name] = r
	}
	return s, nil
}

// Has reports whether a conda repository of that name exists.
func (s *Conda) Has(repo string) bool { _, ok := s.repos[repo]; return ok }

func (s *Conda) repo(name string) (*condaRepo, error) {
	r, ok := s.repos[name]
	if !ok {
		return nil, fmt.Errorf("repository %q: %w (no conda repository of that name is configured)", name, ErrNotFound)
	}
	return r, nil
}

func checkSubdir(subdir string) error {
	if !subdirPattern.MatchString(subdir) {
		return fmt.Errorf("subdir %q: %w: a conda subdir is noarch or a platform such as linux-64", subdir, ErrInvalid)
	}
	return nil
}

func encodeRepodata(rd *repodata.Repodata) ([]byte, error) {
	if rd.Shards != nil {
		return encodeSharded(rd)
	}
	if doc := rd.Document(); doc != nil {
		return doc, nil // upstream's repodata.json as fetched (and checked by Parse)
	}
	var buf bytes.Buffer
	if err := repodata.Render(&buf, rd, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fetchRepodata asks upstream for a subdir's repodata.json.
func (s *Conda) fetchRepodata(ctx context.Context, r *condaRepo, subdir string, prev upstream.Validators) (*repodata.Repodata, upstream.Validators, bool, error) {
	if r.hosted {
		return emptyRepodata(subdir), upstream.Validators{}, false, nil
	}
	// The records that did not change since the version in memory are not decoded again.
	var last *repodata.Repodata
	if old, err := r.repodata.cached(ctx, subdir); err == nil && old != nil {
		last = old.value
	}
	// prev came from the shard index or from repodata.json, whichever the cached version
	// was read from; sent to the other, a date that happens to match would be a false 304.
	prevShards, prevJSON := prev, prev
	if last != nil && last.Shards != nil {
		prevJSON = upstream.Validators{}
	} else {
		prevShards = upstream.Validators{}
	}
	if rd, val, notModified, found, err := s.fetchSharded(ctx, r, subdir, prevShards); found || err != nil {
		return rd, val, notModified, err
	}
	prev = prevJSON
	if r.local {
		p := filepath.Join(r.upstream, subdir, "repodata.json")
		v, _, err := localValidators(p)
		if err != nil || prev == v {
			return nil, v, err == nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, upstream.Validators{}, false, &upstream.Error{URL: p, Err: err}
		}
		defer f.Close()
		data, err := repodata.ReadAll(f, p)
		if err != nil {
			return nil, upstream.Validators{}, false, &BadUpstreamError{URL: p, Err: err}
		}
		rd, err := repodata.ParseReusing(data, p, last)
		if err != nil {
			return nil, upstream.Validators{}, false, &BadUpstreamError{URL: p, Err: err}
		}
		return rd, v, false, nil
	}
	u := r.upstream + subdir + "/repodata.json"
	page, err := s.deps.Upstream.GetPage(ctx, u, "application/json", prev)
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	rd, err := repodata.ParseReusing(page.Body, u, last)
	if err != nil {
		return nil, upstream.Validators{}, false, &BadUpstreamError{URL: u, Err: err}
	}
	return rd, page.Validators, false, nil
}

// decide evaluates the policy on one record; licenseText is its declared licence.
func (r *condaRepo) decide(name, version string, licenseText ...string) policy.Decision {
	return r.policy.Evaluate(r.facts(name, version, nil, licenseText...))
}

// keep returns the filter of a subdir's records: a record is served when a mirror's
// filter selects it and policy allows its name and version (decided once per name and
// version).
func (r *condaRepo) keep(rd *repodata.Repodata) repodata.KeepFunc {
	memo := map[[2]string]bool{}
	selected := r.mirror.selector(rd)
	return func(filename string, rec *repodata.Record) bool {
		if !selected(filename, rec) {
			return false
		}
		k := [2]string{rec.Name, rec.Version}
		a, ok := memo[k]
		if !ok {
			a = r.decide(rec.Name, rec.Version, rec.License).Allowed()
			memo[k] = a
		}
		return a
	}
}

// Repodata serves GET /conda/<repo>/<subdir>/{repodata.json,.zst,.bz2,current_repodata.json}:
// upstream's records that policy allows, exactly as upstream wrote them.
func (s *Conda) Repodata(ctx context.Context, repo, subdir string, which CondaDoc) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkSubdir(subdir); err != nil {
		return nil, err
	}
	st, warning, err := r.repodata.get(ctx, subdir)
	if err != nil {
		return nil, err
	}
	rk := condaKey{subdir, which}
	rev := r.revision()
	r.mu.RLock()
	cached := r.rendered[rk]
	r.mu.RUnlock()
	if cached != nil && cached.gen == st.gen && cached.revision == rev {
		return &Page{Rendered: cached, Warning: warning}, nil
	}
	v, err, _ := s.flight.Do(repo+"\x00render\x00"+subdir+fmt.Sprint(which), func() (any, error) {
		removed, err := s.pruned(ctx, r, subdir, st.value, st.gen)
		if err != nil {
			return nil, err
		}
		return r.render(st.value, subdir, which, st.gen, st.changedAt, rev, removed)
	})
	if err != nil {
		return nil, err
	}
	out := v.(*Rendered)
	r.mu.Lock()
	bounded(r.rendered, rk, out)
	r.mu.Unlock()
	return &Page{Rendered: out, Warning: warning}, nil
}

func (r *condaRepo) render(rd *repodata.Repodata, subdir string, which CondaDoc, gen uint64, changedAt time.Time, rev string, pruned map[string]string) (*Rendered, error) {
	var buf bytes.Buffer
	var err error
	ct := ContentTypeJSON
	newKeep := func() repodata.KeepFunc {
		allowed := r.keep(rd)
		return func(filename string, rec *repodata.Record) bool {
			_, gone := pruned[filename]
			return !gone && allowed(filename, rec)
		}
	}
	keep := newKeep()
	// vetted serves the files itself, next to the repodata: upstream's base_url goes.
	served := rd
	if rd.Info.BaseURL != "" {
		info := rd.Info
		info.BaseURL = ""
		served = rd.WithInfo(info)
	}
	switch which {
	case RepodataJSON:
		err = repodata.Render(&buf, served, keep)
	case RepodataZstd:
		err, ct = repodata.RenderZstd(&buf, served, keep), ContentTypeZstd
	case RepodataBzip2:
		err, ct = repodata.RenderBzip2(&buf, served, keep), ContentTypeBz2
	case CurrentRepodata:
		err = repodata.Render(&buf, repodata.Current(served, keep, conda.Compare), nil)
	case RepodataShards:
		ct = ContentTypeShards
		var idx []byte
		idx, err = r.renderShards(rd, subdir, newKeep, rev, pruned, changedAt)
		buf.Write(idx)
	}
	if err != nil {
		return nil, fmt.Errorf("render repodata: %w", err)
	}
	body := buf.Bytes()
	out := &Rendered{Body: body, ContentType: ct, LastModified: changedAt, gen: gen, revision: rev}
	sum := sha256.Sum256(body)
	out.ETag = `"` + hex.EncodeToString(sum[:12]) + `"`
	if ct == ContentTypeJSON {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		out.Gzip = gz.Bytes()
	}
	return out, nil
}

// File serves GET /conda/<repo>/<subdir>/<filename> for .conda and .tar.bz2 packages.
func (s *Conda) File(ctx context.Context, repo, subdir, filename string) (*Artifact, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkSubdir(subdir); err != nil {
		return nil, err
	}
	name, version, _, _, ok := repodata.SplitFilename(filename)
	if !ok || strings.ContainsAny(filename, "/\\\x00") || strings.HasPrefix(filename, ".") {
		return nil, fmt.Errorf("%s is not a conda package file name (<name>-<version>-<build>.conda or .tar.bz2): %w", filename, ErrNotFound)
	}
	var licenseText []string
	if st, _, err := r.repodata.get(ctx, subdir); err == nil {
		if rec, ok := st.value.Lookup(filename); ok {
			licenseText = []string{rec.License}
		}
	}
	if d := r.decide(name, version, licenseText...); !d.Allowed() {
		s.deps.Metrics.blockedDownload(repo)
		be := &BlockedError{Repo: repo, Project: name, Version: version, Filename: filename, Decision: d}
		if st, _, err := r.repodata.get(ctx, subdir); err == nil {
			be.NewestAllowed = r.newestAllowed(st.value, name)
		}
		return nil, be
	}
	if r.prune {
		if st, _, err := r.repodata.get(ctx, subdir); err == nil {
			if removed, err := s.pruned(ctx, r, subdir, st.value, st.gen); err == nil && removed[filename] != "" {
				d := policy.Decision{Verdict: policy.Block, Policy: r.policy.Name(), Revision: r.policy.Revision(), Reasons: []policy.Reason{{
					Rule: "prune-dependents", Verdict: policy.Block, Message: removed[filename],
					Remedy: "allow a version of the dependency, or use another version of this package",
				}}}
				s.deps.Metrics.blockedDownload(repo)
				return nil, &BlockedError{Repo: repo, Project: name, Version: version, Filename: filename, Decision: d, NewestAllowed: r.newestAllowed(st.value, name)}
			}
		}
	}
	return r.stored.get(ctx, subdir+"/"+filename, func(ctx context.Context) (catalog.File, error) {
		return s.fetch(ctx, r, subdir, filename)
	})
}

// fetch downloads a package listed in upstream's repodata and keeps it only if its
// sha256 (and md5 and size, when given) match the record.
func (s *Conda) fetch(ctx context.Context, r *condaRepo, subdir, filename string) (catalog.File, error) {
	st, _, err := r.repodata.get(ctx, subdir)
	if err != nil {
		return catalog.File{}, err
	}
	rec, ok := st.value.Lookup(filename)
	if !ok {
		return catalog.File{}, fmt.Errorf("%s is not in %s/repodata.json of %s: %w", filename, subdir, r.upstream, ErrNotFound)
	}
	hashes := map[string]string{}
	if rec.SHA256 != "" {
		hashes["sha256"] = rec.SHA256
	}
	if rec.MD5 != "" {
		hashes["md5"] = rec.MD5
	}
	size := rec.Size
	if size <= 0 {
		size = -1
	}
	// Files are next to repodata.json, or under its base_url (CEP 15) when it has one.
	dir := r.upstream + subdir + "/"
	if r.local {
		dir = filepath.Join(r.upstream, subdir) + string(filepath.Separator)
	}
	if base := st.value.Info.BaseURL; base != "" {
		if dir, err = resolveUpstream(r, subdir, dir+"repodata.json", base); err != nil {
			return catalog.File{}, err
		}
	}
	var src string
	var open func(context.Context) (io.ReadCloser, error)
	if r.local {
		src = dir + filename
		open = func(context.Context) (io.ReadCloser, error) {
			f, err := os.Open(src)
			if err != nil {
				return nil, &upstream.Error{URL: src, Err: err}
			}
			return f, nil
		}
	} else {
		src = dir + url.PathEscape(filename)
		open = func(ctx context.Context) (io.ReadCloser, error) {
			rc, _, err := s.deps.Upstream.Open(ctx, src)
			return rc, err
		}
	}
	sum, n, err := s.deps.download(ctx, open, filename, src, hashes, size)
	s.deps.Metrics.upstreamRequest(r.name, "file", resultOf(err, false))
	if err != nil {
		return catalog.File{}, err
	}
	s.deps.Metrics.fileBytes(r.name, n)
	return catalog.File{Project: rec.Name, Version: rec.Version, Filename: subdir + "/" + filename, SHA256: sum, Size: n, UpstreamURL: src}, nil
}

// newestAllowed returns the highest version of a package that policy allows in a
// subdir, or "".
func (r *condaRepo) newestAllowed(rd *repodata.Repodata, name string) string {
	best := ""
	for _, filename := range rd.FilenamesOf(name) {
		rec, ok := rd.Lookup(filename)
		if !ok || (best != "" && conda.Compare(rec.Version, best) <= 0) {
			continue
		}
		if r.decide(rec.Name, rec.Version, rec.License).Allowed() {
			best = rec.Version
		}
	}
	return best
}

// shardName admits the file names of CEP 16 shards only.
var shardName = regexp.MustCompile(`^[0-9a-f]{64}\.msgpack\.zst$`)

// Shard serves GET /conda/<repo>/<subdir>/shards/<sha256>.msgpack.zst: one package
// name's allowed records, as listed by the subdir's current shard index.
func (s *Conda) Shard(ctx context.Context, repo, subdir, file string) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkSubdir(subdir); err != nil {
		return nil, err
	}
	if !shardName.MatchString(file) {
		return nil, fmt.Errorf("shard %q: %w", file, ErrNotFound)
	}
	lookup := func() *Rendered { return r.servedShardFile(subdir, file) }
	if sh := lookup(); sh != nil {
		return &Page{Rendered: sh}, nil
	}
	// Not rendered in this process yet: render the subdir's shards.
	if _, err := s.Repodata(ctx, repo, subdir, RepodataShards); err != nil {
		return nil, err
	}
	if sh := lookup(); sh != nil {
		return &Page{Rendered: sh}, nil
	}
	return nil, fmt.Errorf("shard %s/%s is not in the current shard index (it changed; fetch repodata_shards.msgpack.zst again): %w", subdir, file, ErrNotFound)
}

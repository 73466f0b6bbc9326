package registry

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/conda/repodata"
	"vetted/internal/upstream"
)

// Following an upstream's sharded repodata (CEP 16). When a subdir of the upstream
// channel has repodata_shards.msgpack.zst, vetted reads that index (conditionally), fetches
// only the shards whose sha256 it has not seen, checks each against its hash, and patches
// the records it already has: after one new upstream record, one small index and one shard
// cross the network, not the whole repodata.json. The shards are kept in the catalog
// under "<subdir>/shards/<sha256>", and the subdir's catalog document lists them
// (encodeSharded), so a restart needs no upstream at all.

const shardIndexFile = "repodata_shards.msgpack.zst"

// shardFetchers bounds the shards fetched at once from an HTTP upstream.
const shardFetchers = 8

// condaName admits the package names a shard index may list (conda's names are lower case
// letters, digits and "-_.").
var condaName = regexp.MustCompile(`^[a-z0-9_][a-z0-9_.+-]*$`)

func shardPageKey(subdir string, sum [32]byte) string {
	return subdir + "/shards/" + hex.EncodeToString(sum[:])
}

// fetchSharded asks upstream for a subdir's shard index. found is false when upstream has
// none (then the caller reads repodata.json).
func (s *Conda) fetchSharded(ctx context.Context, r *condaRepo, subdir string, prev upstream.Validators) (rd *repodata.Repodata, val upstream.Validators, notModified, found bool, err error) {
	data, src, val, notModified, err := s.getShardIndex(ctx, r, subdir, prev)
	var ue *upstream.Error
	if errors.As(err, &ue) && ue.NotFound() {
		return nil, upstream.Validators{}, false, false, nil
	}
	if err != nil || notModified {
		return nil, val, notModified, true, err
	}
	idx, err := repodata.ParseShardIndex(data, src)
	if err != nil {
		return nil, upstream.Validators{}, false, true, &BadUpstreamError{URL: src, Err: err}
	}
	for name := range idx.Shards {
		if !condaName.MatchString(name) {
			return nil, upstream.Validators{}, false, true, &BadUpstreamError{URL: src, Err: fmt.Errorf("shard index lists %q, which is not a conda package name", name)}
		}
	}
	base := &repodata.Repodata{}
	if old, err := r.repodata.cached(ctx, subdir); err == nil && old != nil && old.value.Shards != nil {
		base = old.value
	}
	changed := map[string]*repodata.Shard{}
	var todo []string
	for name, sum := range idx.Shards {
		if have, ok := base.Shards[name]; !ok || have != sum {
			todo = append(todo, name)
		}
	}
	for name := range base.Shards {
		if _, ok := idx.Shards[name]; !ok {
			changed[name] = nil
		}
	}
	shardsBase, err := s.shardsBase(r, subdir, src, idx.Info.ShardsBaseURL)
	if err != nil {
		return nil, upstream.Validators{}, false, true, err
	}
	now := s.deps.Clock()
	shards := make([]*repodata.Shard, len(todo))
	pages := make([]catalog.Page, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(shardFetchers)
	for i, name := range todo {
		g.Go(func() error {
			sum := idx.Shards[name]
			data, where, err := s.getShard(gctx, r, shardsBase, sum)
			if err != nil {
				return err
			}
			if got := sha256.Sum256(data); got != sum {
				return &BadUpstreamError{URL: where, Err: fmt.Errorf("shard of %s has sha256 %x; the index says %x", name, got, sum)}
			}
			sh, err := repodata.ParseShard(data, where)
			if err != nil {
				return &BadUpstreamError{URL: where, Err: err}
			}
			if err := checkShardNames(sh, name); err != nil {
				return &BadUpstreamError{URL: where, Err: err}
			}
			shards[i] = sh
			pages[i] = catalog.Page{Repo: r.name, Key: shardPageKey(subdir, sum), Body: data, FetchedAt: now}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, upstream.Validators{}, false, true, err
	}
	// The shards go to the catalog before the document that lists them: a crash in
	// between leaves unlisted shards, never a list naming a shard that is not there.
	if err := s.deps.Catalog.PutPages(ctx, pages); err != nil {
		return nil, upstream.Validators{}, false, true, fmt.Errorf("store the shards of %s/%s: %w", r.name, subdir, err)
	}
	for i, name := range todo {
		changed[name] = shards[i]
	}
	// The subdir is the one asked for, whatever upstream's index says: the shards are
	// stored under it, and the document is served under it.
	info := repodata.Info{Subdir: subdir, BaseURL: idx.Info.BaseURL}
	out := repodata.Patch(base, changed, info)
	out.Shards = idx.Shards
	// Shards of the previous document that the new one no longer lists go once it is
	// stored (sweepShards).
	r.mu.Lock()
	if r.staleShards == nil {
		r.staleShards = map[string][][32]byte{}
	}
	if _, swept := r.fullSweep[subdir]; !swept && base.Shards != nil {
		// A document stored before this process: a crash may have left shards that
		// no document lists. The first sweep looks at them all (not on a first sync,
		// when there is nothing to leave and memory is at its peak).
		if r.fullSweep == nil {
			r.fullSweep = map[string]bool{}
		}
		r.fullSweep[subdir] = true
	}
	for name, sum := range base.Shards {
		if now, ok := idx.Shards[name]; !ok || now != sum {
			r.staleShards[subdir] = append(r.staleShards[subdir], sum)
		}
	}
	r.mu.Unlock()
	s.deps.Log.Info("conda shards followed", "repo", r.name, "subdir", subdir, "names", len(idx.Shards), "fetched", len(todo), "gone", len(changed)-len(todo))
	return out, val, false, true, nil
}

// checkShardNames makes sure a shard holds only records of its package name, and
// removes only files of it: a shard listed for one name must not change another's.
func checkShardNames(sh *repodata.Shard, name string) error {
	for _, m := range []map[string]*repodata.Record{sh.Packages, sh.PackagesConda} {
		for filename, rec := range m {
			if rec.Name != name {
				return fmt.Errorf("the shard of %s holds %s, a record of %s", name, filename, rec.Name)
			}
		}
	}
	for _, filename := range sh.Removed {
		if n, _, _, _, ok := repodata.SplitFilename(filename); !ok || n != name {
			return fmt.Errorf("the shard of %s removes %q, which is not a package file of %s", name, filename, name)
		}
	}
	return nil
}

// sweepShards deletes the catalog's shards that the stored document of subdir no longer
// lists: those the last refresh replaced, or all of them when upstream stopped offering
// shards. The replaced ones are known only in memory, so the first sweep of a subdir in
// a process that found a document stored before looks at every shard of it: what a crash
// left between storing a document and sweeping goes then.
func (s *Conda) sweepShards(ctx context.Context, r *condaRepo, subdir string, rd *repodata.Repodata) {
	r.mu.Lock()
	stale := r.staleShards[subdir]
	delete(r.staleShards, subdir)
	first := r.fullSweep[subdir]
	if r.fullSweep == nil {
		r.fullSweep = map[string]bool{}
	}
	r.fullSweep[subdir] = false
	r.mu.Unlock()
	listed := map[[32]byte]bool{}
	for _, sum := range rd.Shards {
		listed[sum] = true
	}
	var keys []string
	if rd.Shards == nil || first {
		all, err := s.deps.Catalog.ListPageKeys(ctx, r.name)
		if err != nil {
			s.deps.Log.Warn("catalog: could not list replaced shards", "repo", r.name, "subdir", subdir, "err", err)
			return
		}
		for _, k := range all {
			if h, ok := strings.CutPrefix(k, subdir+"/shards/"); ok {
				var sum [32]byte
				if n, err := hex.Decode(sum[:], []byte(h)); err != nil || n != 32 || !listed[sum] {
					keys = append(keys, k)
				}
			}
		}
		stale = nil // among those
	}
	for _, sum := range stale {
		if !listed[sum] {
			keys = append(keys, shardPageKey(subdir, sum))
		}
	}
	if err := s.deps.Catalog.DeletePages(ctx, r.name, keys); err != nil {
		s.deps.Log.Warn("catalog: could not delete replaced shards", "repo", r.name, "subdir", subdir, "err", err)
	}
}

func (s *Conda) getShardIndex(ctx context.Context, r *condaRepo, subdir string, prev upstream.Validators) (data []byte, src string, val upstream.Validators, notModified bool, err error) {
	if r.local {
		p := filepath.Join(r.upstream, subdir, shardIndexFile)
		data, val, notModified, err := readLocal(p, prev, upstream.MaxPageBytes)
		return data, p, val, notModified, err
	}
	u := r.upstream + subdir + "/" + shardIndexFile
	page, err := s.deps.Upstream.GetPage(ctx, u, "", prev)
	if err != nil {
		return nil, u, upstream.Validators{}, false, err
	}
	return page.Body, u, page.Validators, page.NotModified, nil
}

// readLocal reads a file of a folder upstream, with its modification time and size as
// the validator; notModified when they equal prev's.
func readLocal(p string, prev upstream.Validators, limit int64) ([]byte, upstream.Validators, bool, error) {
	v, size, err := localValidators(p)
	if err != nil || prev == v {
		return nil, v, err == nil, err
	}
	if size > limit {
		return nil, upstream.Validators{}, false, &upstream.Error{URL: p, Err: fmt.Errorf("larger than %d MiB", limit>>20)}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, upstream.Validators{}, false, &upstream.Error{URL: p, Err: err}
	}
	return data, v, false, nil
}

// localValidators stands in for HTTP validators for a file of a folder upstream: its
// modification time and size. A missing file is a 404.
func localValidators(p string) (upstream.Validators, int64, error) {
	st, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return upstream.Validators{}, 0, &upstream.Error{URL: p, Status: 404}
	}
	if err != nil {
		return upstream.Validators{}, 0, &upstream.Error{URL: p, Err: err}
	}
	return upstream.Validators{LastModified: st.ModTime().UTC().Format(time.RFC3339Nano) + fmt.Sprint(st.Size())}, st.Size(), nil
}

// shardsBase resolves the index's shards_base_url (default "./shards/") against the
// index's location: a URL for HTTP upstreams, a folder inside the upstream folder for local
// ones.
func (s *Conda) shardsBase(r *condaRepo, subdir, indexSrc, shardsBaseURL string) (string, error) {
	if shardsBaseURL == "" {
		shardsBaseURL = "./shards/"
	}
	return resolveUpstream(r, subdir, indexSrc, shardsBaseURL)
}

// resolveUpstream resolves a reference that an upstream document of subdir makes (a
// shards_base_url or base_url): against the document's URL for HTTP upstreams; for folder
// upstreams only a relative path that stays inside the folder is accepted.
func resolveUpstream(r *condaRepo, subdir, docSrc, ref string) (string, error) {
	if !r.local {
		base, err := url.Parse(docSrc)
		if err != nil {
			return "", &BadUpstreamError{URL: docSrc, Err: err}
		}
		u, err := url.Parse(ref)
		if err != nil || (u.IsAbs() && u.Scheme != "http" && u.Scheme != "https") {
			return "", &BadUpstreamError{URL: docSrc, Err: fmt.Errorf("%q is not an http(s) URL", ref)}
		}
		out := base.ResolveReference(u).String()
		if !strings.HasSuffix(out, "/") {
			out += "/"
		}
		return out, nil
	}
	if strings.Contains(ref, "://") || filepath.IsAbs(ref) {
		return "", &BadUpstreamError{URL: docSrc, Err: fmt.Errorf("%q points outside the upstream folder; a folder upstream must use relative locations such as ./shards/", ref)}
	}
	p := filepath.Join(r.upstream, subdir, filepath.FromSlash(ref))
	if rel, err := filepath.Rel(r.upstream, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", &BadUpstreamError{URL: docSrc, Err: fmt.Errorf("%q points outside the upstream folder", ref)}
	}
	return p + string(filepath.Separator), nil
}

// maxShardFile bounds one compressed shard.
const maxShardFile = 64 << 20

func (s *Conda) getShard(ctx context.Context, r *condaRepo, shardsBase string, sum [32]byte) ([]byte, string, error) {
	file := repodata.ShardFilename(sum)
	if r.local {
		p := shardsBase + file
		data, _, _, err := readLocal(p, upstream.Validators{}, maxShardFile)
		return data, p, err
	}
	u := shardsBase + file
	body, _, err := s.deps.Upstream.Open(ctx, u)
	if err != nil {
		return nil, u, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxShardFile+1))
	if err != nil {
		return nil, u, &upstream.Error{URL: u, Err: err}
	}
	if len(data) > maxShardFile {
		return nil, u, &upstream.Error{URL: u, Err: fmt.Errorf("a shard larger than %d MiB", maxShardFile>>20)}
	}
	return data, u, nil
}

// The catalog form of a subdir assembled from shards: a header line, the info as JSON,
// then one line per package name, "<sha256 hex> <name>". The shards themselves are
// catalog pages of their own (shardPageKey).
const shardedHeader = "vetted sharded repodata 1\n"

type shardedInfo struct {
	Subdir  string `json:"subdir"`
	BaseURL string `json:"base_url,omitempty"`
}

func encodeSharded(rd *repodata.Repodata) ([]byte, error) {
	info, err := json.Marshal(shardedInfo{Subdir: rd.Info.Subdir, BaseURL: rd.Info.BaseURL})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(rd.Shards) * 100)
	b.WriteString(shardedHeader)
	b.Write(info)
	b.WriteByte('\n')
	for _, name := range slices.Sorted(maps.Keys(rd.Shards)) {
		sum := rd.Shards[name]
		var h [64]byte
		hex.Encode(h[:], sum[:])
		b.Write(h[:])
		b.WriteByte(' ')
		b.WriteString(name)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// decodeSharded reads encodeSharded's form back, with the shards from the catalog.
func (s *Conda) decodeSharded(ctx context.Context, r *condaRepo, body []byte) (*repodata.Repodata, error) {
	sc := bufio.NewScanner(bytes.NewReader(body[len(shardedHeader):]))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		return nil, errors.New("sharded form: no info line")
	}
	var info shardedInfo
	if err := json.Unmarshal(sc.Bytes(), &info); err != nil {
		return nil, fmt.Errorf("sharded form: info: %w", err)
	}
	sums := map[string][32]byte{}
	for sc.Scan() {
		line := sc.Text()
		h, name, ok := strings.Cut(line, " ")
		var sum [32]byte
		if n, err := hex.Decode(sum[:], []byte(h)); !ok || err != nil || n != 32 || !condaName.MatchString(name) {
			return nil, fmt.Errorf("sharded form: bad line %q", line)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	changed := make(map[string]*repodata.Shard, len(sums))
	for name, sum := range sums {
		key := shardPageKey(info.Subdir, sum)
		p, err := s.deps.Catalog.GetPage(ctx, r.name, key)
		if err != nil {
			return nil, fmt.Errorf("shard %s of %s: %w", key, name, err)
		}
		if sha256.Sum256(p.Body) != sum {
			return nil, fmt.Errorf("shard %s of %s: the catalog's copy does not match its sha256", key, name)
		}
		sh, err := repodata.ParseShard(p.Body, "catalog "+key)
		if err != nil {
			return nil, err
		}
		changed[name] = sh
	}
	rd := repodata.Patch(&repodata.Repodata{}, changed, repodata.Info{Subdir: info.Subdir, BaseURL: info.BaseURL})
	rd.Shards = sums
	return rd, nil
}

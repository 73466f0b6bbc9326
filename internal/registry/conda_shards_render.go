package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"vetted/internal/ecosystem/conda/repodata"
)

// vetted's own sharded repodata (CEP 16) for a subdir: one shard per package name with
// the records policy allows, and the index of their hashes. A shard depends only on the
// name's upstream records, the policy revision and the records pruning removed, so when
// the subdir was assembled from upstream shards (rd.Shards), a shard whose inputs did not
// change is reused: after one upstream change, one shard and the index are rendered again.

// servedShard is one package name's shard as vetted serves it.
type servedShard struct {
	src    [32]byte // upstream's shard hash; zero when the records came from repodata.json
	rev    string   // policy revision and facts generation
	pruned string   // the name's records removed by pruning, sorted, joined
	sum    [32]byte
	page   *Rendered // nil when policy allows no record of the name (no shard)
}

// shardSet is a subdir's current shards, by package name and by file name.
type shardSet struct {
	byName map[string]servedShard
	byFile map[string]*Rendered // "<sha256>.msgpack.zst"
	// replaced are the previous set's shards that this one replaced under the same policy
	// revision (upstream changed), still served until graceUntil: a client that fetched
	// the index just before the refresh can finish its solve.
	replaced   map[string]*Rendered
	graceUntil time.Time
}

// shardGrace is how long a replaced shard stays servable.
const shardGrace = 10 * time.Minute

// renderShards renders a subdir's shard index, reusing the shards of the previous
// rendering whose inputs are unchanged, and makes the new set current.
// newKeep makes a KeepFunc for one goroutine (they memoise decisions).
func (r *condaRepo) renderShards(rd *repodata.Repodata, subdir string, newKeep func() repodata.KeepFunc, rev string, pruned map[string]string, changedAt time.Time) ([]byte, error) {
	r.mu.RLock()
	prev := r.shardSets[subdir]
	r.mu.RUnlock()

	prunedBy := map[string][]string{}
	for filename := range pruned {
		if name, _, _, _, ok := repodata.SplitFilename(filename); ok {
			prunedBy[name] = append(prunedBy[name], filename)
		}
	}
	sig := func(name string) string {
		fs := prunedBy[name]
		slices.Sort(fs)
		return strings.Join(fs, " ")
	}

	next := &shardSet{byName: map[string]servedShard{}, byFile: map[string]*Rendered{}}
	miss := map[string]bool{}
	if rd.Shards != nil {
		for name, src := range rd.Shards {
			if o, ok := prev.reusable(name, src, rev, sig(name)); ok {
				next.add(name, o)
				continue
			}
			miss[name] = true
		}
	} else {
		miss = nil // every name of rd
	}
	groups := groupByName(rd, miss)
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	// Many shards to render (a first sync): one worker per CPU, each with its own encoder
	// and decision memo.
	workers := 1
	if len(names) >= 1024 {
		workers = runtime.GOMAXPROCS(0)
	}
	rendered := make([]servedShard, len(names))
	var g errgroup.Group
	for w := range workers {
		g.Go(func() error {
			enc, err := repodata.NewShardEncoder()
			if err != nil {
				return err
			}
			defer enc.Close()
			keep := newKeep()
			for i := w; i < len(names); i += workers {
				name := names[i]
				o := servedShard{src: rd.Shards[name], rev: rev, pruned: sig(name)}
				body, ok, err := enc.Shard(groups[name], keep)
				if err != nil {
					return err
				}
				if ok {
					o.sum = sha256.Sum256(body)
					o.page = &Rendered{Body: body, ContentType: ContentTypeShards, ETag: `"` + hex.EncodeToString(o.sum[:]) + `"`, LastModified: changedAt}
				}
				rendered[i] = o
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, name := range names {
		next.add(name, rendered[i])
	}
	enc, err := repodata.NewShardEncoder()
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	sums := make(map[string][32]byte, len(next.byName))
	for name, o := range next.byName {
		if o.page != nil {
			sums[name] = o.sum
		}
	}
	index := enc.Index(repodata.ShardInfo{Subdir: subdir}, subdir, sums)
	if prev != nil {
		// Only shards rendered under this revision: after a policy or facts change, no
		// shard of the old decisions is served.
		for _, o := range prev.byName {
			if file := repodata.ShardFilename(o.sum); o.page != nil && o.rev == rev && next.byFile[file] == nil {
				if next.replaced == nil {
					next.replaced = map[string]*Rendered{}
				}
				next.replaced[file] = o.page
			}
		}
		next.graceUntil = r.now().Add(shardGrace)
	}
	r.mu.Lock()
	r.shardSets[subdir] = next
	r.mu.Unlock()
	return index, nil
}

func (set *shardSet) reusable(name string, src [32]byte, rev, pruned string) (servedShard, bool) {
	if set == nil {
		return servedShard{}, false
	}
	o, ok := set.byName[name]
	return o, ok && o.src == src && o.rev == rev && o.pruned == pruned
}

func (set *shardSet) add(name string, o servedShard) {
	set.byName[name] = o
	if o.page != nil {
		set.byFile[repodata.ShardFilename(o.sum)] = o.page
	}
}

// groupByName gathers rd's records of the names in only (all names when only is nil) into
// one shard per name; removed filenames go with their name's records. Every name of only
// gets a shard, empty when rd has no record of it.
func groupByName(rd *repodata.Repodata, only map[string]bool) map[string]*repodata.Shard {
	groups := map[string]*repodata.Shard{}
	add := func(name string) {
		g := &repodata.Shard{Packages: map[string]*repodata.Record{}, PackagesConda: map[string]*repodata.Record{}}
		for _, f := range rd.FilenamesOf(name) {
			if rec, ok := rd.Lookup(f); ok {
				if strings.HasSuffix(f, repodata.ExtConda) {
					g.PackagesConda[f] = rec
				} else {
					g.Packages[f] = rec
				}
			}
		}
		groups[name] = g
	}
	if only == nil {
		for name := range rd.FilenameIndex() {
			add(name)
		}
	} else {
		for name := range only {
			add(name)
		}
	}
	for _, f := range rd.Removed {
		if name, _, _, _, ok := repodata.SplitFilename(f); ok {
			if g := groups[name]; g != nil {
				g.Removed = append(g.Removed, f)
			}
		}
	}
	return groups
}

// servedShardFile returns a shard of the subdir's current set, or one it replaced less
// than shardGrace ago; nil if neither.
func (r *condaRepo) servedShardFile(subdir, file string) *Rendered {
	r.mu.RLock()
	set := r.shardSets[subdir]
	r.mu.RUnlock()
	if set == nil {
		return nil
	}
	if page := set.byFile[file]; page != nil {
		return page
	}
	if page := set.replaced[file]; page != nil && r.now().Before(set.graceUntil) {
		return page
	}
	return nil
}

package registry

import (
	"context"
	"fmt"

	"vetted/internal/ecosystem/conda"
	"vetted/internal/ecosystem/conda/repodata"
)

// pruning is the outcome of dependent pruning for one subdir: the records removed
// because they can no longer be installed, with the reason.
type pruning struct {
	gen, noarchGen uint64
	revision       string
	removed        map[string]string // filename → "depends on X, and no allowed record of X satisfies it"
}

// pruned returns the records of subdir that pruning removes (nil when the repository
// does not prune). A record is removed when one of its dependencies names a package that
// the channel has (in this subdir or in noarch) but none of whose records that are still
// served satisfies the dependency; this is repeated until nothing more is removed.
// Dependencies on packages the channel does not have (other channels, virtual packages
// such as __glibc) never remove anything.
func (s *Conda) pruned(ctx context.Context, r *condaRepo, subdir string, rd *repodata.Repodata, gen uint64) (map[string]string, error) {
	if !r.prune {
		return nil, nil
	}
	all := []*repodata.Repodata{rd}
	var noarchGen uint64
	if subdir != "noarch" {
		st, _, err := r.repodata.get(ctx, "noarch")
		if err == nil {
			all = append(all, st.value)
			noarchGen = st.gen
		}
	}
	rev := r.revision()
	r.mu.RLock()
	c := r.prunings[subdir]
	r.mu.RUnlock()
	if c != nil && c.gen == gen && c.noarchGen == noarchGen && c.revision == rev {
		return c.removed, nil
	}

	type rec struct {
		filename string
		name     string
		version  string
		deps     []conda.Dependency
		local    bool // in subdir (not noarch): only these can be removed here
	}
	var recs []*rec
	present := map[string]bool{} // names the channel has
	for i, one := range all {
		keep := r.keep(one)
		for _, m := range []map[string]*repodata.Record{one.Packages, one.PackagesConda} {
			for filename, rr := range m {
				present[rr.Name] = true
				if !keep(filename, rr) {
					continue
				}
				x := &rec{filename: filename, name: rr.Name, version: rr.Version, local: i == 0}
				for _, d := range rr.Depends {
					if dep, err := conda.ParseDependency(d); err == nil {
						x.deps = append(x.deps, dep)
					}
				}
				recs = append(recs, x)
			}
		}
	}
	removed := map[string]string{}
	alive := map[*rec]bool{}
	byName := map[string][]*rec{}
	for _, x := range recs {
		alive[x] = true
		byName[x.name] = append(byName[x.name], x)
	}
	for changed := true; changed; {
		changed = false
		for _, x := range recs {
			if !alive[x] {
				continue
			}
			for _, d := range x.deps {
				if !present[d.Name] {
					continue
				}
				ok := false
				for _, c := range byName[d.Name] {
					if alive[c] && d.Admits(c.version) {
						ok = true
						break
					}
				}
				if ok {
					continue
				}
				alive[x], changed = false, true
				if x.local {
					removed[x.filename] = fmt.Sprintf("%s %s depends on %q, and every record of %s that satisfies it is blocked", x.name, x.version, d.Name+" "+d.Version.String(), d.Name)
				}
				break
			}
		}
	}
	r.mu.Lock()
	r.prunings[subdir] = &pruning{gen: gen, noarchGen: noarchGen, revision: rev, removed: removed}
	r.mu.Unlock()
	return removed, nil
}

package vuln

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"vetted/internal/ecosystem"
)

// Index answers "which advisories affect this release?" for a whole database at
// once, with the same answers as Affects. It is built once (NewIndex) and is then
// read-only, safe for concurrent use.
//
// For each package it sorts, once, every version its records name (range bounds and
// listed versions) with the ecosystem's ordering and replaces each by its rank. A
// query then costs one binary search (about log2(n)+1 calls of Compare, n being the
// distinct versions the package's records name) followed by integer comparisons,
// however many advisories the package has.
type Index struct {
	schemes map[string]Scheme
	pkgs    map[pkgKey]*pkgIndex
	count   int
}

type pkgKey struct{ ecosystem, name string }

type pkgIndex struct {
	bounds  []string // distinct versions, sorted
	entries []entry  // sorted by advisory id
}

// entry is one affected entry of one advisory, with its versions as keys: the
// version ranked i has key 2i+1; a queried version gets key 2i+1 when it equals the
// version ranked i and 2i when it lies between ranks i-1 and i.
type entry struct {
	adv      *Advisory
	versions []int32
	ranges   []indexRange
}

type indexRange struct {
	events  []indexEvent // sorted by key, then kind (as in rangeIncludes)
	limits  []int32
	limited bool
}

type indexEvent struct {
	kind int
	key  int32
}

const (
	keyBeforeAll = -1            // introduced "0"
	keyInfinity  = math.MaxInt32 // limit "*"
)

// NewIndex indexes the advisories' affected entries whose ecosystem has a Scheme
// (keyed by OSV ecosystem name: "PyPI", "CRAN"). Withdrawn advisories and entries of
// other ecosystems are left out; GIT ranges are ignored, as in Affects.
func NewIndex(advs []*Advisory, schemes map[string]Scheme) *Index {
	idx := &Index{schemes: make(map[string]Scheme, len(schemes)), pkgs: map[pkgKey]*pkgIndex{}}
	for k, v := range schemes {
		idx.schemes[k] = v
	}
	sorted := slices.Clone(advs)
	slices.SortStableFunc(sorted, func(a, b *Advisory) int { return cmp.Compare(a.ID, b.ID) })
	type pending struct {
		adv *Advisory
		af  *Affected
	}
	byPkg := map[pkgKey][]pending{}
	counted := map[*Advisory]bool{}
	for _, a := range sorted {
		if a == nil || a.IsWithdrawn() {
			continue
		}
		for i := range a.Affected {
			af := &a.Affected[i]
			s, ok := idx.schemes[af.Ecosystem]
			if !ok {
				continue
			}
			k := pkgKey{af.Ecosystem, s.normalize(af.Name)}
			byPkg[k] = append(byPkg[k], pending{a, af})
			if !counted[a] {
				counted[a] = true
				idx.count++
			}
		}
	}
	for k, list := range byPkg {
		vs := idx.schemes[k.ecosystem].Versions
		// Rank every version the package's records name.
		seen := map[string]bool{}
		var names []string
		addName := func(v string) {
			if v != "" && !seen[v] {
				seen[v] = true
				names = append(names, v)
			}
		}
		for _, p := range list {
			for _, v := range p.af.Versions {
				addName(v)
			}
			for _, r := range p.af.Ranges {
				if r.Type == RangeGit {
					continue
				}
				for _, e := range r.Events {
					if e.Introduced != "0" {
						addName(e.Introduced)
					}
					addName(e.Fixed)
					addName(e.LastAffected)
					if !isInfinity(e.Limit) {
						addName(e.Limit)
					}
				}
			}
		}
		slices.SortFunc(names, func(a, b string) int {
			if c := vs.Compare(a, b); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		pi := &pkgIndex{}
		key := make(map[string]int32, len(names))
		for _, v := range names {
			if n := len(pi.bounds); n == 0 || vs.Compare(pi.bounds[n-1], v) != 0 {
				pi.bounds = append(pi.bounds, v)
			}
			key[v] = int32(2*(len(pi.bounds)-1) + 1)
		}
		for _, p := range list {
			e := entry{adv: p.adv}
			for _, v := range p.af.Versions {
				e.versions = append(e.versions, key[v])
			}
			for _, r := range p.af.Ranges {
				if r.Type == RangeGit {
					continue
				}
				var ir indexRange
				for _, ev := range r.Events {
					switch {
					case ev.Limit != "":
						ir.limited = true
						if isInfinity(ev.Limit) {
							ir.limits = append(ir.limits, keyInfinity)
						} else {
							ir.limits = append(ir.limits, key[ev.Limit])
						}
					case ev.Introduced == "0":
						ir.events = append(ir.events, indexEvent{kindIntroduced, keyBeforeAll})
					case ev.Introduced != "":
						ir.events = append(ir.events, indexEvent{kindIntroduced, key[ev.Introduced]})
					case ev.Fixed != "":
						ir.events = append(ir.events, indexEvent{kindFixed, key[ev.Fixed]})
					case ev.LastAffected != "":
						ir.events = append(ir.events, indexEvent{kindLastAffected, key[ev.LastAffected]})
					}
				}
				slices.SortStableFunc(ir.events, func(a, b indexEvent) int {
					if c := cmp.Compare(a.key, b.key); c != 0 {
						return c
					}
					return a.kind - b.kind
				})
				e.ranges = append(e.ranges, ir)
			}
			pi.entries = append(pi.entries, e)
		}
		idx.pkgs[k] = pi
	}
	return idx
}

// Len returns the number of advisories in the index.
func (idx *Index) Len() int { return idx.count }

// Match returns the advisories that affect version of the package (eco, name), sorted by id, each once. The ecosystem must be one NewIndex was given a
// Scheme for; the name is normalised with it.
func (idx *Index) Match(eco, name, version string) []*Advisory {
	pi, vs := idx.lookup(eco, name)
	if pi == nil {
		return nil
	}
	q := pi.position(version, vs)
	var out []*Advisory
	for i := range pi.entries {
		e := &pi.entries[i]
		if len(out) > 0 && out[len(out)-1] == e.adv {
			continue
		}
		if e.includes(q) {
			out = append(out, e.adv)
		}
	}
	return out
}

// NearestUnaffected is NearestUnaffected over the whole index: the lowest of
// candidates above version that no indexed advisory affects.
func (idx *Index) NearestUnaffected(eco, name, version string, candidates []string) (string, bool) {
	s, ok := idx.schemes[eco]
	if !ok {
		return "", false
	}
	pi, vs := idx.lookup(eco, name)
	return nearest(version, candidates, s.Versions, func(c string) bool {
		if pi == nil {
			return false
		}
		q := pi.position(c, vs)
		for i := range pi.entries {
			if pi.entries[i].includes(q) {
				return true
			}
		}
		return false
	})
}

func (idx *Index) lookup(eco, name string) (*pkgIndex, ecosystem.Versions) {
	s, ok := idx.schemes[eco]
	if !ok {
		return nil, nil
	}
	pi := idx.pkgs[pkgKey{eco, s.normalize(name)}]
	if pi == nil {
		return nil, nil
	}
	return pi, s.Versions
}

// position returns the key of version among the package's bounds.
func (pi *pkgIndex) position(version string, vs ecosystem.Versions) int32 {
	i := sort.Search(len(pi.bounds), func(i int) bool { return vs.Compare(pi.bounds[i], version) >= 0 })
	if i < len(pi.bounds) && vs.Compare(pi.bounds[i], version) == 0 {
		return int32(2*i + 1)
	}
	return int32(2 * i)
}

func (e *entry) includes(q int32) bool {
	if slices.Contains(e.versions, q) {
		return true
	}
	for i := range e.ranges {
		if e.ranges[i].includes(q) {
			return true
		}
	}
	return false
}

func (r *indexRange) includes(q int32) bool {
	if r.limited {
		below := false
		for _, l := range r.limits {
			if q < l {
				below = true
				break
			}
		}
		if !below {
			return false
		}
	}
	vulnerable := false
	for _, ev := range r.events {
		if ev.key > q {
			break // later events are at higher versions: none applies
		}
		switch ev.kind {
		case kindIntroduced:
			vulnerable = true
		case kindFixed:
			vulnerable = false
		case kindLastAffected:
			if q > ev.key {
				vulnerable = false
			}
		}
	}
	return vulnerable
}

// Package returns every advisory indexed for a package, whatever the version, sorted
// by id (withdrawn advisories are not indexed).
func (idx *Index) Package(eco, name string) []*Advisory {
	pi, _ := idx.lookup(eco, name)
	if pi == nil {
		return nil
	}
	out := make([]*Advisory, 0, len(pi.entries))
	for i := range pi.entries {
		out = append(out, pi.entries[i].adv)
	}
	return out
}

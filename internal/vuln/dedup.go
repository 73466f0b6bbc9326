package vuln

import (
	"slices"
)

// Dedup merges advisories that describe the same vulnerability: two advisories are
// the same when one's id or aliases share an id with the other's (a PYSEC record
// and the GHSA record for its CVE), and sameness is transitive. Of each group it
// keeps the advisory with the highest CVSS base score (MaxScore; a scored advisory
// wins over an unscored one; on a tie, the first in advs), with Aliases extended to
// every other id and alias of the group, sorted, without its own id. Groups keep
// the order of their first member in advs. Advisories that merge with nothing are
// returned as they are; merged ones are copies, and advs is not modified.
func Dedup(advs []*Advisory) []*Advisory {
	parent := make([]int, len(advs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, a := range advs {
		if a == nil {
			continue
		}
		for _, id := range a.IDs() {
			if j, ok := owner[id]; ok {
				ri, rj := find(i), find(j)
				if ri != rj {
					// The earlier advisory's root stays the root: groups keep input order.
					parent[max(ri, rj)] = min(ri, rj)
				}
			} else {
				owner[id] = i
			}
		}
	}
	groups := map[int][]int{}
	var roots []int
	for i, a := range advs {
		if a == nil {
			continue
		}
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	out := make([]*Advisory, 0, len(roots))
	for _, r := range roots {
		members := groups[r]
		if len(members) == 1 {
			out = append(out, advs[members[0]])
			continue
		}
		best := members[0]
		bestScore, bestOK := advs[best].MaxScore()
		for _, m := range members[1:] {
			s, ok := advs[m].MaxScore()
			if ok && (!bestOK || s.Base > bestScore.Base) {
				best, bestScore, bestOK = m, s, true
			}
		}
		merged := *advs[best]
		seen := map[string]bool{merged.ID: true}
		var aliases []string
		for _, m := range members {
			for _, id := range advs[m].IDs() {
				if !seen[id] {
					seen[id] = true
					aliases = append(aliases, id)
				}
			}
		}
		slices.Sort(aliases)
		merged.Aliases = aliases
		out = append(out, &merged)
	}
	return out
}

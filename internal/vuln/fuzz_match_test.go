package vuln

import (
	"strings"
	"testing"

	"vetted/internal/ecosystem/pypi"
)

// FuzzAffects checks range matching on arbitrary events and versions: no panic, and the
// index answers exactly as the direct evaluation of the OSV algorithm does.
func FuzzAffects(f *testing.F) {
	f.Add("0", "1.2", "", "", "1.1")
	f.Add("1.0", "", "1.5", "", "1.5")
	f.Add("2.0rc1", "2.0.1", "", "", "2.0")
	f.Add("0", "", "", "3.0", "2.9.post1")
	f.Add("1!0", "", "", "*", "1!0.5")
	f.Add("not a version", "1.0", "", "", "0.1")
	f.Fuzz(func(t *testing.T, introduced, fixed, lastAffected, limit, version string) {
		r := Range{Type: RangeEcosystem, Events: []Event{{Introduced: introduced}}}
		if fixed != "" {
			r.Events = append(r.Events, Event{Fixed: fixed})
		}
		if lastAffected != "" {
			r.Events = append(r.Events, Event{LastAffected: lastAffected})
		}
		if limit != "" {
			r.Events = append(r.Events, Event{Limit: limit})
		}
		a := &Advisory{ID: "FUZZ-1", Affected: []Affected{{Ecosystem: "PyPI", Name: "alpha", Ranges: []Range{r}, Versions: strings.Fields(fixed)}}}
		eco := pypi.Ecosystem{}
		direct := Affects(a, "PyPI", "alpha", version, eco, eco.NormalizeName)
		idx := NewIndex([]*Advisory{a}, map[string]Scheme{"PyPI": SchemeOf(eco)})
		indexed := len(idx.Match("PyPI", "alpha", version)) == 1
		if direct != indexed {
			t.Fatalf("Affects=%v but Index.Match=%v for %+v at %q", direct, indexed, r, version)
		}
	})
}

package cran

import "testing"

// FuzzCompare: no panics; Compare is reflexive and antisymmetric; a valid version's
// canonical form parses to an equal version; constraints built from a version behave.
func FuzzCompare(f *testing.F) {
	for _, p := range [][2]string{{"1.2-10", "1.2.9"}, {"1.0", "1.0.0"}, {"0.9.1", "0.10.0"}, {"1", "a"}, {"", "1.0"}, {"01.0", "1.00"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if Compare(a, a) != 0 {
			t.Fatalf("Compare(%q, %q) != 0", a, a)
		}
		if Compare(a, b) != -Compare(b, a) {
			t.Fatalf("Compare(%q, %q) = %d but reversed = %d", a, b, Compare(a, b), Compare(b, a))
		}
		v, err := Parse(a)
		if err != nil {
			return
		}
		w, err := Parse(v.String())
		if err != nil || w.Compare(v) != 0 || w.String() != v.String() {
			t.Fatalf("Parse(%q).String() = %q does not round-trip: %v", a, v, err)
		}
		c, err := ParseConstraint(">= " + v.String() + ", <= " + v.String())
		if err != nil || !c.Contains(a) {
			t.Fatalf("constraint == %q does not contain %q: %v", v, a, err)
		}
	})
}

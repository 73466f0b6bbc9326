package cran

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"vetted/internal/ecosystem"
)

// The expected orderings follow R's documented semantics (see doc.go); where a case
// is one R's documentation or R-devel discussions show, the comment says what R prints.
func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
		why  string
	}{
		{"1.2-10", "1.2.9", 1, "components are integers: 10 > 9"},
		{"0.9.1", "0.10.0", -1, "9 < 10, not a string comparison"},
		{"1.0", "1.0.0", -1, `package_version("1.0") < package_version("1.0.0") is TRUE: the shorter prefix is smaller`},
		{"1.0.0", "1.0", 1, "antisymmetric to the case above"},
		{"1.2-3", "1.2.3", 0, "'-' and '.' are equivalent separators"},
		{"1.01", "1.1", 0, "leading zeros do not count"},
		{"1.0-0", "1.0", 1, "1.0-0 has three components"},
		{"2.0", "10.0", -1, "first component numeric"},
		{"1.9.2", "1.8", 1, "commonmark's fix in RSEC-2023-8"},
		{"1.2.2-2", "1.2.2", 1, "igraph's fix in RSEC-2023-4"},
		{"0.1-9", "0.1-3", 1, "png's range in RSEC-2026-1"},
		{"3.0.0", "2.18.0.1", 1, "gdata's versions in RSEC-2023-9"},
		{" 1.0 ", "1.0", 0, "surrounding space ignored"},
		{"1.0", "1.0", 0, "equal"},
		{"99999999999999999999.0", "99999999999999999998.0", 1, "components beyond 64 bits compare as numbers"},
		{"1", "1.0", -1, `"1" is not a package version: invalid sorts first`},
		{"abc", "1.0", -1, "invalid before valid"},
		{"abc", "abd", -1, "invalid among themselves by string"},
	} {
		if got := Compare(tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d (%s)", tc.a, tc.b, got, tc.want, tc.why)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, canon string
		reason    string
	}{
		{"1.2.3", "1.2.3", ""},
		{"1.2-10", "1.2.10", ""},
		{"0.1-3", "0.1.3", ""},
		{"1.02.003", "1.2.3", ""},
		{"2.18.0.1", "2.18.0.1", ""},
		{"  4.3.1\n", "4.3.1", ""},
		{"1", "", "only one component"},
		{"", "", "empty"},
		{"1.", "", "empty component"},
		{".1", "", "empty component"},
		{"1..2", "", "empty component"},
		{"1.2a", "", `'a' at offset 3`},
		{"v1.2", "", `'v' at offset 0`},
		{"1.2.3-rc1", "", `'r' at offset 6`},
		{"-1.2", "", "empty component"},
		{"1.2_3", "", `'_'`},
	} {
		v, err := Parse(tc.in)
		if tc.reason == "" {
			if err != nil || v.String() != tc.canon {
				t.Errorf("Parse(%q) = %q, %v; want %q", tc.in, v, err, tc.canon)
			}
			continue
		}
		var ie *InvalidVersionError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), "like 1.2.3 or 1.2-10") {
			t.Errorf("Parse(%q) error = %v, want an *InvalidVersionError mentioning %q", tc.in, err, tc.reason)
		}
	}
}

// TestOrderProperties: sorting a shuffled list gives R's order, and Compare is
// antisymmetric and transitive over it.
func TestOrderProperties(t *testing.T) {
	want := []string{"junk", "0.1-3", "0.1-9", "0.9.1", "0.9.12", "0.10.0", "1.0", "1.0.0", "1.0-1", "1.2-2", "1.2.9", "1.2-10", "1.10", "2.0", "10.0"}
	got := slices.Clone(want)
	slices.Reverse(got)
	got[3], got[7] = got[7], got[3]
	slices.SortFunc(got, Compare)
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %v\nwant     %v", got, want)
	}
	for _, a := range want {
		for _, b := range want {
			if Compare(a, b) != -Compare(b, a) {
				t.Errorf("Compare(%q, %q) not antisymmetric", a, b)
			}
			for _, c := range want {
				if Compare(a, b) < 0 && Compare(b, c) < 0 && Compare(a, c) >= 0 {
					t.Errorf("not transitive: %q < %q < %q", a, b, c)
				}
			}
		}
	}
}

func TestConstraint(t *testing.T) {
	var s ecosystem.Versions = Scheme{}
	for _, tc := range []struct {
		constraint string
		str        string
		in, out    []string
	}{
		{"", "", []string{"0.1", "99.0"}, []string{"junk"}},
		{">= 1.2.0", ">= 1.2.0", []string{"1.2.0", "1.2-1", "1.10"}, []string{"1.1.9", "1.2"}},
		{"< 2.0", "< 2.0", []string{"1.99.99", "1.0"}, []string{"2.0", "2.0.0", "3.0"}},
		{"== 1.0-3", "== 1.0-3", []string{"1.0-3", "1.0.3", "1.00.3"}, []string{"1.0-4", "1.0"}},
		{">= 1.0, < 2", "", nil, nil}, // "2" is not a package version: error below
		{">= 1.0, < 2.0", ">= 1.0, < 2.0", []string{"1.0", "1.5-2"}, []string{"0.9", "2.0"}},
		{"(>= 3.5.0)", ">= 3.5.0", []string{"3.5.0", "4.0.0"}, []string{"3.4.4"}},
		{">=1.0,<=1.5", ">= 1.0, <= 1.5", []string{"1.5", "1.0"}, []string{"1.5.0", "0.99"}},
		{"> 1.0, != 1.2", "> 1.0, != 1.2", []string{"1.0.1", "1.3"}, []string{"1.0", "1.2"}},
		{"!= 1.2", "!= 1.2", []string{"1.2.0-0", "1.2-0"}, []string{"1.02"}},
	} {
		c, err := s.ParseConstraint(tc.constraint)
		if tc.str == "" && tc.constraint != "" {
			if err == nil {
				t.Errorf("ParseConstraint(%q) succeeded", tc.constraint)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseConstraint(%q): %v", tc.constraint, err)
			continue
		}
		if c.String() != tc.str {
			t.Errorf("ParseConstraint(%q).String() = %q, want %q", tc.constraint, c, tc.str)
		}
		for _, v := range tc.in {
			if !c.Contains(v) {
				t.Errorf("%q does not contain %q", tc.constraint, v)
			}
		}
		for _, v := range tc.out {
			if c.Contains(v) {
				t.Errorf("%q contains %q", tc.constraint, v)
			}
		}
	}
}

func TestConstraintErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{">= 1.0, < 2", `clause "< 2": invalid R package version "2": only one component`},
		{"1.0", "no operator"},
		{"~= 1.0", "unknown operator"},
		{"= 1.0", "unknown operator"},
		{">= 1.0,", "empty clause"},
		{">= abc", `invalid R package version "abc"`},
		{"=> 1.0", "unknown operator"},
	} {
		_, err := ParseConstraint(tc.in)
		var ce *ConstraintError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `">= 1.0, < 2"`) {
			t.Errorf("ParseConstraint(%q) error = %v, want a *ConstraintError with %q and an example", tc.in, err, tc.want)
		}
	}
}

package pep440

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"vetted/internal/ecosystem"
)

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("1.0.0x")
	want := `invalid PEP 440 version "1.0.0x": expected e.g. 1.2, 1.2.3rc1, 2!1.0.post1.dev2+local`
	if err == nil || err.Error() != want {
		t.Fatalf("Parse error = %v, want %s", err, want)
	}
	var ive *InvalidVersionError
	if !errors.As(err, &ive) || ive.Input != "1.0.0x" {
		t.Fatalf("error %T does not carry the input", err)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParse did not panic")
		}
	}()
	MustParse("not a version")
}

// TestNonASCIILetters pins a deliberate difference from packaging: Python's
// case-insensitive regular expressions let a few non-ASCII letters stand for ASCII
// ones, and packaging accepts them (producing odd normal forms such as
// "1.0previ\u0307ew1"). Only ASCII letters are accepted here.
func TestNonASCIILetters(t *testing.T) {
	for _, s := range []string{"1.0+\u212a", "1.0.po\u017ft1", "1.0prev\u0130ew1", "1.0prev\u0131ew1"} {
		if v, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", s, v)
		}
	}
}

// TestCompareStrings covers the string-level ordering of invalid versions, which
// packaging has no counterpart for.
func TestCompareStrings(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		want int
	}{
		{"invalid before valid", "banana", "0.0.1", -1},
		{"valid after invalid", "0.0.1", "banana", 1},
		{"invalid by string", "apple", "banana", -1},
		{"invalid equal", "x y", "x y", 0},
		{"empty is invalid", "", "0", -1},
		{"equal after normalisation", "1.0", "v1.0.0", 0},
		{"numeric not lexical", "1.10", "1.9", 1},
		{"huge numbers", "1.99999999999999999999999999", "1.99999999999999999999999998", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Compare(c.a, c.b); got != c.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
			}
			if got := (Scheme{}).Compare(c.a, c.b); got != c.want {
				t.Errorf("Scheme.Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	v := MustParse(" V1!02.0.3-RC-4_post5.DEV6+Ubuntu-1.007 ")
	if got, want := v.String(), "1!2.0.3rc4.post5.dev6+ubuntu.1.7"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
	if v.Epoch() != 1 || !slices.Equal(v.Release(), []int{2, 0, 3}) {
		t.Errorf("Epoch/Release = %d/%v", v.Epoch(), v.Release())
	}
	if l, n, ok := v.Pre(); l != "rc" || n != 4 || !ok {
		t.Errorf("Pre = %q %d %v", l, n, ok)
	}
	if n, ok := v.Post(); n != 5 || !ok {
		t.Errorf("Post = %d %v", n, ok)
	}
	if n, ok := v.Dev(); n != 6 || !ok {
		t.Errorf("Dev = %d %v", n, ok)
	}
	if v.Public() != "1!2.0.3rc4.post5.dev6" || v.Local() != "ubuntu.1.7" || v.BaseVersion() != "1!2.0.3" {
		t.Errorf("Public/Local/BaseVersion = %q/%q/%q", v.Public(), v.Local(), v.BaseVersion())
	}
	big := MustParse("99999999999999999999999.1")
	if got := big.Release(); got[0] != math.MaxInt || got[1] != 1 {
		t.Errorf("Release of huge number = %v, want saturation", got)
	}
	if big.ReleaseString() != "99999999999999999999999.1" {
		t.Errorf("ReleaseString = %q", big.ReleaseString())
	}
	var zero Version
	if zero.String() != "" || zero.IsPrerelease() || zero.Release() != nil {
		t.Errorf("zero Version misbehaves")
	}
	if _, _, ok := zero.Pre(); ok {
		t.Errorf("zero Version has a pre-release")
	}
}

func TestParseAllocations(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  float64
	}{
		{"normalised", "1.26.4", 0},
		{"normalised with everything", "1!2.0rc1.post2.dev3+abc.4", 0},
		{"needs normalising", "v1.0-RC1", 1},
		{"surrounding space", "  2.31.0\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := testing.AllocsPerRun(100, func() { _, _ = Parse(c.in) })
			if got > c.max {
				t.Errorf("Parse(%q) allocates %v times, want at most %v", c.in, got, c.max)
			}
		})
	}
}

func TestSpecifierErrors(t *testing.T) {
	cases := []struct {
		name, in, clause, reason string
	}{
		{"no operator", "1.0", "1.0", "expected an operator"},
		{"unknown operator", ">=1.0, =>2", "=>2", "expected an operator"},
		{"missing version", ">=", ">=", "missing a version"},
		{"single release with ~=", ">=1.0,~=1", "~=1", "at least two release numbers"},
		{"wildcard with >=", ">=1.*", ">=1.*", `".*" is only allowed after == and !=`},
		{"wildcard after dev", "==1.0.dev1.*", "==1.0.dev1.*", "cannot follow"},
		{"local with <", "<1.0+abc", "<1.0+abc", "local version"},
		{"bad version", "==1.0x", "==1.0x", `"1.0x" is not a PEP 440 version`},
		{"space in ===", "===a b", "===a b", "without spaces"},
		{"marker", ">=1.0;python_version<'3'", ">=1.0;python_version<'3'", "is not a PEP 440 version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpecifierSet(c.in)
			var ise *InvalidSpecifierError
			if !errors.As(err, &ise) {
				t.Fatalf("ParseSpecifierSet(%q) error = %v, want InvalidSpecifierError", c.in, err)
			}
			if ise.Clause != c.clause || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("error = %q (clause %q), want clause %q and %q", err, ise.Clause, c.clause, c.reason)
			}
			if c.in != c.clause && !strings.Contains(err.Error(), `in "`+c.in+`"`) {
				t.Errorf("error %q does not name the whole set", err)
			}
			if _, err := ParseSpecifier(c.clause); err == nil && !strings.Contains(c.clause, ",") {
				t.Errorf("ParseSpecifier(%q) succeeded", c.clause)
			}
		})
	}
}

func TestSpecifierAccessors(t *testing.T) {
	sp, err := ParseSpecifier("  ~= 1.4.2 ")
	if err != nil {
		t.Fatal(err)
	}
	if sp.Operator() != "~=" || sp.Version() != "1.4.2" || sp.String() != "~=1.4.2" {
		t.Errorf("got %q %q %q", sp.Operator(), sp.Version(), sp)
	}
	if !sp.Contains(MustParse("1.4.9"), false) || sp.Contains(MustParse("1.5"), false) {
		t.Errorf("~=1.4.2 matches wrongly")
	}
	var empty SpecifierSet
	if empty.Len() != 0 || empty.String() != "" || !empty.Contains(MustParse("1.0a1"), true) {
		t.Errorf("zero SpecifierSet misbehaves")
	}
}

// TestScheme checks the ecosystem adapter against the generated specifier fixtures:
// Contains(version) is SpecifierSet.contains(version, prereleases=True).
func TestScheme(t *testing.T) {
	var scheme ecosystem.Versions = Scheme{}
	f := loadSpecifiers(t)
	for i, c := range f.Specifiers {
		t.Run(caseName(i, c.Spec), func(t *testing.T) {
			con, err := scheme.ParseConstraint(c.Spec)
			if !c.Valid {
				if err == nil || !strings.Contains(err.Error(), c.BadClause) {
					t.Fatalf("ParseConstraint(%q) error = %v, want one naming %q", c.Spec, err, c.BadClause)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if con.String() != c.Str {
				t.Errorf("String() = %q, want %q", con.String(), c.Str)
			}
			for k, p := range f.Probes {
				if got, want := con.Contains(p), c.ContainsPre[k] == '1'; got != want {
					t.Errorf("Contains(%q) = %v, want %v", p, got, want)
				}
			}
			for _, bad := range []string{"", "banana", "1.0.0x", "1.0+"} {
				if con.Contains(bad) {
					t.Errorf("Contains(%q) = true for an invalid version", bad)
				}
			}
		})
	}
	all, err := scheme.ParseConstraint("")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"0", "1.0a1", "1!0.0.dev0+x", "2023.3.post1"} {
		if !all.Contains(v) {
			t.Errorf(`"" does not contain %q`, v)
		}
	}
}

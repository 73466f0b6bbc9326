package conda

import (
	"errors"
	"strings"
	"testing"

	"vetted/internal/ecosystem"
)

// TestCompareCases pins the ordering rules the package documents; every case agrees
// with rattler (most are also in the generated fixtures).
func TestCompareCases(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		want int
	}{
		{"openssl letter release sorts before the plain release", "1.1.1t", "1.1.1", -1},
		{"openssl letters in order", "1.1.1a", "1.1.1w", -1},
		{"trailing underscore before letters", "1.1.1_", "1.1.1a", -1},
		{"trailing underscore before the plain release", "1.0_", "1.0", -1},
		{"pre-release before release", "1.1a1", "1.1", -1},
		{"rc before release", "3.12.0rc3", "3.12.0", -1},
		{"a0 bound below every 2.0", "2.0a0", "2.0.0rc1", -1},
		{"trailing zeros are implicit", "1.0", "1.0.0", 0},
		{"implicit zero before a letter", "1.1.a1", "1.1.0a1", 0},
		{"a letter segment differs from a letter suffix", "1.1a1", "1.1.a1", -1},
		{"dev before letters", "1.0dev", "1.0a", -1},
		{"dev before the trailing underscore", "1.0dev", "1.0_", -1},
		{"post after numbers", "1.0post", "1.0.1", 1},
		{"post after the release", "1.1.post1", "1.1", 1},
		{"post segment before post suffix", "1.1.post1", "1.1post1", -1},
		{"case-insensitive", "0.4.1.RC", "0.4.1.rc", 0},
		{"DEV is dev", "1.0DEV", "1.0dev", 0},
		{"devel is dev then el", "1.0devel", "1.0a", -1},
		{"numbers, not text", "1.10", "1.9", 1},
		{"leading zeros do not count", "01.02", "1.2", 0},
		{"underscore separates segments", "1.6_5", "1.6.5", 0},
		{"dash separates segments", "1-2", "1.2", 0},
		{"epoch wins", "1!0.4.1", "1996.07.12", 1},
		{"explicit zero epoch", "0!1.0", "1.0", 0},
		{"local part after equal releases", "1.0+2", "1.0+1", 1},
		{"a letter local part sorts before none", "1.4+loc", "1.4", -1},
		{"a number local part sorts after none", "1.4+1", "1.4", 1},
		{"leading v is a letter", "v1.0", "1.0", -1},
		{"date versions", "2024.8.30", "2023.11.17", 1},
		{"tzdata", "2024a", "2024b", -1},
		{"jpeg", "9e", "9d", 1},
		{"dash and underscore compare equal", "1.0-", "1.0_", 0},
		{"invalid before valid", "1..0", "0", -1},
		{"invalid after nothing valid", "0", "*", 1},
		{"invalid among themselves by string", "1 .0", "1..0", -1},
		{"invalid equal", "x y", "x y", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Compare(c.a, c.b); got != c.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
			}
			if got := Compare(c.b, c.a); got != -c.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
			}
			if got := (Scheme{}).Compare(c.a, c.b); got != c.want {
				t.Errorf("Scheme.Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"1.0", "1.0.0", true},
		{"1.0_", "1.0.0_", false}, // [1],[0,'_'] vs [1],[0],[0,'_']
		{"1.0-", "1.0_", false},   // compare equal, but rattler's == tells them apart
		{"1-", "1-", true},
		{"1.0+a", "1.0+A", true},
		{"1!1.0", "1.0", false},
	}
	for _, c := range cases {
		a, b := MustParseVersion(c.a), MustParseVersion(c.b)
		if got := a.Equal(b); got != c.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestNormalForm(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"V1.0RC1", "v1.0rc1"},
		{"01.02", "1.2"},
		{"00!0", "0!0"},
		{"0!1.0", "0!1.0"},
		{"1.0Post1.DEV", "1.0post1.dev"},
		{"1!2.15.1_ALPHA", "1!2.15.1_alpha"},
		{"1.0+ABC.05", "1.0+abc.5"},
		{"1-2-3", "1-2-3"},
		{"1.1.1_", "1.1.1_"},
		{"1__", "1__"},
	}
	for _, c := range cases {
		v, err := ParseVersion(c.in)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", c.in, err)
			continue
		}
		if v.String() != c.want {
			t.Errorf("ParseVersion(%q).String() = %q, want %q", c.in, v, c.want)
		}
	}
}

func TestAccessors(t *testing.T) {
	v := MustParseVersion("2!1.2dev.3+local.4")
	if v.Epoch() != 2 || !v.HasLocal() || !v.IsDev() || v.SegmentCount() != 3 {
		t.Errorf("%q: epoch %d, local %v, dev %v, segments %d", v, v.Epoch(), v.HasLocal(), v.IsDev(), v.SegmentCount())
	}
	w := MustParseVersion("1.0+dev")
	if w.Epoch() != 0 || w.IsDev() {
		t.Errorf("%q: epoch %d, dev %v (dev in the local part does not count)", w, w.Epoch(), w.IsDev())
	}
	var zero Version
	if zero.String() != "" || zero.Compare(MustParseVersion("0")) != 0 || zero.HasLocal() || zero.SegmentCount() != 0 {
		t.Errorf("zero Version: %q", zero)
	}
}

func TestVersionErrors(t *testing.T) {
	cases := []struct{ in, reason string }{
		{"", "it is empty"},
		{"1..0", `unexpected "..0" after "1"`},
		{"1.0.*", `unexpected ".*" after "1.0"`},
		{" 1.0", "expected a version component such as 2 or rc"},
		{"1.0 ", `unexpected " " after "1.0"`},
		{"1-2_3", "'-' and '_' are both used as separators; use one of them"},
		{"1.0+", "expected a version component such as 2 or rc"},
		{"18446744073709551616", "a number is larger than 18446744073709551615"},
		{"18446744073709551616!1", "the epoch before '!' is larger than 18446744073709551615"},
		{strings.Repeat("1.", 127) + "1+a", "more than 127 segments before the local version"},
		{"1" + strings.Repeat("a1", 4096), "more than 8191 components in one segment"},
	}
	for _, c := range cases {
		_, err := ParseVersion(c.in)
		var ve *VersionError
		if !errors.As(err, &ve) {
			t.Errorf("ParseVersion(%.40q) = %v, want a *VersionError", c.in, err)
			continue
		}
		if ve.Input != c.in || ve.Reason != c.reason {
			t.Errorf("ParseVersion(%.40q): reason %q, want %q", c.in, ve.Reason, c.reason)
		}
	}
	_, err := ParseVersion("1..0")
	want := `invalid conda version "1..0": unexpected "..0" after "1"; a conda version looks like 1.2.3, 1.0rc1, 2024a, 1.6_5, 1!2.0 or 1.2.3+local`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestMustParsePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"MustParseVersion":     func() { MustParseVersion("1..0") },
		"MustParseVersionSpec": func() { MustParseVersionSpec("1.2", Strict) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

// TestMatchCases pins the spec semantics the package documents, in both
// strictnesses; every case agrees with rattler.
func TestMatchCases(t *testing.T) {
	cases := []struct {
		name    string
		spec    string
		version string
		want    bool
	}{
		{"range in", ">=1.26.4,<2.0a0", "1.26.4", true},
		{"range excludes the 2.0 pre-releases", ">=1.26.4,<2.0a0", "2.0.0rc1", false},
		{"a plain upper bound admits pre-releases", "<2", "2.0.0rc1", true},
		{"or binds less tightly than and", ">=1,<2|>=3", "3.5", true},
		{"or binds less tightly than and, outside", ">=1,<2|>=3", "2.5", false},
		{"parentheses", ">=1,(<2|>=3)", "3.5", true},
		{"== zero-fills", "==1.2", "1.2.0", true},
		{"== is exact", "==1.2", "1.2.1", false},
		{"glob matches the release", "1.2.*", "1.2", true},
		{"glob matches later segments", "1.2.*", "1.2.10", true},
		{"glob matches a pre-release segment", "1.2.*", "1.2.0rc1", true},
		{"glob does not match a letter suffix", "1.2.*", "1.2a", false},
		{"glob does not match 1.20", "1.2.*", "1.20", false},
		{"glob without the dot", "1.2*", "1.2.3", true},
		{"= is a glob", "=1.2", "1.2.3", true},
		{"glob with a missing zero segment", "1.0.*", "1", true},
		{"openssl 1.1.1.* excludes 1.1.1t", "1.1.1.*", "1.1.1t", false},
		{"openssl range includes 1.1.1t", ">=1.1.1t,<1.1.2a", "1.1.1w", true},
		{"letter glob with zeros", "1a.*", "1a0", true},
		{"letter glob", "1a.*", "1a1", false},
		{"not-glob", "!=1.2.*", "1.3", true},
		{"not-glob excludes", "!=1.2.*", "1.2.5", false},
		{"compatible release", "~=1.4", "1.9", true},
		{"compatible release stops at the next major", "~=1.4", "2.0", false},
		{"compatible release of three segments", "~=1.4.2", "1.5", false},
		{"compatible with one segment is >=", "~=1", "5", true},
		{"epoch must match a glob", "1.*", "1!1.5", false},
		{"star", "*", "0", true},
		{"local glob", "1.2+loc.*", "1.2.1+loc", true},
		{"dash and underscore are not ==", "==1.0-.*", "1.0_", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := MustParseVersion(c.version)
			for _, mode := range []Strictness{Strict, Lenient} {
				vs, err := ParseVersionSpec(c.spec, mode)
				if err != nil {
					if mode == Lenient {
						t.Fatalf("ParseVersionSpec(%q, lenient): %v", c.spec, err)
					}
					continue
				}
				if got := vs.Matches(v); got != c.want {
					t.Errorf("%s: %q matches %q = %v, want %v", mode, c.spec, c.version, got, c.want)
				}
			}
		})
	}
}

// TestStrictness pins what Strict refuses and what Lenient makes of it.
func TestStrictness(t *testing.T) {
	cases := []struct {
		spec    string
		lenient string // "" for an error
	}{
		{"1.2", "==1.2"},
		{"1.2.3", "==1.2.3"},
		{"1.2|1.3", "==1.2|==1.3"},
		{">=1.2.*", ">=1.2"},
		{">1.2.*", ">=1.2"},
		{"<1.2.*", "<1.2"},
		{"==1.2.*", "==1.2"},
		{"=1.2.*", "1.2.*"},
		{"~=1.2.*", "~=1.2"},
		{"2023.*.*", "2023.*"},
		{">=*", "*"},
		{"==*", "*"},
		{"!=*", ""},
		{"<*", ""},
	}
	for _, c := range cases {
		if vs, err := ParseVersionSpec(c.spec, Strict); err == nil {
			t.Errorf("ParseVersionSpec(%q, strict) = %q, want an error", c.spec, vs)
		}
		vs, err := ParseVersionSpec(c.spec, Lenient)
		switch {
		case c.lenient == "" && err == nil:
			t.Errorf("ParseVersionSpec(%q, lenient) = %q, want an error", c.spec, vs)
		case c.lenient != "" && (err != nil || vs.String() != c.lenient):
			t.Errorf("ParseVersionSpec(%q, lenient) = %q, %v; want %q", c.spec, vs, err, c.lenient)
		}
	}
	for _, s := range []string{"*", "*.*", "1.2.*", "1.2*", "=1.2", "!=1.2.*", ">=1.2,<2", "~=1.4", "==1.2", "(1.2.*|1.3.*),!=1.2.3"} {
		if _, err := ParseVersionSpec(s, Strict); err != nil {
			t.Errorf("ParseVersionSpec(%q, strict): %v", s, err)
		}
	}
}

func TestNesting(t *testing.T) {
	deep := strings.Repeat("(", 64) + "1.2.*" + strings.Repeat(")", 64)
	if vs, err := ParseVersionSpec(deep, Strict); err != nil || vs.String() != "1.2.*" {
		t.Errorf("64 nested parentheses: %q, %v", vs, err)
	}
	hostile := strings.Repeat("(", 1<<20)
	if _, err := ParseVersionSpec(hostile, Lenient); err == nil {
		t.Error("a million '(' parsed")
	}
}

func TestSpecNormalForm(t *testing.T) {
	cases := []struct{ in, want string }{
		{">=1.2, <2", ">=1.2,<2"},
		{"( 1.2.* | 1.3.* ) , >=1", "(1.2.*|1.3.*),>=1"},
		{"(>=1,<2)|>=3", ">=1,<2|>=3"},
		{"((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", "==1.5|(==1.6|==1.7),==1.8,==1.9|==2.0|==2.1"},
		{"=1.2", "1.2.*"},
		{"1.2*", "1.2.*"},
		{"==V1.0", "==v1.0"},
		{"!=1.2*", "!=1.2.*"},
		{"*.*", "*"},
	}
	for _, c := range cases {
		vs, err := ParseVersionSpec(c.in, Lenient)
		if err != nil || vs.String() != c.want {
			t.Errorf("ParseVersionSpec(%q) = %q, %v; want %q", c.in, vs, err, c.want)
		}
	}
	if (VersionSpec{}).String() != "*" || !(VersionSpec{}).Matches(MustParseVersion("1")) {
		t.Error("the zero VersionSpec should be * and match everything")
	}
}

func TestSpecErrors(t *testing.T) {
	cases := []struct {
		spec, mode, clause, reason string
	}{
		{"1.2", "strict", "1.2", `"1.2" is ambiguous: write "==1.2" for exactly that version or "1.2.*" for every version starting with it`},
		{">=1.2,1.3", "strict", "1.3", `"1.3" is ambiguous: write "==1.3" for exactly that version or "1.3.*" for every version starting with it`},
		{">=1.8.0=py37", "lenient", "", `unexpected "=py37" after ">=1.8.0" (a build string or a missing ',')`},
		{">=1.2 <2", "lenient", "", `unexpected " <2" after ">=1.2" (a build string or a missing ',')`},
		{">=1.2 ", "lenient", "", `white space after ">=1.2" at the end`},
		{">= 1.2", "lenient", ">= 1.2", "white space between the operator and the version"},
		{" >=1.2", "lenient", " >=1.2", "white space in front of the clause"},
		{">=1.2.*", "strict", ">=1.2.*", `'*' cannot follow ">="; write "1.2.*" for versions starting with 1.2, or drop the '*'`},
		{"1.*.3", "lenient", "1.*.3", `'*' only goes at the end of a version ("1.2.*"); regular expressions are not supported`},
		{"1.2.", "lenient", "1.2.", `version "1.2.": unexpected "." after "1.2"`},
		{"1-2_3", "lenient", "1-2_3", `version "1-2_3": '-' and '_' are both used as separators; use one of them`},
		{"", "lenient", "", "expected a clause, found nothing"},
		{"1.2|", "lenient", "", `nothing after '|' at the end`},
		{"(1.2", "lenient", "(1.2", "'(' without ')'"},
		{">=", "lenient", ">=", `expected a version after ">="`},
		{"~1.2", "lenient", "~1.2", `expected a clause at "~1.2"`},
		{"!=*", "lenient", "!=*", `'*' cannot follow "!="`},
		{strings.Repeat("(", 65) + "1.2.*" + strings.Repeat(")", 65), "lenient", "", "parentheses nested more than 64 deep"},
	}
	for _, c := range cases {
		mode := Lenient
		if c.mode == "strict" {
			mode = Strict
		}
		_, err := ParseVersionSpec(c.spec, mode)
		var se *SpecError
		if !errors.As(err, &se) {
			t.Errorf("ParseVersionSpec(%q, %s) = %v, want a *SpecError", c.spec, c.mode, err)
			continue
		}
		if se.Spec != c.spec || se.Clause != c.clause || se.Reason != c.reason {
			t.Errorf("ParseVersionSpec(%q, %s):\n clause %q reason %q\nwant clause %q reason %q", c.spec, c.mode, se.Clause, se.Reason, c.clause, c.reason)
		}
	}
	_, err := ParseVersionSpec(">=1.2,1.3", Strict)
	want := `invalid conda version spec ">=1.2,1.3": clause "1.3": "1.3" is ambiguous: write "==1.3" for exactly that version or "1.3.*" for every version starting with it; write clauses such as ">=1.2", "<2.0a0", "1.2.*" or "==1.2.3", joined by "," (and) or "|" (or), e.g. ">=1.2,<2|3.*"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestConstraint(t *testing.T) {
	var s ecosystem.Versions = Scheme{}
	c, err := s.ParseConstraint("")
	if err != nil || c.String() != "" {
		t.Fatalf(`ParseConstraint("") = %q, %v`, c, err)
	}
	for _, v := range []string{"0", "1.26.4", "2024a", "1!0.1+local"} {
		if !c.Contains(v) {
			t.Errorf("the empty constraint does not contain %q", v)
		}
	}
	for _, v := range []string{"", "1..0", "not a version", " 1.0"} {
		if c.Contains(v) {
			t.Errorf("the empty constraint contains the invalid %q", v)
		}
	}
	c, err = s.ParseConstraint("  >=1.21.6, <2.0a0 | 2.1.*  ")
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != ">=1.21.6,<2.0a0|2.1.*" {
		t.Errorf("String() = %q", c)
	}
	for v, want := range map[string]bool{"1.21.6": true, "1.26.4": true, "2.0.0rc1": false, "2.1.3": true, "2.2.0": false, "bad": false} {
		if got := c.Contains(v); got != want {
			t.Errorf("Contains(%q) = %v, want %v", v, got, want)
		}
	}
	// Policy rules are parsed strictly: the ambiguous "1.2" asks which was meant.
	if _, err := s.ParseConstraint("1.2"); err == nil || !strings.Contains(err.Error(), `write "==1.2" for exactly that version or "1.2.*"`) {
		t.Errorf(`ParseConstraint("1.2") = %v, want the ambiguity explained`, err)
	}
	if _, err := s.ParseConstraint(">=1.2 <2"); err == nil {
		t.Error(`ParseConstraint(">=1.2 <2") accepted a missing comma`)
	}
}

func TestEcosystem(t *testing.T) {
	var e ecosystem.Ecosystem = Ecosystem{}
	if e.Name() != "conda" || OSVEcosystem != "conda" {
		t.Errorf("Name() = %q, OSVEcosystem = %q", e.Name(), OSVEcosystem)
	}
	for in, want := range map[string]string{
		"NumPy":         "numpy",
		"ruamel.yaml":   "ruamel.yaml",
		"ruamel_yaml":   "ruamel_yaml",
		"Ruamel-YAML":   "ruamel-yaml",
		"_libgcc_mutex": "_libgcc_mutex",
		"r-Matrix":      "r-matrix",
	} {
		if got := e.NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
	if e.Compare("1.1.1t", "1.1.1") != -1 {
		t.Error("Ecosystem.Compare does not use conda ordering")
	}
}

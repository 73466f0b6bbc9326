package conda

import (
	"errors"
	"strings"
	"testing"
)

var versionSeeds = []string{
	"", "1.0", "1.26.4", "3.12.0rc3", "1.1.1t", "2024a", "9e", "1.6_5", "1!2.0", "0!1.0", "1.0+local.5",
	"1.0dev", "1.0.post1", "1.0devel", "1.1_", "1__", "1._", "1-2-3", "1-2_3", "V1.0RC1", "01.02",
	"1..0", " 1.0", "1.0*", "18446744073709551616", "1+", strings.Repeat("1.", 127) + "1+a",
}

// FuzzParseVersion: no panics; a version's normal form parses to itself and to an
// equal version; Compare and the accessors agree between the two.
func FuzzParseVersion(f *testing.F) {
	for _, s := range versionSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if (err == nil) != IsValidVersion(s) {
			t.Fatalf("ParseVersion(%q) error %v, but IsValidVersion = %v", s, err, IsValidVersion(s))
		}
		if Compare(s, s) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", s)
		}
		if err != nil {
			var ve *VersionError
			if !errors.As(err, &ve) || ve.Input != s {
				t.Fatalf("ParseVersion(%q): error %v is not a *VersionError naming the input", s, err)
			}
			return
		}
		canon := v.String()
		w, err := ParseVersion(canon)
		if err != nil {
			t.Fatalf("ParseVersion(%q) = %q, which does not parse: %v", s, canon, err)
		}
		if w.String() != canon {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", s, canon, w)
		}
		if !v.Equal(w) || v.Compare(w) != 0 || w.Compare(v) != 0 || Compare(s, canon) != 0 {
			t.Fatalf("%q and its normal form %q are not equal", s, canon)
		}
		if v.SegmentCount() != w.SegmentCount() || v.HasLocal() != w.HasLocal() || v.IsDev() != w.IsDev() || v.Epoch() != w.Epoch() {
			t.Fatalf("%q and its normal form %q differ in their accessors", s, canon)
		}
		if !v.StartsWith(w) || !v.CompatibleWith(w) {
			t.Fatalf("%q does not start with, or is not compatible with, itself", s)
		}
		if vs, err := ParseVersionSpec("=="+canon, Lenient); err == nil && !vs.Matches(v) {
			t.Fatalf("==%s does not match %q", canon, s)
		}
	})
}

// FuzzParseConstraint: no panics; a spec's normal form parses to a spec with the same
// normal form and the same matches; what Strict accepts, Lenient accepts alike; and
// ParseConstraint is the strict parse.
func FuzzParseConstraint(f *testing.F) {
	for _, s := range []string{
		"", "*", ">=1.26.4,<2.0a0", "1.2.*", "=1.2", "1.2", "==1.2", "!=1.2.*", "~=1.4", ">=1,<2|>=3",
		"(>=1|<0),<0.5", "( 1.2.* | 1.3.* ) , >=1", ">=1.2.*", "2023.*.*", ">=*", ">=1.2_*", ">=1.8.0=py37",
		"1.*.3", "^1.2$", "1!1.2.*", "1.2+loc.*", ">= 1.2", "1.2|", "((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1",
	} {
		f.Add(s, "1.2.3")
	}
	f.Add("1a.*", "1a0")
	f.Add("1.0.*", "1")
	f.Fuzz(func(t *testing.T, spec, version string) {
		v, verr := ParseVersion(version)
		var strict VersionSpec
		strictOK := false
		for _, mode := range []Strictness{Strict, Lenient} {
			vs, err := ParseVersionSpec(spec, mode)
			if err != nil {
				var se *SpecError
				if !errors.As(err, &se) || se.Spec != spec {
					t.Fatalf("ParseVersionSpec(%q, %v): error %v is not a *SpecError naming the spec", spec, mode, err)
				}
				if mode == Lenient && strictOK {
					t.Fatalf("%q parses strictly but not leniently: %v", spec, err)
				}
				continue
			}
			if mode == Strict {
				strict, strictOK = vs, true
			} else if strictOK && vs.String() != strict.String() {
				t.Fatalf("%q is %q strictly but %q leniently", spec, strict, vs)
			}
			canon := vs.String()
			again, err := ParseVersionSpec(canon, mode)
			if err != nil {
				if !hasTrailingSeparatorBound(vs) {
					t.Fatalf("ParseVersionSpec(%q, %v) = %q, which does not parse: %v", spec, mode, canon, err)
				}
				continue
			}
			if again.String() != canon {
				t.Fatalf("String is not stable: %q -> %q -> %q", spec, canon, again)
			}
			if verr == nil && again.Matches(v) != vs.Matches(v) {
				t.Fatalf("%q and its normal form %q disagree on %q", spec, canon, version)
			}
		}
		c, err := ParseConstraint(spec)
		switch {
		case strings.TrimSpace(spec) == "":
			if err != nil || c.Contains(version) != (verr == nil) {
				t.Fatalf("ParseConstraint(%q) = %q, %v", spec, c, err)
			}
		case strings.TrimSpace(spec) != spec:
		case (err == nil) != strictOK:
			t.Fatalf("ParseConstraint(%q) error %v, but the strict parse ok = %v", spec, err, strictOK)
		case err == nil && c.Contains(version) != (verr == nil && strict.Matches(v)):
			t.Fatalf("ParseConstraint(%q).Contains(%q) disagrees with the strict spec", spec, version)
		}
	})
}

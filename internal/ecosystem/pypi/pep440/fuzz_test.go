package pep440

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"", "1.0", "v1.0", " 1!2.0.3rc4.post5.dev6+abc.7 ", "1.0-1", "1.0a-", "1.0.dev-+abc",
	"1.0+abc..5", "00!01.002", "1.0\u00a0", "1.0.po\u017ft1", "1.0+" + strings.Repeat("9", 30),
	"1.0.0x", "2013b", "0.6c12dev-r88846",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if IsValid(s) {
				t.Fatalf("IsValid(%q) but Parse fails", s)
			}
			return
		}
		canon := v.String()
		w, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, canon, err)
		}
		if w.String() != canon {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", s, canon, w.String())
		}
		if v.Compare(w) != 0 || w.Compare(v) != 0 {
			t.Fatalf("%q and its normal form %q compare unequal", s, canon)
		}
		if v.Local() != "" && v.Public()+"+"+v.Local() != canon {
			t.Fatalf("Public %q + Local %q != %q", v.Public(), v.Local(), canon)
		}
		if !strings.HasPrefix(canon, v.BaseVersion()) {
			t.Fatalf("BaseVersion %q is not a prefix of %q", v.BaseVersion(), canon)
		}
		if Compare(s, canon) != 0 {
			t.Fatalf("Compare(%q, %q) != 0", s, canon)
		}
	})
}

func FuzzSpecifierSet(f *testing.F) {
	for _, s := range []string{
		"", ">=1.0,<2", "~=1.4.2", "==1.*", "!=1.0.*", "===foo", "==1.0+local", "  >= 1.0 , , < 2 ",
		"====1.0", "==1.0a..*", "~=1!2.0", ">1.7.post1", "<2.0rc1", "===1.0+\u212a", "== 1.0 .*",
	} {
		f.Add(s, "1.0")
	}
	f.Add(">=1.0", "1.0a1")
	f.Add("==1.0.*", "1.0.post1+x")
	f.Fuzz(func(t *testing.T, spec, version string) {
		set, err := ParseSpecifierSet(spec)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid PEP 440 specifier") {
				t.Fatalf("odd error %q", err)
			}
			return
		}
		again, err := ParseSpecifierSet(set.String())
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", set.String(), spec, err)
		}
		if again.String() != set.String() {
			t.Fatalf("String is not stable: %q -> %q -> %q", spec, set.String(), again.String())
		}
		if v, err := Parse(version); err == nil {
			for _, pre := range []bool{false, true} {
				if set.Contains(v, pre) != again.Contains(v, pre) {
					t.Fatalf("%q and %q disagree on %q", spec, set.String(), version)
				}
			}
			_ = set.Filter([]Version{v, MustParse("1.0"), MustParse("1.0a1")}, PrereleasesAuto)
		}
		_ = Constraint{Set: set}.Contains(version)
	})
}

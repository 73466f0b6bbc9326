package license

import (
	"testing"
)

func TestClassifyOrAnd(t *testing.T) {
	tb := mustDefault(t)
	for _, c := range []struct {
		name, expr string
		want       Category
		decisive   string
	}{
		{"single", "MIT", Permissive, "MIT"},
		{"OR: least restrictive alternative", "GPL-3.0-only OR MIT", Permissive, "MIT"},
		{"OR: public domain beats permissive", "MIT OR CC0-1.0", PublicDomain, "CC0-1.0"},
		{"AND: most restrictive term", "MIT AND GPL-3.0-only", StrongCopyleft, "GPL-3.0-only"},
		{"AND: network copyleft dominates", "Apache-2.0 AND AGPL-3.0-or-later AND LGPL-2.1-only", NetworkCopyleft, "AGPL-3.0-or-later"},
		{"AND of ORs", "(MIT OR GPL-2.0-only) AND (LGPL-2.1-only OR GPL-3.0-only)", WeakCopyleft, "LGPL-2.1-only"},
		{"OR of ANDs", "(MIT AND GPL-2.0-only) OR (AGPL-3.0-only AND BSD-3-Clause)", StrongCopyleft, "GPL-2.0-only"},
		{"precedence: AND binds tighter", "MIT OR GPL-2.0-only AND AGPL-3.0-only", Permissive, "MIT"},
		{"unknown LicenseRef in AND", "MIT AND LicenseRef-Acme", Unknown, "LicenseRef-Acme"},
		{"unknown LicenseRef in OR", "MIT OR LicenseRef-Acme", Permissive, "MIT"},
		{"proprietary beats unknown in AND", "LicenseRef-Acme AND CC-BY-NC-4.0", Proprietary, "CC-BY-NC-4.0"},
		{"unknown beats proprietary in OR", "LicenseRef-Acme OR CC-BY-NC-4.0", Unknown, "LicenseRef-Acme"},
		{"NOASSERTION", "NOASSERTION", Unknown, "NOASSERTION"},
		{"Classpath lowers GPL", "GPL-2.0-only WITH Classpath-exception-2.0", WeakCopyleft, "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"GCC runtime exception", "GPL-3.0-or-later WITH GCC-exception-3.1", WeakCopyleft, "GPL-3.0-or-later WITH GCC-exception-3.1"},
		{"LLVM exception keeps Apache permissive", "Apache-2.0 WITH LLVM-exception", Permissive, "Apache-2.0 WITH LLVM-exception"},
		{"Linux syscall note", "GPL-2.0-only WITH Linux-syscall-note", WeakCopyleft, "GPL-2.0-only WITH Linux-syscall-note"},
		{"generator exception changes nothing", "GPL-3.0-or-later WITH Bison-exception-2.2", StrongCopyleft, "GPL-3.0-or-later WITH Bison-exception-2.2"},
		{"linking exception cannot make unknown known", "LicenseRef-Acme", Unknown, "LicenseRef-Acme"},
		{"or-later plus", "Apache-2.0+", Permissive, "Apache-2.0+"},
		{"deprecated id", "GPL-2.0", StrongCopyleft, "GPL-2.0-only"},
		{"unparseable", "MIT AND (", Unknown, "MIT AND ("},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, d := Classify(c.expr, tb)
			if got != c.want || d.Decisive != c.decisive {
				t.Errorf("Classify(%q) = %s decided by %q, want %s by %q (terms %v, %s)", c.expr, got, d.Decisive, c.want, c.decisive, d.Terms, d.Reason)
			}
		})
	}
}

// OR takes the minimum and AND the maximum rank: check the lattice laws on every pair
// and triple of a sample of licences, one per category.
func TestClassifyIsMinMax(t *testing.T) {
	tb := mustDefault(t)
	sample := []string{"CC0-1.0", "MIT", "MPL-2.0", "GPL-3.0-only", "AGPL-3.0-only", "LicenseRef-Unknown", "CC-BY-NC-4.0"}
	for i, want := range Categories() {
		if got, _ := Classify(sample[i], tb); got != want {
			t.Fatalf("sample %s is %s, want %s", sample[i], got, want)
		}
	}
	for _, a := range sample {
		for _, b := range sample {
			ca, _ := Classify(a, tb)
			cb, _ := Classify(b, tb)
			or, _ := Classify(a+" OR "+b, tb)
			and, _ := Classify(a+" AND "+b, tb)
			if or != leastRestrictive(ca, cb) || and != mostRestrictive(ca, cb) {
				t.Errorf("%s (%s), %s (%s): OR %s, AND %s", a, ca, b, cb, or, and)
			}
			for _, c := range sample {
				x, _ := Classify("("+a+" OR "+b+") AND "+c, tb)
				y, _ := Classify("("+a+" AND "+c+") OR ("+b+" AND "+c+")", tb)
				if x != y {
					t.Errorf("distributivity: (%s OR %s) AND %s is %s, expanded %s", a, b, c, x, y)
				}
			}
		}
	}
}

func TestAllowed(t *testing.T) {
	tb := mustDefault(t)
	permissive := []string{"public-domain", "permissive"}
	for _, c := range []struct {
		name        string
		expr        string
		allow, deny []string
		want        bool
		clause      string
	}{
		{"category allowed", "MIT", permissive, nil, true, ""},
		{"category not allowed", "GPL-3.0-only", permissive, nil, false, "GPL-3.0-only"},
		{"OR: one alternative suffices", "GPL-3.0-only OR MIT", permissive, nil, true, ""},
		{"OR: none allowed reports the OR", "GPL-3.0-only OR AGPL-3.0-only", permissive, nil, false, "GPL-3.0-only OR AGPL-3.0-only"},
		{"AND: all needed", "MIT AND GPL-3.0-only", permissive, nil, false, "GPL-3.0-only"},
		{"AND: all allowed", "MIT AND BSD-3-Clause AND CC0-1.0", permissive, nil, true, ""},
		{"AND of OR", "MIT AND (GPL-2.0-only OR Apache-2.0)", permissive, nil, true, ""},
		{"AND of OR failing", "MIT AND (GPL-2.0-only OR LGPL-2.1-only)", permissive, nil, false, "GPL-2.0-only OR LGPL-2.1-only"},
		{"id allowed", "GPL-3.0-only", []string{"GPL-3.0-only"}, nil, true, ""},
		{"id case-insensitive", "GPL-3.0-only", []string{"gpl-3.0-only"}, nil, true, ""},
		{"deprecated id in the rule", "GPL-2.0-only", []string{"GPL-2.0"}, nil, true, ""},
		{"or-later satisfied by a later version", "GPL-2.0-or-later", []string{"GPL-3.0-only"}, nil, true, ""},
		{"or-later not satisfied by another licence", "GPL-2.0-or-later", []string{"LGPL-3.0-only"}, nil, false, "GPL-2.0-or-later"},
		{"deny wins over allow", "MIT", []string{"permissive"}, []string{"MIT"}, false, "MIT"},
		{"deny one alternative", "MIT OR GPL-3.0-only", nil, []string{"MIT"}, true, ""},
		{"deny a category", "AGPL-3.0-only", nil, []string{"network-copyleft"}, false, "AGPL-3.0-only"},
		{"empty allow allows what is not denied", "SSPL-1.0", nil, []string{"AGPL-3.0-only"}, true, ""},
		{"deny by id is exact", "GPL-2.0-or-later", nil, []string{"GPL-3.0-only"}, true, ""},
		{"exception: id allow covers the WITH form", "GPL-2.0-only WITH Classpath-exception-2.0", []string{"GPL-2.0-only"}, nil, true, ""},
		{"exception: id deny covers the WITH form", "GPL-2.0-only WITH Classpath-exception-2.0", nil, []string{"GPL-2.0-only"}, false, "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"exception: category is after the exception", "GPL-2.0-only WITH Classpath-exception-2.0", []string{"weak-copyleft"}, []string{"strong-copyleft"}, true, ""},
		{"NOASSERTION needs unknown", "NOASSERTION", permissive, nil, false, "NOASSERTION"},
		{"NOASSERTION allowed as unknown", "NOASSERTION", []string{"permissive", "unknown"}, nil, true, ""},
		{"NOASSERTION denied as unknown", "NOASSERTION", nil, []string{"unknown"}, false, "NOASSERTION"},
		{"unknown LicenseRef", "LicenseRef-Acme", permissive, nil, false, "LicenseRef-Acme"},
		{"LicenseRef allowed by id", "LicenseRef-Acme", []string{"LicenseRef-Acme"}, nil, true, ""},
		{"family reference allowed by category", "LicenseRef-vetted-BSD-unspecified", permissive, nil, true, ""},
		{"family reference not an id", "LicenseRef-vetted-BSD-unspecified", []string{"BSD-3-Clause"}, nil, false, "LicenseRef-vetted-BSD-unspecified"},
		{"unparseable is unknown", "MIT AND (", permissive, nil, false, "MIT AND ("},
	} {
		t.Run(c.name, func(t *testing.T) {
			ok, clause := Allowed(c.expr, c.allow, c.deny, tb)
			if ok != c.want || clause != c.clause {
				t.Errorf("Allowed(%q, allow %v, deny %v) = %v, %q; want %v, %q", c.expr, c.allow, c.deny, ok, clause, c.want, c.clause)
			}
		})
	}
}

func TestValidateRule(t *testing.T) {
	if err := ValidateRule([]string{"permissive", "MIT", "gpl-3.0-only", "LicenseRef-Acme", "NOASSERTION", "Unknown", "GPL-2.0+"}); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"MIT License", "permisive", "GPLv3", ""} {
		if err := ValidateRule([]string{bad}); err == nil {
			t.Errorf("ValidateRule accepts %q", bad)
		}
	}
}

package license

import (
	"strings"
	"testing"

	"github.com/github/go-spdx/v2/spdxexp"
)

// FuzzNormalize checks, for any text from any source, that Normalize neither panics nor
// lets an invalid expression through: a mapped expression is accepted by go-spdx, is
// canonical (normalising it again gives it back), and has the category Classify gives it.
func FuzzNormalize(f *testing.F) {
	for _, c := range realStrings {
		f.Add(c.declared, uint8(c.src))
	}
	for _, s := range []string{
		"(", ")", "MIT AND (", "GPL (>= 2, < 3) | file LICENCE", "LicenseRef-a+", "DocumentRef-a:LicenseRef-b",
		"GPL-2.0+ WITH Classpath-exception-2.0", "mit or apache 2.0 / bsd", "\x00\xff", "License ::",
		"License :: OSI Approved\nLicense :: OSI Approved :: BSD License", "Apache License (>= 3)",
	} {
		f.Add(s, uint8(0))
	}
	tb, err := DefaultTable()
	if err != nil {
		f.Fatal(err)
	}
	n := NewWithCacheSize(tb, 0)
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		src := Source(int(which)%6 + 1)
		r := n.Normalize(s, src)
		if r.Declared != s {
			t.Fatalf("Declared is not the input")
		}
		if !r.Parsed {
			if r.Expression != NOASSERTION || r.Category != Unknown || len(r.Licenses) != 0 || r.Reason == "" {
				t.Fatalf("unmapped %q (%s): %+v", s, src, r)
			}
			return
		}
		if r.Expression == NOASSERTION || len(r.Licenses) == 0 || strings.TrimSpace(r.Expression) != r.Expression {
			t.Fatalf("mapped %q (%s): %+v", s, src, r)
		}
		if ok, bad := spdxexp.ValidateLicenses([]string{r.Expression}); !ok {
			t.Fatalf("%q (%s) gave %s, which go-spdx rejects: %v", s, src, r.Expression, bad)
		}
		again := n.Normalize(r.Expression, PyPIExpression)
		if again.Expression != r.Expression || again.Category != r.Category {
			t.Fatalf("%q (%s) gave %s [%s], which normalises to %s [%s]", s, src, r.Expression, r.Category, again.Expression, again.Category)
		}
		if c, _ := Classify(r.Expression, tb); c != r.Category {
			t.Fatalf("%q (%s): category %s, Classify says %s", s, src, r.Category, c)
		}
	})
}

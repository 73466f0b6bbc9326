package license

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTableRejects(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"unknown section", "alias: {MIT License: MIT}\n", "field alias not found"},
		{"bad expression", "aliases: {Foo: Apche-2.0}\n", `aliases: "Foo": "Apche-2.0" is not an SPDX expression`},
		{"bad category", "categories: {permisive: [MIT]}\n", `unknown licence category "permisive"`},
		{"bad id", "categories: {permissive: [NotALicence]}\n", `"NotALicence" is neither on the SPDX licence list nor a LicenseRef-`},
		{"id in two categories", "categories: {permissive: [MIT], proprietary: [mit]}\n", "MIT is listed under both"},
		{"alias collision", "aliases: {\"GPL v3\": GPL-3.0-only, \"GPLv3\": GPL-3.0-or-later}\n", `are the same text ("gpl 3")`},
		{"empty alias key", "aliases: {\"!!\": MIT}\n", "has no letters or digits"},
		{"bad exception", "exceptions: {weak-copyleft: [Foo-exception]}\n", "not on the SPDX exception list"},
		{"bad exception effect", "exceptions: {lowers: [LLVM-exception]}\n", "or none"},
		{"deprecated not deprecated", "deprecated: {MIT: MIT}\n", "not a deprecated SPDX licence id"},
		{"deprecated to deprecated", "deprecated: {GPL-2.0: GPL-2.0+}\n", "is deprecated too"},
		{"cran version", "cran_versions: {GPL: [two]}\n", "is not a version"},
		{"cran template", "cran_templates: [Nope]\n", "not an SPDX licence id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTable([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseTable(%q) = %v, want an error containing %q", c.yaml, err, c.want)
			}
		})
	}
}

// A configuration lays its own table over the built-in one: new aliases, categories moved,
// company licences classified.
func TestMergeOverride(t *testing.T) {
	base := mustDefault(t)
	over, err := ParseTable([]byte(`
aliases:
  "ACME Corp Licence": LicenseRef-Acme
  "BSD": BSD-3-Clause            # this organisation reads bare BSD as 3-clause
categories:
  proprietary: [SSPL-1.0]
  permissive: [LicenseRef-Acme, LicenseRef-IntelSimplifiedSoftwareOct2022]
exceptions:
  none: [Classpath-exception-2.0]
`))
	if err != nil {
		t.Fatal(err)
	}
	m := Merge(base, over)
	n := New(m)
	for _, c := range []struct {
		in   string
		src  Source
		want string
		cat  Category
	}{
		{"ACME Corp Licence", PyPILicense, "LicenseRef-Acme", Permissive},
		{"BSD", PyPILicense, "BSD-3-Clause", Permissive},
		{"SSPL-1.0", PyPIExpression, "SSPL-1.0", Proprietary},
		{"LicenseRef-IntelSimplifiedSoftwareOct2022", CondaLicense, "LicenseRef-IntelSimplifiedSoftwareOct2022", Permissive},
		{"GPL-2.0-only WITH Classpath-exception-2.0", CondaLicense, "GPL-2.0-only WITH Classpath-exception-2.0", StrongCopyleft},
		{"MIT", PyPILicense, "MIT", Permissive},
	} {
		r := n.Normalize(c.in, c.src)
		if r.Expression != c.want || r.Category != c.cat {
			t.Errorf("%q: got %s [%s], want %s [%s]", c.in, r.Expression, r.Category, c.want, c.cat)
		}
	}
	// Merge changes neither input.
	if c, _ := base.Category("SSPL-1.0"); c != NetworkCopyleft {
		t.Errorf("base changed: SSPL-1.0 is %s", c)
	}
	if _, ok := over.Category("MIT"); ok {
		t.Error("override gained base entries")
	}
	if s := m.Sizes(); s["categories"] != base.Sizes()["categories"]+2 {
		t.Errorf("merged categories %d, want base+2 (SSPL moved, two refs added)", s["categories"])
	}
}

func TestLoadTableFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "licences.yaml")
	if err := os.WriteFile(p, []byte("categories: {permissive: [LicenseRef-Acme]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := LoadTableFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := tb.Category("licenseref-acme"); !ok || c != Permissive {
		t.Errorf("LicenseRef-Acme is %s, %v", c, ok)
	}
	if _, err := LoadTableFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
	// A bad file's error names the file.
	if err := os.WriteFile(p, []byte("categories: {permissive: [Nope]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTableFile(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v does not name %s", err, p)
	}
}

func TestCategoryNames(t *testing.T) {
	for i, c := range Categories() {
		if c.Rank() != i || !c.Valid() {
			t.Errorf("%s: rank %d, valid %v", c, c.Rank(), c.Valid())
		}
		p, err := ParseCategory(string(c))
		if err != nil || p != c {
			t.Errorf("ParseCategory(%s) = %s, %v", c, p, err)
		}
	}
	var c Category
	if err := c.UnmarshalText([]byte("copyleft")); err == nil {
		t.Error("UnmarshalText accepts copyleft")
	}
	if Category("nonsense").Rank() != Unknown.Rank() {
		t.Error("an invalid category does not rank as unknown")
	}
}

// Every built-in alias is reachable: looking up its own text gives its expression (no
// other entry or the SPDX parser shadows it with something else).
func TestBuiltinAliasesReachable(t *testing.T) {
	tb := mustDefault(t)
	n := NewWithCacheSize(tb, 0)
	for k, m := range tb.aliases {
		r := n.Normalize(m.from, PyPILicense)
		if r.Expression != exprString(m.expr) {
			t.Errorf("alias %q (%s) maps to %s, table says %s (%s)", m.from, k, r.Expression, exprString(m.expr), r.Reason)
		}
	}
	for _, m := range tb.classifiers {
		r := n.Normalize(m.from, PyPIClassifier)
		if r.Expression != exprString(m.expr) {
			t.Errorf("classifier %q maps to %s, table says %s (%s)", m.from, r.Expression, exprString(m.expr), r.Reason)
		}
	}
}

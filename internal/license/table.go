package license

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	"go.yaml.in/yaml/v3"
)

// The built-in tables. aliases.yaml maps the text packages declare to SPDX expressions;
// categories.yaml puts every SPDX licence into a Category. Both are commented data: fix
// a mapping there, not in code.
//
//go:embed aliases.yaml categories.yaml
var builtin embed.FS

// TableSpec is the YAML form of a Table: the built-in aliases.yaml and categories.yaml,
// or a configuration's additions. Every section is optional; ParseTable rejects unknown
// keys. Merge lays one table over another, entry by entry.
type TableSpec struct {
	// Aliases maps free licence text to an SPDX expression, or to NOASSERTION for text
	// that names no single licence ("Dual License"). Keys are folded when the table is
	// built (lower case, punctuation and "License"/"version" dropped, "v3"/"3.0" to "3",
	// "or later" to "+"), so one key covers its spelling variants.
	Aliases map[string]string `yaml:"aliases"`
	// Classifiers maps PyPI trove classifiers ("License :: OSI Approved :: MIT License")
	// to an SPDX expression or NOASSERTION. Keys match ignoring case and repeated spaces.
	Classifiers map[string]string `yaml:"classifiers"`
	// CRAN maps licence names as R's licence database defines them, where that differs
	// from Aliases ("GPL" without a version, "BSD", "Unlimited"). Consulted before
	// Aliases for CRANLicense; keys are folded like Aliases.
	CRAN map[string]string `yaml:"cran"`
	// CRANVersions lists, per licence name (folded), the versions R's licence database
	// knows, to expand version ranges such as "LGPL (>= 2.0, < 3)".
	CRANVersions map[string][]string `yaml:"cran_versions"`
	// CRANTemplates are the licences whose "+ file LICENSE" only fills in the template's
	// year and copyright holder (MIT, BSD_2_clause, BSD_3_clause). On other licences the
	// file adds terms, and the expression gets "AND LicenseRef-vetted-file-LICENSE".
	CRANTemplates []string `yaml:"cran_templates"`
	// CondaFamilies maps conda's license_family values (folded) to an expression.
	CondaFamilies map[string]string `yaml:"conda_families"`
	// Deprecated maps deprecated SPDX licence ids to the expression that replaces them
	// (GPL-2.0+ to GPL-2.0-or-later).
	Deprecated map[string]string `yaml:"deprecated"`
	// Categories maps a category name to the licence ids in it: SPDX ids and LicenseRefs.
	Categories map[string][]string `yaml:"categories"`
	// Exceptions maps what a licence exception does to the exception ids: a category name
	// caps the copyleft of the licence it is attached to (linking exceptions cap at
	// weak-copyleft); "none" records an exception reviewed as changing nothing.
	Exceptions map[string][]string `yaml:"exceptions"`
}

// Table holds the alias and category data Normalize and Classify use. It is immutable
// once built and safe for concurrent use.
type Table struct {
	aliases       map[string]mapped   // folded text
	classifiers   map[string]mapped   // classifierKey
	cran          map[string]mapped   // folded CRAN name
	cranVersions  map[string][]string // folded CRAN name to versions
	cranTemplates map[string]bool     // SPDX id
	condaFamilies map[string]mapped   // folded family
	deprecated    map[string]*node    // canonical deprecated id
	categories    map[string]Category // upper-cased id
	exceptions    map[string]Category // upper-cased exception id; "" for none
}

// mapped is one alias: the text it was written as and its expression (nil for
// NOASSERTION).
type mapped struct {
	from string
	expr *node
}

// DefaultTable returns the built-in table.
func DefaultTable() (*Table, error) {
	var tables []*Table
	for _, name := range []string{"aliases.yaml", "categories.yaml"} {
		data, err := builtin.ReadFile(name)
		if err != nil {
			return nil, err
		}
		t, err := ParseTable(data)
		if err != nil {
			return nil, fmt.Errorf("built-in %s: %w", name, err)
		}
		tables = append(tables, t)
	}
	return Merge(tables[0], tables[1]), nil
}

// LoadTableFile reads a table from a YAML file (see TableSpec).
func LoadTableFile(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("licence table: %w", err)
	}
	t, err := ParseTable(data)
	if err != nil {
		return nil, fmt.Errorf("licence table %s: %w", path, err)
	}
	return t, nil
}

// ParseTable decodes a table from YAML strictly (an unknown key is an error naming its
// line) and builds it.
func ParseTable(data []byte) (*Table, error) {
	var spec TableSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return spec.Build()
}

// Build checks the spec and builds the table: every expression must parse, every id must
// be on the SPDX lists (or be a LicenseRef), every category must exist, and no id may sit
// in two categories. Errors name the section and the key.
func (s TableSpec) Build() (*Table, error) {
	t := &Table{
		aliases:       map[string]mapped{},
		classifiers:   map[string]mapped{},
		cran:          map[string]mapped{},
		cranVersions:  map[string][]string{},
		cranTemplates: map[string]bool{},
		condaFamilies: map[string]mapped{},
		deprecated:    map[string]*node{},
		categories:    map[string]Category{},
		exceptions:    map[string]Category{},
	}
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	for _, id := range sortedKeys(s.Deprecated) {
		ok, canon := spdxlicenses.IsDeprecatedLicense(id)
		if !ok {
			fail("deprecated: %q is not a deprecated SPDX licence id", id)
			continue
		}
		n, _, err := parseSPDX(s.Deprecated[id], nil)
		if err != nil {
			fail("deprecated: %s: %q: %v", id, s.Deprecated[id], err)
			continue
		}
		for _, l := range n.leaves(nil) {
			if ok, _ := spdxlicenses.IsDeprecatedLicense(strings.TrimSuffix(l.id, "+")); ok {
				fail("deprecated: %s: successor %s is deprecated too", id, l.id)
			}
		}
		t.deprecated[canon] = n
	}

	addAliases := func(section string, src map[string]string, dst map[string]mapped, key func(string) string) {
		for _, text := range sortedKeys(src) {
			k := key(text)
			if k == "" {
				fail("%s: %q has no letters or digits", section, text)
				continue
			}
			m := mapped{from: text}
			if v := strings.TrimSpace(src[text]); v != NOASSERTION {
				n, _, err := parseSPDX(v, t.deprecated)
				if err != nil {
					fail("%s: %q: %q is not an SPDX expression: %v", section, text, src[text], err)
					continue
				}
				m.expr = n
			}
			if prev, ok := dst[k]; ok && exprString(prev.expr) != exprString(m.expr) {
				fail("%s: %q and %q are the same text (%q) but map to %s and %s", section, prev.from, text, k, exprString(prev.expr), exprString(m.expr))
				continue
			}
			dst[k] = m
		}
	}
	addAliases("aliases", s.Aliases, t.aliases, fold)
	addAliases("classifiers", s.Classifiers, t.classifiers, classifierKey)
	addAliases("cran", s.CRAN, t.cran, fold)
	addAliases("conda_families", s.CondaFamilies, t.condaFamilies, fold)

	for _, name := range sortedKeys(s.CRANVersions) {
		for _, v := range s.CRANVersions[name] {
			if !isVersion(v) {
				fail("cran_versions: %s: %q is not a version", name, v)
			}
		}
		t.cranVersions[fold(name)] = slices.Clone(s.CRANVersions[name])
	}
	for _, id := range s.CRANTemplates {
		ok, canon := spdxlicenses.IsActiveLicense(id)
		if !ok {
			fail("cran_templates: %q is not an SPDX licence id", id)
			continue
		}
		t.cranTemplates[canon] = true
	}

	for _, cat := range sortedKeys(s.Categories) {
		c, err := ParseCategory(cat)
		if err != nil {
			fail("categories: %v", err)
			continue
		}
		for _, id := range s.Categories[cat] {
			canon, err := tableID(id)
			if err != nil {
				fail("categories: %s: %v", cat, err)
				continue
			}
			k := strings.ToUpper(canon)
			if prev, ok := t.categories[k]; ok && prev != c {
				fail("categories: %s is listed under both %s and %s", canon, prev, c)
				continue
			}
			t.categories[k] = c
		}
	}
	for _, effect := range sortedKeys(s.Exceptions) {
		var c Category
		if effect != "none" {
			v, err := ParseCategory(effect)
			if err != nil {
				fail("exceptions: %v (or none)", err)
				continue
			}
			c = v
		}
		for _, id := range s.Exceptions[effect] {
			ok, canon := spdxlicenses.IsException(id)
			if !ok {
				fail("exceptions: %s: %q is not on the SPDX exception list", effect, id)
				continue
			}
			k := strings.ToUpper(canon)
			if prev, ok := t.exceptions[k]; ok && prev != c {
				fail("exceptions: %s is listed twice with different effects", canon)
				continue
			}
			t.exceptions[k] = c
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// tableID checks an id of the category table: an SPDX licence id (active or deprecated,
// any case) or a LicenseRef, returned in canonical spelling.
func tableID(id string) (string, error) {
	if r, ok := refID(id); ok {
		return r, nil
	}
	if ok, canon := spdxlicenses.IsActiveLicense(id); ok {
		return canon, nil
	}
	if ok, canon := spdxlicenses.IsDeprecatedLicense(id); ok {
		return canon, nil
	}
	return "", fmt.Errorf("%q is neither on the SPDX licence list nor a LicenseRef-", id)
}

func exprString(n *node) string {
	if n == nil {
		return NOASSERTION
	}
	return n.String()
}

// classifierKey matches classifiers ignoring case and repeated spaces.
func classifierKey(s string) string {
	parts := strings.Split(s, "::")
	for i, p := range parts {
		parts[i] = strings.Join(strings.Fields(strings.ToLower(p)), " ")
	}
	return strings.Join(parts, " :: ")
}

func sortedKeys[V any](m map[string]V) []string {
	ks := slices.Collect(maps.Keys(m))
	sort.Strings(ks)
	return ks
}

// Merge returns a table with the entries of base, replaced or added to by those of
// override: an alias, classifier, category or exception in override wins. Neither input
// is changed. Use it to apply a configuration's additions to DefaultTable.
func Merge(base, override *Table) *Table {
	if base == nil {
		base = &Table{}
	}
	if override == nil {
		override = &Table{}
	}
	return &Table{
		aliases:       mergeMaps(base.aliases, override.aliases),
		classifiers:   mergeMaps(base.classifiers, override.classifiers),
		cran:          mergeMaps(base.cran, override.cran),
		cranVersions:  mergeMaps(base.cranVersions, override.cranVersions),
		cranTemplates: mergeMaps(base.cranTemplates, override.cranTemplates),
		condaFamilies: mergeMaps(base.condaFamilies, override.condaFamilies),
		deprecated:    mergeMaps(base.deprecated, override.deprecated),
		categories:    mergeMaps(base.categories, override.categories),
		exceptions:    mergeMaps(base.exceptions, override.exceptions),
	}
}

func mergeMaps[V any](a, b map[string]V) map[string]V {
	m := make(map[string]V, len(a)+len(b))
	maps.Copy(m, a)
	maps.Copy(m, b)
	return m
}

// Category returns the category the table gives a licence id (an SPDX id or a
// LicenseRef; a trailing "+" is ignored), and whether the table lists it.
func (t *Table) Category(id string) (Category, bool) {
	c, ok := t.categories[strings.ToUpper(strings.TrimSuffix(id, "+"))]
	return c, ok
}

// exceptionCap returns the category an exception caps a copyleft licence at, and whether
// it has that effect.
func (t *Table) exceptionCap(exception string) (Category, bool) {
	c, ok := t.exceptions[strings.ToUpper(exception)]
	return c, ok && c != ""
}

// Sizes reports how many entries each section of the table holds.
func (t *Table) Sizes() map[string]int {
	return map[string]int{
		"aliases":        len(t.aliases),
		"classifiers":    len(t.classifiers),
		"cran":           len(t.cran),
		"cran_versions":  len(t.cranVersions),
		"cran_templates": len(t.cranTemplates),
		"conda_families": len(t.condaFamilies),
		"deprecated":     len(t.deprecated),
		"categories":     len(t.categories),
		"exceptions":     len(t.exceptions),
	}
}

package nvd

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"
)

// CPEMap says which CPE products (vendor:product) each conda package is: NVD files
// a vulnerability of the conda package "libcurl" under haxx:libcurl (and haxx:curl).
// Keys are conda package names; a name maps to one or more products, and a product
// may belong to several packages (conda-forge's sqlite and libsqlite are both
// sqlite:sqlite). The map is data, maintained in cpemap.yaml (DefaultCPEMap) and
// extended or corrected from configuration (MergeCPEMap).
//
// In YAML it is a mapping from package name to a list of "vendor:product" strings:
//
//	openssl: [openssl:openssl]
//	libcurl:
//	  - haxx:libcurl
//	  - haxx:curl
//
// Decoding is strict: a name that is not a conda package name, a product that is
// not vendor:product, a name or product given twice, and any other shape are errors
// with the line. An empty list ("openssl: []") is allowed; in an override it removes
// the package from the map.
type CPEMap map[string][]Product

//go:embed cpemap.yaml
var defaultMapFS embed.FS

// DefaultCPEMapFile is the name of the embedded default map, for messages.
const DefaultCPEMapFile = "cpemap.yaml"

// DefaultCPEMap returns the map embedded in vetted (cpemap.yaml in this package's
// source). Each call returns a new map. The error is only possible if the embedded
// file is broken, which the package's tests rule out.
func DefaultCPEMap() (CPEMap, error) {
	data, err := defaultMapFS.ReadFile(DefaultCPEMapFile)
	if err != nil {
		return nil, fmt.Errorf("read embedded %s: %w", DefaultCPEMapFile, err)
	}
	return ParseCPEMap(data, DefaultCPEMapFile)
}

// ParseCPEMap reads a CPEMap from a YAML document (see CPEMap for the shape). An
// empty document is an empty map. source names the input in errors.
func ParseCPEMap(data []byte, source string) (CPEMap, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return CPEMap{}, nil
		}
		return nil, fmt.Errorf("CPE map %s: not valid YAML: %w", source, err)
	}
	var m CPEMap
	if err := m.UnmarshalYAML(&doc); err != nil {
		return nil, fmt.Errorf("CPE map %s: %w", source, err)
	}
	return m, nil
}

// condaName is what conda accepts as a package name: lower case letters, digits and
// "-", "_", "." (conda-build rejects upper case).
var condaName = regexp.MustCompile(`^[a-z0-9_][a-z0-9_.-]*$`)

// UnmarshalYAML decodes a CPEMap strictly (see CPEMap), so that a configuration file
// can hold one under a key of its own.
func (m *CPEMap) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			*m = CPEMap{}
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		*m = CPEMap{}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping from conda package name to a list of CPE vendor:product, like \"libcurl: [haxx:libcurl, haxx:curl]\"", n.Line)
	}
	out := make(CPEMap, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			return fmt.Errorf("line %d: a key is not a conda package name", k.Line)
		}
		name := k.Value
		if !condaName.MatchString(name) {
			return fmt.Errorf("line %d: %q is not a conda package name (lower case letters, digits, \"-\", \"_\" and \".\")", k.Line, name)
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("line %d: package %s is given twice; list all its products under one key", k.Line, name)
		}
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if v.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: package %s: want a list of CPE vendor:product, like [openssl:openssl] ([] to map it to nothing)", v.Line, name)
		}
		products := make([]Product, 0, len(v.Content))
		for _, e := range v.Content {
			for e.Kind == yaml.AliasNode && e.Alias != nil {
				e = e.Alias
			}
			if e.Kind != yaml.ScalarNode || e.ShortTag() != "!!str" {
				return fmt.Errorf("line %d: package %s: want a \"vendor:product\" string", e.Line, name)
			}
			p, err := ParseProduct(e.Value)
			if err != nil {
				return fmt.Errorf("line %d: package %s: %w", e.Line, name, err)
			}
			if slices.Contains(products, p) {
				return fmt.Errorf("line %d: package %s lists %s twice", e.Line, name, p)
			}
			products = append(products, p)
		}
		out[name] = products
	}
	*m = out
	return nil
}

// MergeCPEMap returns base with override applied: a package in override replaces
// its entry in base (list every product it should have, not only the new ones), and
// a package mapped to an empty list in override is removed. Neither map is modified.
func MergeCPEMap(base, override CPEMap) CPEMap {
	out := make(CPEMap, len(base)+len(override))
	for name, ps := range base {
		out[name] = slices.Clone(ps)
	}
	for name, ps := range override {
		if len(ps) == 0 {
			delete(out, name)
			continue
		}
		out[name] = slices.Clone(ps)
	}
	return out
}

// packagesByProduct inverts the map: product to the conda packages that are it,
// sorted.
func (m CPEMap) packagesByProduct() map[Product][]string {
	inv := map[Product][]string{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		for _, p := range m[name] {
			if !slices.Contains(inv[p], name) {
				inv[p] = append(inv[p], name)
			}
		}
	}
	return inv
}

package nvd

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestDefaultCPEMap(t *testing.T) {
	m, err := DefaultCPEMap()
	if err != nil {
		t.Fatal(err)
	}
	// The seeds the map must keep, with the products NVD uses for them (the first
	// nine are seen in shared/data/advisories/nvd-sample).
	for name, want := range map[string][]string{
		"openssl":       {"openssl:openssl"},
		"libcurl":       {"haxx:libcurl"},
		"curl":          {"haxx:curl", "haxx:libcurl"},
		"zlib":          {"zlib:zlib"},
		"libzlib":       {"zlib:zlib"},
		"libxml2":       {"xmlsoft:libxml2"},
		"sqlite":        {"sqlite:sqlite"},
		"libsqlite":     {"sqlite:sqlite"},
		"libtiff":       {"libtiff:libtiff"},
		"libpng":        {"libpng:libpng"},
		"expat":         {"libexpat_project:libexpat"},
		"libexpat":      {"libexpat_project:libexpat"},
		"openblas":      {"openblas_project:openblas"},
		"libopenblas":   {"openblas_project:openblas"},
		"libarchive":    {"libarchive:libarchive"},
		"libssh2":       {"libssh2:libssh2"},
		"libjpeg-turbo": {"libjpeg-turbo:libjpeg-turbo"},
		"nodejs":        {"nodejs:node.js"},
		"krb5":          {"mit:kerberos_5"},
		"libpq":         {"postgresql:postgresql"},
	} {
		var got []string
		for _, p := range m[name] {
			got = append(got, p.String())
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("default map: %s = %v, want it to include %s", name, got, w)
			}
		}
	}
	if len(m) < 60 {
		t.Errorf("default map has %d packages; did entries get lost?", len(m))
	}
	// Each call gives a map of its own.
	m["openssl"] = nil
	again, _ := DefaultCPEMap()
	if len(again["openssl"]) != 1 {
		t.Error("DefaultCPEMap returned a shared map")
	}
}

func TestParseCPEMapErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"list document", "- openssl:openssl\n", "line 1: want a mapping"},
		{"scalar value", "openssl: openssl:openssl\n", "line 1: package openssl: want a list"},
		{"null value", "openssl:\n", "package openssl: want a list"},
		{"bad name", "OpenSSL: [openssl:openssl]\n", `"OpenSSL" is not a conda package name`},
		{"name with space", "\"lib ssl\": [openssl:openssl]\n", "is not a conda package name"},
		{"bad product", "openssl: [openssl]\n", "line 1: package openssl: invalid CPE vendor:product"},
		{"wildcard product", "openssl: [\"openssl:*\"]\n", "not one name"},
		{"nested list", "openssl: [[openssl:openssl]]\n", "want a \"vendor:product\" string"},
		{"number", "openssl: [1]\n", "want a \"vendor:product\" string"},
		{"duplicate name", "openssl: [openssl:openssl]\nzlib: [zlib:zlib]\nopenssl: [openssl:libressl]\n", "line 3: package openssl is given twice"},
		{"duplicate product", "curl:\n  - haxx:curl\n  - HAXX:curl\n", "line 3: package curl lists haxx:curl twice"},
		{"not YAML", "openssl: [openssl:openssl\n", "not valid YAML"},
		{"merge key", "base: &b [zlib:zlib]\n<<: {x: [a:b]}\n", "not a conda package name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCPEMap([]byte(tc.in), "override.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "override.yaml") {
				t.Fatalf("error %v, want one naming override.yaml and containing %q", err, tc.want)
			}
		})
	}
}

func TestParseCPEMap(t *testing.T) {
	in := `
# comments are fine
openssl: [openssl:openssl]
libcurl:
  - haxx:libcurl
  - haxx:curl
zlib: []
`
	m, err := ParseCPEMap([]byte(in), "map.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := CPEMap{
		"openssl": {{"openssl", "openssl"}},
		"libcurl": {{"haxx", "libcurl"}, {"haxx", "curl"}},
		"zlib":    {},
	}
	if !equalMaps(m, want) {
		t.Fatalf("got %v, want %v", m, want)
	}
	for _, empty := range []string{"", "# nothing\n", "~\n"} {
		m, err := ParseCPEMap([]byte(empty), "empty.yaml")
		if err != nil || len(m) != 0 {
			t.Errorf("ParseCPEMap(%q) = %v, %v; want an empty map", empty, m, err)
		}
	}
}

func equalMaps(a, b CPEMap) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

func TestMergeCPEMap(t *testing.T) {
	base := CPEMap{
		"openssl": {{"openssl", "openssl"}},
		"libcurl": {{"haxx", "libcurl"}},
		"zlib":    {{"zlib", "zlib"}},
	}
	override := CPEMap{
		"libcurl":   {{"haxx", "libcurl"}, {"haxx", "curl"}}, // replaced
		"zlib":      {},                                      // removed
		"libfoo":    {{"foo_project", "libfoo"}},             // added
		"notinbase": {},                                      // removing nothing
	}
	got := MergeCPEMap(base, override)
	want := CPEMap{
		"openssl": {{"openssl", "openssl"}},
		"libcurl": {{"haxx", "libcurl"}, {"haxx", "curl"}},
		"libfoo":  {{"foo_project", "libfoo"}},
	}
	if !equalMaps(got, want) {
		t.Fatalf("MergeCPEMap = %v, want %v", got, want)
	}
	if len(base) != 3 || len(base["zlib"]) != 1 || len(base["libcurl"]) != 1 {
		t.Fatalf("base was modified: %v", base)
	}
	got["openssl"][0].Product = "changed"
	if base["openssl"][0].Product != "openssl" {
		t.Fatal("the result shares lists with base")
	}
	if m := MergeCPEMap(nil, nil); m == nil || len(m) != 0 {
		t.Fatalf("MergeCPEMap(nil, nil) = %v", m)
	}
}

// TestCPEMapInConfig: a configuration decoded strictly (unknown keys rejected) can
// hold a CPEMap, with line numbers in its errors.
func TestCPEMapInConfig(t *testing.T) {
	type config struct {
		CPEMap CPEMap `yaml:"cpe_map"`
	}
	decode := func(s string) (config, error) {
		var c config
		dec := yaml.NewDecoder(bytes.NewReader([]byte(s)))
		dec.KnownFields(true)
		err := dec.Decode(&c)
		return c, err
	}
	c, err := decode("cpe_map:\n  libfoo: [foo_project:libfoo]\n")
	if err != nil || len(c.CPEMap["libfoo"]) != 1 {
		t.Fatalf("%+v, %v", c, err)
	}
	_, err = decode("cpe_map:\n  libfoo: [foo_project]\n")
	if err == nil || !strings.Contains(err.Error(), "line 2: package libfoo") {
		t.Fatalf("error %v, want one naming line 2", err)
	}
}

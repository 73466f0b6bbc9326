package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDefaultYAMLDecodesToDefault(t *testing.T) {
	var cfg Config
	if err := Decode(DefaultYAML, &cfg); err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(cfg, want) {
		t.Fatalf("default.yaml decodes to\n%+v\nwant Default()\n%+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadNoFile(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.DataDir != "./vetted-data" || len(cfg.Repositories) != 1 {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vetted.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"unknown top-level key", "listn: 1.2.3.4:80\n", nil, `unknown key "listn" in the top level`},
		{"unknown rule key", "policies:\n  p:\n    rules:\n      - block: {project: a, version: '>1'}\n", nil, `unknown key "version" in a rule's match`},
		{"bad listen", "listen: nope\n", nil, `listen: "nope" is not host:port`},
		{"bad ecosystem", "repositories:\n  - {name: r, ecosystem: npm, kind: proxy, upstream: " + dir + "}\n", nil, `repositories[0].ecosystem: "npm" is not supported`},
		{"missing folder", "repositories:\n  - {name: r, ecosystem: pypi, kind: proxy, upstream: /does/not/exist}\n", nil, `repositories[0].upstream: "/does/not/exist" is neither`},
		{"undefined policy", "repositories:\n  - {name: r, ecosystem: pypi, kind: proxy, upstream: " + dir + ", policy: strict}\n", nil, `repositories[0].policy: "strict" is not defined`},
		{"rule with both", "policies:\n  p:\n    rules:\n      - {block: {project: a}, allow: {project: b}}\n", nil, `policies.p.rules[0]: set exactly one of allow, block, max-cvss, max-severity or licenses`},
		{"cvss out of range", "policies:\n  p:\n    rules:\n      - max-cvss: 11\n", nil, `policies.p.rules[0].max-cvss: 11 is not a CVSS score`},
		{"bad severity", "policies:\n  p:\n    rules:\n      - max-severity: severe\n", nil, `max-severity: "severe" is not one of`},
		{"bad unscored", "policies:\n  p:\n    rules:\n      - {max-cvss: 7, unscored: maybe}\n", nil, `unscored: "maybe" is not one of`},
		{"bad glob", "policies:\n  p:\n    rules:\n      - block: {project: '[a'}\n", nil, `is not a valid glob`},
		{"duplicate repo", "repositories:\n  - {name: r, ecosystem: pypi, kind: proxy, upstream: " + dir + "}\n  - {name: r, ecosystem: pypi, kind: proxy, upstream: " + dir + "}\n", nil, `names must be unique`},
		{"bad env duration", "", []string{"VETTED_UPSTREAM_TIMEOUT=soon"}, `VETTED_UPSTREAM_TIMEOUT="soon": not a duration`},
		{"unknown env", "", []string{"VETTED_LISTN=x"}, `VETTED_LISTN is not a configuration key`},
		{"not yaml", "listen: [\n", nil, `not valid YAML`},
		{"cran mirror subdirs", "repositories:\n  - {name: r, ecosystem: cran, kind: mirror, upstream: " + dir + ", mirror: {subdirs: [noarch]}}\n", nil, `repositories[0].mirror.subdirs: does not apply to CRAN`},
		{"pypi mirror", "repositories:\n  - {name: r, ecosystem: pypi, kind: mirror, upstream: " + dir + "}\n", nil, `repositories[0].kind: "mirror" is not supported for pypi`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeFile(t, c.yaml), c.env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Load("", []string{
		"VETTED_LISTEN=0.0.0.0:9000",
		"VETTED_UPSTREAM_INDEX_TTL=1h",
		"VETTED_LOG_ACCESS=false",
		"VETTED_REPOSITORIES_0_UPSTREAM=" + dir,
		"VETTED_REQUIRE_TOOLS=1",
		"PATH=/bin",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "0.0.0.0:9000" || cfg.Upstream.IndexTTL != time.Hour || cfg.Log.Access || cfg.Repositories[0].Upstream != dir {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
}

func TestFileReplacesDefaultRepositories(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Load(writeFile(t, "repositories:\n  - {name: local, ecosystem: pypi, kind: proxy, upstream: "+dir+", policy: p}\npolicies:\n  p:\n    mode: allowlist-only\n    rules:\n      - allow: {project: numpy, versions: '>=1.26'}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Repositories) != 1 || cfg.Repositories[0].Name != "local" || len(cfg.Policies) != 1 {
		t.Fatalf("got %+v", cfg)
	}
	if r := cfg.Policies["p"].Rules[0]; r.Allow == nil || r.Allow.Versions != ">=1.26" {
		t.Fatalf("rule not decoded: %+v", r)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "900MiB": 900 << 20, "2GiB": 2 << 30, "512MB": 512e6, "1073741824": 1 << 30, " 64 KiB ": 64 << 10, "10B": 10} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"lots", "-1GiB", "0", "1.5GiB", "9999999999TiB", "MiB"} {
		if _, err := ParseBytes(in); err == nil || !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("ParseBytes(%q): %v; want an error quoting the value as given", in, err)
		}
	}
	c := Default()
	c.MemoryLimit = "a lot"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "memory_limit") {
		t.Errorf("Validate with memory_limit %q: %v", c.MemoryLimit, err)
	}
}

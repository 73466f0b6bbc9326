package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole of vetted's configuration. Field comments are the reference; the
// file written by `vetted init` (DefaultYAML) repeats them for users.
type Config struct {
	// Listen is the host:port the HTTP server binds.
	Listen string `yaml:"listen"`
	// DataDir holds the SQLite catalog and the blob store. Backing it up is copying it.
	DataDir string `yaml:"data_dir"`
	// MemoryLimit is a soft limit on vetted's memory ("900MiB", "2GiB"): near it, the
	// garbage collector works harder instead of letting the heap grow. Empty: no limit
	// (Go's GOMEMLIMIT environment variable still applies).
	MemoryLimit string `yaml:"memory_limit"`
	// GCFloor is the heap size the garbage collector lets the heap reach before it
	// collects, while the live heap is small ("16MiB"). Without it, a server answering
	// cached pages collects every few MB of garbage, dozens of times a second under
	// load. Above half the floor of live heap it changes nothing; GOGC, if set, wins.
	// Empty: Go's default.
	GCFloor string `yaml:"gc_floor"`
	// Log configures structured logging.
	Log Log `yaml:"log"`
	// Upstream configures how vetted talks to upstream indexes.
	Upstream Upstream `yaml:"upstream"`
	// Repositories are served under /<ecosystem>/<name>/.
	Repositories []Repository `yaml:"repositories"`
	// Policies are named; a repository refers to one by name.
	Policies map[string]Policy `yaml:"policies"`
	// API configures the JSON API under /api/v1/.
	API API `yaml:"api"`
	// Feeds configures the vulnerability feeds of `vetted feeds update`.
	Feeds Feeds `yaml:"feeds"`
	// Licenses configures licence normalisation.
	Licenses LicenseTables `yaml:"licenses"`
}

// LicenseTables configures licence normalisation.
type LicenseTables struct {
	// TableFile is a YAML file of additions to the built-in tables (free-text aliases,
	// classifiers, CRAN names, conda families, deprecated ids, categories), in the shape of
	// vetted's own aliases.yaml and categories.yaml; its entries win.
	TableFile string `yaml:"table_file"`
}

// Feeds configures vulnerability feeds.
type Feeds struct {
	// OSV lists OSV exports to import: URLs or local paths of zip files, directories or
	// records.
	OSV []string `yaml:"osv"`
	// NVD is the NVD CVE API 2.0 endpoint; empty skips NVD.
	NVD string `yaml:"nvd"`
	// NVDAPIKey raises NVD's rate limit (requests are spaced 6 s apart without one).
	NVDAPIKey string `yaml:"nvd_api_key"`
	// CPEMap adds to, or replaces entries of, the built-in table of conda package names
	// to NVD CPE vendor:product pairs: {libfoo: ["foo_project:libfoo"]}; [] removes one.
	CPEMap map[string][]string `yaml:"cpe_map"`
	// CondaPyPINames maps conda package names to PyPI project names where they differ
	// (pytorch: torch), so that PyPI advisories apply to the conda packages of the same
	// Python project; "" means no counterpart. Other names map to themselves.
	CondaPyPINames map[string]string `yaml:"conda_pypi_names"`
	// PollInterval is how often a running server looks for imports made by another
	// process (`vetted feeds update` from cron) and re-evaluates what they change.
	PollInterval time.Duration `yaml:"poll_interval"`
}

// API configures the JSON API.
type API struct {
	// AdminTokensSHA256 are the hex SHA-256 digests of the bearer tokens allowed to
	// change triage records (`vetted token new` makes a token and its digest). Only the
	// digests are stored; reading the API needs no token.
	AdminTokensSHA256 []string `yaml:"admin_tokens_sha256"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
	// Access logs one line per HTTP request (at info level).
	Access bool `yaml:"access"`
}

// Upstream configures upstream fetching for all repositories.
type Upstream struct {
	// Timeout bounds one upstream request (connect to last byte of an index page; for
	// files, the time without any progress).
	Timeout time.Duration `yaml:"timeout"`
	// IndexTTL is how long a fetched index page is served before vetted asks upstream
	// again (with a conditional GET). A repository may override it.
	IndexTTL time.Duration `yaml:"index_ttl"`
	// UserAgent is sent to upstreams.
	UserAgent string `yaml:"user_agent"`
}

// Repository is one served repository.
type Repository struct {
	// Name appears in URLs: /pypi/<name>/simple/, /conda/<name>/<subdir>/repodata.json.
	Name string `yaml:"name"`
	// Ecosystem is pypi, conda or cran.
	Ecosystem string `yaml:"ecosystem"`
	// Kind is proxy (a pull-through cache of Upstream) or, for conda and cran, mirror
	// (synced ahead of time, filtered) or hosted (uploads).
	Kind string `yaml:"kind"`
	// Upstream is an http(s) URL of a PyPI simple index or a conda channel, or a local
	// folder (of wheels and sdists; or laid out as a channel: <subdir>/repodata.json).
	Upstream string `yaml:"upstream"`
	// Policy names an entry of policies; empty means allow everything.
	Policy string `yaml:"policy"`
	// IndexTTL overrides upstream.index_ttl for this repository (0: use the global one).
	IndexTTL time.Duration `yaml:"index_ttl"`
	// Mirror selects what a kind: mirror repository (conda, cran) takes from its upstream.
	Mirror *Mirror `yaml:"mirror"`
	// ReadTokensSHA256, when set, makes the repository private: every request needs one
	// of these tokens (their SHA-256 digests are listed; `vetted token new` makes one), as
	// a password in the URL (https://user:TOKEN@host/…), an Authorization header (Basic or
	// Bearer), or conda's /t/TOKEN/ prefix.
	ReadTokensSHA256 []string `yaml:"read_tokens_sha256"`
}

// Mirror is the filter and schedule of a mirror repository.
type Mirror struct {
	// Subdirs to sync (conda only): [noarch, linux-64].
	Subdirs []string `yaml:"subdirs"`
	// Names are package name globs; empty mirrors every package.
	Names []string `yaml:"names"`
	// Versions is a version constraint every mirrored version satisfies, in the
	// ecosystem's syntax: a conda version spec (">=1.0"), an R constraint (">= 1.0, < 2").
	Versions string `yaml:"versions"`
	// Latest keeps only the newest N versions of each package (0: all). For CRAN, the
	// newest N that versions and the policy allow.
	Latest int `yaml:"latest"`
	// Interval between scheduled syncs while the server runs (0: only
	// `vetted mirror sync`).
	Interval time.Duration `yaml:"interval"`
}

// IsLocalUpstream reports whether the upstream is a folder rather than a URL.
func (r Repository) IsLocalUpstream() bool {
	return !strings.HasPrefix(r.Upstream, "http://") && !strings.HasPrefix(r.Upstream, "https://")
}

// Policy is an ordered list of rules; the first rule that matches a version decides.
type Policy struct {
	// Mode is "default" (what no rule matches is allowed) or "allowlist-only" (what no
	// allow rule matches is blocked: a curated "known good" repository).
	Mode string `yaml:"mode"`
	// Rules are evaluated in order.
	Rules []Rule `yaml:"rules"`
	// Exceptions lift rules for some versions of a project, with an owner, a reason and
	// an expiry.
	Exceptions []Exception `yaml:"exceptions"`
	// PruneDependents (conda, cran) also removes the packages that can no longer be installed
	// because every record that could satisfy one of their dependencies is blocked.
	PruneDependents bool `yaml:"prune-dependents"`
}

// Rule is one policy rule: exactly one of Allow, Block, MaxCVSS or MaxSeverity is set.
type Rule struct {
	Allow *Match `yaml:"allow"`
	Block *Match `yaml:"block"`
	// Reason is shown to users when the rule blocks (e.g. a ticket reference).
	Reason string `yaml:"reason"`
	// MaxCVSS blocks versions affected by an advisory whose CVSS base score is at
	// least this (0-10).
	MaxCVSS *float64 `yaml:"max-cvss"`
	// MaxSeverity blocks versions affected by an advisory of this severity or above:
	// low, medium, high or critical.
	MaxSeverity string `yaml:"max-severity"`
	// Unscored says what max-cvss and max-severity do with advisories that have no
	// score: block, warn (the default) or allow.
	Unscored string `yaml:"unscored"`
	// Licenses blocks versions whose licence is not allowed (conda and CRAN today).
	Licenses *Licenses `yaml:"licenses"`
}

// Exception lifts a kind of rule for versions of a project until it expires.
type Exception struct {
	Project  string `yaml:"project"`  // name or glob
	Versions string `yaml:"versions"` // constraint in the ecosystem's syntax; empty: every version
	// Rule is the kind of rule lifted: block, max-cvss, max-severity, licenses or
	// allowlist-only; empty lifts any (never a malicious-package block).
	Rule    string `yaml:"rule"`
	Owner   string `yaml:"owner"`   // who answers for it
	Reason  string `yaml:"reason"`  // why
	Expires string `yaml:"expires"` // date (2027-01-31) or RFC 3339 time
}

// ExpiryTime parses Expires.
func (e Exception) ExpiryTime() (time.Time, error) {
	if t, err := time.Parse("2006-01-02", e.Expires); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, e.Expires)
}

// Licenses is a licence rule. Items are SPDX ids (MIT, GPL-3.0-only) or categories
// (permissive, weak-copyleft, strong-copyleft, network-copyleft, public-domain,
// proprietary, unknown).
type Licenses struct {
	Allow []string `yaml:"allow"` // empty: everything not denied
	Deny  []string `yaml:"deny"`
	// Unknown is what a licence that cannot be mapped to SPDX gets: block, warn or allow.
	Unknown string `yaml:"unknown"`
}

// Match selects project versions.
type Match struct {
	// Project is a name or a glob (*, ?, [a-z]) over normalised project names.
	Project string `yaml:"project"`
	// Versions is a version constraint in the ecosystem's syntax (PEP 440 specifiers
	// for PyPI: ">=2.0,<3", "==1.*"); empty means every version.
	Versions string `yaml:"versions"`
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Listen:  "127.0.0.1:8080",
		DataDir: "./vetted-data",
		GCFloor: "16MiB",
		Log:     Log{Level: "info", Format: "text", Access: true},
		Upstream: Upstream{
			Timeout:   30 * time.Second,
			IndexTTL:  10 * time.Minute,
			UserAgent: "vetted",
		},
		Repositories: []Repository{{
			Name:      "pypi",
			Ecosystem: "pypi",
			Kind:      "proxy",
			Upstream:  "https://pypi.org/simple/",
			Policy:    "default",
		}},
		Policies: map[string]Policy{"default": {Mode: "default", Rules: []Rule{}}},
		API:      API{AdminTokensSHA256: []string{}},
		Feeds: Feeds{
			OSV: []string{
				"https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
				"https://osv-vulnerabilities.storage.googleapis.com/CRAN/all.zip",
			},
			NVD:    "https://services.nvd.nist.gov/rest/json/cves/2.0",
			CPEMap: map[string][]string{},
			CondaPyPINames: map[string]string{
				"pytorch": "torch", "py-opencv": "opencv-python",
				"python": "", "openssl": "", "sqlite": "", "curl": "", "libcurl": "", "zlib": "",
			},
			PollInterval: 10 * time.Second,
		},
	}
}

// Load reads the YAML file at path (if path is not empty) over the defaults, applies
// VETTED_* environment overrides from env (os.Environ() form), and validates.
func Load(path string, env []string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w (create one with `vetted init %s`)", err, path)
		}
		if err := Decode(data, &cfg); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := applyEnv(&cfg, env); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		if path != "" {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type config\.(\w+)`)

// Decode decodes YAML strictly into cfg: an unknown key is an error naming it. Lists and
// maps given in the file replace the defaults' lists and maps.
func Decode(data []byte, cfg *Config) error {
	// A file that sets repositories or policies replaces the default ones entirely.
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return fmt.Errorf("not valid YAML: %w", err)
	}
	if _, ok := top["repositories"]; ok {
		cfg.Repositories = nil
	}
	if _, ok := top["policies"]; ok {
		cfg.Policies = nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		msg := err.Error()
		if m := unknownField.FindAllStringSubmatch(msg, -1); m != nil {
			var keys []string
			for _, x := range m {
				keys = append(keys, fmt.Sprintf("line %s: unknown key %q in %s", x[1], x[2], sectionName(x[3])))
			}
			return fmt.Errorf("%s (check the spelling; `vetted init` writes a file listing every key)", strings.Join(keys, "; "))
		}
		return errors.New(strings.TrimPrefix(msg, "yaml: "))
	}
	return nil
}

func sectionName(goType string) string {
	switch goType {
	case "Config":
		return "the top level"
	case "Log":
		return "log"
	case "Upstream":
		return "upstream"
	case "Repository":
		return "a repository"
	case "Policy":
		return "a policy"
	case "Rule":
		return "a policy rule"
	case "API":
		return "api"
	case "Feeds":
		return "feeds"
	case "Match":
		return "a rule's match (allowed: project, versions)"
	case "Licenses":
		return "a licenses rule (allowed: allow, deny, unknown)"
	case "Exception":
		return "an exception (allowed: project, versions, rule, owner, reason, expires)"
	case "LicenseTables":
		return "licenses (allowed: table_file)"
	case "Mirror":
		return "mirror (allowed: subdirs, names, versions, latest, interval)"
	}
	return goType
}

var repoName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks the configuration. Each error names the key and how to fix it.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port (example: 127.0.0.1:8080)", c.Listen)
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty (example: ./vetted-data)")
	}
	if _, err := ParseBytes(c.MemoryLimit); err != nil {
		bad("memory_limit", "%v", err)
	}
	if _, err := ParseBytes(c.GCFloor); err != nil {
		bad("gc_floor", "%v", err)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not one of text, json", c.Log.Format)
	}
	if c.Upstream.Timeout <= 0 {
		bad("upstream.timeout", "must be a positive duration (example: 30s)")
	}
	if c.Upstream.IndexTTL < 0 {
		bad("upstream.index_ttl", "must not be negative (example: 10m)")
	}
	seen := map[string]bool{}
	for i, r := range c.Repositories {
		key := fmt.Sprintf("repositories[%d]", i)
		if !repoName.MatchString(r.Name) {
			bad(key+".name", "%q must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit", r.Name)
		}
		if seen[r.Name] {
			bad(key+".name", "%q is used by an earlier repository; names must be unique", r.Name)
		}
		seen[r.Name] = true
		if r.Ecosystem != "pypi" && r.Ecosystem != "conda" && r.Ecosystem != "cran" {
			bad(key+".ecosystem", "%q is not supported; use pypi, conda or cran", r.Ecosystem)
		}
		switch {
		case r.Kind == "hosted" && (r.Ecosystem == "conda" || r.Ecosystem == "cran"):
			if r.Upstream != "" {
				bad(key+".upstream", "a hosted repository has no upstream; remove it, or use kind: proxy")
			}
		case r.Kind == "mirror" && r.Ecosystem == "conda":
			if r.Mirror == nil || len(r.Mirror.Subdirs) == 0 {
				bad(key+".mirror.subdirs", "a mirror needs the subdirs to sync (example: mirror: {subdirs: [noarch, linux-64]})")
			} else if r.Mirror.Latest < 0 || r.Mirror.Interval < 0 {
				bad(key+".mirror", "latest and interval must not be negative")
			}
		case r.Kind == "mirror" && r.Ecosystem == "cran":
			switch {
			case r.Mirror == nil:
			case len(r.Mirror.Subdirs) > 0:
				bad(key+".mirror.subdirs", "does not apply to CRAN: a CRAN mirror syncs the source packages of src/contrib/; remove it (select packages with names, versions and latest)")
			case r.Mirror.Latest < 0 || r.Mirror.Interval < 0:
				bad(key+".mirror", "latest and interval must not be negative")
			}
		case r.Kind != "proxy":
			bad(key+".kind", "%q is not supported for %s; use proxy (or hosted or mirror, for conda and cran)", r.Kind, r.Ecosystem)
		}
		for j, d := range r.ReadTokensSHA256 {
			if len(d) != 64 || strings.Trim(strings.ToLower(d), "0123456789abcdef") != "" {
				bad(fmt.Sprintf("%s.read_tokens_sha256[%d]", key, j), "is not a hex SHA-256 digest; make a token and its digest with `vetted token new`")
			}
		}
		if r.Mirror != nil && r.Kind != "mirror" {
			bad(key+".mirror", "is only for kind: mirror")
		}
		switch {
		case r.Kind == "hosted":
		case r.Upstream == "":
			bad(key+".upstream", "must be an http(s) URL of an index or channel, or a local folder")
		case r.IsLocalUpstream():
			if st, err := os.Stat(r.Upstream); err != nil || !st.IsDir() {
				bad(key+".upstream", "%q is neither an http(s) URL nor an existing folder", r.Upstream)
			}
		}
		if r.Policy != "" {
			if _, ok := c.Policies[r.Policy]; !ok {
				bad(key+".policy", "%q is not defined under policies", r.Policy)
			}
		}
		if r.IndexTTL < 0 {
			bad(key+".index_ttl", "must not be negative")
		}
	}
	for i, d := range c.API.AdminTokensSHA256 {
		if len(d) != 64 || strings.Trim(strings.ToLower(d), "0123456789abcdef") != "" {
			bad(fmt.Sprintf("api.admin_tokens_sha256[%d]", i), "is not a hex SHA-256 digest; make a token and its digest with `vetted token new`")
		}
	}
	if f := c.Licenses.TableFile; f != "" {
		if _, err := os.Stat(f); err != nil {
			bad("licenses.table_file", "%v", err)
		}
	}
	if c.Feeds.PollInterval <= 0 {
		bad("feeds.poll_interval", "must be a positive duration (example: 10s)")
	}
	for name, cpes := range c.Feeds.CPEMap {
		for _, vp := range cpes {
			if v, p, ok := strings.Cut(vp, ":"); !ok || v == "" || p == "" || strings.Contains(p, ":") {
				bad("feeds.cpe_map."+name, "%q is not vendor:product (example: openssl:openssl)", vp)
			}
		}
	}
	for name, p := range c.Policies {
		key := "policies." + name
		switch p.Mode {
		case "", "default", "allowlist-only":
		default:
			bad(key+".mode", "%q is not one of default, allowlist-only", p.Mode)
		}
		for i, e := range p.Exceptions {
			ek := fmt.Sprintf("%s.exceptions[%d]", key, i)
			if e.Project == "" || e.Owner == "" || e.Reason == "" {
				bad(ek, "project, owner and reason are required (example: {project: \"jinja2\", versions: \"==2.10\", rule: max-cvss, owner: sec@example.org, reason: \"SEC-7\", expires: 2027-01-31})")
			}
			if _, err := e.ExpiryTime(); err != nil {
				bad(ek+".expires", "%q is not a date (2027-01-31) or an RFC 3339 time", e.Expires)
			}
		}
		for i, r := range p.Rules {
			rk := fmt.Sprintf("%s.rules[%d]", key, i)
			kinds := 0
			for _, set := range []bool{r.Allow != nil, r.Block != nil, r.MaxCVSS != nil, r.MaxSeverity != "", r.Licenses != nil} {
				if set {
					kinds++
				}
			}
			if kinds != 1 {
				bad(rk, "set exactly one of allow, block, max-cvss, max-severity or licenses (example: block: {project: \"alpha\", versions: \">=2.0\"}, or max-cvss: 7.0)")
				continue
			}
			switch r.Unscored {
			case "", "block", "warn", "allow":
			default:
				bad(rk+".unscored", "%q is not one of block, warn, allow", r.Unscored)
			}
			if r.Licenses != nil {
				switch r.Licenses.Unknown {
				case "", "block", "warn", "allow":
				default:
					bad(rk+".licenses.unknown", "%q is not one of block, warn, allow", r.Licenses.Unknown)
				}
				continue
			}
			if r.MaxCVSS != nil {
				if *r.MaxCVSS < 0 || *r.MaxCVSS > 10 {
					bad(rk+".max-cvss", "%v is not a CVSS score between 0 and 10", *r.MaxCVSS)
				}
				continue
			}
			if r.MaxSeverity != "" {
				switch r.MaxSeverity {
				case "low", "medium", "high", "critical":
				default:
					bad(rk+".max-severity", "%q is not one of low, medium, high, critical", r.MaxSeverity)
				}
				continue
			}
			m := r.Allow
			if m == nil {
				m = r.Block
			}
			if m.Project == "" {
				bad(rk+".project", "must not be empty; use \"*\" for every project")
			} else if _, err := path.Match(m.Project, ""); err != nil {
				bad(rk+".project", "%q is not a valid glob: %v", m.Project, err)
			}
		}
	}
	return errors.Join(errs...)
}

// ParseBytes reads a size such as "900MiB", "2GiB", "512MB" or "1073741824"; "" is 0.
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	given := s
	units := []struct {
		suffix string
		factor int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	factor := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, factor = strings.TrimSpace(n), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/factor {
		return 0, fmt.Errorf("%q is not a size; write a positive whole number with a unit, such as 900MiB or 2GiB (1536MiB, not 1.5GiB)", given)
	}
	return n * factor, nil
}

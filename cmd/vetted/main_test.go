package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"vetted/internal/config"
	"vetted/internal/ecosystem/conda/condatest"
	"vetted/internal/ecosystem/cran/crantest"
	"vetted/internal/ecosystem/pypi/pypitest"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeWithoutConfig builds the binary, runs `vetted serve` with no configuration
// file in an empty folder, checks /healthz and /readyz, then stops it with SIGTERM.
func TestServeWithoutConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "vetted")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freePort(t)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "VETTED_LISTEN="+addr, "VETTED_CONFIG=")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no answer on /healthz: %v\n%s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz: %s", resp.Status)
	}
	if resp, err = http.Get("http://" + addr + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(dir, "vetted-data", "vetted.db")); err != nil {
		t.Fatalf("default data folder not created: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM\n%s", stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "msg=stopped") {
		t.Fatalf("no graceful shutdown in the log:\n%s", log)
	}
	// The access lines (buffered) come out before the line that ends the log.
	if i := strings.Index(log, "path=/readyz"); i < 0 || i > strings.Index(log, "msg=stopped") {
		t.Fatalf("the access line of /readyz is missing or after the last line:\n%s", log)
	}
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestInitWritesLoadableConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "vetted.yaml")
	if code, _, stderr := runCLI(t, "init", p); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "init", p); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("second init: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "init", p, "--force"); code != 0 {
		t.Fatalf("init --force: exit %d: %s", code, stderr)
	}
}

func TestWhy(t *testing.T) {
	dir := t.TempDir()
	wheels := filepath.Join(dir, "wheels")
	os.Mkdir(wheels, 0o755)
	ix := pypitest.NewIndex()
	for _, v := range []string{"1.0", "1.1", "2.0"} {
		ix.AddWheel(pypitest.Project{Name: "alpha", Version: v})
	}
	if err := ix.WriteFolder(wheels); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "vetted.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - {name: local, ecosystem: pypi, kind: proxy, upstream: %s, policy: p}
policies:
  p:
    rules:
      - block: {project: alpha, versions: ">=2.0"}
        reason: ticket DS-1
`, filepath.Join(dir, "data"), wheels)), 0o644)

	code, out, stderr := runCLI(t, "why", "local", "alpha==2.0", "--config", cfg)
	if code != exitBlocked || !strings.Contains(out, "BLOCK") || !strings.Contains(out, "ticket DS-1") || !strings.Contains(out, "newest allowed version: 1.1") {
		t.Fatalf("why alpha==2.0: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "why", "local", "Alpha==1.1", "--config", cfg, "--json")
	if code != 0 || !strings.Contains(out, `"verdict": "allow"`) || !strings.Contains(out, `"listed_upstream": true`) {
		t.Fatalf("why Alpha==1.1 --json: exit %d\n%s", code, out)
	}
	code, _, stderr = runCLI(t, "why", "local", "alpha-2.0", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, "PROJECT==VERSION") {
		t.Fatalf("bad argument: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "why", "nope", "alpha==1", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, `repository "nope"`) {
		t.Fatalf("unknown repository: exit %d: %s", code, stderr)
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, sub := range []string{"serve", "init", "why"} {
		code, out, _ := runCLI(t, sub, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help: exit %d, no examples:\n%s", sub, code, out)
		}
	}
	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "vetted ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestFeedsUpdate runs `vetted feeds update` against a fake OSV export and a fake NVD
// API that pages its answer, then runs it again: NVD is then asked only for changes.
func TestFeedsUpdate(t *testing.T) {
	dir := t.TempDir()
	osvRecord := `{"id": "PYSEC-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2023-0286"], "affected": [{"package": {"ecosystem": "PyPI", "name": "alpha"}, "versions": ["1.0"]}]}`
	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	w, _ := zw.Create("PYSEC-1.json")
	w.Write([]byte(osvRecord))
	zw.Close()
	cve, err := os.ReadFile("../../internal/vuln/nvd/testdata/records/CVE-2023-0286.json")
	if err != nil {
		t.Fatal(err)
	}
	cve2, _ := os.ReadFile("../../internal/vuln/nvd/testdata/records/CVE-2023-38545.json")
	var nvdQueries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/osv/all.zip":
			w.Write(zipBuf.Bytes())
		case "/nvd":
			nvdQueries = append(nvdQueries, r.URL.RawQuery)
			rec := cve
			if r.URL.Query().Get("startIndex") == "1" {
				rec = cve2
			}
			fmt.Fprintf(w, `{"resultsPerPage": 1, "startIndex": %s, "totalResults": 2, "format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": %s}]}`, r.URL.Query().Get("startIndex"), rec)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := filepath.Join(dir, "vetted.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir: %s\nfeeds:\n  osv: [%s/osv/all.zip]\n  nvd: %s/nvd\n  nvd_api_key: k\n", filepath.Join(dir, "data"), srv.URL, srv.URL)), 0o644)
	code, out, stderr := runCLI(t, "feeds", "update", "-q", "--config", cfg)
	if code != 0 || !strings.Contains(out, "all.zip: 1 added") || !strings.Contains(out, "/nvd: 2 added") {
		t.Fatalf("feeds update: exit %d\n%s%s", code, out, stderr)
	}
	if len(nvdQueries) != 2 || strings.Contains(nvdQueries[0], "lastModStartDate") {
		t.Fatalf("first NVD queries: %q", nvdQueries)
	}
	code, out, stderr = runCLI(t, "feeds", "update", "-q", "--config", cfg)
	if code != 0 || !strings.Contains(out, "all.zip: 0 added, 0 changed, 1 unchanged") || !strings.Contains(out, "/nvd: 0 added, 0 changed, 2 unchanged") {
		t.Fatalf("second feeds update: exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(nvdQueries[2], "lastModStartDate") {
		t.Fatalf("second NVD query is not incremental: %q", nvdQueries[2])
	}
	// The OSV record has no vector: its score comes from the NVD alias.
	code, out, _ = runCLI(t, "advisories", "pypi", "alpha", "1.0", "--config", cfg, "--json")
	if code != 0 || !strings.Contains(out, `"source": "NVD CVE-2023-0286"`) || !strings.Contains(out, `"score": 7.4`) {
		t.Fatalf("advisories: exit %d\n%s", code, out)
	}
}

func TestCVSSCommand(t *testing.T) {
	cases := []struct{ vector, want string }{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "9.8 critical (CVSS 3.1)"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "6.1 medium (CVSS 3.1)"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "9.3 critical (CVSS 4.0)"},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", "7.5 high (CVSS 2.0)"},
	}
	for _, c := range cases {
		if code, out, stderr := runCLI(t, "cvss", c.vector); code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("cvss %s: exit %d %q %s, want %q", c.vector, code, out, stderr, c.want)
		}
	}
	if code, _, stderr := runCLI(t, "cvss", "CVSS:3.1/AV:Q"); code != 1 || !strings.Contains(stderr, "metric") {
		t.Errorf("bad vector: exit %d %s", code, stderr)
	}
}

// TestMirrorSync: `vetted mirror sync` fetches and verifies the selected packages (the
// newest version of the tiny-* packages), and a second sync fetches nothing again.
func TestMirrorSync(t *testing.T) {
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "1.1", "2.0"} {
		ch.Add(condatest.Package{Name: "tiny-util", Version: v}, ".conda")
	}
	ch.Add(condatest.Package{Name: "other", Version: "1.0"}, ".conda")
	ch.Add(condatest.Package{Name: "tiny-doc", Version: "0.1", Noarch: "generic"}, ".tar.bz2")
	srv := httptest.NewServer(ch)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vetted.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - name: m
    ecosystem: conda
    kind: mirror
    upstream: %s/
    mirror: {subdirs: [noarch, linux-64], names: ["tiny-*"], latest: 1}
`, filepath.Join(dir, "data"), srv.URL)), 0o644)
	code, out, stderr := runCLI(t, "mirror", "sync", "m", "-q", "--config", cfg)
	if code != 0 || !strings.Contains(out, "2 subdirs, 2 packages selected, 2 fetched, 0 already stored, 0 failed") {
		t.Fatalf("first sync: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "mirror", "sync", "m", "-q", "--config", cfg)
	if code != 0 || !strings.Contains(out, "2 packages selected, 0 fetched, 2 already stored") {
		t.Fatalf("second sync: exit %d\n%s%s", code, out, stderr)
	}
	for _, f := range ch.Files() {
		n := ch.Requests("/" + f.Subdir + "/" + f.Filename)
		want := 0
		if f.Package.Name == "tiny-doc" || f.Package.Version == "2.0" {
			want = 1
		}
		if n != want {
			t.Errorf("%s fetched %d times, want %d", f.Filename, n, want)
		}
	}
	if code, _, stderr := runCLI(t, "mirror", "sync", "nope", "--config", cfg); code != 1 || !strings.Contains(stderr, `repository "nope"`) {
		t.Fatalf("unknown repository: %d %s", code, stderr)
	}
}

// TestMirrorSyncCRAN: `vetted mirror sync` on a CRAN mirror fetches and verifies the
// newest allowed version of the selected packages (from Archive/ when the newest is
// blocked), a second sync fetches nothing, and a bad filter is refused.
func TestMirrorSyncCRAN(t *testing.T) {
	repo := crantest.NewRepo()
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		repo.Add(crantest.Package{Name: "pkgB", Version: v})
	}
	repo.Add(crantest.Package{Name: "pkgA", Version: "1.0.0"})
	repo.Add(crantest.Package{Name: "other", Version: "1.0.0"})
	srv := httptest.NewServer(repo)
	defer srv.Close()
	dir := t.TempDir()
	write := func(mirror string) string {
		cfg := filepath.Join(dir, "vetted.yaml")
		os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - name: rm
    ecosystem: cran
    kind: mirror
    upstream: %s
    policy: r
    mirror: %s
policies:
  r:
    rules: [{block: {project: "pkgB", versions: ">= 2.0.0"}}]
`, filepath.Join(dir, "data"), srv.URL, mirror)), 0o644)
		return cfg
	}
	cfg := write(`{names: ["pkg*"], latest: 1}`)
	code, out, stderr := runCLI(t, "mirror", "sync", "rm", "-q", "--config", cfg)
	if code != 0 || !strings.Contains(out, "rm: 2 versions selected, 2 fetched, 0 already stored, 0 failed") {
		t.Fatalf("first sync: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "mirror", "sync", "rm", "-q", "--config", cfg)
	if code != 0 || !strings.Contains(out, "2 versions selected, 0 fetched, 2 already stored") {
		t.Fatalf("second sync: exit %d\n%s%s", code, out, stderr)
	}
	for path, want := range map[string]int{
		"/src/contrib/pkgA_1.0.0.tar.gz":              1,
		"/src/contrib/Archive/pkgB/pkgB_1.1.0.tar.gz": 1,
		"/src/contrib/pkgB_2.0.0.tar.gz":              0,
		"/src/contrib/other_1.0.0.tar.gz":             0,
	} {
		if n := repo.Requests(path); n != want {
			t.Errorf("%s fetched %d times, want %d", path, n, want)
		}
	}
	cfg = write(`{subdirs: [noarch]}`)
	if code, _, stderr := runCLI(t, "mirror", "sync", "rm", "--config", cfg); code != 1 || !strings.Contains(stderr, "mirror.subdirs: does not apply to CRAN") {
		t.Fatalf("subdirs on a CRAN mirror: exit %d %s", code, stderr)
	}
	cfg = write(`{versions: "~> 1.0"}`)
	if code, _, stderr := runCLI(t, "mirror", "sync", "rm", "--config", cfg); code != 1 || !strings.Contains(stderr, "mirror versions") {
		t.Fatalf("a bad versions constraint: exit %d %s", code, stderr)
	}
}

// TestReportLicenses: `vetted report licenses` lists every cached version's licence
// with the decision, as a table with a summary, CSV and JSON, for PyPI, conda and CRAN.
func TestReportLicenses(t *testing.T) {
	dir := t.TempDir()
	wheels := filepath.Join(dir, "wheels")
	os.Mkdir(wheels, 0o755)
	ix := pypitest.NewIndex()
	ix.AddWheel(pypitest.Project{Name: "alpha", Version: "1.0", License: "MIT"})
	ix.AddWheel(pypitest.Project{Name: "alpha", Version: "2.0", License: "GPLv3"})
	ix.WriteFolder(wheels)
	ch := condatest.NewChannel()
	ch.Add(condatest.Package{Name: "tool", Version: "1.0", License: "Apache-2.0"}, ".conda")
	channel := filepath.Join(dir, "channel")
	ch.WriteFolder(channel)
	cfg := filepath.Join(dir, "vetted.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - {name: py, ecosystem: pypi, kind: proxy, upstream: %s, policy: no-gpl}
  - {name: c, ecosystem: conda, kind: proxy, upstream: %s, policy: no-gpl}
policies:
  no-gpl:
    rules: [{licenses: {deny: [strong-copyleft]}}]
`, filepath.Join(dir, "data"), wheels, channel)), 0o644)
	// Cache the pages first, as serving would.
	code, _, stderr := runCLI(t, "why", "py", "alpha==1.0", "--config", cfg)
	if code != 0 {
		t.Fatalf("why: %d %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "report", "licenses", "py", "--config", cfg)
	if code != 0 || !strings.Contains(out, "GPL-3.0-only") || !strings.Contains(out, "block") || !strings.Contains(out, "2 versions by category:") || !strings.Contains(out, "permissive 1;") || !strings.Contains(out, "strong-copyleft 1;") {
		t.Fatalf("table: %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "report", "licenses", "py", "--config", cfg, "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "project,version,where,declared,expression,category,decision,reason\n") || !strings.Contains(out, "alpha,1.0,,MIT,MIT,permissive,allow,") {
		t.Fatalf("csv: %d\n%s", code, out)
	}
	// The conda channel's subdir is cached by a first request through the service.
	a, err := openApp(context.Background(), func() (config.Config, error) { return config.Load(cfg, nil) }, "error")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Conda.Repodata(context.Background(), "c", "linux-64", 0); err != nil {
		t.Fatal(err)
	}
	a.Close()
	code, out, _ = runCLI(t, "report", "licenses", "c", "--config", cfg, "--format", "json")
	if code != 0 || !strings.Contains(out, `"expression": "Apache-2.0"`) || !strings.Contains(out, `"where": "linux-64"`) {
		t.Fatalf("json: %d\n%s", code, out)
	}
}

// TestLicenseTableFile: licences.table_file adds aliases to the built-in tables.
func TestLicenseTableFile(t *testing.T) {
	dir := t.TempDir()
	ch := condatest.NewChannel()
	ch.Add(condatest.Package{Name: "tool", Version: "1.0", License: "ACME Open Licence"}, ".conda")
	channel := filepath.Join(dir, "channel")
	ch.WriteFolder(channel)
	table := filepath.Join(dir, "licences.yaml")
	os.WriteFile(table, []byte("aliases:\n  \"ACME Open Licence\": MIT\n"), 0o644)
	report := func(extra string) string {
		cfg := filepath.Join(dir, "vetted.yaml")
		os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir: %s\nrepositories:\n  - {name: c, ecosystem: conda, kind: proxy, upstream: %s}\n%s", filepath.Join(dir, "data"), channel, extra)), 0o644)
		a, err := openApp(context.Background(), func() (config.Config, error) { return config.Load(cfg, nil) }, "error")
		if err != nil {
			t.Fatal(err)
		}
		a.Conda.Repodata(context.Background(), "c", "linux-64", 0)
		a.Close()
		code, out, stderr := runCLI(t, "report", "licenses", "c", "--config", cfg, "--format", "csv")
		if code != 0 {
			t.Fatalf("report: %d %s", code, stderr)
		}
		return out
	}
	if out := report(""); !strings.Contains(out, "NOASSERTION") {
		t.Fatalf("without the table file:\n%s", out)
	}
	if out := report("licenses: {table_file: " + table + "}\n"); !strings.Contains(out, ",MIT,permissive,") {
		t.Fatalf("with the table file:\n%s", out)
	}
}

// TestReportExceptions: `vetted report exceptions` lists expired exceptions first, then
// the ones no decision has needed since a server ran with them, then the others with the
// day they last applied; before any server has run, none is called unused.
func TestReportExceptions(t *testing.T) {
	dir := t.TempDir()
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "2.0"} {
		ch.Add(condatest.Package{Name: "tool", Version: v, License: "MIT"}, ".conda")
	}
	channel := filepath.Join(dir, "channel")
	ch.WriteFolder(channel)
	cfg := filepath.Join(dir, "vetted.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - {name: c, ecosystem: conda, kind: proxy, upstream: %s, policy: default}
policies:
  default:
    rules: [{block: {project: tool, versions: ">=2.0"}}]
    exceptions:
      - {project: tool, versions: "==2.0", rule: block, owner: data@example.org, reason: "needed for the Q4 model (DS-9)", expires: 2099-01-31}
      - {project: jinja2, versions: "==2.10", rule: max-cvss, owner: sec@example.org, reason: "not exploitable here (SEC-7)", expires: 2098-01-31}
      - {project: oldlib, owner: data@example.org, reason: "migration pending", expires: 2020-01-01}
  spare:
    exceptions:
      - {project: tool, owner: data@example.org, reason: "for a repository to come", expires: 2097-01-31}
`, filepath.Join(dir, "data"), channel)), 0o644)
	report := func() []string {
		t.Helper()
		code, out, stderr := runCLI(t, "report", "exceptions", "--config", cfg)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != exitBlocked || len(lines) != 5 || !strings.Contains(lines[4], "no repository uses policy spare") {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		return lines
	}
	lines := report()
	if !strings.HasPrefix(lines[1], "EXPIRED") || !strings.Contains(lines[1], "oldlib") || strings.Contains(strings.Join(lines, "\n"), "UNUSED") || !strings.Contains(lines[2], "not served yet") {
		t.Fatalf("before any server:\n%s", strings.Join(lines, "\n"))
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the report made the data directory (%v); it must create nothing", err)
	}
	// Serving the subdir decides tool 2.0, which the first exception allows.
	a, err := openApp(context.Background(), func() (config.Config, error) { return config.Load(cfg, nil) }, "error")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Conda.Repodata(context.Background(), "c", "linux-64", 0); err != nil {
		t.Fatal(err)
	}
	if err := a.RecordExceptionUses(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Close()
	today := time.Now().UTC().Format(time.DateOnly)
	lines = report()
	if !strings.HasPrefix(lines[1], "EXPIRED") ||
		!strings.HasPrefix(lines[2], "UNUSED") || !strings.Contains(lines[2], "jinja2") || !strings.Contains(lines[2], "never (since "+today+")") ||
		!strings.HasPrefix(lines[3], "active") || !strings.Contains(lines[3], "tool") || !strings.Contains(lines[3], today) {
		t.Fatalf("after serving:\n%s", strings.Join(lines, "\n"))
	}
	code, out, _ := runCLI(t, "report", "exceptions", "--config", cfg, "--json")
	if code != exitBlocked || !strings.Contains(out, `"last_applied": "`+today+`"`) || !strings.Contains(out, `"tracked_since": "`+today+`"`) {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
}

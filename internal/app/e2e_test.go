package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/internal/app"
	"vetted/internal/config"
	"vetted/internal/ecosystem/pypi/pypitest"
)

// requireTool returns the path of a client the test drives, or skips the test when it
// is absent (fails instead when VETTED_REQUIRE_TOOLS=1, as in CI).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VETTED_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (VETTED_REQUIRE_TOOLS=1) but not on PATH", name)
		}
		t.Skipf("%s not on PATH; install it to run this test", name)
	}
	return p
}

// fixture is the fake upstream: alpha has 1.0, 1.1, a yanked 1.2 and 2.0 (wheels, and
// an sdist of 1.1); beta depends on alpha; Gamma_Util has only an sdist.
func fixture() *pypitest.Index {
	ix := pypitest.NewIndex()
	for _, v := range []string{"1.0", "1.1", "1.2", "2.0"} {
		p := pypitest.Project{Name: "alpha", Version: v}
		if v == "2.0" {
			p.RequiresPython = ">=3.8"
		}
		ix.AddWheel(p)
	}
	ix.AddSdist(pypitest.Project{Name: "alpha", Version: "1.1"})
	ix.Update("alpha-1.2-py3-none-any.whl", func(f *pypitest.File) { f.Yanked, f.YankedReason = true, "broken build" })
	ix.AddWheel(pypitest.Project{Name: "beta", Version: "1.0", RequiresDist: []string{"alpha>=1.0"}})
	ix.AddSdist(pypitest.Project{Name: "Gamma_Util", Version: "0.1"})
	return ix
}

// vetted is a running server.
type vetted struct {
	URL  string
	App  *app.App
	stop func()
}

// startVetted runs vetted on a free port with the given configuration body (listen and
// data_dir are filled in).
func startVetted(t *testing.T, dataDir, body string) *vetted {
	t.Helper()
	cfg := config.Default()
	if err := config.Decode([]byte(body), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Listen, cfg.DataDir = "127.0.0.1:0", dataDir
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, app.Logs{Log: log}, "test")
	if err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(s string) { addr <- s }) }()
	var v *vetted
	select {
	case s := <-addr:
		v = &vetted{URL: "http://" + s, App: a}
	case err := <-done:
		t.Fatal(err)
	}
	stopped := false
	v.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	}
	t.Cleanup(v.stop)
	return v
}

// pip runs the real pip against vetted. It returns the combined output.
func pip(t *testing.T, args ...string) (string, error) {
	t.Helper()
	py := requireTool(t, "python3")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"-m", "pip"}, args...)...)
	cmd.Env = append(os.Environ(), "PIP_CONFIG_FILE=/dev/null", "PIP_NO_INPUT=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_COLOR=1", "PIP_PROGRESS_BAR=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// installed returns the dist-info directories pip put in a --target folder.
func installed(t *testing.T, target string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(target, "*.dist-info"))
	var names []string
	for _, p := range m {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".dist-info"))
	}
	return names
}

func wantInstalled(t *testing.T, target string, want ...string) {
	t.Helper()
	got := strings.Join(installed(t, target), " ")
	if got != strings.Join(want, " ") {
		t.Fatalf("installed %q, want %q", got, strings.Join(want, " "))
	}
}

const governed = `
upstream:
  timeout: 5s
  index_ttl: 0s
repositories:
  - {name: open, ecosystem: pypi, kind: proxy, upstream: %[1]s}
  - {name: gov, ecosystem: pypi, kind: proxy, upstream: %[1]s, policy: no-alpha-2}
policies:
  no-alpha-2:
    rules:
      - block: {project: "alpha", versions: ">=2.0"}
        reason: "alpha 2 breaks the models (ticket DS-1)"
`

// TestPipThroughVetted is the acceptance test of the governed PyPI repository, with the
// upstream in PEP 691 JSON, in PEP 503 HTML, and as a local folder.
func TestPipThroughVetted(t *testing.T) {
	requireTool(t, "python3")
	for _, flavour := range []string{"json", "html", "folder"} {
		t.Run(flavour, func(t *testing.T) {
			ix := fixture()
			up := httptest.NewServer(ix)
			defer up.Close()
			src := up.URL + "/simple/"
			if flavour == "folder" {
				src = t.TempDir()
				if err := ix.WriteFolder(src); err != nil {
					t.Fatal(err)
				}
			} else {
				ix.Format = flavour
			}
			data := t.TempDir()
			v := startVetted(t, data, fmt.Sprintf(governed, src))
			open, gov := v.URL+"/pypi/open/simple/", v.URL+"/pypi/gov/simple/"

			// The dependency resolves, and without policy the newest alpha is chosen.
			target := t.TempDir()
			if out, err := pip(t, "install", "--index-url", open, "--no-cache-dir", "--target", target, "beta"); err != nil {
				t.Fatalf("pip install beta: %v\n%s", err, out)
			}
			wantInstalled(t, target, "alpha-2.0", "beta-1.0")

			// With alpha>=2.0 blocked, pip picks 1.1: not 2.0 (blocked), not 1.2 (yanked).
			// A folder cannot say that a file is yanked, so there 1.2 is the newest.
			newest := "1.1"
			if flavour == "folder" {
				newest = "1.2"
			}
			target = t.TempDir()
			if out, err := pip(t, "install", "--index-url", gov, "--no-cache-dir", "--target", target, "beta"); err != nil {
				t.Fatalf("pip install beta (governed): %v\n%s", err, out)
			}
			wantInstalled(t, target, "alpha-"+newest, "beta-1.0")

			// Asking for the blocked version fails, and pip lists only allowed versions.
			out, err := pip(t, "install", "--index-url", gov, "--no-cache-dir", "--target", t.TempDir(), "alpha==2.0")
			if err == nil {
				t.Fatalf("pip installed the blocked alpha==2.0:\n%s", out)
			}
			if !strings.Contains(out, "from versions: 1.0, 1.1") || strings.Contains(out, "2.0)") {
				t.Fatalf("pip's message does not list exactly the allowed versions:\n%s", out)
			}

			// A direct download of the blocked file is refused with the reason.
			resp, err := http.Get(v.URL + "/pypi/gov/files/alpha/alpha-2.0-py3-none-any.whl")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "alpha 2 breaks the models") || !strings.Contains(string(body), "newest allowed version: "+newest) {
				t.Fatalf("blocked download: %s %q", resp.Status, body)
			}
			if !strings.Contains(resp.Status, "blocked by") {
				t.Fatalf("status line %q does not carry the reason", resp.Status)
			}

			if flavour != "json" {
				return
			}
			// pip shows the reason of a refused download.
			out, err = pip(t, "download", "--no-deps", "--no-cache-dir", "-d", t.TempDir(), v.URL+"/pypi/gov/files/alpha/alpha-2.0-py3-none-any.whl")
			if err == nil || !strings.Contains(out, "blocked by") {
				t.Fatalf("pip download of the blocked file: err=%v\n%s", err, out)
			}

			// An sdist-only project with an unnormalised name downloads and builds.
			dl := t.TempDir()
			if out, err := pip(t, "download", "--index-url", gov, "--no-cache-dir", "--no-deps", "-d", dl, "gamma.util"); err != nil {
				t.Fatalf("pip download gamma.util: %v\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(dl, "gamma_util-0.1.tar.gz")); err != nil {
				t.Fatalf("sdist not downloaded: %v", err)
			}
			target = t.TempDir()
			if out, err := pip(t, "install", "--index-url", gov, "--no-cache-dir", "--target", target, "Gamma-Util"); err != nil {
				t.Fatalf("pip install Gamma-Util: %v\n%s", err, out)
			}
			wantInstalled(t, target, "gamma_util-0.1")

			// After a restart with the upstream stopped, the cached files still install.
			v.stop()
			up.Close()
			v = startVetted(t, data, fmt.Sprintf(governed, src))
			target = t.TempDir()
			if out, err := pip(t, "install", "--index-url", v.URL+"/pypi/gov/simple/", "--no-cache-dir", "--target", target, "beta"); err != nil {
				t.Fatalf("pip install beta with upstream down: %v\n%s", err, out)
			}
			wantInstalled(t, target, "alpha-1.1", "beta-1.0")
			resp, err = http.Get(v.URL + "/pypi/gov/simple/beta/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Warning"), "stale") {
				t.Fatalf("stale page: %s, Warning %q", resp.Status, resp.Header.Get("Warning"))
			}
			// An uncached project names the unreachable upstream.
			resp, err = http.Get(v.URL + "/pypi/gov/simple/delta/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), up.URL) {
				t.Fatalf("uncached project with upstream down: %s %q", resp.Status, body)
			}
		})
	}
}

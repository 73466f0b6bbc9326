package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
	if !strings.Contains(stderr.String(), "stopped") {
		t.Fatalf("no graceful shutdown in the log:\n%s", stderr.String())
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

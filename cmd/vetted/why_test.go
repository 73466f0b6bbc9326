package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vetted/internal/ecosystem/conda/condatest"
)

// TestWhyConda: `vetted why` on a conda repository explains a blocked version (exit 3,
// the reason, the newest allowed version) and an allowed one (exit 0).
func TestWhyConda(t *testing.T) {
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "2.0"} {
		ch.Add(condatest.Package{Name: "tiny-util", Version: v, License: "MIT"}, ".conda")
	}
	srv := httptest.NewServer(ch)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vetted.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - {name: cf, ecosystem: conda, kind: proxy, upstream: %s/, policy: p}
policies:
  p:
    rules:
      - block: {project: "tiny-util", versions: ">=2.0"}
        reason: "tiny-util 2 is under review"
`, filepath.Join(dir, "data"), srv.URL)), 0o644)
	code, out, stderr := runCLI(t, "why", "cf", "tiny-util==2.0", "--config", cfg)
	if code != 3 || !strings.Contains(out, "BLOCK") || !strings.Contains(out, "under review") || !strings.Contains(out, "newest allowed version: 1.0") {
		t.Fatalf("why tiny-util 2.0: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "why", "cf", "tiny-util==1.0", "--config", cfg)
	if code != 0 || !strings.Contains(out, "ALLOW") {
		t.Fatalf("why tiny-util 1.0: exit %d\n%s%s", code, out, stderr)
	}
}

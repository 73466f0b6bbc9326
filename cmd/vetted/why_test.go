package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vetted/internal/ecosystem/conda/condatest"
	"vetted/internal/ecosystem/cran/crantest"
)

// TestWhyEcosystems: `vetted why` on a conda and a CRAN repository explains a blocked
// version (exit 3, the reason, the newest allowed version: for CRAN, one that only
// upstream's Archive/ holds) and an allowed one (exit 0).
func TestWhyEcosystems(t *testing.T) {
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "2.0"} {
		ch.Add(condatest.Package{Name: "tiny-util", Version: v, License: "MIT"}, ".conda")
	}
	cr := crantest.NewRepo()
	for _, v := range []string{"1.0.0", "2.0.0"} {
		cr.Add(crantest.Package{Name: "pkgA", Version: v, License: "MIT + file LICENSE"})
	}
	cases := []struct {
		ecosystem, project, blocked, allowed string
		handler                              http.Handler
	}{
		{"conda", "tiny-util", "2.0", "1.0", ch},
		{"cran", "pkgA", "2.0.0", "1.0.0", cr},
	}
	for _, c := range cases {
		t.Run(c.ecosystem, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "vetted.yaml")
			os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: %s
repositories:
  - {name: r, ecosystem: %s, kind: proxy, upstream: %s/, policy: p}
policies:
  p:
    rules:
      - block: {project: %q, versions: ">=%s"}
        reason: "%s is under review"
`, filepath.Join(dir, "data"), c.ecosystem, srv.URL, c.project, c.blocked, c.project)), 0o644)
			code, out, stderr := runCLI(t, "why", "r", c.project+"=="+c.blocked, "--config", cfg)
			if code != 3 || !strings.Contains(out, "BLOCK") || !strings.Contains(out, "under review") || !strings.Contains(out, "newest allowed version: "+c.allowed) {
				t.Fatalf("why %s %s: exit %d\n%s%s", c.project, c.blocked, code, out, stderr)
			}
			code, out, stderr = runCLI(t, "why", "r", c.project+"=="+c.allowed, "--config", cfg)
			if code != 0 || !strings.Contains(out, "ALLOW") {
				t.Fatalf("why %s %s: exit %d\n%s%s", c.project, c.allowed, code, out, stderr)
			}
		})
	}
}

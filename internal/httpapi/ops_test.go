package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHealthAndReadiness: /healthz answers while the process runs; /readyz answers 200
// while the catalog and the blob store work, and 503 naming the broken store otherwise.
func TestHealthAndReadiness(t *testing.T) {
	cases := []struct {
		name      string
		breakIt   func(in *instance)
		readiness int
		says      string
	}{
		{"stores work", func(*instance) {}, http.StatusOK, "ready"},
		{"catalog closed", func(in *instance) { in.cat.Close() }, http.StatusServiceUnavailable, "catalog"},
		{"blob directory removed", func(in *instance) {
			if err := os.RemoveAll(filepath.Join(in.data, "blobs")); err != nil {
				t.Fatal(err)
			}
		}, http.StatusServiceUnavailable, "blob store"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, fixture(), options{})
			tc.breakIt(in)
			h := in.get("/healthz")
			wantStatus(t, "/healthz", h, http.StatusOK)
			if strings.TrimSpace(string(h.body)) != "ok" {
				t.Errorf("/healthz body %q", h.body)
			}
			r := in.get("/readyz")
			wantStatus(t, "/readyz", r, tc.readiness)
			if !strings.Contains(string(r.body), tc.says) {
				t.Errorf("/readyz body %q does not say %q", r.body, tc.says)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("/readyz may be cached: Cache-Control %q", r.Header.Get("Cache-Control"))
			}
		})
	}
}

// TestMetrics: /metrics exposes vetted_http_requests_total by route pattern and status.
func TestMetrics(t *testing.T) {
	in := start(t, fixture(), options{})
	for range 3 {
		wantStatus(t, "page", in.get("/pypi/open/simple/alpha/"), http.StatusOK)
	}
	wantStatus(t, "unknown repository", in.get("/pypi/nope/simple/alpha/"), http.StatusNotFound)
	wantStatus(t, "unmatched", in.get("/nothing/here"), http.StatusNotFound)
	wantStatus(t, "blocked", in.get("/pypi/gov/files/alpha/alpha-2.0-py3-none-any.whl"), http.StatusForbidden)

	wants := []string{
		`vetted_http_requests_total{code="200",route="GET /pypi/{repo}/simple/{project}/{$}"} 3`,
		`vetted_http_requests_total{code="404",route="GET /pypi/{repo}/simple/{project}/{$}"} 1`,
		`vetted_http_requests_total{code="404",route="unmatched"} 1`,
		`vetted_http_requests_total{code="403",route="GET /pypi/{repo}/files/{project}/{filename}"} 1`,
		`vetted_upstream_requests_total{kind="page",repo="open",result="ok"} 1`,
		`vetted_blocked_downloads_total{repo="gov"} 1`,
	}
	// A request is counted once its handler returns, which may be just after the client
	// has read the answer: look again for a while.
	var body string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r := in.get("/metrics")
		wantStatus(t, "/metrics", r, http.StatusOK)
		body = string(r.body)
		missing := slices.IndexFunc(wants, func(w string) bool { return !strings.Contains(body, w) })
		if missing < 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("/metrics lacks %s", wants[missing])
			break
		}
	}
	if !regexp.MustCompile(`(?m)^vetted_http_request_duration_seconds_count\{route="GET /pypi/\{repo\}/simple/\{project\}/\{\$\}"\} 4$`).MatchString(body) {
		t.Errorf("/metrics lacks the duration histogram of the project page (4 requests)")
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestUpstreamDownOrSlow: what vetted cached keeps being served when upstream refuses
// connections or does not answer in time (pages with a Warning); what it never cached
// fails with 502 naming the upstream, or 504 when upstream is too slow.
func TestUpstreamDownOrSlow(t *testing.T) {
	const timeout = 300 * time.Millisecond
	cases := []struct {
		name     string
		breakUp  func(*instance)
		uncached int // status for what was never cached
	}{
		{"refusing connections", func(in *instance) { in.up.Close() }, http.StatusBadGateway},
		{"slower than upstream.timeout", func(in *instance) {
			in.ix.Requests("") // orders this write after the fake upstream's earlier reads
			in.ix.Delay = 5 * time.Second
		}, http.StatusGatewayTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, fixture(), options{timeout: timeout, ttl: 0})
			upURL := in.up.URL
			page := "/pypi/gov/simple/alpha/"
			file := "/pypi/gov/files/alpha/alpha-1.0-py3-none-any.whl"
			meta := file + ".metadata"
			fresh := in.get(page)
			wantStatus(t, "page with upstream up", fresh, http.StatusOK)
			if w := fresh.Header.Get("Warning"); w != "" {
				t.Fatalf("fresh page has a Warning: %q", w)
			}
			wantStatus(t, "file with upstream up", in.get(file), http.StatusOK)
			wantStatus(t, "metadata with upstream up", in.get(meta), http.StatusOK)

			tc.breakUp(in)

			for _, accept := range []string{"", "application/vnd.pypi.simple.v1+json"} {
				start := time.Now()
				r := in.get(page, "Accept", accept)
				wantStatus(t, "cached page, Accept "+accept, r, http.StatusOK)
				if w := r.Header.Get("Warning"); !strings.HasPrefix(w, "110 ") || !strings.Contains(w, "stale") {
					t.Errorf("cached page served without a stale Warning: %q", w)
				}
				if !bytes.Contains(r.body, []byte("alpha-1.0-py3-none-any.whl")) || bytes.Contains(r.body, []byte("alpha-2.0")) {
					t.Errorf("cached page has the wrong files:\n%s", r.body)
				}
				if d := time.Since(start); d > 3*time.Second {
					t.Errorf("cached page took %s with upstream.timeout %s", d, timeout)
				}
			}
			for path, want := range map[string][]byte{file: wheelOf("alpha", "1.0"), meta: metadataOf("alpha", "1.0")} {
				r := in.get(path)
				wantStatus(t, "cached "+path, r, http.StatusOK)
				if !bytes.Equal(r.body, want) {
					t.Errorf("cached %s: wrong bytes", path)
				}
			}

			for _, path := range []string{"/pypi/gov/simple/beta/", "/pypi/gov/simple/"} {
				start := time.Now()
				r := in.get(path)
				wantStatus(t, "uncached "+path, r, tc.uncached)
				if !strings.Contains(string(r.body), upURL) {
					t.Errorf("the error does not name the upstream %s: %s", upURL, r.body)
				}
				if d := time.Since(start); d > 3*time.Second {
					t.Errorf("uncached page took %s with upstream.timeout %s", d, timeout)
				}
			}
			// A file of a cached page that was itself never fetched.
			r := in.get("/pypi/gov/files/alpha/alpha-1.1.tar.gz")
			wantStatus(t, "uncached file", r, tc.uncached)
			if !strings.Contains(string(r.body), upURL) {
				t.Errorf("the error does not name the upstream %s: %s", upURL, r.body)
			}
		})
	}
}

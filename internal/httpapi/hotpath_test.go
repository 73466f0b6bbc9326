package httpapi

import (
	"net/http"
	"path"
	"strings"
	"testing"
)

// The helpers on every request's path are written to allocate nothing; these tests pin
// their answers to the plain definitions they replace.

// TestIsCleanPath: isCleanPath agrees with path.Clean (a trailing slash kept) on every
// path made of a few segments from an alphabet of the cases that matter.
func TestIsCleanPath(t *testing.T) {
	clean := func(p string) bool { // the definition
		if !strings.HasPrefix(p, "/") {
			return false
		}
		c := path.Clean(p)
		if strings.HasSuffix(p, "/") && c != "/" {
			c += "/"
		}
		return c == p
	}
	segments := []string{"", ".", "..", "a", "simple", "..a", ".a", "a.", "%2e%2e"}
	var paths []string
	var grow func(p string, depth int)
	grow = func(p string, depth int) {
		paths = append(paths, p)
		if depth == 0 {
			return
		}
		for _, s := range segments {
			grow(p+"/"+s, depth-1)
		}
	}
	grow("", 4)
	paths = append(paths, "", "a", "a/b", "./a", "//", "///")
	for _, p := range paths {
		if got, want := isCleanPath(p), clean(p); got != want {
			t.Errorf("isCleanPath(%q) = %v, path.Clean says %v", p, got, want)
		}
	}
}

func TestEtagMatchAndGzipAcrossHeaderLines(t *testing.T) {
	const etag = `"abc"`
	cases := []struct {
		values []string
		want   bool
	}{
		{[]string{etag}, true},
		{[]string{`"x", "abc"`}, true},
		{[]string{`"x"`, ` W/"abc" `}, true}, // a second If-None-Match line
		{[]string{`"x"`, `"y"`}, false},
		{[]string{`*`}, true},
		{[]string{``}, false},
	}
	for _, c := range cases {
		if got := etagMatch(c.values, etag); got != c.want {
			t.Errorf("etagMatch(%q) = %v, want %v", c.values, got, c.want)
		}
	}

	gzip := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"br", "GZIP;q=0.5"}, true},
		{[]string{"deflate, gzip;q=0"}, false},
		{[]string{"gzip;q=0", "gzip"}, false}, // the first mention counts
		{[]string{"identity"}, false},
	}
	for _, c := range gzip {
		r := &http.Request{Header: http.Header{}}
		if c.values != nil {
			r.Header["Accept-Encoding"] = c.values
		}
		if got := acceptsGzip(r); got != c.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", c.values, got, c.want)
		}
	}
}

// TestHotPathAllocations: negotiation, the path check and the header helpers of a page
// request allocate nothing (bench/serve_test.go measures the whole request).
func TestHotPathAllocations(t *testing.T) {
	r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/pypi/bench/simple/pagetest/", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Accept", "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01")
	r.Header.Set("Accept-Encoding", "gzip, deflate")
	inm := []string{`"x", "y"`}
	allocs := testing.AllocsPerRun(100, func() {
		if ct, ok := negotiate(r); !ok || ct != offers[0] {
			t.Fatalf("negotiate: %q %v", ct, ok)
		}
		if !isCleanPath(r.URL.EscapedPath()) || !acceptsGzip(r) || etagMatch(inm, `"z"`) {
			t.Fatal("wrong answer")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request, want 0", allocs)
	}
}

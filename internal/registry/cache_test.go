package registry_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vetted/internal/registry"
	"vetted/internal/upstream"
)

// failing wraps the fake upstream: while down is set it answers every request 503, and
// it counts the requests it refuses.
type failing struct {
	down    atomic.Bool
	refused atomic.Int64
}

func (f *failing) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() {
			f.refused.Add(1)
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TestPageTTLRevalidationAndStaleness walks a project page through its life with a
// settable clock: served from memory within the TTL, revalidated with a conditional
// request after it, refreshed when upstream changes, served stale (with a warning, and
// without asking upstream again for a while) when upstream fails, and served from the
// catalog after a restart with upstream down.
func TestPageTTLRevalidationAndStaleness(t *testing.T) {
	const ttl = 10 * time.Minute
	ctx := context.Background()
	f := &failing{}
	e := newEnv(t, fixture(), options{ttl: ttl, wrap: f.wrap})
	pageReqs := func() int { return e.ix.Requests("/simple/alpha/") }

	type step struct {
		name        string
		before      func()
		advance     time.Duration
		wantFetches int  // upstream page requests so far
		wantRefused int  // refused requests so far
		wantStale   bool // a Warning is expected
		wantFile    string
	}
	steps := []step{
		{name: "first request fetches", wantFetches: 1},
		{name: "within the TTL, no request", advance: ttl - time.Second, wantFetches: 1},
		{name: "after the TTL, a conditional request", advance: 2 * time.Second, wantFetches: 2},
		{name: "revalidated: no request", advance: ttl / 2, wantFetches: 2},
		{name: "a new release is seen after the TTL", before: func() { e.ix.AddWheel(project("alpha", "1.5")) }, advance: ttl, wantFetches: 3, wantFile: "alpha-1.5-py3-none-any.whl"},
		{name: "upstream fails: stale with a warning", before: func() { f.down.Store(true) }, advance: ttl, wantFetches: 3, wantRefused: 1, wantStale: true},
		{name: "stale again without asking upstream", advance: 10 * time.Second, wantFetches: 3, wantRefused: 1, wantStale: true},
		{name: "upstream asked again later", advance: 31 * time.Second, wantFetches: 3, wantRefused: 2, wantStale: true},
		{name: "upstream back", before: func() { f.down.Store(false) }, advance: 31 * time.Second, wantFetches: 4, wantRefused: 2},
	}
	var lastETag string
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		e.clock.Advance(s.advance)
		p, err := e.svc.ProjectPage(ctx, "open", "alpha", registry.FormatJSON)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := pageReqs(); got != s.wantFetches {
			t.Errorf("%s: upstream page requests %d, want %d", s.name, got, s.wantFetches)
		}
		if got := f.refused.Load(); got != int64(s.wantRefused) {
			t.Errorf("%s: refused upstream requests %d, want %d", s.name, got, s.wantRefused)
		}
		if stale := p.Warning != ""; stale != s.wantStale {
			t.Errorf("%s: Warning %q", s.name, p.Warning)
		}
		if s.wantStale && (!strings.Contains(p.Warning, "stale") || !strings.Contains(p.Warning, "503")) {
			t.Errorf("%s: the warning does not say why: %q", s.name, p.Warning)
		}
		if s.wantFile != "" {
			if !bytes.Contains(p.Body, []byte(s.wantFile)) {
				t.Errorf("%s: the page lacks %s", s.name, s.wantFile)
			}
			if p.ETag == lastETag {
				t.Errorf("%s: the page changed but not its ETag", s.name)
			}
		}
		lastETag = p.ETag
	}

	// Cache a file, then restart on the same data directory with upstream down.
	want := project("alpha", "1.0").Wheel()
	if got, err := e.file("gov", "alpha", "alpha-1.0-py3-none-any.whl"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("file: %v", err)
	}
	if _, err := e.svc.ProjectPage(ctx, "gov", "alpha", registry.FormatHTML); err != nil {
		t.Fatal(err)
	}
	e.cat.Close()
	down := &failing{}
	down.down.Store(true)
	e2 := newEnv(t, fixture(), options{ttl: ttl, wrap: down.wrap, dir: e.dir})
	e2.clock.Advance(time.Hour) // past the TTL: upstream is asked, and fails
	p, err := e2.svc.ProjectPage(ctx, "gov", "alpha", registry.FormatHTML)
	if err != nil {
		t.Fatalf("cached page after a restart: %v", err)
	}
	if !strings.Contains(p.Warning, "stale") || !bytes.Contains(p.Body, []byte("alpha-1.0-py3-none-any.whl")) || bytes.Contains(p.Body, []byte("alpha-2.0")) {
		t.Errorf("cached page after a restart: warning %q\n%s", p.Warning, p.Body)
	}
	if got, err := e2.file("gov", "alpha", "alpha-1.0-py3-none-any.whl"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("cached file after a restart: %v", err)
	}
	if down.refused.Load() == 0 {
		t.Errorf("upstream was not asked after the TTL")
	}
	// Never cached: the upstream's answer, naming it.
	_, err = e2.svc.ProjectPage(ctx, "gov", "beta", registry.FormatHTML)
	var ue *upstream.Error
	if !errors.As(err, &ue) || ue.Status != http.StatusServiceUnavailable || !strings.Contains(err.Error(), e2.up.URL+"/simple/beta/") {
		t.Errorf("uncached page with upstream down: %T %v", err, err)
	}
}

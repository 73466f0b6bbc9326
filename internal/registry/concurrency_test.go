package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"vetted/internal/registry"
)

// TestConcurrentRequestsShareUpstreamFetches: many callers asking at once for a page, a
// file and its metadata, in two repositories, cost one upstream request per repository
// and resource, and every caller gets the right bytes.
func TestConcurrentRequestsShareUpstreamFetches(t *testing.T) {
	ix := fixture()
	ix.Delay = 50 * time.Millisecond // keeps each fetch in flight while the others arrive
	e := newEnv(t, ix, options{ttl: time.Hour})
	ctx := context.Background()
	wheel := project("alpha", "1.1").Wheel()
	meta := project("alpha", "1.1").Metadata()
	extracted := project("nometa", "1.0").Metadata()

	type call struct {
		name string
		do   func(repo string) error
	}
	expect := func(got []byte, err error, want []byte) error {
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("got %d bytes, want %d", len(got), len(want))
		}
		return nil
	}
	calls := []call{
		{"page JSON", func(repo string) error {
			p, err := e.svc.ProjectPage(ctx, repo, "alpha", registry.FormatJSON)
			if err == nil && !bytes.Contains(p.Body, []byte("alpha-1.1-py3-none-any.whl")) {
				err = fmt.Errorf("page without alpha 1.1")
			}
			return err
		}},
		{"page HTML", func(repo string) error {
			_, err := e.svc.ProjectPage(ctx, repo, "alpha", registry.FormatHTML)
			return err
		}},
		{"wheel", func(repo string) error {
			got, err := e.file(repo, "alpha", "alpha-1.1-py3-none-any.whl")
			return expect(got, err, wheel)
		}},
		{"metadata", func(repo string) error {
			got, err := e.file(repo, "alpha", "alpha-1.1-py3-none-any.whl.metadata")
			return expect(got, err, meta)
		}},
		{"extracted metadata", func(repo string) error {
			got, err := e.file(repo, "nometa", "nometa-1.0-py3-none-any.whl.metadata")
			return expect(got, err, extracted)
		}},
		{"decision", func(repo string) error {
			ex, err := e.svc.Explain(ctx, repo, "alpha", "1.1")
			if err == nil && !ex.Listed {
				err = fmt.Errorf("1.1 not listed")
			}
			return err
		}},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	start := make(chan struct{})
	for _, repo := range []string{"open", "gov"} {
		for _, c := range calls {
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if err := c.do(repo); err != nil {
						errs <- fmt.Errorf("%s in %s: %w", c.name, repo, err)
					}
				}()
			}
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// One request per repository: the repositories share no cache.
	for path, want := range map[string]int{
		"/simple/alpha/":                              2,
		"/simple/nometa/":                             2,
		"/files/alpha-1.1-py3-none-any.whl":           2,
		"/files/alpha-1.1-py3-none-any.whl.metadata":  2,
		"/files/nometa-1.0-py3-none-any.whl":          2,
		"/files/nometa-1.0-py3-none-any.whl.metadata": 0,
	} {
		if got := ix.Requests(path); got != want {
			t.Errorf("upstream %s requested %d times, want %d", path, got, want)
		}
	}
}

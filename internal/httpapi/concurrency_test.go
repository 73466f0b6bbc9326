package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConcurrentRequestsFetchOnce: 50 clients asking at once for the same uncached file,
// or the same uncached page, cost one upstream request, and all get the same right bytes.
func TestConcurrentRequestsFetchOnce(t *testing.T) {
	const clients = 50
	cases := []struct {
		name     string
		path     string // asked of vetted
		upstream string // the upstream path that must be fetched once
		accept   string
		want     func(t *testing.T, body []byte)
	}{
		{
			name:     "file",
			path:     "/pypi/gov/files/alpha/alpha-1.1-py3-none-any.whl",
			upstream: "/files/alpha-1.1-py3-none-any.whl",
			want: func(t *testing.T, body []byte) {
				if !bytes.Equal(body, wheelOf("alpha", "1.1")) {
					t.Errorf("got %d bytes (sha256 %s), want the wheel", len(body), sha(body))
				}
			},
		},
		{
			name:     "metadata extracted from the wheel",
			path:     "/pypi/open/files/nometa/nometa-1.0-py3-none-any.whl.metadata",
			upstream: "/files/nometa-1.0-py3-none-any.whl",
			want: func(t *testing.T, body []byte) {
				if !bytes.Equal(body, metadataOf("nometa", "1.0")) {
					t.Errorf("got %q, want the wheel's METADATA", body)
				}
			},
		},
		{
			name:     "project page",
			path:     "/pypi/gov/simple/alpha/",
			upstream: "/simple/alpha/",
			accept:   "application/vnd.pypi.simple.v1+json",
			want: func(t *testing.T, body []byte) {
				if !bytes.Contains(body, []byte(`"alpha-1.1-py3-none-any.whl"`)) || bytes.Contains(body, []byte("alpha-2.0")) {
					t.Errorf("wrong page:\n%s", body)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix := fixture()
			// A slow upstream keeps the first fetch in flight while the others arrive.
			ix.Delay = 100 * time.Millisecond
			in := start(t, ix, options{ttl: time.Hour})
			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				bodies = map[string]int{}
				fails  []string
				ready  = make(chan struct{})
			)
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-ready
					req, _ := http.NewRequest(http.MethodGet, in.srv.URL+tc.path, nil)
					if tc.accept != "" {
						req.Header.Set("Accept", tc.accept)
					}
					resp, err := in.client.Do(req)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						fails = append(fails, err.Error())
						return
					}
					defer resp.Body.Close()
					var b bytes.Buffer
					if _, err := b.ReadFrom(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
						fails = append(fails, resp.Status+" "+b.String())
						return
					}
					bodies[b.String()]++
				}()
			}
			close(ready)
			wg.Wait()
			if len(fails) > 0 {
				t.Fatalf("%d of %d requests failed, e.g. %s", len(fails), clients, fails[0])
			}
			if len(bodies) != 1 {
				t.Fatalf("the %d clients got %d different bodies", clients, len(bodies))
			}
			for b := range bodies {
				tc.want(t, []byte(b))
			}
			if n := in.ix.Requests(tc.upstream); n != 1 {
				t.Errorf("upstream %s was fetched %d times, want once", tc.upstream, n)
			}
			if n := in.ix.Requests("/simple/" + pathProject(tc.path) + "/"); n != 1 {
				t.Errorf("the project page was fetched %d times, want once", n)
			}
		})
	}
}

// pathProject returns the project segment of a /pypi/<repo>/{simple,files}/<project>/… path.
func pathProject(p string) string {
	return strings.Split(p, "/")[4]
}

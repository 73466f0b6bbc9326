package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	blobfs "vetted/internal/blob/fs"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/ecosystem/pypi/pypitest"
	"vetted/internal/httpapi"
	"vetted/internal/policy"
	"vetted/internal/registry"
	"vetted/internal/upstream"
)

// These tests run the real stack in-process: the SQLite catalog, the blob store on disk,
// the upstream client, the registry and the HTTP handlers, in front of the fake upstream
// index of pypitest served by httptest. Nothing of vetted is mocked.

// blockReason is the reason of the gov repository's only rule.
const blockReason = "alpha 2 breaks the models (ticket DS-1)"

// fixture is the fake upstream: alpha has 1.0, 1.1, a yanked 1.2 and 2.0 (wheels, and an
// sdist of 1.1); 2.0 requires Python ">=3.8,<4" (characters HTML must escape); beta
// depends on alpha; Gamma_Util has only an sdist; nometa is a wheel whose index offers no
// PEP 658 metadata file, so vetted extracts it from the wheel.
func fixture() *pypitest.Index {
	ix := pypitest.NewIndex()
	for _, v := range []string{"1.0", "1.1", "1.2", "2.0"} {
		ix.AddWheel(project("alpha", v))
	}
	ix.AddSdist(project("alpha", "1.1"))
	ix.Update("alpha-1.2-py3-none-any.whl", func(f *pypitest.File) { f.Yanked, f.YankedReason = true, "broken build" })
	ix.AddWheel(project("beta", "1.0"))
	ix.AddSdist(project("Gamma_Util", "0.1"))
	nometa := project("nometa", "1.0")
	ix.Add(pypitest.File{Project: "nometa", Filename: nometa.WheelFilename(), Data: nometa.Wheel()})
	return ix
}

// project returns the fixture's project of that name and version.
func project(name, version string) pypitest.Project {
	p := pypitest.Project{Name: name, Version: version}
	switch {
	case name == "alpha" && version == "2.0":
		p.RequiresPython = ">=3.8,<4"
	case name == "beta":
		p.RequiresDist = []string{"alpha>=1.0"}
	}
	return p
}

// wheelOf, sdistOf and metadataOf return the bytes the fixture serves.
func wheelOf(name, version string) []byte    { return project(name, version).Wheel() }
func sdistOf(name, version string) []byte    { return project(name, version).Sdist() }
func metadataOf(name, version string) []byte { return project(name, version).Metadata() }

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// options configure a test instance.
type options struct {
	timeout time.Duration // upstream.timeout; default 5s
	ttl     time.Duration // upstream.index_ttl; default 0 (revalidate every time)
	format  string        // the fake upstream's format: "json", "html" or "" (negotiate)
	// wrap, if set, wraps the fake upstream's handler (to serve broken pages).
	wrap func(http.Handler) http.Handler
	// folder, if set, adds a repository "local" whose upstream is this folder.
	folder string
}

// instance is vetted running in front of a fake upstream.
type instance struct {
	t      *testing.T
	ix     *pypitest.Index
	up     *httptest.Server // the fake upstream
	srv    *httptest.Server // vetted
	data   string           // vetted's data directory
	cat    *sqlite.Store
	client *http.Client // follows no redirect, never asks for gzip by itself

	errMu  sync.Mutex
	errLog bytes.Buffer // the HTTP server's own log: panics land here
}

// start runs vetted with three repositories: open (no policy), gov (alpha >=2.0
// blocked) and, with o.folder, local.
func start(t *testing.T, ix *pypitest.Index, o options) *instance {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	ix.Format = o.format
	var h http.Handler = ix
	if o.wrap != nil {
		h = o.wrap(ix)
	}
	in := &instance{t: t, ix: ix, up: httptest.NewServer(h)}
	t.Cleanup(in.up.Close)

	// The data directory has a sibling holding a secret that no request may reach.
	root := t.TempDir()
	in.data = filepath.Join(root, "data")
	if err := os.MkdirAll(in.data, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "secret.txt"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	blobs, err := blobfs.New(filepath.Join(in.data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	in.cat, err = sqlite.Open(context.Background(), filepath.Join(in.data, "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.cat.Close() })

	gov, err := policy.Compile(policy.Spec{Name: "no-alpha-2", Rules: []policy.RuleSpec{
		{Action: policy.ActionBlock, Project: "alpha", Versions: ">=2.0", Reason: blockReason},
	}}, pypi.Ecosystem{})
	if err != nil {
		t.Fatal(err)
	}
	// As internal/app wires it.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 32
	transport.ResponseHeaderTimeout = o.timeout
	t.Cleanup(transport.CloseIdleConnections)
	upc := upstream.New(&http.Client{Transport: transport}, "vetted-test", o.timeout)
	base := in.up.URL + "/simple/"
	repos := []registry.PyPIRepo{
		{Name: "open", Upstream: base, IndexTTL: o.ttl},
		{Name: "gov", Upstream: base, IndexTTL: o.ttl, Policy: gov},
	}
	if o.folder != "" {
		repos = append(repos, registry.PyPIRepo{Name: "local", Upstream: o.folder, IndexTTL: o.ttl})
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	reg := prometheus.NewRegistry()
	svc, err := registry.NewPyPI(registry.Deps{Catalog: in.cat, Blobs: blobs, Upstream: upc, Log: logger, Clock: time.Now, Metrics: registry.NewMetrics(reg)}, repos)
	if err != nil {
		t.Fatal(err)
	}
	handler := httpapi.New(svc, httpapi.Options{Log: logger, Registry: reg, Version: "test"})
	in.srv = httptest.NewUnstartedServer(handler)
	// As vetted serve runs it: cached pages leave in one writev.
	in.srv.Listener = httpapi.Listener(in.srv.Listener)
	in.srv.Config.ConnContext = httpapi.ConnContext
	in.srv.Config.ErrorLog = log.New(lockedWriter{&in.errMu, &in.errLog}, "", 0)
	in.srv.Start()
	t.Cleanup(func() {
		in.srv.Close()
		in.errMu.Lock()
		defer in.errMu.Unlock()
		if strings.Contains(in.errLog.String(), "panic") {
			t.Errorf("vetted panicked:\n%s", in.errLog.String())
		}
	})
	ct := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}
	t.Cleanup(ct.CloseIdleConnections)
	in.client = &http.Client{
		Transport:     ct,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return in
}

// secret is the content of a file next to the data directory.
const secret = "TOP-SECRET: no request may read this file"

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// response is an answer, read whole.
type response struct {
	*http.Response
	body []byte
}

func (r response) String() string {
	return fmt.Sprintf("%s %q", r.Status, truncate(string(r.body), 300))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// do sends a request to vetted; header is a list of name, value pairs.
func (in *instance) do(method, path string, header ...string) response {
	in.t.Helper()
	req, err := http.NewRequest(method, in.srv.URL+path, nil)
	if err != nil {
		in.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := in.client.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{resp, body}
}

func (in *instance) get(path string, header ...string) response {
	in.t.Helper()
	return in.do(http.MethodGet, path, header...)
}

// raw sends a request line exactly as given (no cleaning or re-escaping of the path by a
// client) over a new connection, and reads the answer.
func (in *instance) raw(method, target string) (response, error) {
	conn, err := net.Dial("tcp", in.srv.Listener.Addr().String())
	if err != nil {
		return response{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: vetted.test\r\nConnection: close\r\n\r\n", method, target); err != nil {
		return response{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return response{resp, body}, err
}

// blobFiles returns the content of every file under the blob store's sha256/ and tmp/
// directories, by path.
func (in *instance) blobFiles() (stored, temp map[string][]byte) {
	in.t.Helper()
	read := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			out[p] = b
			return err
		})
		if err != nil {
			in.t.Fatal(err)
		}
		return out
	}
	return read(filepath.Join(in.data, "blobs", "sha256")), read(filepath.Join(in.data, "blobs", "tmp"))
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: got %s, want %d", what, r, status)
	}
}

// redirectLikePyPI wraps the fake upstream so that it redirects project pages asked
// under a name that is not normalised, as pypi.org does.
func redirectLikePyPI(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/simple/"); ok && name != "" {
			name = strings.TrimSuffix(name, "/")
			if norm := pypi.NormalizeName(name); norm != name {
				http.Redirect(w, r, "/simple/"+norm+"/", http.StatusMovedPermanently)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

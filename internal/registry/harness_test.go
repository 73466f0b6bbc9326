package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	blobfs "vetted/internal/blob/fs"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/ecosystem/pypi/pypitest"
	"vetted/internal/policy"
	"vetted/internal/registry"
	"vetted/internal/upstream"
)

// The registry is tested with its real dependencies: the SQLite catalog, the blob store
// on disk, the upstream client, in front of pypitest's fake index. Only the clock is the
// test's, so that TTLs can be crossed without waiting.

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const blockReason = "alpha 2 breaks the models (ticket DS-1)"

// project returns the fixture's project of that name and version.
func project(name, version string) pypitest.Project {
	p := pypitest.Project{Name: name, Version: version}
	if name == "alpha" && version == "2.0" {
		p.RequiresPython = ">=3.8"
	}
	return p
}

// fixture: alpha 1.0, 1.1 (wheel and sdist), a yanked 1.2 and 2.0; nometa, a wheel
// whose index offers no metadata file.
func fixture() *pypitest.Index {
	ix := pypitest.NewIndex()
	for _, v := range []string{"1.0", "1.1", "1.2", "2.0"} {
		ix.AddWheel(project("alpha", v))
	}
	ix.AddSdist(project("alpha", "1.1"))
	ix.Update("alpha-1.2-py3-none-any.whl", func(f *pypitest.File) { f.Yanked, f.YankedReason = true, "broken build" })
	nometa := project("nometa", "1.0")
	ix.Add(pypitest.File{Project: "nometa", Filename: nometa.WheelFilename(), Data: nometa.Wheel()})
	return ix
}

type options struct {
	ttl     time.Duration
	timeout time.Duration
	wrap    func(http.Handler) http.Handler
	folder  string // adds the repository "local" on this folder
	dir     string // data directory to reuse (a restart); default a new one
}

// env is a registry with its stores and fake upstream.
type env struct {
	t     *testing.T
	ix    *pypitest.Index
	up    *httptest.Server
	dir   string
	cat   *sqlite.Store
	blobs *blobfs.Store
	clock *clock
	svc   *registry.PyPI
}

// newEnv builds the service with the repositories open (no policy), gov (alpha >=2.0
// blocked) and, with o.folder, local.
func newEnv(t *testing.T, ix *pypitest.Index, o options) *env {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	var h http.Handler = ix
	if o.wrap != nil {
		h = o.wrap(ix)
	}
	e := &env{t: t, ix: ix, up: httptest.NewServer(h), dir: o.dir, clock: &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}}
	t.Cleanup(e.up.Close)
	var err error
	if e.blobs, err = blobfs.New(filepath.Join(o.dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	if e.cat, err = sqlite.Open(context.Background(), filepath.Join(o.dir, "vetted.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cat.Close() })
	gov, err := policy.Compile(policy.Spec{Name: "no-alpha-2", Rules: []policy.RuleSpec{
		{Action: policy.ActionBlock, Project: "alpha", Versions: ">=2.0", Reason: blockReason},
	}}, pypi.Ecosystem{})
	if err != nil {
		t.Fatal(err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = o.timeout
	t.Cleanup(transport.CloseIdleConnections)
	base := e.up.URL + "/simple/"
	repos := []registry.PyPIRepo{
		{Name: "open", Upstream: base, IndexTTL: o.ttl},
		{Name: "gov", Upstream: base, IndexTTL: o.ttl, Policy: gov},
	}
	if o.folder != "" {
		repos = append(repos, registry.PyPIRepo{Name: "local", Upstream: o.folder, IndexTTL: o.ttl})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	e.svc, err = registry.NewPyPI(registry.Deps{
		Catalog:  e.cat,
		Blobs:    e.blobs,
		Upstream: upstream.New(&http.Client{Transport: transport}, "vetted-test", o.timeout),
		Log:      log,
		Clock:    e.clock.Now,
	}, repos)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// file fetches a file through the service and returns its bytes.
func (e *env) file(repo, project, filename string) ([]byte, error) {
	a, err := e.svc.File(context.Background(), repo, project, filename)
	if err != nil {
		return nil, err
	}
	defer a.Content.Close()
	return io.ReadAll(a.Content)
}

// blobContents returns the content of every file under the blob store, by path.
func (e *env) blobContents() map[string][]byte {
	e.t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(e.dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

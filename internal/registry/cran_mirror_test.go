package registry_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/internal/blob"
	blobfs "vetted/internal/blob/fs"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/cran"
	"vetted/internal/ecosystem/cran/crantest"
	"vetted/internal/license"
	"vetted/internal/policy"
	"vetted/internal/registry"
	"vetted/internal/upstream"
)

// cranMirrorEnv is a CRAN mirror repository "m" over a fake upstream, with its stores in
// dir (reopened by a restart).
type cranMirrorEnv struct {
	t     *testing.T
	dir   string
	blobs *blobfs.Store
	svc   *registry.CRAN
}

// newCRANMirror opens the service with the mirror m of upstreamURL (a URL or a folder)
// filtered by f (default: alpha and beta only, versions >= 1.0.0, the newest two
// allowed); policy blocks alpha >= 2.0.0, denies network-copyleft licences, then applies
// extra rules.
func newCRANMirror(t *testing.T, dir, upstreamURL string, f *registry.CRANMirror, extra ...policy.RuleSpec) *cranMirrorEnv {
	t.Helper()
	e := &cranMirrorEnv{t: t, dir: dir}
	if f == nil {
		f = &registry.CRANMirror{Names: []string{"alpha", "be*"}, Versions: ">= 1.0.0", Latest: 2}
	}
	var err error
	if e.blobs, err = blobfs.New(filepath.Join(dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	cat, err := sqlite.Open(context.Background(), filepath.Join(dir, "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	table, err := license.DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Compile(policy.Spec{Name: "r", LicenseTable: table, Rules: append([]policy.RuleSpec{
		{Action: policy.ActionBlock, Project: "alpha", Versions: ">= 2.0.0", Reason: "alpha 2 is not approved (ticket R-2)"},
		{Action: policy.ActionLicenses, LicenseDeny: []string{"network-copyleft"}},
	}, extra...)}, cran.Ecosystem{})
	if err != nil {
		t.Fatal(err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	e.svc, err = registry.NewCRAN(registry.Deps{
		Catalog:  cat,
		Blobs:    e.blobs,
		Upstream: upstream.New(&http.Client{Transport: transport}, "vetted-test", 5*time.Second),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Clock:    time.Now,
		Licenses: license.New(table),
	}, []registry.CRANRepo{{Name: "m", Upstream: upstreamURL, IndexTTL: time.Hour, Policy: pol, Mirror: f}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *cranMirrorEnv) sync() registry.SyncResult {
	e.t.Helper()
	res, err := e.svc.Sync(context.Background(), "m", nil)
	if err != nil {
		e.t.Fatalf("sync: %v", err)
	}
	return res
}

// listed returns "pkg version" of each entry of the PACKAGES the mirror serves.
func (e *cranMirrorEnv) listed() string {
	e.t.Helper()
	page, err := e.svc.Packages(context.Background(), "m", false)
	if err != nil {
		e.t.Fatalf("PACKAGES: %v", err)
	}
	es, err := cran.ParsePackages(page.Body, "PACKAGES")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, en := range es {
		out = append(out, en.Package()+" "+en.Version())
	}
	return strings.Join(out, ", ")
}

// file returns a tarball through the mirror.
func (e *cranMirrorEnv) file(filename string) ([]byte, error) {
	a, err := e.svc.File(context.Background(), "m", filename)
	if err != nil {
		return nil, err
	}
	defer a.Content.Close()
	return io.ReadAll(a.Content)
}

// TestCRANMirrorSync: a mirror syncs what its filter and the policy select (reading
// Archive/ for older versions), verifies every tarball (an MD5 mismatch stores nothing),
// fetches nothing again on the next sync, follows a new upstream release, and serves its
// snapshot with upstream down.
func TestCRANMirrorSync(t *testing.T) {
	repo := crantest.NewRepo()
	pkgs := map[string]crantest.Package{}
	add := func(p crantest.Package) {
		pkgs[p.Filename()] = p
		repo.Add(p)
	}
	for _, v := range []string{"0.9.0", "1.0.0", "1.1.0", "1.2.0", "2.0.0"} {
		p := crantest.Package{Name: "alpha", Version: v}
		if v == "1.0.0" {
			p.License = "AGPL-3" // network copyleft: denied, seen only in its DESCRIPTION
		}
		add(p)
	}
	add(crantest.Package{Name: "beta", Version: "0.9.0"})
	add(crantest.Package{Name: "beta", Version: "1.0.0", Imports: []string{"alpha"}})
	add(crantest.Package{Name: "gamma", Version: "1.0.0"}) // not selected by name
	up := httptest.NewServer(repo)
	defer up.Close()
	e := newCRANMirror(t, t.TempDir(), up.URL, nil)

	// Before the first sync the mirror serves nothing, and never asks upstream.
	if got := e.listed(); got != "" {
		t.Fatalf("PACKAGES before any sync: %q", got)
	}
	if _, err := e.file("alpha_1.2.0.tar.gz"); !errors.Is(err, registry.ErrNotFound) || !strings.Contains(err.Error(), "mirror sync m") {
		t.Fatalf("a tarball before any sync: %v", err)
	}
	if n := repo.Requests("/src/contrib/PACKAGES"); n != 0 {
		t.Fatalf("serving asked upstream for PACKAGES %d times", n)
	}

	// First sync, with beta 1.0.0 corrupt upstream: its MD5 does not match PACKAGES.
	repo.Corrupt("beta_1.0.0.tar.gz", true)
	res := e.sync()
	// alpha: 2.0.0 blocked, 1.2.0 and 1.1.0 are the newest two allowed. beta: 1.0.0 fails
	// verification, 0.9.0 is below the versions filter.
	if res.Records != 3 || res.Fetched != 2 || res.Present != 0 || res.Failed != 1 {
		t.Fatalf("first sync: %+v", res)
	}
	var ve *registry.VerifyError
	if !errors.As(res.FirstError, &ve) || ve.Algo != "md5" {
		t.Fatalf("first sync's error: %v", res.FirstError)
	}
	if got := e.listed(); got != "alpha 1.2.0" {
		t.Fatalf("PACKAGES after the first sync: %q", got)
	}
	corrupt := get(t, up.URL+"/src/contrib/beta_1.0.0.tar.gz")
	if _, err := e.blobs.Stat(context.Background(), sha(corrupt)); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("the corrupt tarball was stored: %v", err)
	}
	if _, err := e.file("beta_1.0.0.tar.gz"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("a tarball that failed verification: %v", err)
	}

	// Second sync: beta is whole again. Third sync: nothing to fetch.
	repo.Corrupt("beta_1.0.0.tar.gz", false)
	if res := e.sync(); res.Records != 3 || res.Fetched != 1 || res.Present != 2 || res.Failed != 0 {
		t.Fatalf("second sync: %+v", res)
	}
	if res := e.sync(); res.Records != 3 || res.Fetched != 0 || res.Present != 3 || res.Failed != 0 {
		t.Fatalf("third sync: %+v", res)
	}
	if got := e.listed(); got != "alpha 1.2.0, beta 1.0.0" {
		t.Fatalf("PACKAGES after the second sync: %q", got)
	}
	for filename := range pkgs {
		want := 0
		switch filename {
		case "alpha_1.2.0.tar.gz", "alpha_1.1.0.tar.gz":
			want = 1
		case "beta_1.0.0.tar.gz":
			want = 3 // the corrupt one, the test's look at it, the good one
		}
		path := "/src/contrib/" + filename
		if !strings.HasPrefix(filename, "gamma") && filename != "alpha_2.0.0.tar.gz" && filename != "beta_1.0.0.tar.gz" {
			path = "/src/contrib/Archive/" + strings.Split(filename, "_")[0] + "/" + filename
		}
		if n := repo.Requests(path); n != want {
			t.Errorf("%s fetched %d times, want %d", path, n, want)
		}
	}

	// Every mirrored version is served at the top level, byte for byte; what the mirror
	// does not have is not found, and a blocked version says why.
	for _, filename := range []string{"alpha_1.1.0.tar.gz", "alpha_1.2.0.tar.gz", "beta_1.0.0.tar.gz"} {
		if b, err := e.file(filename); err != nil || sha(b) != sha(pkgs[filename].Tarball()) {
			t.Fatalf("%s: %v", filename, err)
		}
	}
	if _, err := e.file("gamma_1.0.0.tar.gz"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("a package the filter leaves out: %v", err)
	}
	var be *registry.BlockedError
	if _, err := e.file("alpha_2.0.0.tar.gz"); !errors.As(err, &be) || be.NewestAllowed != "1.2.0" || !strings.Contains(err.Error(), "R-2") {
		t.Fatalf("a blocked version: %v", err)
	}

	// A new upstream release: beta 1.1.0. beta 1.0.0 moves to Archive/ upstream and stays
	// mirrored (the newest two); the snapshot lists beta 1.1.0.
	add(crantest.Package{Name: "beta", Version: "1.1.0"})
	if res := e.sync(); res.Records != 4 || res.Fetched != 1 || res.Present != 3 || res.Failed != 0 {
		t.Fatalf("sync after a release: %+v", res)
	}
	if got := e.listed(); got != "alpha 1.2.0, beta 1.1.0" {
		t.Fatalf("PACKAGES after a release: %q", got)
	}

	// Upstream down, vetted restarted: the snapshot and every mirrored tarball are still
	// served; a sync fails and changes nothing.
	up.Close()
	e = newCRANMirror(t, e.dir, up.URL, nil)
	if got := e.listed(); got != "alpha 1.2.0, beta 1.1.0" {
		t.Fatalf("PACKAGES with upstream down: %q", got)
	}
	for _, filename := range []string{"alpha_1.1.0.tar.gz", "alpha_1.2.0.tar.gz", "beta_1.0.0.tar.gz", "beta_1.1.0.tar.gz"} {
		if b, err := e.file(filename); err != nil || sha(b) != sha(pkgs[filename].Tarball()) {
			t.Fatalf("%s with upstream down: %v", filename, err)
		}
	}
	if _, err := e.svc.Sync(context.Background(), "m", nil); err == nil {
		t.Fatal("a sync with upstream down succeeded")
	}
	if got := e.listed(); got != "alpha 1.2.0, beta 1.1.0" {
		t.Fatalf("PACKAGES after a failed sync: %q", got)
	}
}

// TestCRANMirrorEveryVersion: latest 0 mirrors every allowed version, from a local
// folder upstream, reading each archived version's DESCRIPTION (alpha 1.0.0's licence is
// denied: fetched, but not mirrored); when policy later blocks the newest mirrored
// version, PACKAGES lists the one before it without a sync.
func TestCRANMirrorEveryVersion(t *testing.T) {
	repo := crantest.NewRepo()
	for _, v := range []string{"0.9.0", "1.0.0", "1.1.0", "1.2.0", "2.0.0"} {
		p := crantest.Package{Name: "alpha", Version: v}
		if v == "1.0.0" {
			p.License = "AGPL-3"
		}
		repo.Add(p)
	}
	repo.Add(crantest.Package{Name: "beta", Version: "1.0.0", Imports: []string{"alpha"}})
	folder := t.TempDir()
	if err := repo.WriteFolder(folder); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &registry.CRANMirror{Versions: ">= 1.0.0"}
	e := newCRANMirror(t, dir, folder, f)
	if res := e.sync(); res.Records != 3 || res.Fetched != 3 || res.Failed != 0 {
		t.Fatalf("sync: %+v", res)
	}
	if got := e.listed(); got != "alpha 1.2.0, beta 1.0.0" {
		t.Fatalf("PACKAGES: %q", got)
	}
	if _, err := e.file("alpha_1.0.0.tar.gz"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("a version whose licence is denied: %v", err)
	}
	e = newCRANMirror(t, dir, folder, f, policy.RuleSpec{Action: policy.ActionBlock, Project: "alpha", Versions: ">= 1.2.0"})
	if got := e.listed(); got != "alpha 1.1.0, beta 1.0.0" {
		t.Fatalf("PACKAGES with alpha 1.2.0 blocked: %q", got)
	}
	if b, err := e.file("alpha_1.1.0.tar.gz"); err != nil || len(b) == 0 {
		t.Fatalf("alpha 1.1.0: %v", err)
	}
}

// TestCRANMirrorFilterErrors: a bad filter is refused, saying what is wrong.
func TestCRANMirrorFilterErrors(t *testing.T) {
	for _, c := range []struct {
		f    registry.CRANMirror
		want string
	}{
		{registry.CRANMirror{Versions: "~> 1.0"}, "mirror versions"},
		{registry.CRANMirror{Names: []string{"[a"}}, "not a valid glob"},
		{registry.CRANMirror{Latest: -1}, "must not be negative"},
	} {
		if err := c.f.Compile(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

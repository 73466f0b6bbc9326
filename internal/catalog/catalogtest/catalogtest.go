package catalogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vetted/internal/catalog"
)

// Run runs the conformance suite against the Store implementation made by newStore,
// which must return a new, empty store for each call and arrange for it to be closed
// with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) catalog.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s catalog.Store)
	}{
		{"PageRoundTrip", testPageRoundTrip},
		{"PageProjectListKey", testPageProjectListKey},
		{"PageReplace", testPageReplace},
		{"PageTouch", testPageTouch},
		{"PageTouchMissing", testPageTouchMissing},
		{"PageNotFound", testPageNotFound},
		{"PagesSeparateByRepo", testPagesSeparateByRepo},
		{"PageEmptyBody", testPageEmptyBody},
		{"PageLargeBody", testPageLargeBody},
		{"PageZeroFetchedAt", testPageZeroFetchedAt},
		{"ListPageKeys", testListPageKeys},
		{"PutPagesAndDelete", testPutPagesAndDelete},
		{"PutPagesAllOrNothing", testPutPagesAllOrNothing},
		{"FileRoundTrip", testFileRoundTrip},
		{"FileReplace", testFileReplace},
		{"FileNotFound", testFileNotFound},
		{"ListFilesOrderedAndFiltered", testListFiles},
		{"ListFilesEmpty", testListFilesEmpty},
		{"ConcurrentWrites", testConcurrentWrites},
		{"CancelledContext", testCancelledContext},
		{"Ping", testPing},
		{"ExceptionUses", testExceptionUses},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// when is a time with nanoseconds, outside UTC, to show that times round-trip exactly.
var when = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("IST", 5*3600+1800))

func testPageRoundTrip(t *testing.T, s catalog.Store) {
	want := catalog.Page{
		Repo:         "pypi-proxy",
		Key:          "requests",
		Body:         []byte("{\"name\":\"requests\"}\x00\xff binary-safe"),
		ETag:         `W/"5f3c-2a"`,
		LastModified: "Sat, 14 Mar 2026 09:39:26 GMT",
		FetchedAt:    when,
	}
	mustPutPage(t, s, want)
	wantPage(t, s, want)
}

func testPageProjectListKey(t *testing.T, s catalog.Store) {
	list := catalog.Page{Repo: "pypi", Key: "", Body: []byte("all projects"), FetchedAt: when}
	project := catalog.Page{Repo: "pypi", Key: "numpy", Body: []byte("numpy"), FetchedAt: when}
	mustPutPage(t, s, list)
	mustPutPage(t, s, project)
	wantPage(t, s, list)
	wantPage(t, s, project)
}

func testPageReplace(t *testing.T, s catalog.Store) {
	old := catalog.Page{Repo: "r", Key: "k", Body: []byte("old"), ETag: `"1"`, LastModified: "yesterday", FetchedAt: when}
	mustPutPage(t, s, old)
	replacement := catalog.Page{Repo: "r", Key: "k", Body: []byte("new body, longer"), FetchedAt: when.Add(time.Hour)}
	mustPutPage(t, s, replacement)
	wantPage(t, s, replacement) // validators cleared, not kept from the old page
}

func testPageTouch(t *testing.T, s catalog.Store) {
	p := catalog.Page{Repo: "r", Key: "k", Body: []byte("body"), ETag: `"abc"`, LastModified: "lm", FetchedAt: when}
	mustPutPage(t, s, p)
	later := when.Add(90*time.Minute + 7*time.Nanosecond)
	if err := s.TouchPage(t.Context(), "r", "k", later); err != nil {
		t.Fatalf("TouchPage: %v", err)
	}
	p.FetchedAt = later
	wantPage(t, s, p)
}

func testPageTouchMissing(t *testing.T, s catalog.Store) {
	mustPutPage(t, s, catalog.Page{Repo: "r", Key: "present", Body: []byte("x"), FetchedAt: when})
	for _, tc := range []struct{ repo, key string }{{"r", "absent"}, {"other", "present"}, {"r", ""}} {
		err := s.TouchPage(t.Context(), tc.repo, tc.key, when)
		if !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("TouchPage(%q, %q) of a missing page = %v, want catalog.ErrNotFound", tc.repo, tc.key, err)
		}
		if _, err := s.GetPage(t.Context(), tc.repo, tc.key); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("GetPage(%q, %q) after touching a missing page = %v, want catalog.ErrNotFound", tc.repo, tc.key, err)
		}
	}
}

func testPageNotFound(t *testing.T, s catalog.Store) {
	if _, err := s.GetPage(t.Context(), "r", "nothing"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("GetPage of a missing page = %v, want catalog.ErrNotFound", err)
	}
}

func testPagesSeparateByRepo(t *testing.T, s catalog.Store) {
	a := catalog.Page{Repo: "a", Key: "same", Body: []byte("in a"), FetchedAt: when}
	b := catalog.Page{Repo: "b", Key: "same", Body: []byte("in b"), FetchedAt: when.Add(time.Second)}
	mustPutPage(t, s, a)
	mustPutPage(t, s, b)
	wantPage(t, s, a)
	wantPage(t, s, b)
}

func testPageEmptyBody(t *testing.T, s catalog.Store) {
	for _, body := range [][]byte{nil, {}} {
		p := catalog.Page{Repo: "r", Key: fmt.Sprintf("empty-%v", body == nil), Body: body, FetchedAt: when}
		mustPutPage(t, s, p)
		wantPage(t, s, p)
	}
}

func testPageLargeBody(t *testing.T, s catalog.Store) {
	body := make([]byte, 2<<20)
	rand.NewChaCha8([32]byte{1}).Read(body)
	p := catalog.Page{Repo: "conda-forge", Key: "linux-64", Body: body, ETag: `"big"`, FetchedAt: when}
	mustPutPage(t, s, p)
	wantPage(t, s, p)
}

func testPageZeroFetchedAt(t *testing.T, s catalog.Store) {
	p := catalog.Page{Repo: "r", Key: "never-confirmed", Body: []byte("x")}
	mustPutPage(t, s, p)
	wantPage(t, s, p)
}

func sampleFile(repo, project, filename string) catalog.File {
	return catalog.File{
		Repo:           repo,
		Project:        project,
		Version:        "2.32.3",
		Filename:       filename,
		SHA256:         "70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6",
		Size:           64928,
		UpstreamURL:    "https://files.pythonhosted.org/packages/f9/9b/" + filename,
		FetchedAt:      when,
		MetadataSHA256: "a1c3b7a4e3e1e1e0e9d6f0e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6978899aa",
	}
}

func testFileRoundTrip(t *testing.T, s catalog.Store) {
	want := sampleFile("pypi-proxy", "requests", "requests-2.32.3-py3-none-any.whl")
	mustPutFile(t, s, want)
	wantFile(t, s, want)

	noMetadata := sampleFile("pypi-proxy", "requests", "requests-2.32.3.tar.gz")
	noMetadata.MetadataSHA256 = ""
	noMetadata.FetchedAt = time.Time{}
	mustPutFile(t, s, noMetadata)
	wantFile(t, s, noMetadata)
}

func testFileReplace(t *testing.T, s catalog.Store) {
	f := sampleFile("r", "requests", "requests-2.32.3.tar.gz")
	mustPutFile(t, s, f)
	f.SHA256 = "0000000000000000000000000000000000000000000000000000000000000001"
	f.Size = 1
	f.UpstreamURL = "https://mirror.example/requests-2.32.3.tar.gz"
	f.FetchedAt = when.Add(24 * time.Hour)
	f.MetadataSHA256 = ""
	mustPutFile(t, s, f)
	wantFile(t, s, f)
	files, err := s.ListFiles(t.Context(), "r", "requests")
	if err != nil {
		t.Fatalf("ListFiles: %v", err)
	}
	if len(files) != 1 {
		t.Errorf("ListFiles after replacing a file gives %d files, want 1", len(files))
	}
}

func testFileNotFound(t *testing.T, s catalog.Store) {
	mustPutFile(t, s, sampleFile("r", "p", "p-1.0.tar.gz"))
	for _, tc := range []struct{ repo, filename string }{{"r", "p-2.0.tar.gz"}, {"other", "p-1.0.tar.gz"}} {
		if _, err := s.GetFile(t.Context(), tc.repo, tc.filename); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("GetFile(%q, %q) = %v, want catalog.ErrNotFound", tc.repo, tc.filename, err)
		}
	}
}

func testListFiles(t *testing.T, s catalog.Store) {
	want := []string{
		"Numpy-1.0.tar.gz", // byte order: upper case first
		"numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl",
		"numpy-1.26.4.tar.gz",
		"numpy-2.0.0-cp312-cp312-win_amd64.whl",
		"numpy-2.0.0.tar.gz",
	}
	shuffled := slices.Clone(want)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})
	for _, name := range shuffled {
		mustPutFile(t, s, sampleFile("pypi", "numpy", name))
	}
	// Neighbours that must not be listed.
	mustPutFile(t, s, sampleFile("other-repo", "numpy", "numpy-0.9.tar.gz"))
	mustPutFile(t, s, sampleFile("pypi", "numpy-stubs", "numpy_stubs-1.0.tar.gz"))
	mustPutFile(t, s, sampleFile("pypi", "scipy", "numpy-shadow-1.0.tar.gz"))

	files, err := s.ListFiles(t.Context(), "pypi", "numpy")
	if err != nil {
		t.Fatalf("ListFiles: %v", err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Filename)
		if want := sampleFile("pypi", "numpy", f.Filename); !fileEqual(f, want) {
			t.Errorf("ListFiles row %+v, want %+v", f, want)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListFiles filenames = %q, want %q", got, want)
	}
}

func testListFilesEmpty(t *testing.T, s catalog.Store) {
	mustPutFile(t, s, sampleFile("r", "present", "present-1.0.tar.gz"))
	files, err := s.ListFiles(t.Context(), "r", "absent")
	if err != nil {
		t.Errorf("ListFiles of a project without files = %v, want no error", err)
	}
	if len(files) != 0 {
		t.Errorf("ListFiles of a project without files gives %d files", len(files))
	}
}

func testConcurrentWrites(t *testing.T, s catalog.Store) {
	const (
		goroutines = 16
		perG       = 25
	)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			ctx := t.Context()
			for i := range perG {
				key := fmt.Sprintf("g%02d-p%02d", g, i)
				p := catalog.Page{Repo: "r", Key: key, Body: []byte(key), FetchedAt: when}
				if err := s.PutPage(ctx, p); err != nil {
					t.Errorf("PutPage %s: %v", key, err)
					return
				}
				if err := s.TouchPage(ctx, "r", key, when.Add(time.Duration(g))); err != nil {
					t.Errorf("TouchPage %s: %v", key, err)
					return
				}
				// Everyone also writes the same rows, and reads them back.
				shared := catalog.Page{Repo: "r", Key: "shared", Body: []byte(key), FetchedAt: when}
				if err := s.PutPage(ctx, shared); err != nil {
					t.Errorf("PutPage shared: %v", err)
					return
				}
				if _, err := s.GetPage(ctx, "r", "shared"); err != nil {
					t.Errorf("GetPage shared: %v", err)
					return
				}
				f := sampleFile("r", fmt.Sprintf("project-%02d", g), key+".tar.gz")
				if err := s.PutFile(ctx, f); err != nil {
					t.Errorf("PutFile %s: %v", f.Filename, err)
					return
				}
				if _, err := s.ListFiles(ctx, "r", f.Project); err != nil {
					t.Errorf("ListFiles %s: %v", f.Project, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for g := range goroutines {
		for i := range perG {
			key := fmt.Sprintf("g%02d-p%02d", g, i)
			wantPage(t, s, catalog.Page{Repo: "r", Key: key, Body: []byte(key), FetchedAt: when.Add(time.Duration(g))})
		}
		files, err := s.ListFiles(t.Context(), "r", fmt.Sprintf("project-%02d", g))
		if err != nil {
			t.Fatalf("ListFiles: %v", err)
		}
		if len(files) != perG {
			t.Errorf("project-%02d has %d files, want %d", g, len(files), perG)
		}
	}
}

func testCancelledContext(t *testing.T, s catalog.Store) {
	mustPutPage(t, s, catalog.Page{Repo: "r", Key: "k", Body: []byte("x"), FetchedAt: when})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.GetPage(ctx, "r", "k"); err == nil {
		t.Errorf("GetPage with a cancelled context succeeded")
	}
	p := catalog.Page{Repo: "r", Key: "cancelled", Body: []byte("x"), FetchedAt: when}
	if err := s.PutPage(ctx, p); err == nil {
		t.Errorf("PutPage with a cancelled context succeeded")
	}
	if _, err := s.GetPage(t.Context(), "r", "cancelled"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("GetPage of a page put with a cancelled context = %v, want catalog.ErrNotFound", err)
	}
}

func testPing(t *testing.T, s catalog.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func mustPutPage(t *testing.T, s catalog.Store, p catalog.Page) {
	t.Helper()
	if err := s.PutPage(t.Context(), p); err != nil {
		t.Fatalf("PutPage(%s/%s): %v", p.Repo, p.Key, err)
	}
}

func mustPutFile(t *testing.T, s catalog.Store, f catalog.File) {
	t.Helper()
	if err := s.PutFile(t.Context(), f); err != nil {
		t.Fatalf("PutFile(%s/%s): %v", f.Repo, f.Filename, err)
	}
}

// wantPage checks that the stored page equals want, times compared as instants.
func wantPage(t *testing.T, s catalog.Store, want catalog.Page) {
	t.Helper()
	got, err := s.GetPage(t.Context(), want.Repo, want.Key)
	if err != nil {
		t.Fatalf("GetPage(%s/%s): %v", want.Repo, want.Key, err)
	}
	if got.Repo != want.Repo || got.Key != want.Key || got.ETag != want.ETag ||
		got.LastModified != want.LastModified || !got.FetchedAt.Equal(want.FetchedAt) {
		g, w := got, want
		g.Body, w.Body = nil, nil
		t.Errorf("GetPage(%s/%s) = %+v, want %+v", want.Repo, want.Key, g, w)
	}
	if !bytes.Equal(got.Body, want.Body) {
		t.Errorf("GetPage(%s/%s) body has %d bytes, want the %d put (or they differ)", want.Repo, want.Key, len(got.Body), len(want.Body))
	}
}

// wantFile checks that the stored file record equals want.
func wantFile(t *testing.T, s catalog.Store, want catalog.File) {
	t.Helper()
	got, err := s.GetFile(t.Context(), want.Repo, want.Filename)
	if err != nil {
		t.Fatalf("GetFile(%s/%s): %v", want.Repo, want.Filename, err)
	}
	if !fileEqual(got, want) {
		t.Errorf("GetFile(%s/%s) = %+v, want %+v", want.Repo, want.Filename, got, want)
	}
}

// fileEqual compares file records, times as instants.
func fileEqual(a, b catalog.File) bool {
	if !a.FetchedAt.Equal(b.FetchedAt) {
		return false
	}
	a.FetchedAt, b.FetchedAt = time.Time{}, time.Time{}
	return a == b
}

func testListPageKeys(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	for _, p := range []catalog.Page{{Repo: "r", Key: "zeta"}, {Repo: "r", Key: ""}, {Repo: "r", Key: "alpha"}, {Repo: "other", Key: "beta"}} {
		p.Body = []byte("x")
		if err := s.PutPage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := s.ListPageKeys(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != ",alpha,zeta" {
		t.Fatalf("keys %q, want the project list key, alpha and zeta in order", keys)
	}
	if keys, err := s.ListPageKeys(ctx, "none"); err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("keys of an empty repository: %q %v (want an empty, non-nil list)", keys, err)
	}
	for _, k := range []string{"linux-64/shards/aa", "linux-64/shards/bb", "linux-64"} {
		if err := s.PutPage(ctx, catalog.Page{Repo: "r", Key: k, Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := s.ListDocumentKeys(ctx, "r"); err != nil || strings.Join(keys, ",") != ",alpha,linux-64,zeta" {
		t.Fatalf("document keys %q %v, want the project list key, alpha, linux-64 and zeta, without the shards", keys, err)
	}
	if keys, err := s.ListDocumentKeys(ctx, "none"); err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("document keys of an empty repository: %q %v (want an empty, non-nil list)", keys, err)
	}
}

func testPutPagesAndDelete(t *testing.T, s catalog.Store) {
	var ps []catalog.Page
	for i := range 50 {
		ps = append(ps, catalog.Page{Repo: "cf", Key: fmt.Sprintf("linux-64/shards/%02d", i), Body: []byte{byte(i)}, ETag: fmt.Sprint(i), FetchedAt: when})
	}
	other := catalog.Page{Repo: "other", Key: "linux-64/shards/07", Body: []byte("other repo"), FetchedAt: when}
	mustPutPage(t, s, other)
	if err := s.PutPages(t.Context(), ps); err != nil {
		t.Fatalf("PutPages: %v", err)
	}
	for _, p := range ps {
		wantPage(t, s, p)
	}
	ps[3].Body = []byte("replaced")
	if err := s.PutPages(t.Context(), ps[3:4]); err != nil {
		t.Fatalf("PutPages (replace): %v", err)
	}
	wantPage(t, s, ps[3])
	if err := s.PutPages(t.Context(), nil); err != nil {
		t.Fatalf("PutPages of nothing: %v", err)
	}
	gone := []string{ps[7].Key, ps[8].Key, "linux-64/shards/absent"}
	if err := s.DeletePages(t.Context(), "cf", gone); err != nil {
		t.Fatalf("DeletePages: %v", err)
	}
	for _, k := range gone {
		if _, err := s.GetPage(t.Context(), "cf", k); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("GetPage(cf, %q) after DeletePages = %v, want catalog.ErrNotFound", k, err)
		}
	}
	wantPage(t, s, ps[9])
	wantPage(t, s, other) // another repository's page of the same key stays
	keys, err := s.ListPageKeys(t.Context(), "cf")
	if err != nil || len(keys) != 48 {
		t.Errorf("ListPageKeys after deleting 2 of 50 = %d keys, %v", len(keys), err)
	}
}

func testPutPagesAllOrNothing(t *testing.T, s catalog.Store) {
	good := catalog.Page{Repo: "cf", Key: "a", Body: []byte("a"), FetchedAt: when}
	bad := catalog.Page{Repo: "cf", Key: "b", Body: []byte("b"), FetchedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.PutPages(t.Context(), []catalog.Page{good, bad}); err == nil {
		t.Skip("this store accepts a fetched-at time in year -1; cannot provoke a failure mid-batch")
	}
	if _, err := s.GetPage(t.Context(), "cf", "a"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("after a failed PutPages, its first page is stored (err %v); want nothing stored", err)
	}
}

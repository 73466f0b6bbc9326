package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/catalog/catalogtest"
	"vetted/internal/catalog/sqlite"
)

func TestConformance(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) catalog.Store {
		return open(t, filepath.Join(t.TempDir(), "catalog.db"))
	})
}

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// utc is a UTC time with nanoseconds: what GetPage returns must be == to it.
var utc = time.Date(2026, 7, 1, 12, 30, 45, 123456789, time.UTC)

func TestPersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	s := open(t, path)
	page := catalog.Page{Repo: "pypi", Key: "requests", Body: []byte("body"), ETag: `"e"`, LastModified: "lm", FetchedAt: utc}
	file := catalog.File{Repo: "pypi", Project: "requests", Version: "1.0", Filename: "requests-1.0.tar.gz",
		SHA256: strings.Repeat("ab", 32), Size: 42, UpstreamURL: "https://example.org/r.tar.gz", FetchedAt: utc}
	if err := s.PutPage(t.Context(), page); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFile(t.Context(), file); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, path) // migrations run again: nothing to do
	gotPage, err := s.GetPage(t.Context(), "pypi", "requests")
	if err != nil {
		t.Fatalf("GetPage after reopen: %v", err)
	}
	if string(gotPage.Body) != "body" {
		t.Errorf("body after reopen = %q", gotPage.Body)
	}
	gotPage.Body, page.Body = nil, nil
	if !reflect.DeepEqual(gotPage, page) {
		t.Errorf("GetPage after reopen = %+v, want exactly %+v", gotPage, page)
	}
	gotFile, err := s.GetFile(t.Context(), "pypi", "requests-1.0.tar.gz")
	if err != nil {
		t.Fatalf("GetFile after reopen: %v", err)
	}
	if gotFile != file {
		t.Errorf("GetFile after reopen = %+v, want exactly %+v", gotFile, file)
	}
}

// TestTimesRoundTripExactly checks that times come back as UTC with every nanosecond,
// equal with ==, whatever zone they were stored in.
func TestTimesRoundTripExactly(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"utc", utc, utc},
		{"other zone", utc.In(time.FixedZone("X", -7*3600)), utc},
		{"monotonic clock reading", time.Now(), time.Now()}, // want fixed below
		{"zero", time.Time{}, time.Time{}},
		{"earliest", time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"latest", time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC), time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		if tc.name == "monotonic clock reading" {
			tc.want = tc.in.Round(0).UTC()
		}
		if err := s.PutPage(t.Context(), catalog.Page{Repo: "r", Key: tc.name, FetchedAt: tc.in}); err != nil {
			t.Fatalf("%s: PutPage: %v", tc.name, err)
		}
		got, err := s.GetPage(t.Context(), "r", tc.name)
		if err != nil {
			t.Fatalf("%s: GetPage: %v", tc.name, err)
		}
		if got.FetchedAt != tc.want {
			t.Errorf("%s: FetchedAt = %#v, want %#v", tc.name, got.FetchedAt, tc.want)
		}
	}
}

func TestTimeOutOfRange(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	for _, when := range []time.Time{
		time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		err := s.PutPage(t.Context(), catalog.Page{Repo: "r", Key: "k", FetchedAt: when})
		if err == nil || !strings.Contains(err.Error(), "outside the years") {
			t.Errorf("PutPage at %v = %v, want an out-of-range error", when, err)
		}
		if err := s.PutFile(t.Context(), catalog.File{Repo: "r", Filename: "f", FetchedAt: when}); err == nil {
			t.Errorf("PutFile at %v succeeded, want an out-of-range error", when)
		}
	}
}

func TestErrorsSayWhat(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	_, err := s.GetPage(t.Context(), "pypi", "nope")
	if !errors.Is(err, catalog.ErrNotFound) || !strings.Contains(err.Error(), "get page pypi/nope") {
		t.Errorf("GetPage error = %q, want catalog.ErrNotFound naming the page", err)
	}
	_, err = s.GetFile(t.Context(), "pypi", "x.whl")
	if !errors.Is(err, catalog.ErrNotFound) || !strings.Contains(err.Error(), "get file pypi/x.whl") {
		t.Errorf("GetFile error = %q, want catalog.ErrNotFound naming the file", err)
	}
}

// TestPathNeedsEscaping opens a database whose path holds the characters that mean
// something in an SQLite URI.
func TestPathNeedsEscaping(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir #1 ?x=y %41")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cat?alog#.db")
	s := open(t, path)
	if err := s.PutPage(t.Context(), catalog.Page{Repo: "r", Key: "k", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %q: %v", path, err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{"empty", "", "want the path of a database file"},
		{"memory", ":memory:", "in-memory databases"},
		{"uri", "file:x.db?mode=memory", "URIs are not supported"},
		{"missing directory", filepath.Join(t.TempDir(), "missing", "catalog.db"), "does not exist"},
	}
	for _, tc := range tests {
		s, err := sqlite.Open(t.Context(), tc.path)
		if err == nil {
			s.Close()
			t.Errorf("%s: Open(%q) succeeded, want an error", tc.name, tc.path)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Open(%q) = %q, want it to say %q", tc.name, tc.path, err, tc.want)
		}
	}
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "catalog.db")); err == nil {
		s.Close()
		t.Errorf("Open with a cancelled context succeeded")
	}
}

// TestTwoStoresOneFile checks that two Stores (as two processes would) writing the same
// file wait for each other's lock instead of failing with SQLITE_BUSY.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	stores := []*sqlite.Store{open(t, path), open(t, path)}
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			for j := range 100 {
				p := catalog.Page{Repo: "r", Key: "shared", Body: []byte{byte(i), byte(j)}, FetchedAt: utc}
				if err := s.PutPage(t.Context(), p); err != nil {
					t.Errorf("store %d: PutPage: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestConcurrentOpenOfNewFile checks that processes starting together on a new catalog
// (say, "vetted serve" and "vetted feeds") do not fail by migrating it twice. The race
// is not certain to occur in every round; goose's own retry can make an Open take ~1s.
func TestConcurrentOpenOfNewFile(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds: goose retries a concurrently created version table after 1s")
	}
	for range 2 {
		path := filepath.Join(t.TempDir(), "catalog.db")
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				s, err := sqlite.Open(t.Context(), path)
				if err != nil {
					t.Errorf("concurrent Open: %v", err)
					return
				}
				s.Close()
			})
		}
		wg.Wait()
	}
}

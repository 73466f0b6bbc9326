package feed_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/vuln"
	"vetted/internal/vuln/feed"
	"vetted/internal/vuln/nvd"
)

func record(id, modified, introduced, fixed string) string {
	return `{"id": "` + id + `", "modified": "` + modified + `", "affected": [{"package": {"ecosystem": "PyPI", "name": "Alpha_Lib"},
	  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "` + introduced + `"}, {"fixed": "` + fixed + `"}]}]}]}`
}

func newImporter(t testing.TB) (*feed.Importer, *sqlite.Store) {
	t.Helper()
	cat, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return &feed.Importer{
		Store:   cat,
		Client:  http.DefaultClient,
		Schemes: map[string]vuln.Scheme{pypi.OSVEcosystem: vuln.SchemeOf(pypi.Ecosystem{})},
		Clock:   time.Now,
	}, cat
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportDirectoryIncrementalAndProblems(t *testing.T) {
	im, cat := newImporter(t)
	ctx := context.Background()
	dir := writeFiles(t, map[string]string{
		"a/PYSEC-1.json":  record("PYSEC-1", "2024-01-01T00:00:00Z", "0", "1.2"),
		"b/PYSEC-2.yaml":  "id: PYSEC-2\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: beta}\n  versions: ['1.0']\n",
		"bad/broken.json": `{"id": "PYSEC-3", "modified": `,
		"bad/norange.json": `{"id": "PYSEC-4", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"},
		  "ranges": [{"type": "WEIRD", "events": [{"introduced": "0"}]}]}]}`,
		".git/ignored.json": "not a record",
		"README.md":         "not a record either",
	})
	rec, err := im.Import(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Added != 2 || rec.Skipped != 2 || len(rec.Problems) != 2 {
		t.Fatalf("first import: %+v", rec)
	}
	if !strings.Contains(strings.Join(rec.Problems, "\n"), "broken.json") || !strings.Contains(strings.Join(rec.Problems, "\n"), "PYSEC-4") {
		t.Fatalf("problems do not name the file and id: %q", rec.Problems)
	}
	got, err := cat.GetAdvisory(ctx, "PYSEC-1")
	if err != nil || len(got.Packages) != 1 || got.Packages[0].Name != "alpha-lib" {
		t.Fatalf("stored PYSEC-1: %+v %v (the package name must be normalised)", got, err)
	}

	// Nothing changed: everything is skipped.
	rec, err = im.Import(ctx, dir, nil)
	if err != nil || rec.Unchanged != 2 || rec.Added+rec.Changed != 0 {
		t.Fatalf("re-import: %+v %v", rec, err)
	}
	// One record changes and one is withdrawn.
	os.WriteFile(filepath.Join(dir, "a/PYSEC-1.json"), []byte(record("PYSEC-1", "2024-02-01T00:00:00Z", "0", "1.3")), 0o644)
	os.WriteFile(filepath.Join(dir, "b/PYSEC-2.yaml"), []byte("id: PYSEC-2\nmodified: 2024-02-01T00:00:00Z\nwithdrawn: 2024-02-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: beta}\n  versions: ['1.0']\n"), 0o644)
	rec, err = im.Import(ctx, dir, nil)
	if err != nil || rec.Changed != 2 || rec.Withdrawn != 1 {
		t.Fatalf("changed import: %+v %v", rec, err)
	}
	imports, _ := cat.ListImports(ctx, 10)
	if len(imports) != 3 || imports[0].ID != rec.ID || imports[0].Source != dir {
		t.Fatalf("imports: %+v", imports)
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestImportZipAndURL(t *testing.T) {
	im, _ := newImporter(t)
	ctx := context.Background()
	data := zipOf(t, map[string]string{
		"PYSEC-1.json":        record("PYSEC-1", "2024-01-01T00:00:00Z", "0", "1.2"),
		"../../escape.json":   record("PYSEC-9", "2024-01-01T00:00:00Z", "0", "1.0"),
		"GHSA-xxxx.json":      record("GHSA-xxxx", "2024-01-01T00:00:00Z", "1.0", "2.0"),
		"not-a-record.txt":    "hello",
		"nested/PYSEC-5.yaml": "id: PYSEC-5\nmodified: 2024-01-01T00:00:00Z\n",
	})
	path := filepath.Join(t.TempDir(), "all.zip")
	os.WriteFile(path, data, 0o644)
	var calls int
	rec, err := im.Import(ctx, path, func(done, total int) { calls++ })
	if err != nil || rec.Added != 4 || calls != 4 {
		t.Fatalf("zip import: %+v %v, %d progress calls", rec, err, calls)
	}
	// Nothing is written from a zip, so the traversing name is only a label.
	if _, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(path)), "escape.json")); err == nil {
		t.Fatal("a zip member was written outside")
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/all.zip":
			w.Write(data)
		case "/one.json":
			w.Write([]byte(record("PYSEC-7", "2024-01-01T00:00:00Z", "0", "3.0")))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	rec, err = im.Import(ctx, srv.URL+"/all.zip", nil)
	if err != nil || rec.Unchanged != 4 {
		t.Fatalf("URL zip import: %+v %v", rec, err)
	}
	rec, err = im.Import(ctx, srv.URL+"/one.json", nil)
	if err != nil || rec.Added != 1 {
		t.Fatalf("URL record import: %+v %v", rec, err)
	}
	if _, err := im.Import(ctx, srv.URL+"/missing.zip", nil); err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("missing URL: %v", err)
	}
	if _, err := im.Import(ctx, "/does/not/exist", nil); err == nil || !strings.Contains(err.Error(), "give a directory") {
		t.Fatalf("missing path: %v", err)
	}
}

func TestImportInterruptedLeavesPreviousData(t *testing.T) {
	im, cat := newImporter(t)
	dir := writeFiles(t, map[string]string{"PYSEC-1.json": record("PYSEC-1", "2024-01-01T00:00:00Z", "0", "1.2")})
	if _, err := im.Import(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	dir2 := writeFiles(t, map[string]string{
		"PYSEC-1.json": record("PYSEC-1", "2024-03-01T00:00:00Z", "0", "9.9"),
		"PYSEC-2.json": record("PYSEC-2", "2024-03-01T00:00:00Z", "0", "1.0"),
	})
	ctx, cancel := context.WithCancel(context.Background())
	_, err := im.Import(ctx, dir2, func(done, total int) { cancel() })
	if err == nil {
		t.Fatal("a cancelled import succeeded")
	}
	digests, _ := cat.AdvisoryDigests(context.Background())
	if len(digests) != 1 {
		t.Fatalf("after an interrupted import the catalog has %d advisories, want the previous 1", len(digests))
	}
	a, _ := cat.GetAdvisory(context.Background(), "PYSEC-1")
	if !a.Modified.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("PYSEC-1 changed by an interrupted import: %v", a.Modified)
	}
}

// TestImportRealDatabases imports the PyPA and R advisory databases whole.
func TestImportRealDatabases(t *testing.T) {
	data := sharedData(t)
	im, _ := newImporter(t)
	for _, db := range []string{"pypa-advisory-database/vulns", "r-advisory-database"} {
		rec, err := im.Import(context.Background(), filepath.Join(data, "advisories", db), nil)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Skipped != 0 || rec.Added == 0 {
			t.Fatalf("%s: %+v", db, rec)
		}
	}
}

// BenchmarkImportPyPA: the whole PyPA database, cold (empty catalog), then again with
// nothing changed.
func BenchmarkImportPyPA(b *testing.B) {
	data := filepath.Join(sharedData(b), "advisories", "pypa-advisory-database", "vulns")
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			im, _ := newImporter(b)
			b.StartTimer()
			if _, err := im.Import(context.Background(), data, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		im, _ := newImporter(b)
		im.Import(context.Background(), data, nil)
		for b.Loop() {
			rec, err := im.Import(context.Background(), data, nil)
			if err != nil || rec.Unchanged == 0 {
				b.Fatal(err)
			}
		}
	})
}

func sharedData(tb testing.TB) string {
	dir, _ := os.Getwd()
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			break
		}
		dir = filepath.Dir(dir)
	}
	tb.Skip("../shared/data is absent (it sits beside the repository in CI)")
	return ""
}

// TestImportNVDSample imports the NVD sample: CVEs of native libraries become conda
// advisories through the CPE map; the others are kept for their scores.
func TestImportNVDSample(t *testing.T) {
	data := sharedData(t)
	im, cat := newImporter(t)
	m, err := nvd.DefaultCPEMap()
	if err != nil {
		t.Fatal(err)
	}
	im.CPEMap = m
	rec, err := im.Import(context.Background(), filepath.Join(data, "advisories", "nvd-sample", "records"), nil)
	if err != nil || rec.Skipped != 0 || rec.Added != 15 {
		t.Fatalf("import: %+v %v", rec, err)
	}
	a, err := cat.GetAdvisory(context.Background(), "CVE-2023-0286")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range a.Packages {
		found = found || (p.Ecosystem == "conda" && p.Name == "openssl")
	}
	if !found {
		t.Fatalf("CVE-2023-0286 is not an advisory of conda's openssl: %+v", a.Packages)
	}
}

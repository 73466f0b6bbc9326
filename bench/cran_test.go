package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"vetted/internal/app"
	"vetted/internal/config"
	"vetted/internal/ecosystem/cran/crantest"
)

// cranFixture returns the synthetic CRAN mirror folder: VETTED_BENCH_CRAN_FIXTURE (written
// there if it holds none yet, and kept), else a new one in a temp folder. Writing the
// 25,000 × 11 tarballs takes a few minutes.
func cranFixture(b *testing.B) string {
	n := 25_000
	if s := os.Getenv("VETTED_BENCH_PACKAGES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := os.Getenv("VETTED_BENCH_CRAN_FIXTURE")
	if dir == "" {
		dir = b.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "contrib", "PACKAGES")); err == nil {
		return dir
	}
	if err := (crantest.Synthetic{Packages: n, Archived: 10}).WriteFolder(dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkCRANPackages25k: the first request of PACKAGES.gz from a repository proxying
// a local folder mirror of 25,000 packages with 10 archived versions each, under the 50
// rules of cranpolicy.yaml (the policy of bench/cran.sh): read and parse upstream's
// PACKAGES, store it in the catalog, decide every package, fall back to Archive/ where
// the newest version is blocked (storing the older tarballs, reading their DESCRIPTION),
// render and compress. VETTED_BENCH_CPUPROFILE=FILE writes a CPU profile of the request.
func BenchmarkCRANPackages25k(b *testing.B) {
	fixture := cranFixture(b)
	rules, err := os.ReadFile("cranpolicy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	body := fmt.Sprintf("log: {level: error, access: false}\nupstream: {index_ttl: 1h}\nrepositories:\n  - {name: cran, ecosystem: cran, kind: proxy, upstream: %s, policy: fifty}\n%s", fixture, rules)
	if err := config.Decode([]byte(body), &cfg); err != nil {
		b.Fatal(err)
	}
	var size int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg.DataDir = filepath.Join(b.TempDir(), "data")
		a, err := app.New(context.Background(), cfg, app.Logs{Log: app.NewLogger(cfg.Log, io.Discard)}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if f := os.Getenv("VETTED_BENCH_CPUPROFILE"); f != "" {
			out, _ := os.Create(f)
			pprof.StartCPUProfile(out)
			size = getCRAN(b, a.Handler)
			pprof.StopCPUProfile()
			out.Close()
		} else {
			size = getCRAN(b, a.Handler)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/request")
		b.StopTimer()
		a.Close()
	}
	b.ReportMetric(float64(size)/(1<<10), "gz-KiB")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MiB")
}

func getCRAN(b *testing.B, h http.Handler) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/cran/cran/src/contrib/PACKAGES.gz", nil))
	if rec.Code != 200 {
		b.Fatalf("PACKAGES.gz: %d %s", rec.Code, rec.Body.String())
	}
	return rec.Body.Len()
}

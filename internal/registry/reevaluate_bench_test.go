package registry_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/policy"
	"vetted/internal/registry"
	"vetted/internal/vuln"
	"vetted/internal/vuln/feed"
)

// sharedData returns ../shared/data beside the module root, or skips.
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
	tb.Skip("../shared/data is absent (it sits beside the repository in CI); skipping the benchmark over real advisories")
	return ""
}

// BenchmarkReevaluate100k re-decides 100,000 cached releases against the whole PyPA
// advisory database under a max-cvss policy, as after a feed update that changed the
// facts of every package (the worst case): every decision is recomputed and rewritten.
func BenchmarkReevaluate100k(b *testing.B) {
	data := sharedData(b)
	ctx := context.Background()
	cat, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "vetted.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	schemes := map[string]vuln.Scheme{pypi.OSVEcosystem: vuln.SchemeOf(pypi.Ecosystem{})}
	im := &feed.Importer{Store: cat, Schemes: schemes, Clock: time.Now}
	if _, err := im.Import(ctx, filepath.Join(data, "advisories", "pypa-advisory-database", "vulns"), nil); err != nil {
		b.Fatal(err)
	}
	// The projects the database names, then synthetic ones, each with versions that
	// fall inside and outside the advisories' ranges.
	var names []string
	seen := map[string]bool{}
	cat.ScanAdvisories(ctx, func(a catalog.Advisory) error {
		for _, p := range a.Packages {
			if !seen[p.Name] {
				seen[p.Name] = true
				names = append(names, p.Name)
			}
		}
		return nil
	})
	for i := 0; len(names) < 5000; i++ {
		names = append(names, "synthetic-"+strconv.Itoa(i))
	}
	const releases = 100_000
	var ds []catalog.Decision
	for i := 0; i < releases; i++ {
		n := i % len(names)
		k := i / len(names)
		v := fmt.Sprintf("%d.%d.%d", k%4, (k/4)%20, k/80)
		ds = append(ds, catalog.Decision{Repo: "bench", Project: names[n], Version: v, Verdict: "allow", Summary: "allow", Revision: "old", DecidedAt: time.Now()})
	}
	pol, err := policy.Compile(policy.Spec{Name: "cve", Rules: []policy.RuleSpec{{Action: policy.ActionMaxCVSS, MaxCVSS: 7, Unscored: "warn"}}}, pypi.Ecosystem{})
	if err != nil {
		b.Fatal(err)
	}
	intel := registry.NewIntel(cat, schemes, time.Now)
	if _, err := intel.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	svc, err := registry.NewPyPI(registry.Deps{Catalog: cat, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: time.Now, Intel: intel},
		[]registry.PyPIRepo{{Name: "bench", Upstream: b.TempDir(), IndexTTL: time.Hour, Policy: pol}})
	if err != nil {
		b.Fatal(err)
	}
	var res registry.Reevaluation
	for b.Loop() {
		b.StopTimer()
		if err := cat.PutDecisions(ctx, ds, nil); err != nil { // back to the old verdicts
			b.Fatal(err)
		}
		b.StartTimer()
		if res, err = svc.Reevaluate(ctx, nil, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	if res.Releases != releases {
		b.Fatalf("re-evaluated %d releases, want %d", res.Releases, releases)
	}
	b.ReportMetric(float64(res.NewlyBlocked), "blocked")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
}

// peakRSS is the process's peak resident set size in bytes (VmHWM), or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

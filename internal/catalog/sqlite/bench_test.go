package sqlite_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/catalog/sqlite"
)

// advisories makes n records of about 2 KB each, as a full OSV feed holds, with one
// to three packages each; gen changes every body (and so every digest).
func advisories(n, gen int) []catalog.Advisory {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(gen)))
	recs := make([]catalog.Advisory, n)
	for i := range recs {
		body := make([]byte, 1536+rng.IntN(1024))
		for j := range body {
			body[j] = byte('a' + rng.IntN(26))
		}
		copy(body, fmt.Sprintf(`{"id":"PYSEC-%06d","gen":%d}`, i, gen))
		sum := sha256.Sum256(body)
		pkgs := make([]catalog.PackageRef, 1+rng.IntN(3))
		for j := range pkgs {
			pkgs[j] = catalog.PackageRef{Ecosystem: "PyPI", Name: fmt.Sprintf("project-%d", rng.IntN(5000))}
		}
		recs[i] = catalog.Advisory{
			ID:       fmt.Sprintf("PYSEC-%06d", i),
			Modified: utc.Add(time.Duration(i) * time.Second),
			Source:   "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
			Digest:   hex.EncodeToString(sum[:]),
			Body:     body,
			Packages: pkgs,
		}
	}
	return recs
}

// decisions makes n decisions over n/10 projects, and one event for each.
func decisions(n int, verdict string) ([]catalog.Decision, []catalog.DecisionEvent) {
	ds := make([]catalog.Decision, n)
	events := make([]catalog.DecisionEvent, n)
	for i := range ds {
		ds[i] = catalog.Decision{
			Repo:      "pypi",
			Project:   fmt.Sprintf("project-%05d", i/10),
			Version:   fmt.Sprintf("1.%d.0", i%10),
			Verdict:   verdict,
			Summary:   "PYSEC-2024-1 (CVSS 9.8) affects this version; 1.9.0 is the nearest allowed",
			Revision:  "policy 3f2a9c, facts 42",
			DecidedAt: utc,
		}
		events[i] = catalog.DecisionEvent{
			Time: utc, Repo: ds[i].Repo, Project: ds[i].Project, Version: ds[i].Version,
			To: verdict, Cause: "feed import 12", Detail: ds[i].Summary,
		}
	}
	return ds, events
}

func newBenchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkImportAdvisories imports a 20,000-record feed into an empty catalog (new),
// and over a catalog that holds every record already (replace).
func BenchmarkImportAdvisories(b *testing.B) {
	const n = 20_000
	recs := advisories(n, 1)
	imp := catalog.FeedImport{Source: recs[0].Source, StartedAt: utc, FinishedAt: utc, Added: n}
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s := newBenchStore(b)
			b.StartTimer()
			if _, err := s.ImportAdvisories(b.Context(), imp, recs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("replace", func(b *testing.B) {
		s := newBenchStore(b)
		if _, err := s.ImportAdvisories(b.Context(), imp, advisories(n, 0)); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.ImportAdvisories(b.Context(), imp, recs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// BenchmarkPutDecisions stores 100,000 decisions with an event each, into an empty
// catalog (new) and over the same releases (replace).
func BenchmarkPutDecisions(b *testing.B) {
	const n = 100_000
	ds, events := decisions(n, "block")
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s := newBenchStore(b)
			b.StartTimer()
			if err := s.PutDecisions(b.Context(), ds, events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
	b.Run("replace", func(b *testing.B) {
		s := newBenchStore(b)
		if err := s.PutDecisions(b.Context(), ds, events); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := s.PutDecisions(b.Context(), ds, events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
}

// BenchmarkScanAdvisories reads back a 20,000-record feed, as the vulnerability index
// does when it is rebuilt.
func BenchmarkScanAdvisories(b *testing.B) {
	const n = 20_000
	s := newBenchStore(b)
	if _, err := s.ImportAdvisories(b.Context(), catalog.FeedImport{Source: "feed"}, advisories(n, 1)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		seen := 0
		err := s.ScanAdvisories(b.Context(), func(a catalog.Advisory) error {
			seen += len(a.Packages)
			return nil
		})
		if err != nil || seen < n {
			b.Fatalf("ScanAdvisories: %v (%d packages)", err, seen)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

package vuln

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// realQueries returns the PyPA database and (name, version) queries drawn from it:
// every version its records name for the 40 projects with the most advisories (the
// expensive ones), plus each other project's first named version.
func realQueries(b *testing.B) ([]*Advisory, [][2]string) {
	data := sharedData(b)
	advs, failures := loadDatabase(b, filepath.Join(data, "advisories", "pypa-advisory-database", "vulns"))
	if len(failures) > 0 {
		b.Fatalf("%d records failed to parse", len(failures))
	}
	count := map[string]int{}
	named := map[string][]string{}
	for _, a := range advs {
		for _, af := range a.Affected {
			count[af.Name]++
			named[af.Name] = append(named[af.Name], af.Versions...)
			for _, r := range af.Ranges {
				if r.Type == RangeGit {
					continue
				}
				for _, e := range r.Events {
					for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected} {
						if v != "" && v != "0" {
							named[af.Name] = append(named[af.Name], v)
						}
					}
				}
			}
		}
	}
	names := make([]string, 0, len(count))
	for n := range count {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var q [][2]string
	for i, n := range names {
		vs := slices.Compact(slices.Sorted(slices.Values(named[n])))
		if len(vs) == 0 {
			vs = []string{"1.0"}
		}
		if i >= 40 {
			vs = vs[:1]
		}
		for _, v := range vs {
			q = append(q, [2]string{n, v})
		}
	}
	return advs, q
}

// BenchmarkIndexMatch: one Match of a (project, version) against the whole PyPA
// database. Target: under 20 µs per release.
func BenchmarkIndexMatch(b *testing.B) {
	advs, queries := realQueries(b)
	idx := NewIndex(advs, realSchemes())
	b.ReportAllocs()
	b.ResetTimer()
	matched := 0
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		matched += len(idx.Match("PyPI", q[0], q[1]))
	}
	b.ReportMetric(float64(len(queries)), "queries")
}

// BenchmarkAffectsScan is the baseline the index replaces: Affects over every
// advisory of the database.
func BenchmarkAffectsScan(b *testing.B) {
	advs, queries := realQueries(b)
	s := realSchemes()["PyPI"]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		for _, a := range advs {
			Affects(a, "PyPI", q[0], q[1], s.Versions, s.Normalize)
		}
	}
}

func BenchmarkNewIndex(b *testing.B) {
	advs, _ := realQueries(b)
	schemes := realSchemes()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		NewIndex(advs, schemes)
	}
}

func BenchmarkParseOSV(b *testing.B) {
	data, err := os.ReadFile("testdata/osv/pypa/werkzeug/PYSEC-2023-221.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseOSV(data, "PYSEC-2023-221.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

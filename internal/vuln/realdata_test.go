package vuln

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vetted/internal/ecosystem/cran"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/ecosystem/pypi/pep440"
)

// sharedData returns ../shared/data from the module root (the directory holding
// go.mod, found by walking up from the test's working directory), or skips the test
// when it is absent, as it is in a user's clone.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory: cannot find ../shared/data")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "advisories")); err != nil {
		t.Skipf("real advisory data not found at %s (it is in CI and next to a developer's checkout, not in a user's clone): %v", data, err)
	}
	return data
}

// loadDatabase parses every .yaml and .json record under dir.
func loadDatabase(t testing.TB, dir string) (advs []*Advisory, failures map[string]error) {
	t.Helper()
	failures = map[string]error{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if d.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		a, err := ParseOSV(b, p)
		if err != nil {
			failures[p] = err
			return nil
		}
		advs = append(advs, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return advs, failures
}

// TestParseAllPyPA parses every record of the PyPA and R advisory databases; none
// may fail. It also checks facts that hold for any snapshot of those databases.
func TestParseAllPyPA(t *testing.T) {
	data := sharedData(t)
	for _, db := range []struct {
		dir, ecosystem, prefix string
	}{
		{"advisories/pypa-advisory-database/vulns", "PyPI", "PYSEC-"},
		{"advisories/r-advisory-database/vulns", "CRAN", "RSEC-"},
	} {
		t.Run(db.ecosystem, func(t *testing.T) {
			start := time.Now()
			advs, failures := loadDatabase(t, filepath.Join(data, db.dir))
			t.Logf("%s: %d records parsed, %d failed, in %v", db.dir, len(advs), len(failures), time.Since(start).Round(time.Millisecond))
			for p, err := range failures {
				t.Errorf("%s: %v", p, err)
			}
			if len(advs) == 0 {
				t.Fatal("no records")
			}
			ids := map[string]bool{}
			var withdrawn, scored, unscored int
			for _, a := range advs {
				if ids[a.ID] {
					t.Errorf("id %s twice", a.ID)
				}
				ids[a.ID] = true
				if !strings.HasPrefix(a.ID, db.prefix) {
					t.Errorf("%s: id without the %s prefix", a.ID, db.prefix)
				}
				if a.Modified.IsZero() {
					// Present but 0001-01-01T00:00:00Z: PYSEC-2024-55 (a malicious
					// package report) has that in the 2024-10-10 snapshot. Not an
					// error: the record is still an advisory.
					t.Logf("%s: modified is the zero time 0001-01-01T00:00:00Z", a.ID)
				}
				if a.IsWithdrawn() {
					withdrawn++
				}
				for _, af := range a.Affected {
					if af.Ecosystem != db.ecosystem {
						t.Errorf("%s: ecosystem %q", a.ID, af.Ecosystem)
					}
				}
				// Every CVSS vector in these databases must parse: a vector that
				// does not is a score silently lost for a policy threshold.
				for _, s := range a.Severity {
					if strings.HasPrefix(s.Type, "CVSS_") {
						if len(a.Scores()) == 0 {
							t.Errorf("%s: severity %s %q does not parse", a.ID, s.Type, s.Score)
						}
					}
				}
				if _, ok := a.MaxScore(); ok {
					scored++
				} else {
					unscored++
				}
			}
			t.Logf("%d withdrawn, %d with a CVSS score, %d without", withdrawn, scored, unscored)
		})
	}
}

// realSchemes are the version schemes of the ecosystems in the real databases.
func realSchemes() map[string]Scheme {
	return map[string]Scheme{
		"PyPI": {Versions: pep440.Scheme{}, Normalize: pypi.NormalizeName},
		"CRAN": {Versions: cran.Scheme{}},
	}
}

// TestIndexAgreesWithAffects: over the whole PyPA database, the Index answers what
// Affects answers, for every version each record names (event bounds and explicit
// versions) and for versions just around them.
func TestIndexAgreesWithAffects(t *testing.T) {
	data := sharedData(t)
	maxProbes := 60
	if testing.Short() || raceEnabled {
		maxProbes = 12
	}
	var advs []*Advisory
	for _, db := range []string{"pypa-advisory-database", "r-advisory-database"} {
		list, failures := loadDatabase(t, filepath.Join(data, "advisories", db, "vulns"))
		if len(failures) > 0 {
			t.Fatalf("%s: %d records failed to parse", db, len(failures))
		}
		advs = append(advs, list...)
	}
	schemes := realSchemes()
	idx := NewIndex(advs, schemes)
	byPkg := map[[2]string][]*Advisory{}
	probes := map[[2]string]map[string]bool{}
	for _, a := range advs {
		for _, af := range a.Affected {
			s, ok := schemes[af.Ecosystem]
			if !ok {
				continue
			}
			k := [2]string{af.Ecosystem, s.normalize(af.Name)}
			byPkg[k] = append(byPkg[k], a)
			if probes[k] == nil {
				probes[k] = map[string]bool{"0": true, "0.0.1": true, "999999": true, "not a version": true}
			}
			for _, v := range af.Versions {
				probes[k][v] = true
			}
			for _, r := range af.Ranges {
				for _, e := range r.Events {
					for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
						if v != "" && v != "*" {
							probes[k][v] = true
							probes[k][v+".1"] = true
							if af.Ecosystem == "PyPI" {
								probes[k][v+"rc1"] = true
								probes[k][v+".dev0"] = true
							}
						}
					}
				}
			}
		}
	}
	checked := 0
	for k, vs := range probes {
		s := schemes[k[0]]
		list := slices.Sorted(maps.Keys(vs))
		if step := len(list) / maxProbes; step > 1 {
			// The largest packages (tensorflow: hundreds of records) would take
			// most of the time: keep an even sample of their versions.
			var sample []string
			for i := 0; i < len(list); i += step {
				sample = append(sample, list[i])
			}
			list = sample
		}
		for _, v := range list {
			want := map[string]bool{}
			for _, a := range byPkg[k] {
				if Affects(a, k[0], k[1], v, s.Versions, s.Normalize) {
					want[a.ID] = true
				}
			}
			got := idx.Match(k[0], k[1], v)
			if len(got) != len(want) {
				t.Errorf("%s %s %s: Index matched %v, Affects %v", k[0], k[1], v, ids(got), want)
				continue
			}
			for _, a := range got {
				if !want[a.ID] {
					t.Errorf("%s %s %s: Index matched %s, Affects did not", k[0], k[1], v, a.ID)
				}
			}
			checked++
		}
	}
	t.Logf("%d (package, version) probes agree over %d packages", checked, len(probes))
}

func ids(advs []*Advisory) []string {
	out := make([]string, len(advs))
	for i, a := range advs {
		out[i] = a.ID
	}
	return out
}

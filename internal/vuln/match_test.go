package vuln

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"vetted/internal/ecosystem/cran"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/ecosystem/pypi/pep440"
)

type matchCase struct {
	eco, name, version string
	want               []string // advisory ids, sorted
	why                string
}

// matchCases are drawn from the records in testdata/osv (see its README): real PyPA
// and R advisory database records, plus three synthetic records for shapes the real
// ones lack. Expected ids are among those records only.
var matchCases = []matchCase{
	// PYSEC-2022-42969: introduced 0, last_affected 1.11.0.
	{"PyPI", "py", "1.11.0", []string{"PYSEC-2022-42969"}, "last_affected is inclusive"},
	{"PyPI", "py", "1.11.1", nil, "above last_affected"},
	{"PyPI", "py", "1.11.0.post1", nil, "a post-release is above last_affected"},
	{"PyPI", "py", "0.0.1", []string{"PYSEC-2022-42969"}, `introduced "0": from the first version`},
	{"PyPI", "py", "0.8.0a2", []string{"PYSEC-2022-42969"}, "listed as 0.8.0-alpha2, the same PEP 440 version"},
	{"PyPI", "py", "1.12.0.dev0", nil, "a dev release of the next version is above last_affected"},
	// PYSEC-2023-73 is withdrawn: it matches nothing, though introduced 0 and listed.
	{"PyPI", "redis", "4.5.4", nil, "withdrawn advisory"},
	{"PyPI", "redis", "0.6.0", nil, "withdrawn advisory, listed version"},
	// PYSEC-2021-412: [2.6.0, 2.6.1) and [2.7.0rc0, 2.7.0), plus a GIT range (ignored).
	{"PyPI", "tensorflow", "2.6.0", []string{"PYSEC-2021-412"}, "introduced is inclusive"},
	{"PyPI", "tensorflow", "2.6.1", nil, "fixed is exclusive"},
	{"PyPI", "tensorflow", "2.6.0rc2", nil, "a pre-release of the introduced version is below it"},
	{"PyPI", "tensorflow", "2.6.5", nil, "between the two ranges"},
	{"PyPI", "tensorflow", "2.7.0rc1", []string{"PYSEC-2021-412"}, "second range, pre-release"},
	{"PyPI", "tensorflow", "2.7.0", nil, "second range's fix"},
	{"PyPI", "TensorFlow", "2.6.0", []string{"PYSEC-2021-412"}, "PEP 503 names"},
	// PYSEC-2015-8: [0, 1.7.6) and [1.8a1, 1.8b2).
	{"PyPI", "django", "1.7.5", []string{"PYSEC-2015-8"}, "first range"},
	{"PyPI", "Django", "1.4.22", []string{"PYSEC-2015-8"}, "first range, capitalised name"},
	{"PyPI", "django", "1.7.6", nil, "first fix"},
	{"PyPI", "django", "1.8a1", []string{"PYSEC-2015-8"}, "pre-release introduced bound"},
	{"PyPI", "django", "1.8b1", []string{"PYSEC-2015-8"}, "inside the pre-release range"},
	{"PyPI", "django", "1.8b2", nil, "pre-release fixed bound"},
	{"PyPI", "django", "1.8", nil, "final release after the pre-release fix"},
	// PYSEC-2020-176: [5.1, 5.2b1).
	{"PyPI", "pyyaml", "5.1", []string{"PYSEC-2020-176"}, "introduced bound"},
	{"PyPI", "PyYAML", "5.1.2", []string{"PYSEC-2020-176"}, "inside"},
	{"PyPI", "pyyaml", "5.1rc1", nil, "pre-release below the introduced bound"},
	{"PyPI", "pyyaml", "5.2b1", nil, "fixed in a beta"},
	{"PyPI", "pyyaml", "5.2", nil, "after the beta fix"},
	// PYSEC-2022-11: [1.10.0, 2.0.0b1) and [2.0.0, 2.2.0); 2.0.0rc1 is in the gap.
	{"PyPI", "apache-airflow", "1.10.15", []string{"PYSEC-2022-11"}, "first range"},
	{"PyPI", "apache-airflow", "2.0.0rc1", nil, "gap between the ranges"},
	{"PyPI", "apache_airflow", "2.1.4", []string{"PYSEC-2022-11"}, "second range, '_' in the name"},
	{"PyPI", "apache-airflow", "2.2.0", nil, "second fix"},
	// PYSEC-2022-42972 lists [0.13.0, 0.14.0rc1) before [0.12.2, 0.13.0).
	{"PyPI", "apache-iotdb", "0.12.2", []string{"PYSEC-2022-42972"}, "events out of order: sorted first"},
	{"PyPI", "apache-iotdb", "0.12.9", []string{"PYSEC-2022-42972"}, "inside the earlier range"},
	{"PyPI", "apache-iotdb", "0.13.0", []string{"PYSEC-2022-42972"}, "fixed 0.13.0 and introduced 0.13.0: adjacent ranges join"},
	{"PyPI", "apache-iotdb", "0.14.0rc1", nil, "fixed in a release candidate"},
	{"PyPI", "apache-iotdb", "0.12.1", nil, "below"},
	// PYSEC-2023-221 and the synthetic GHSA record for the same CVE.
	{"PyPI", "werkzeug", "2.3.7", []string{"GHSA-hrfv-mqp8-q5rw", "PYSEC-2023-221"}, "both records"},
	{"PyPI", "Werkzeug", "3.0.0", []string{"GHSA-hrfv-mqp8-q5rw", "PYSEC-2023-221"}, "second range of both"},
	{"PyPI", "werkzeug", "2.3.8", nil, "first fix"},
	{"PyPI", "werkzeug", "3.0.1", nil, "second fix"},
	{"PyPI", "werkzeug", "0.10", []string{"GHSA-hrfv-mqp8-q5rw", "PYSEC-2023-221"}, "listed, and in range"},
	// PYSEC-2024-1: only a versions list.
	{"PyPI", "gratient", "0.5", []string{"PYSEC-2024-1"}, "explicit versions list"},
	{"PyPI", "gratient", "0.5.0", []string{"PYSEC-2024-1"}, "listed version, equal under PEP 440"},
	{"PyPI", "gratient", "0.4", nil, "not listed"},
	// PYSEC-2024-6: GIT ranges and an ECOSYSTEM range from 0 without a fix.
	{"PyPI", "cdo-local-uuid", "0.4.0", []string{"PYSEC-2024-6"}, "listed"},
	{"PyPI", "cdo_local_uuid", "99.0", []string{"PYSEC-2024-6"}, "introduced 0, never fixed"},
	{"PyPI", "case-utils", "0.15.0", []string{"PYSEC-2024-5"}, "the record's ECOSYSTEM range has no fix"},
	{"PyPI", "cipherbcrypt", "1.0", []string{"PYSEC-2024-55"}, "malicious package report"},
	// VETTED-TEST-1 (synthetic): SEMVER, last_affected, limit, adjacent last_affected.
	{"PyPI", "example-pkg", "1.1.5", []string{"VETTED-TEST-1"}, "SEMVER range read with PEP 440"},
	{"PyPI", "example_pkg", "1.2.0", nil, "SEMVER fix"},
	{"PyPI", "example-pkg", "2.3", []string{"VETTED-TEST-1"}, "last_affected listed before introduced"},
	{"PyPI", "example-pkg", "2.3.1", nil, "above last_affected"},
	{"PyPI", "example-pkg", "0.4", []string{"VETTED-TEST-1"}, "below the limit"},
	{"PyPI", "example-pkg", "0.5", nil, "limit is exclusive"},
	{"PyPI", "example-pkg", "3.1", []string{"VETTED-TEST-1"}, "explicit versions list beside ranges"},
	{"PyPI", "example-pkg", "3.0", nil, "not in any range"},
	{"PyPI", "example-pkg", "5.2", []string{"VETTED-TEST-1"}, `range with limit "*"`},
	{"PyPI", "example-pkg", "5.5", nil, `fixed inside a range with limit "*"`},
	{"PyPI", "example-pkg", "6.7", []string{"VETTED-TEST-1"}, "last_affected 6.5 and introduced 6.5 join"},
	{"PyPI", "example-pkg", "6.9", nil, "fixed"},
	{"PyPI", "example-pkg", "0.7", nil, `only the "pypi" entry covers it: ecosystems compare case-sensitively`},
	{"PyPI", "Example.Pkg", "1.0.0", []string{"VETTED-TEST-1"}, "introduced bound, name as the record writes it"},
	// VETTED-TEST-2 (synthetic YAML): unquoted 1.10 is the version 1.10, not 1.1.
	{"PyPI", "quirky-pkg", "1.10", []string{"VETTED-TEST-2"}, "introduced 1.10"},
	{"PyPI", "quirky-pkg", "1.2", nil, "1.2 < 1.10"},
	{"PyPI", "quirky-pkg", "0.9", []string{"VETTED-TEST-2"}, "listed"},
	// R advisory database records, R version order.
	{"CRAN", "commonmark", "1.7", []string{"RSEC-2023-6", "RSEC-2023-8"}, "both ranges"},
	{"CRAN", "commonmark", "1.8", []string{"RSEC-2023-8"}, "fixed 1.8 for RSEC-2023-6"},
	{"CRAN", "commonmark", "1.9.2", nil, "fixed 1.9.2 for RSEC-2023-8"},
	{"CRAN", "commonmark", "0.1", nil, "below introduced 0.2"},
	{"CRAN", "Commonmark", "1.7", nil, "CRAN names compare exactly"},
	{"CRAN", "igraph", "0.7.1", []string{"RSEC-2023-4"}, "introduced bound"},
	{"CRAN", "igraph", "1.2.2", []string{"RSEC-2023-4"}, "1.2.2 < 1.2.2-2"},
	{"CRAN", "igraph", "1.2.2-1", []string{"RSEC-2023-4"}, "dash component"},
	{"CRAN", "igraph", "1.2.2-2", nil, "fixed"},
	{"CRAN", "igraph", "0.7.0", nil, "below"},
	{"CRAN", "png", "0.1-8", []string{"RSEC-2026-1"}, "inside [0.1-3, 0.1-9)"},
	{"CRAN", "png", "0.1-9", nil, "fixed"},
	{"CRAN", "png", "0.1-2", nil, "below"},
	{"CRAN", "widgetframe", "0.3.1", []string{"RSEC-2026-0"}, "no fix yet"},
	{"CRAN", "gdata", "2.18.0.1", []string{"RSEC-2023-9"}, "four components"},
	{"CRAN", "gdata", "3.0.0", nil, "fixed"},
	{"CRAN", "examplepkg", "1.2-9", []string{"VETTED-TEST-1"}, "1.2-9 < 1.2-10"},
	{"CRAN", "examplepkg", "1.2-10", nil, "fixed"},
	{"CRAN", "examplepkg", "1.0", nil, "1.0 < 1.0-1 (shorter prefix is smaller)"},
	// Ecosystems not indexed, or spelled differently.
	{"pypi", "django", "1.7.5", nil, "OSV ecosystem names are case-sensitive"},
	{"npm", "django", "1.7.5", nil, "other ecosystem"},
}

func testSchemes() map[string]Scheme {
	return map[string]Scheme{
		"PyPI": {Versions: pep440.Scheme{}, Normalize: pypi.NormalizeName},
		"CRAN": {Versions: cran.Scheme{}},
	}
}

func TestMatch(t *testing.T) {
	advs := loadTestdata(t)
	list := slices.Collect(maps.Values(advs))
	schemes := testSchemes()
	idx := NewIndex(list, schemes)
	if len(matchCases) < 40 {
		t.Errorf("%d cases, want at least 40", len(matchCases))
	}
	for _, tc := range matchCases {
		t.Run(tc.eco+"/"+tc.name+"@"+tc.version, func(t *testing.T) {
			// Affects, one advisory at a time.
			var got []string
			if s, ok := schemes[tc.eco]; ok {
				for _, a := range list {
					if Affects(a, tc.eco, tc.name, tc.version, s.Versions, s.Normalize) {
						got = append(got, a.ID)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Affects: %v, want %v (%s)", got, tc.want, tc.why)
			}
			// The index.
			if ids := ids(idx.Match(tc.eco, tc.name, tc.version)); !slices.Equal(ids, tc.want) && !(len(ids) == 0 && len(tc.want) == 0) {
				t.Errorf("Index.Match: %v, want %v (%s)", ids, tc.want, tc.why)
			}
		})
	}
}

func TestAffectsEdges(t *testing.T) {
	vs := pep440.Scheme{}
	a := &Advisory{ID: "X", Affected: []Affected{{Ecosystem: "PyPI", Name: "pkg", Ranges: []Range{
		{Type: RangeEcosystem, Events: []Event{{Introduced: "0"}}},
	}}}}
	if !Affects(a, "PyPI", "pkg", "not a version", vs, nil) {
		t.Error(`introduced "0" covers versions the scheme cannot read`)
	}
	if Affects(a, "PyPI", "Pkg", "1.0", vs, nil) {
		t.Error("a nil normaliser compares names exactly")
	}
	if Affects(nil, "PyPI", "pkg", "1.0", vs, nil) {
		t.Error("nil advisory")
	}
	b := &Advisory{ID: "Y", Affected: []Affected{{Ecosystem: "PyPI", Name: "pkg", Ranges: []Range{
		{Type: RangeEcosystem, Events: []Event{{Introduced: "1.0"}, {Limit: "2.0"}, {Limit: "3.0"}}},
		{Type: RangeGit, Events: []Event{{Introduced: "0"}}},
	}}}}
	for v, want := range map[string]bool{"0.9": false, "1.5": true, "2.5": true, "3.0": false} {
		if got := Affects(b, "PyPI", "pkg", v, vs, nil); got != want {
			t.Errorf("limits 2.0 and 3.0: Affects(%s) = %v, want %v (below any limit)", v, got, want)
		}
	}
}

func TestNearestUnaffected(t *testing.T) {
	advs := loadTestdata(t)
	list := slices.Collect(maps.Values(advs))
	schemes := testSchemes()
	idx := NewIndex(list, schemes)
	pypiVersions := []string{"2.2.3", "2.3.7", "2.3.8", "3.0.0", "3.0.1", "0.10", "3.0.2"}
	for _, tc := range []struct {
		eco, name, version string
		candidates         []string
		want               string
		ok                 bool
	}{
		{"PyPI", "werkzeug", "2.2.3", pypiVersions, "2.3.8", true},
		{"PyPI", "werkzeug", "2.3.8", pypiVersions, "3.0.1", true}, // 3.0.0 is affected again
		{"PyPI", "werkzeug", "3.0.2", pypiVersions, "", false},     // nothing above
		{"PyPI", "tensorflow", "2.6.0", []string{"2.7.0rc1", "2.6.1", "2.7.0", "2.6.0"}, "2.6.1", true},
		{"PyPI", "cdo-local-uuid", "0.4.0", []string{"0.5.0", "1.0"}, "", false}, // never fixed
		{"PyPI", "unknown-pkg", "1.0", []string{"0.9", "1.1", "1.0.1"}, "1.0.1", true},
		{"CRAN", "commonmark", "1.7", []string{"1.7", "1.8", "1.9.1", "1.9.2", "2.0"}, "1.9.2", true},
		{"CRAN", "igraph", "1.2.2", []string{"1.2.2-1", "1.2.2-2", "1.2.3"}, "1.2.2-2", true},
		{"npm", "x", "1.0", []string{"2.0"}, "", false},
	} {
		got, ok := idx.NearestUnaffected(tc.eco, tc.name, tc.version, tc.candidates)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Index.NearestUnaffected(%s %s %s) = %q, %v; want %q, %v", tc.eco, tc.name, tc.version, got, ok, tc.want, tc.ok)
		}
		s, known := schemes[tc.eco]
		if !known {
			continue
		}
		got, ok = NearestUnaffected(list, tc.eco, tc.name, tc.version, tc.candidates, s.Versions, s.Normalize)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NearestUnaffected(%s %s %s) = %q, %v; want %q, %v", tc.eco, tc.name, tc.version, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDedup(t *testing.T) {
	advs := loadTestdata(t)
	pysec, ghsa := advs["PYSEC-2023-221"], advs["GHSA-hrfv-mqp8-q5rw"]
	py := advs["PYSEC-2022-42969"]
	// PYSEC-2023-221 aliases GHSA-hrfv-mqp8-q5rw: one vulnerability; the GHSA
	// record's CVSS v4.0 8.7 beats the PYSEC record's CVSS v3.1 7.5.
	out := Dedup([]*Advisory{pysec, py, ghsa})
	if len(out) != 2 {
		t.Fatalf("Dedup: %v, want 2 advisories", ids(out))
	}
	if out[0].ID != "GHSA-hrfv-mqp8-q5rw" || out[1] != py {
		t.Errorf("Dedup: %v, want the GHSA record first (its group's first member came first), then PYSEC-2022-42969 unchanged", ids(out))
	}
	if want := []string{"CVE-2023-46136", "PYSEC-2023-221"}; !slices.Equal(out[0].Aliases, want) {
		t.Errorf("merged aliases = %v, want %v", out[0].Aliases, want)
	}
	if !slices.Equal(ghsa.Aliases, []string{"CVE-2023-46136"}) {
		t.Errorf("Dedup modified its input: %v", ghsa.Aliases)
	}
	// Two PYSEC records (two packages) sharing a CVE and a GHSA id, with the same
	// vector: on a tie the first in the input is kept.
	out = Dedup([]*Advisory{advs["PYSEC-2024-6"], advs["PYSEC-2024-5"]})
	if len(out) != 1 || out[0].ID != "PYSEC-2024-6" {
		t.Fatalf("Dedup: %v, want PYSEC-2024-6 (first of equal scores)", ids(out))
	}
	if want := []string{"CVE-2024-22194", "GHSA-rgrf-6mf5-m882", "PYSEC-2024-5"}; !slices.Equal(out[0].Aliases, want) {
		t.Errorf("aliases = %v, want %v", out[0].Aliases, want)
	}
	// A scored advisory wins over an unscored one, wherever it stands.
	unscored := &Advisory{ID: "U-1", Aliases: []string{"CVE-2023-46136"}}
	if out = Dedup([]*Advisory{unscored, pysec}); len(out) != 1 || out[0].ID != "PYSEC-2023-221" {
		t.Errorf("Dedup: %v, want PYSEC-2023-221", ids(out))
	}
	// Transitive: A~B through one alias, B~C through another.
	a := &Advisory{ID: "A", Aliases: []string{"CVE-1"}}
	b := &Advisory{ID: "B", Aliases: []string{"CVE-1", "CVE-2"}}
	c := &Advisory{ID: "C", Aliases: []string{"CVE-2"}}
	d := &Advisory{ID: "D"}
	out = Dedup([]*Advisory{a, d, c, b, nil})
	if len(out) != 2 || out[0].ID != "A" || out[1] != d {
		t.Fatalf("Dedup: %v, want A (merged, first) and D", ids(out))
	}
	if want := []string{"B", "C", "CVE-1", "CVE-2"}; !slices.Equal(out[0].Aliases, want) {
		t.Errorf("aliases = %v, want %v", out[0].Aliases, want)
	}
	if Dedup(nil) == nil || len(Dedup(nil)) != 0 {
		t.Error("Dedup(nil) should be empty")
	}
}

func TestIndexSkips(t *testing.T) {
	advs := loadTestdata(t)
	list := slices.Collect(maps.Values(advs))
	idx := NewIndex(list, map[string]Scheme{"CRAN": {Versions: cran.Scheme{}}})
	var cranIDs []string
	for _, a := range list {
		for _, af := range a.Affected {
			if af.Ecosystem == "CRAN" && !slices.Contains(cranIDs, a.ID) {
				cranIDs = append(cranIDs, a.ID)
			}
		}
	}
	if idx.Len() != len(cranIDs) {
		t.Errorf("Len = %d, want %d (only CRAN advisories: %s)", idx.Len(), len(cranIDs), strings.Join(cranIDs, ", "))
	}
	if got := idx.Match("PyPI", "django", "1.7.5"); got != nil {
		t.Errorf("PyPI not indexed, got %v", ids(got))
	}
}

package nvd

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vetted/internal/ecosystem/pypi/pep440"
	"vetted/internal/vuln"
)

// condaStandIn orders versions for these tests. conda's VersionOrder is not written
// yet; PEP 440 orders the plain numeric versions of these tests (3.0.7 < 3.0.8,
// 7.69.0 < 8.4.0, 4.7.0 < 4.7.1) as conda does. It does not read openssl's letter
// versions (1.1.1t), which it sorts before every valid version; conda reads them but
// orders 1.1.1t before 1.1.1 (conda/conda#9859). See TestCheckRanges.
var condaStandIn = map[string]vuln.Scheme{Ecosystem: {Versions: pep440.Scheme{}}}

func defaultMap(t testing.TB) CPEMap {
	t.Helper()
	m, err := DefaultCPEMap()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ranges renders an affected entry's ranges and versions compactly:
// "[1.0.2,1.0.2zg) [0,4.7.0] =2.11.0".
func ranges(af vuln.Affected) string {
	var parts []string
	for _, r := range af.Ranges {
		if r.Type != vuln.RangeEcosystem {
			parts = append(parts, "type "+r.Type)
		}
		var s string
		for _, e := range r.Events {
			switch {
			case e.Introduced != "":
				s += "[" + e.Introduced + ","
			case e.Fixed != "":
				s += e.Fixed + ")"
			case e.LastAffected != "":
				s += e.LastAffected + "]"
			}
		}
		if strings.HasSuffix(s, ",") {
			s += "∞)"
		}
		parts = append(parts, s)
	}
	for _, v := range af.Versions {
		parts = append(parts, "="+v)
	}
	return strings.Join(parts, " ")
}

func TestToAdvisoriesOpenSSL(t *testing.T) {
	c := parseRecordFile(t, "CVE-2023-0286")
	advs := ToAdvisories([]*CVE{c}, defaultMap(t))
	if len(advs) != 1 {
		t.Fatalf("%d advisories, want 1", len(advs))
	}
	a := advs[0]
	if a.ID != "CVE-2023-0286" || len(a.Aliases) != 0 || len(a.Upstream) != 0 {
		t.Errorf("ID %q, aliases %v, upstream %v", a.ID, a.Aliases, a.Upstream)
	}
	// The Stormshield products of the second configuration are not conda packages.
	if len(a.Affected) != 1 || a.Affected[0].Ecosystem != "conda" || a.Affected[0].Name != "openssl" {
		t.Fatalf("Affected = %+v", a.Affected)
	}
	if got := ranges(a.Affected[0]); got != "[1.0.2,1.0.2zg) [1.1.1,1.1.1t) [3.0.0,3.0.8)" {
		t.Errorf("openssl ranges = %s", got)
	}
	if !a.Published.Equal(c.Published) || !a.Modified.Equal(c.LastModified) || a.IsWithdrawn() {
		t.Errorf("times: published %v modified %v withdrawn %v", a.Published, a.Modified, a.Withdrawn)
	}
	if len(a.Severity) != 1 || a.Severity[0] != (vuln.Severity{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H"}) {
		t.Errorf("Severity = %+v", a.Severity)
	}
	if s, ok := a.MaxScore(); !ok || s.Base != 7.4 {
		t.Errorf("MaxScore = %v, %v; want BestScore's 7.4", s, ok)
	}
	if a.References[0] != "https://nvd.nist.gov/vuln/detail/CVE-2023-0286" || len(a.References) != 8 {
		t.Errorf("References = %q", a.References)
	}
	if !strings.HasPrefix(a.Summary, "There is a type confusion vulnerability relating to X.400 address processing inside an X.509 GeneralName.") ||
		len(a.Summary) > MaxSummary || !strings.HasSuffix(a.Summary, "…") || strings.Contains(a.Summary, "\n") {
		t.Errorf("Summary = %q", a.Summary)
	}
	if a.Details != c.Descriptions[0] {
		t.Errorf("Details = %q", a.Details)
	}

	// Which openssl releases are affected: the 3.0 branch before 3.0.8. The 1.0.2
	// and 1.1.1 ranges have letter versions the stand-in ordering cannot read; they
	// are checked separately (TestCheckRanges), and left out here.
	fixedUp := *a
	fixedUp.Affected = []vuln.Affected{a.Affected[0]}
	fixedUp.Affected[0].Ranges = a.Affected[0].Ranges[2:]
	idx := vuln.NewIndex([]*vuln.Advisory{&fixedUp}, condaStandIn)
	for v, want := range map[string]bool{
		"2.0.0": false, "3.0.0": true, "3.0.7": true, "3.0.8": false, "3.0.13": false, "3.1.0": false,
	} {
		if got := len(idx.Match("conda", "openssl", v)) == 1; got != want {
			t.Errorf("openssl %s affected: %v, want %v", v, got, want)
		}
	}
}

func TestToAdvisoriesCurl(t *testing.T) {
	advs := ToAdvisories([]*CVE{parseRecordFile(t, "CVE-2023-38545")}, defaultMap(t))
	if len(advs) != 1 {
		t.Fatalf("%d advisories", len(advs))
	}
	// haxx:libcurl is both conda packages' product; NetApp and Fedora are not packages.
	var names []string
	for _, af := range advs[0].Affected {
		names = append(names, af.Name+" "+ranges(af))
	}
	if got := strings.Join(names, "; "); got != "curl [7.69.0,8.4.0); libcurl [7.69.0,8.4.0)" {
		t.Errorf("affected = %s", got)
	}
	idx := vuln.NewIndex(advs, condaStandIn)
	for _, tc := range []struct {
		pkg, version string
		want         bool
	}{
		{"libcurl", "7.68.0", false}, {"libcurl", "7.69.0", true}, {"libcurl", "8.3.0", true},
		{"libcurl", "8.4.0", false}, {"libcurl", "8.10.1", false}, {"curl", "8.1.2", true},
		{"zlib", "1.2.13", false},
	} {
		if got := len(idx.Match("conda", tc.pkg, tc.version)) > 0; got != tc.want {
			t.Errorf("%s %s affected: %v, want %v", tc.pkg, tc.version, got, tc.want)
		}
	}
}

func TestToAdvisoriesEndIncluding(t *testing.T) {
	advs := ToAdvisories([]*CVE{parseRecordFile(t, "CVE-2025-8176")}, defaultMap(t))
	if len(advs) != 1 || len(advs[0].Affected) != 1 || ranges(advs[0].Affected[0]) != "[0,4.7.0]" {
		t.Fatalf("advisories = %+v", advs)
	}
	idx := vuln.NewIndex(advs, condaStandIn)
	for v, want := range map[string]bool{"3.9.7": true, "4.7.0": true, "4.7.1": false} {
		if got := len(idx.Match("conda", "libtiff", v)) == 1; got != want {
			t.Errorf("libtiff %s affected: %v, want %v", v, got, want)
		}
	}
	// NVD's v3.1 score, not the CNA's lower v4.0.
	if sev := advs[0].Severity; len(sev) != 1 || sev[0].Type != "CVSS_V3" || sev[0].Score != "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H" {
		t.Errorf("Severity = %+v", sev)
	}
}

func TestToAdvisoriesNothingToMatch(t *testing.T) {
	// Unanalysed: no configurations. Analysed, but of products no package maps to
	// (lapack, julia, Red Hat, Fedora) when openblas is taken out of the map.
	m := MergeCPEMap(defaultMap(t), CPEMap{"openblas": {}, "libopenblas": {}})
	advs := ToAdvisories([]*CVE{parseRecordFile(t, "CVE-2024-25062"), parseRecordFile(t, "CVE-2021-4048")}, m)
	if len(advs) != 0 {
		t.Fatalf("advisories: %+v", advs)
	}
	if advs := ToAdvisories([]*CVE{parseRecordFile(t, "CVE-2023-0286")}, nil); len(advs) != 0 {
		t.Fatalf("nil map: %+v", advs)
	}
}

// TestToAdvisoriesRangeKinds covers each way a CPE match becomes a range, with
// synthetic matches on one product.
func TestToAdvisoriesRangeKinds(t *testing.T) {
	crit := func(version, update string) CPE {
		return CPE{"a", "example", "libex", version, update, "*", "*", "*", "*", "*", "*"}
	}
	m := CPEMap{"libex": {{"example", "libex"}}}
	for _, tc := range []struct {
		name  string
		match CPEMatch
		want  string
		// versions the stand-in ordering says are affected, and not.
		affected, unaffected []string
	}{
		{"start including, end excluding",
			CPEMatch{Criteria: crit("*", "*"), Vulnerable: true, VersionStartIncluding: "1.2.0", VersionEndExcluding: "1.4.0"},
			"[1.2.0,1.4.0)", []string{"1.2.0", "1.3.9"}, []string{"1.1.9", "1.4.0"}},
		{"end including",
			CPEMatch{Criteria: crit("*", "*"), Vulnerable: true, VersionEndIncluding: "1.4.0"},
			"[0,1.4.0]", []string{"0.1", "1.4.0"}, []string{"1.4.1"}},
		{"start excluding: the start version is reported too (approximation)",
			CPEMatch{Criteria: crit("*", "*"), Vulnerable: true, VersionStartExcluding: "1.2.0", VersionEndExcluding: "1.4.0"},
			"[1.2.0,1.4.0)", []string{"1.2.0", "1.2.1"}, []string{"1.1.0", "1.4.0"}},
		{"start only",
			CPEMatch{Criteria: crit("*", "*"), Vulnerable: true, VersionStartIncluding: "2.0"},
			"[2.0,∞)", []string{"2.0", "9.9"}, []string{"1.9"}},
		{"exact version",
			CPEMatch{Criteria: crit("2.11.0", "*"), Vulnerable: true},
			"=2.11.0", []string{"2.11.0", "2.11"}, []string{"2.11.1", "2.10.0"}},
		{"exact version with update",
			CPEMatch{Criteria: crit("1.7.0", "rc1"), Vulnerable: true},
			"=1.7.0rc1", []string{"1.7.0rc1"}, []string{"1.7.0", "1.6.0"}},
		{"exact version wins over bounds",
			CPEMatch{Criteria: crit("1.3.0", "*"), Vulnerable: true, VersionEndExcluding: "2.0"},
			"=1.3.0", []string{"1.3.0"}, []string{"1.2.0"}},
		{"ANY without bounds: every version",
			CPEMatch{Criteria: crit("*", "*"), Vulnerable: true},
			"[0,∞)", []string{"0.0.1", "99"}, nil},
		{"NA without bounds: every version",
			CPEMatch{Criteria: crit("-", "*"), Vulnerable: true},
			"[0,∞)", []string{"1.0"}, nil},
		{"wildcard pattern: every version",
			CPEMatch{Criteria: crit("1.2*", "*"), Vulnerable: true},
			"[0,∞)", []string{"1.2.3", "3.0"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &CVE{ID: "CVE-2099-0001", LastModified: time.Now().UTC(), Matches: []CPEMatch{tc.match}}
			advs := ToAdvisories([]*CVE{c}, m)
			if len(advs) != 1 || len(advs[0].Affected) != 1 {
				t.Fatalf("advisories = %+v", advs)
			}
			if got := ranges(advs[0].Affected[0]); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			idx := vuln.NewIndex(advs, condaStandIn)
			for _, v := range tc.affected {
				if len(idx.Match("conda", "libex", v)) != 1 {
					t.Errorf("%s not affected", v)
				}
			}
			for _, v := range tc.unaffected {
				if len(idx.Match("conda", "libex", v)) != 0 {
					t.Errorf("%s affected", v)
				}
			}
		})
	}
}

func TestToAdvisoriesMerging(t *testing.T) {
	libex := CPE{"a", "example", "libex", "*", "*", "*", "*", "*", "*", "*", "*"}
	tool := CPE{"a", "example", "tool", "*", "*", "*", "*", "*", "*", "*", "*"}
	platform := CPE{"o", "example", "os", "*", "*", "*", "*", "*", "*", "*", "*"}
	m := CPEMap{
		"libex":      {{"example", "libex"}},
		"libex-tool": {{"example", "tool"}, {"example", "libex"}},
		"exampleos":  {{"example", "os"}},
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cves := []*CVE{
		{ID: "CVE-2099-0001", LastModified: t0, Matches: []CPEMatch{
			{Criteria: libex, Vulnerable: true, VersionEndExcluding: "1.1"},
			{Criteria: libex, Vulnerable: true, VersionEndExcluding: "1.1"}, // the same range again (two configurations)
			{Criteria: tool, Vulnerable: true, VersionStartIncluding: "2.0", VersionEndExcluding: "2.3"},
			{Criteria: platform, Vulnerable: false}, // a platform: no advisory for exampleos
		}},
		{ID: "CVE-2099-0002", LastModified: t0, Status: StatusRejected, Matches: []CPEMatch{
			{Criteria: libex, Vulnerable: true},
		}},
		// Two versions of one CVE: the one modified last is used.
		{ID: "CVE-2099-0003", LastModified: t0.Add(time.Hour), Matches: []CPEMatch{{Criteria: libex, Vulnerable: true, VersionEndExcluding: "3.0"}}},
		{ID: "CVE-2099-0003", LastModified: t0, Matches: []CPEMatch{{Criteria: libex, Vulnerable: true, VersionEndExcluding: "2.0"}}},
		nil,
	}
	advs := ToAdvisories(cves, m)
	var got []string
	for _, a := range advs {
		for _, af := range a.Affected {
			got = append(got, fmt.Sprintf("%s %s %s withdrawn=%v", a.ID, af.Name, ranges(af), a.IsWithdrawn()))
		}
	}
	want := []string{
		"CVE-2099-0001 libex [0,1.1) withdrawn=false",
		"CVE-2099-0001 libex-tool [0,1.1) [2.0,2.3) withdrawn=false",
		"CVE-2099-0002 libex [0,∞) withdrawn=true",
		"CVE-2099-0002 libex-tool [0,∞) withdrawn=true",
		"CVE-2099-0003 libex [0,3.0) withdrawn=false",
		"CVE-2099-0003 libex-tool [0,3.0) withdrawn=false",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A rejected CVE matches nothing.
	idx := vuln.NewIndex(advs, condaStandIn)
	var ids []string
	for _, a := range idx.Match("conda", "libex", "1.0") {
		ids = append(ids, a.ID)
	}
	if strings.Join(ids, " ") != "CVE-2099-0001 CVE-2099-0003" {
		t.Errorf("libex 1.0 matches %v", ids)
	}
	// No description, no metrics: empty summary and severity.
	if advs[0].Summary != "" || advs[0].Details != "" || len(advs[0].Severity) != 0 || advs[0].References[0] != DetailURL("CVE-2099-0001") {
		t.Errorf("advisory without description or metrics: %+v", advs[0])
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		in    string
		max   int
		words bool
		want  string
	}{
		{"short", 10, true, "short"},
		{"  padded  ", 10, true, "padded"},
		{"one two three four", 12, true, "one two…"},
		{"one two three four", 12, false, "one two t…"},
		{"nospacesatallhere", 10, true, "nospace…"},
		{"ééééé", 8, false, "éé…"}, // é is 2 bytes, … is 3: never cut inside a character
		{"one two, three", 12, true, "one two…"},
	} {
		if got := cut(tc.in, tc.max, tc.words); got != tc.want || len(got) > tc.max {
			t.Errorf("cut(%q, %d, %v) = %q, want %q", tc.in, tc.max, tc.words, got, tc.want)
		}
	}
}

// TestCheckRanges: CVE-2023-0286's openssl bounds under an ordering that does not
// read letter versions as upstream does. With PEP 440 (the stand-in), "1.0.2zg" and
// "1.1.1t" are invalid and sort before every valid version; with conda's ordering
// "1.1.1t" sorts before "1.1.1". Either way fixed sorts before introduced, and
// vuln.Index would read the range as "affected from 1.1.1 up", 3.0.8 included.
func TestCheckRanges(t *testing.T) {
	advs := ToAdvisories([]*CVE{parseRecordFile(t, "CVE-2023-0286")}, defaultMap(t))
	idx := vuln.NewIndex(advs, condaStandIn)
	if len(idx.Match("conda", "openssl", "3.0.8")) != 1 {
		t.Fatal("expected the unchecked ranges to (wrongly) match openssl 3.0.8; has vuln.Index changed?")
	}
	problems := CheckRanges(advs, "conda", pep440.Scheme{})
	if len(problems) != 2 {
		t.Fatalf("problems = %v, want the 1.0.2 and 1.1.1 ranges", problems)
	}
	for i, want := range []string{
		`advisory CVE-2023-0286, conda package openssl, range 0: fixed "1.0.2zg" does not sort after introduced "1.0.2"`,
		`advisory CVE-2023-0286, conda package openssl, range 1: fixed "1.1.1t" does not sort after introduced "1.1.1"`,
	} {
		if !strings.HasPrefix(problems[i].Error(), want) {
			t.Errorf("problem %d = %v\nwant %s", i, problems[i], want)
		}
	}
	// Other ecosystems, withdrawn advisories and well-ordered ranges pass.
	if p := CheckRanges(advs, "PyPI", pep440.Scheme{}); len(p) != 0 {
		t.Errorf("another ecosystem: %v", p)
	}
	w := *advs[0]
	w.Withdrawn = w.Modified
	if p := CheckRanges([]*vuln.Advisory{&w, nil}, "conda", pep440.Scheme{}); len(p) != 0 {
		t.Errorf("withdrawn: %v", p)
	}
	la := &vuln.Advisory{ID: "X-1", Affected: []vuln.Affected{{Ecosystem: "conda", Name: "x", Ranges: []vuln.Range{
		{Type: vuln.RangeEcosystem, Events: []vuln.Event{{Introduced: "2.0"}, {LastAffected: "2.0"}}},
		{Type: vuln.RangeEcosystem, Events: []vuln.Event{{Introduced: "2.0"}, {LastAffected: "1.9"}}},
		{Type: vuln.RangeEcosystem, Events: []vuln.Event{{Introduced: "0"}, {Fixed: "1.0"}, {Introduced: "1.5"}, {Fixed: "1.5"}}},
		{Type: vuln.RangeGit, Events: []vuln.Event{{Introduced: "b"}, {Fixed: "a"}}},
	}}}}
	p := CheckRanges([]*vuln.Advisory{la}, "conda", pep440.Scheme{})
	if len(p) != 2 || !strings.Contains(p[0].Error(), `range 1: last_affected "1.9" sorts before introduced "2.0"`) ||
		!strings.Contains(p[1].Error(), `range 2: fixed "1.5" does not sort after introduced "1.5"`) {
		t.Errorf("problems = %v", p)
	}
}

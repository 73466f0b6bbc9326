package nvd

import (
	"testing"
	"time"

	"vetted/internal/vuln/cvss"
)

// metric builds a Metric scored by vuln/cvss.
func metric(t testing.TB, typ, source, vector string) Metric {
	t.Helper()
	s, err := cvss.Parse(vector)
	if err != nil {
		t.Fatal(err)
	}
	return Metric{Version: s.Version, Type: typ, Source: source, Vector: vector, Score: s}
}

func TestBestScore(t *testing.T) {
	const (
		v40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" // 9.3
		v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"                    // 7.5
		v30 = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"                    // 5.3
		v2  = "AV:N/AC:L/Au:N/C:C/I:C/A:C"                                      // 10.0
		hi  = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"                    // 9.8
		cna = "cna@example.org"
		nvd = SourceNVD
	)
	for _, tc := range []struct {
		name       string
		metrics    []Metric
		wantVector string
		wantSource string
	}{
		{"none", nil, "", ""},
		{"only v2", []Metric{metric(t, TypePrimary, nvd, v2)}, v2, nvd},
		{"primary v3.1 over primary v2, though v2 scores higher",
			[]Metric{metric(t, TypePrimary, nvd, v2), metric(t, TypePrimary, nvd, v31)}, v31, nvd},
		{"primary v4.0 over primary v3.1",
			[]Metric{metric(t, TypePrimary, nvd, v31), metric(t, TypePrimary, nvd, v40)}, v40, nvd},
		{"primary v3.0 over secondary v4.0",
			[]Metric{metric(t, TypeSecondary, cna, v40), metric(t, TypePrimary, nvd, v30)}, v30, nvd},
		{"primary v3.1 over a higher secondary v3.1 (CVE-2024-45490's case)",
			[]Metric{metric(t, TypePrimary, nvd, v31), metric(t, TypeSecondary, cna, hi)}, v31, nvd},
		{"secondary v3.1 over primary v2",
			[]Metric{metric(t, TypePrimary, nvd, v2), metric(t, TypeSecondary, cna, v31)}, v31, cna},
		{"secondary v4.0 over secondary v3.1",
			[]Metric{metric(t, TypeSecondary, cna, v31), metric(t, TypeSecondary, cna, v40)}, v40, cna},
		{"only secondary (unanalysed record)", []Metric{metric(t, TypeSecondary, "secalert@redhat.com", v31)}, v31, "secalert@redhat.com"},
		{"same type and version: NVD's first",
			[]Metric{metric(t, TypePrimary, cna, hi), metric(t, TypePrimary, nvd, v31)}, v31, nvd},
		{"same type, version and source: record order",
			[]Metric{metric(t, TypeSecondary, cna, v31), metric(t, TypeSecondary, cna, hi)}, v31, cna},
		{"missing type reads as secondary",
			[]Metric{metric(t, "", cna, hi), metric(t, TypePrimary, nvd, v30)}, v30, nvd},
		{"primary v2 over secondary v2",
			[]Metric{metric(t, TypeSecondary, cna, "AV:L/AC:L/Au:S/C:P/I:P/A:P"), metric(t, TypePrimary, nvd, v2)}, v2, nvd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &CVE{ID: "CVE-2099-0001", Metrics: tc.metrics}
			s, src, ok := c.BestScore()
			if ok != (tc.wantVector != "") {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			want, _ := cvss.Parse(tc.wantVector)
			if s != want || src != tc.wantSource {
				t.Fatalf("BestScore() = %v (%s) from %s; want %v (%s) from %s", s, s.Vector, src, want, want.Vector, tc.wantSource)
			}
		})
	}
}

func TestBestScoreRecords(t *testing.T) {
	for _, tc := range []struct {
		id     string
		want   string // Score.String()
		source string
	}{
		{"CVE-2023-0286", "7.4 high (CVSS 3.1)", SourceNVD},
		// A CNA's v4.0 (4.8) and v3.1 (5.3) and v2 (4.3), NVD's v3.1 (7.8): NVD's.
		{"CVE-2025-8176", "7.8 high (CVSS 3.1)", SourceNVD},
		// NVD's v3.1 (9.1) over NVD's v2 (6.4).
		{"CVE-2021-4048", "9.1 critical (CVSS 3.1)", SourceNVD},
		{"CVE-2023-38545", "9.8 critical (CVSS 3.1)", SourceNVD},
	} {
		c := parseRecordFile(t, tc.id)
		s, src, ok := c.BestScore()
		if !ok || s.String() != tc.want || src != tc.source {
			t.Errorf("%s: BestScore() = %v, %q, %v; want %s from %s", tc.id, s, src, ok, tc.want, tc.source)
		}
	}
}

func TestMetricDisagrees(t *testing.T) {
	m := metric(t, TypePrimary, SourceNVD, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H")
	if m.Disagrees() {
		t.Error("no stored score: disagrees")
	}
	m.StoredBase, m.HasStoredBase = 7.5, true
	if m.Disagrees() {
		t.Error("7.5 stored, 7.5 computed: disagrees")
	}
	m.StoredBase = 7.6
	if !m.Disagrees() {
		t.Error("7.6 stored, 7.5 computed: agrees")
	}
	m.StoredBase = 0
	if !m.Disagrees() {
		t.Error("0.0 stored, 7.5 computed: agrees")
	}
}

func TestScores(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	v31 := metric(t, TypePrimary, SourceNVD, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H")
	v30 := metric(t, TypePrimary, SourceNVD, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N")
	cves := []*CVE{
		{ID: "CVE-2024-0001", LastModified: day(2), Metrics: []Metric{v31}},
		nil,
		{ID: "CVE-2024-0002", LastModified: day(1)}, // no metrics
		{ID: "CVE-2024-0003", LastModified: day(1), Status: StatusRejected, Metrics: []Metric{v31}},
		{ID: "CVE-2024-0001", LastModified: day(1), Metrics: []Metric{v30}}, // older: ignored
		{ID: "CVE-2024-0004", LastModified: day(1), Metrics: []Metric{v31}},
		{ID: "CVE-2024-0004", LastModified: day(3), Metrics: []Metric{v30}}, // newer: wins
	}
	got := Scores(cves)
	want := map[string]cvss.Score{"CVE-2024-0001": v31.Score, "CVE-2024-0004": v30.Score}
	if len(got) != len(want) {
		t.Fatalf("Scores = %v, want %v", got, want)
	}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("Scores[%s] = %v, want %v", id, got[id], s)
		}
	}
}

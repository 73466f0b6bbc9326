package cvss

import (
	"errors"
	"strings"
	"testing"
)

type example struct {
	name     string
	vector   string
	base     float64
	severity string
}

// v31Examples are from FIRST's "CVSS v3.1: Examples" document
// (https://www.first.org/cvss/v3.1/examples): vector and base score as published.
var v31Examples = []example{
	{"CVE-2013-1937 phpMyAdmin reflected XSS", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, SeverityMedium},
	{"CVE-2013-0375 MySQL stored SQL injection", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, SeverityMedium},
	{"CVE-2014-3566 SSLv3 POODLE", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, SeverityLow},
	{"CVE-2012-1516 VMware guest to host escape", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, SeverityCritical},
	{"CVE-2012-0384 Cisco IOS command execution (re-scored PR:H in 3.1)", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, SeverityHigh},
	{"CVE-2015-1098 Apple iWork denial of service", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8, SeverityHigh},
	{"CVE-2014-0160 OpenSSL Heartbleed", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, SeverityHigh},
	{"CVE-2014-6271 GNU Bash Shellshock", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, SeverityCritical},
	{"CVE-2008-1447 DNS Kaminsky bug", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8, SeverityMedium},
	{"CVE-2014-2005 Sophos login screen bypass", "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8, SeverityMedium},
	{"CVE-2010-0467 Joomla directory traversal", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, SeverityMedium},
	{"CVE-2013-6014 Juniper proxy ARP denial of service", "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3, SeverityCritical},
	{"CVE-2014-2019 Apple iOS security control bypass", "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6, SeverityMedium},
	{"CVE-2014-0224 OpenSSL CCS injection", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4, SeverityHigh},
	{"CVE-2012-5376 Google Chrome sandbox bypass", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6, SeverityCritical},
	{"CVE-2016-5558 Oracle Outside In RCE", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L", 8.6, SeverityHigh},
	{"CVE-2015-2890 failure to lock flash on resume", "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:H", 6.0, SeverityMedium},
	{"CVE-2019-0884 scripting engine memory corruption", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", 4.2, SeverityMedium},
}

// v30Examples are from FIRST's "CVSS v3.0: Examples" document
// (https://www.first.org/cvss/v3.0/examples).
var v30Examples = []example{
	{"CVE-2013-1937 phpMyAdmin reflected XSS", "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, SeverityMedium},
	{"CVE-2014-9253 DokuWiki reflected XSS", "CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4, SeverityMedium},
	{"CVE-2012-0384 Cisco IOS command execution (3.0 scoring)", "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, SeverityHigh},
}

// v40Examples are from FIRST's "CVSS v4.0: Examples" document
// (https://www.first.org/cvss/v4.0/examples), whose scores FIRST computed with its
// own calculator: each is an independent check of go-cvss's v4.0 arithmetic (the
// macro-vector lookup and interpolation), not a value we computed ourselves.
var v40Examples = []example{
	{"CVE-2022-41741 nginx mp4 module", "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.3, SeverityHigh},
	{"CVE-2020-3549 Cisco Firepower", "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.7, SeverityHigh},
	{"CVE-2023-3089 OpenShift FIPS", "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N", 8.3, SeverityHigh},
	{"CVE-2021-44714 Adobe Reader", "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 4.6, SeverityMedium},
	{"CVE-2022-24682 Zimbra calendar XSS", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 5.1, SeverityMedium},
	{"CVE-2022-22186 Juniper EX4650", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 6.9, SeverityMedium},
	{"subsequent-system integrity, physical, with supplemental S:P/V:D", "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D", 8.3, SeverityHigh},
	{"local, all impacts high", "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 9.4, SeverityCritical},
	{"network, no privileges, vulnerable system fully impacted", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, SeverityCritical},
	{"subsequent system high, high privileges", "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N", 5.9, SeverityMedium},
	// With E:A the published (CVSS-BT) score equals the base score: Attacked is the
	// worst case that Not Defined already assumes.
	{"every impact high, exploit attacked", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A", 10.0, SeverityCritical},
}

// v20Examples: the CVSS v2 guide's examples (https://www.first.org/cvss/v2/guide,
// section 3.3) and NVD's scores for well-known vectors.
var v20Examples = []example{
	{"partial impacts over the network", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, SeverityHigh},
	{"complete impacts over the network", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, SeverityHigh},
	{"CVE-2002-0392 Apache chunked encoding (guide 3.3.1)", "AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8, SeverityHigh},
	{"CVE-2003-0062 NOD32 buffer overflow (guide 3.3.3)", "AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2, SeverityMedium},
	{"CVE-2014-0160 Heartbleed (NVD v2)", "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, SeverityMedium},
	{"CVE-2021-44228 Log4Shell (NVD v2)", "AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3, SeverityHigh},
	{"single authentication, partial C and I", "AV:N/AC:L/Au:S/C:P/I:P/A:N", 5.5, SeverityMedium},
	{"NVD feed form with parentheses", "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5, SeverityHigh},
	{"with temporal metrics (base unchanged)", "AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C", 10.0, SeverityHigh},
	{"no impact", "AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0, SeverityLow},
}

func TestParseExamples(t *testing.T) {
	for _, set := range []struct {
		version  string
		examples []example
		min      int
	}{{"3.1", v31Examples, 8}, {"3.0", v30Examples, 1}, {"4.0", v40Examples, 6}, {"2.0", v20Examples, 3}} {
		if len(set.examples) < set.min {
			t.Errorf("CVSS %s: %d examples, want at least %d", set.version, len(set.examples), set.min)
		}
		for _, ex := range set.examples {
			t.Run(set.version+"/"+ex.name, func(t *testing.T) {
				s, err := Parse(ex.vector)
				if err != nil {
					t.Fatal(err)
				}
				if s.Version != set.version || s.Base != ex.base || s.Severity != ex.severity {
					t.Errorf("Parse(%q) = %v, want %.1f %s (CVSS %s)", ex.vector, s, ex.base, ex.severity, set.version)
				}
			})
		}
	}
}

func TestParseNormalises(t *testing.T) {
	for _, tc := range []struct{ in, vector string }{
		{"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
		{"  AV:N/AC:L/Au:N/C:P/I:P/A:P\n", "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
		// v3 metrics may come in any order; Not Defined (X) metrics are dropped.
		{"CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:X", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
	} {
		s, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if s.Vector != tc.vector {
			t.Errorf("Parse(%q).Vector = %q, want %q", tc.in, s.Vector, tc.vector)
		}
	}
}

// TestV4BaseIgnoresThreatAndEnvironment: Base is CVSS-B. FIRST's examples publish
// 5.2 (CVSS-BT) for CVE-2020-3549 with E:U and 8.1 (CVSS-BE) for CVE-2023-3089 with
// environmental metrics; their base vectors score 7.7 and 8.3.
func TestV4BaseIgnoresThreatAndEnvironment(t *testing.T) {
	for _, tc := range []struct {
		vector string
		base   float64
	}{
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 7.7},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L", 8.3},
	} {
		s, err := Parse(tc.vector)
		if err != nil {
			t.Fatal(err)
		}
		if s.Base != tc.base {
			t.Errorf("Parse(%q).Base = %.1f, want %.1f", tc.vector, s.Base, tc.base)
		}
		if s.Vector != tc.vector {
			t.Errorf("Vector = %q, want the whole vector kept", s.Vector)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, vector string
		metric       string
		want         []string // substrings of the message
	}{
		{"bad value v3.1", "CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV",
			[]string{`invalid CVSS vector "CVSS:3.1/AV:Z`, `metric AV: value "Z" is not one of A, L, N, P`, `looks like "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"`}},
		{"missing base metric v3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "A", []string{"metric A: missing"}},
		{"duplicate v3.0", "CVSS:3.0/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", []string{"given more than once"}},
		{"unknown metric v3.1", "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H", "AT", []string{"not a CVSS 3.1 metric"}},
		{"trailing slash", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "", []string{"empty metric"}},
		{"no value", "CVSS:3.1/AV/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "", []string{`"AV" has no value`}},
		{"v4 out of order", "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "AV", []string{"out of order"}},
		{"v4 missing", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "SA", []string{"metric SA: missing", `looks like "CVSS:4.0/`}},
		{"v4 bad value", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:Q", "E", []string{`value "Q" is not one of A, P, U, X`}},
		{"v2 bad value", "AV:N/AC:X/Au:N/C:P/I:P/A:P", "AC", []string{`value "X" is not one of H, L, M`, `looks like "AV:N/AC:L/Au:N/C:P/I:P/A:P"`}},
		{"v2 partial temporal group", "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F", "RL", []string{"whole group: E/RL/RC"}},
		{"v3 without prefix", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "PR", []string{"not a CVSS 2.0 metric", `start with "CVSS:3.1/"`}},
		{"unsupported version", "CVSS:5.0/AV:N", "", []string{`unsupported CVSS version "5.0"`}},
		{"empty", "", "", []string{"no metrics"}},
		{"prefix only", "CVSS:3.1/", "", []string{"no metrics"}},
		{"too long", "CVSS:3.1/" + strings.Repeat("AV:N/", 300), "", []string{"too long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.vector)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tc.vector)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if pe.Metric != tc.metric {
				t.Errorf("Metric = %q, want %q (%v)", pe.Metric, tc.metric, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		rank int
	}{
		{"none", "none", 0}, {"LOW", "low", 1}, {" Medium ", "medium", 2}, {"moderate", "medium", 2},
		{"high", "high", 3}, {"Critical", "critical", 4}, {"severe", "", -1}, {"", "", -1},
	} {
		got, err := ParseSeverity(tc.in)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("ParseSeverity(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if r := SeverityRank(tc.in); r != tc.rank {
			t.Errorf("SeverityRank(%q) = %d, want %d", tc.in, r, tc.rank)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil || !strings.Contains(err.Error(), "none, low, medium, high, critical") {
		t.Errorf("ParseSeverity error does not list the valid names: %v", err)
	}
}

// TestSeverityBands checks the band edges of each version's scale.
func TestSeverityBands(t *testing.T) {
	for _, tc := range []struct {
		version string
		score   float64
		want    string
	}{
		{"3.1", 0, "none"}, {"3.1", 0.1, "low"}, {"3.1", 3.9, "low"}, {"3.1", 4.0, "medium"}, {"3.1", 6.9, "medium"},
		{"3.1", 7.0, "high"}, {"3.1", 8.9, "high"}, {"3.1", 9.0, "critical"}, {"4.0", 10, "critical"},
		{"2.0", 0, "low"}, {"2.0", 3.9, "low"}, {"2.0", 4.0, "medium"}, {"2.0", 6.9, "medium"}, {"2.0", 7.0, "high"}, {"2.0", 10, "high"},
	} {
		if got := severityOf(tc.version, tc.score); got != tc.want {
			t.Errorf("severityOf(%s, %.1f) = %s, want %s", tc.version, tc.score, got, tc.want)
		}
	}
}

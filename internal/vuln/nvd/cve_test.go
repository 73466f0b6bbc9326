package nvd

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readRecord returns a file of testdata/records.
func readRecord(t testing.TB, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "records", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseRecordFile(t testing.TB, id string) *CVE {
	t.Helper()
	c, err := ParseCVE(readRecord(t, id), id+".json")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseCVEOpenSSL(t *testing.T) {
	c := parseRecordFile(t, "CVE-2023-0286")
	if c.ID != "CVE-2023-0286" || c.Status != "Modified" {
		t.Fatalf("ID, Status = %q, %q", c.ID, c.Status)
	}
	if want := time.Date(2023, 2, 8, 20, 15, 24, 267e6, time.UTC); !c.Published.Equal(want) {
		t.Errorf("Published = %v, want %v", c.Published, want)
	}
	if want := time.Date(2025, 3, 20, 21, 15, 16, 550e6, time.UTC); !c.LastModified.Equal(want) {
		t.Errorf("LastModified = %v, want %v", c.LastModified, want)
	}
	if len(c.Descriptions) != 1 || !strings.HasPrefix(c.Descriptions[0], "There is a type confusion vulnerability") {
		t.Errorf("Descriptions = %q", c.Descriptions)
	}
	if len(c.Metrics) != 2 {
		t.Fatalf("%d metrics, want 2", len(c.Metrics))
	}
	m := c.Metrics[0]
	if m.Version != "3.1" || m.Type != TypePrimary || m.Source != SourceNVD || m.Score.Base != 7.4 ||
		m.Vector != "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H" || !m.HasStoredBase || m.StoredBase != 7.4 || m.Disagrees() {
		t.Errorf("Metrics[0] = %+v", m)
	}
	if c.Metrics[1].Type != TypeSecondary || c.Metrics[1].Source != "134c704f-9b21-4f2e-91b3-4a467353bcc0" {
		t.Errorf("Metrics[1] = %+v", c.Metrics[1])
	}
	// 3 openssl ranges, then 6 Stormshield products.
	if len(c.Matches) != 9 {
		t.Fatalf("%d matches, want 9", len(c.Matches))
	}
	want := []CPEMatch{
		{Criteria: mustCPE(t, "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"), Vulnerable: true, VersionStartIncluding: "1.0.2", VersionEndExcluding: "1.0.2zg"},
		{Criteria: mustCPE(t, "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"), Vulnerable: true, VersionStartIncluding: "1.1.1", VersionEndExcluding: "1.1.1t"},
		{Criteria: mustCPE(t, "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"), Vulnerable: true, VersionStartIncluding: "3.0.0", VersionEndExcluding: "3.0.8"},
		{Criteria: mustCPE(t, "cpe:2.3:a:stormshield:stormshield_management_center:*:*:*:*:*:*:*:*"), Vulnerable: true, VersionEndExcluding: "3.3.3"},
	}
	for i, w := range want {
		if c.Matches[i] != w {
			t.Errorf("Matches[%d] = %+v\nwant %+v", i, c.Matches[i], w)
		}
	}
	if len(c.References) != 7 || c.References[0] != "https://ftp.openbsd.org/pub/OpenBSD/LibreSSL/libressl-3.6.2-relnotes.txt" {
		t.Errorf("References (each URL once) = %q", c.References)
	}
}

func mustCPE(t testing.TB, s string) CPE {
	t.Helper()
	c, err := ParseCPE(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseCVEMetricsAllVersions(t *testing.T) {
	c := parseRecordFile(t, "CVE-2025-8176")
	var got []string
	for _, m := range c.Metrics {
		got = append(got, m.Version+" "+m.Type+" "+m.Source)
	}
	want := []string{
		"4.0 Secondary cna@vuldb.com",
		"3.1 Secondary cna@vuldb.com",
		"3.1 Primary nvd@nist.gov",
		"2.0 Secondary cna@vuldb.com",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("metrics:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	v4 := c.Metrics[0]
	// The vector lists every optional metric as X; vuln/cvss drops them.
	if v4.Score.Vector != "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N/E:P" {
		t.Errorf("v4 normalised vector = %q", v4.Score.Vector)
	}
	if v4.Score.Base != 4.8 || v4.StoredBase != 4.8 || v4.Disagrees() {
		t.Errorf("v4 score %v, stored %v", v4.Score, v4.StoredBase)
	}
	if v2 := c.Metrics[3]; v2.Score.Base != 4.3 || v2.Score.Severity != "medium" {
		t.Errorf("v2 = %+v", v2)
	}
	if len(c.Descriptions) != 1 || !strings.HasPrefix(c.Descriptions[0], "A vulnerability was found in LibTIFF") {
		t.Errorf("English descriptions only: %q", c.Descriptions)
	}
	if len(c.Matches) != 1 || c.Matches[0].VersionEndIncluding != "4.7.0" {
		t.Errorf("Matches = %+v", c.Matches)
	}
}

func TestParseCVEUnanalysed(t *testing.T) {
	c := parseRecordFile(t, "CVE-2024-25062")
	if c.Status != "Received" || len(c.Metrics) != 0 || len(c.Matches) != 0 || len(c.Descriptions) != 1 {
		t.Fatalf("%+v", c)
	}
	if _, _, ok := c.BestScore(); ok {
		t.Error("BestScore of a record without metrics: ok")
	}
}

func TestParseCVEExactVersionsAndPlatforms(t *testing.T) {
	c := parseRecordFile(t, "CVE-2021-4048")
	var julia, os []string
	for _, m := range c.Matches {
		switch m.Criteria.VendorProduct().Product {
		case "julia":
			if v, ok := m.Criteria.exactVersion(); ok {
				julia = append(julia, v)
			}
		}
		if m.Criteria.Part == "o" {
			os = append(os, m.Criteria.Vendor+":"+m.Criteria.Product+":"+m.Criteria.Version)
		}
	}
	if got := strings.Join(julia, " "); got != "1.7.0beta1 1.7.0beta2 1.7.0beta3 1.7.0beta4 1.7.0rc1" {
		t.Errorf("julia exact versions = %s", got)
	}
	if got := strings.Join(os, " "); got != "redhat:enterprise_linux:8.0 fedoraproject:fedora:34 fedoraproject:fedora:35" {
		t.Errorf("operating systems = %s", got)
	}
}

func TestParseCVEShapes(t *testing.T) {
	rec := readRecord(t, "CVE-2023-38545")
	wrapped := []byte(`{"cve":` + string(rec) + `}`)
	c, err := ParseCVE(wrapped, "item.json")
	if err != nil || c.ID != "CVE-2023-38545" {
		t.Fatalf("ParseCVE of an API item: %v, %v", c, err)
	}
	bom := append([]byte("\xef\xbb\xbf"), rec...)
	if _, err := ParseCVE(bom, "bom.json"); err != nil {
		t.Fatalf("byte order mark: %v", err)
	}
	page := apiPage(t, rec)
	_, err = ParseCVE(page, "page.json")
	if err == nil || !strings.Contains(err.Error(), "ParseAPIResponse") {
		t.Fatalf("ParseCVE of an API page: %v, want a pointer to ParseAPIResponse", err)
	}
}

// apiPage wraps records as the CVE API 2.0 returns them.
func apiPage(t testing.TB, records ...[]byte) []byte {
	t.Helper()
	items := make([]json.RawMessage, len(records))
	for i, r := range records {
		items[i] = json.RawMessage(`{"cve":` + string(r) + `}`)
	}
	page := map[string]any{
		"resultsPerPage": len(records), "startIndex": 0, "totalResults": len(records),
		"format": "NVD_CVE", "version": "2.0", "timestamp": "2025-11-26T01:50:00.000",
		"vulnerabilities": items,
	}
	b, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseAPIResponse(t *testing.T) {
	good := [][]byte{readRecord(t, "CVE-2023-0286"), readRecord(t, "CVE-2024-25062"), readRecord(t, "CVE-2025-8176")}
	bad := mutate(t, readRecord(t, "CVE-2023-38545"), func(r map[string]any) { delete(r, "lastModified") })
	page := apiPage(t, good[0], bad, good[1], good[2])
	// One item without "cve".
	page = []byte(strings.Replace(string(page), `"vulnerabilities":[`, `"vulnerabilities":[{"notcve":1},`, 1))
	cves, problems, err := ParseAPIResponse(page, "https://services.nvd.nist.gov/rest/json/cves/2.0?startIndex=0")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cves {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, " "); got != "CVE-2023-0286 CVE-2024-25062 CVE-2025-8176" {
		t.Errorf("records = %s", got)
	}
	if len(problems) != 2 {
		t.Fatalf("problems = %v, want 2", problems)
	}
	var pe *ParseError
	if !errors.As(problems[0], &pe) || pe.Field != "vulnerabilities[0].cve" {
		t.Errorf("problem 0 = %v", problems[0])
	}
	if !errors.As(problems[1], &pe) || pe.Field != "vulnerabilities[2].cve.lastModified" || pe.ID != "CVE-2023-38545" ||
		!strings.Contains(pe.Error(), "cves/2.0?startIndex=0") {
		t.Errorf("problem 1 = %v (field %q)", problems[1], pe.Field)
	}

	// An empty page.
	cves, problems, err = ParseAPIResponse([]byte(`{"resultsPerPage":0,"startIndex":0,"totalResults":0,"format":"NVD_CVE","version":"2.0","vulnerabilities":[]}`), "empty")
	if err != nil || len(cves) != 0 || len(problems) != 0 {
		t.Errorf("empty page: %v, %v, %v", cves, problems, err)
	}
}

func TestParseAPIResponseInvalid(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `<html>rate limited</html>`, "not a CVE API 2.0 response"},
		{"truncated", `{"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":`, "ends early"},
		{"a single record", string(readRecord(t, "CVE-2024-25062")), `no format, want "NVD_CVE"`},
		{"CPE API", `{"format":"NVD_CPE","version":"2.0","products":[]}`, `format "NVD_CPE"`},
		{"old feed", `{"format":"NVD_CVE","version":"1.1","vulnerabilities":[]}`, `version "1.1"`},
		{"vulnerabilities not a list", `{"format":"NVD_CVE","version":"2.0","vulnerabilities":{}}`, "not a CVE API 2.0 response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseAPIResponse([]byte(tc.in), "page.json")
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "page.json") {
				t.Fatalf("error %v, want a *ParseError naming page.json and containing %q", err, tc.want)
			}
		})
	}
}

// mutate decodes a record, changes it and encodes it again.
func mutate(t testing.TB, rec []byte, f func(map[string]any)) []byte {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(rec, &r); err != nil {
		t.Fatal(err)
	}
	f(r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// path walks decoded JSON: keys for objects, ints for lists.
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func TestParseCVEMalformed(t *testing.T) {
	base := readRecord(t, "CVE-2023-0286")
	match := func(r map[string]any, i int) map[string]any {
		return path(r, "configurations", 0, "nodes", 0, "cpeMatch", i).(map[string]any)
	}
	cvssData := func(r map[string]any) map[string]any {
		return path(r, "metrics", "cvssMetricV31", 0, "cvssData").(map[string]any)
	}
	for _, tc := range []struct {
		name   string
		edit   func(map[string]any)
		id     string // the id the error names
		field  string
		reason string
	}{
		{"id missing", func(r map[string]any) { delete(r, "id") }, "", "id", "missing"},
		{"id a number", func(r map[string]any) { r["id"] = 20230286 }, "", "id", "not a string"},
		{"id not a CVE id", func(r map[string]any) { r["id"] = "GHSA-xxxx-yyyy-zzzz" }, "GHSA-xxxx-yyyy-zzzz", "id", "not a CVE id"},
		{"lastModified missing", func(r map[string]any) { delete(r, "lastModified") }, "CVE-2023-0286", "lastModified", "missing"},
		{"lastModified not a time", func(r map[string]any) { r["lastModified"] = "yesterday" }, "CVE-2023-0286", "lastModified", "not a time"},
		{"published a number", func(r map[string]any) { r["published"] = 1675887324 }, "CVE-2023-0286", "published", "not a string"},
		{"descriptions an object", func(r map[string]any) { r["descriptions"] = map[string]any{"en": "x"} }, "CVE-2023-0286", "descriptions", "want a list"},
		{"metrics list an object", func(r map[string]any) { path(r, "metrics").(map[string]any)["cvssMetricV31"] = map[string]any{} }, "CVE-2023-0286", "metrics.cvssMetricV31", "not a list"},
		{"cvssData missing", func(r map[string]any) { delete(path(r, "metrics", "cvssMetricV31", 1).(map[string]any), "cvssData") }, "CVE-2023-0286", "metrics.cvssMetricV31[1].cvssData", "missing"},
		{"vector missing", func(r map[string]any) { delete(cvssData(r), "vectorString") }, "CVE-2023-0286", "metrics.cvssMetricV31[0].cvssData.vectorString", "missing"},
		{"vector invalid", func(r map[string]any) { cvssData(r)["vectorString"] = "CVSS:3.1/AV:Q/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H" }, "CVE-2023-0286", "metrics.cvssMetricV31[0].cvssData.vectorString", "metric AV"},
		{"v2 vector in V31", func(r map[string]any) { cvssData(r)["vectorString"] = "AV:N/AC:L/Au:N/C:P/I:P/A:P" }, "CVE-2023-0286", "metrics.cvssMetricV31[0].cvssData.vectorString", "a CVSS 2.0 vector in cvssMetricV31"},
		{"version disagrees with key", func(r map[string]any) { cvssData(r)["version"] = "3.0" }, "CVE-2023-0286", "metrics.cvssMetricV31[0].cvssData.version", `"3.0" in cvssMetricV31`},
		{"baseScore a string", func(r map[string]any) { cvssData(r)["baseScore"] = "7.4" }, "CVE-2023-0286", "metrics.cvssMetricV31[0].cvssData.baseScore", "want a number"},
		{"criteria missing", func(r map[string]any) { delete(match(r, 1), "criteria") }, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[1].criteria", "missing"},
		{"criteria CPE 2.2", func(r map[string]any) { match(r, 2)["criteria"] = "cpe:/a:openssl:openssl" }, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[2].criteria", "cpe:2.3"},
		{"criteria unescaped colon", func(r map[string]any) {
			match(r, 0)["criteria"] = "cpe:2.3:a:openssl:openssl:1.0:beta:*:*:*:*:*:*:*"
		}, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[0].criteria", "12 components"},
		{"vulnerable missing", func(r map[string]any) { delete(match(r, 0), "vulnerable") }, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[0].vulnerable", "missing"},
		{"vulnerable a string", func(r map[string]any) { match(r, 0)["vulnerable"] = "yes" }, "CVE-2023-0286", "configurations.nodes.cpeMatch.vulnerable", "want true or false"},
		{"two start bounds", func(r map[string]any) { match(r, 0)["versionStartExcluding"] = "1.0.1" }, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[0].versionStartExcluding", "at most one start bound"},
		{"two end bounds", func(r map[string]any) { match(r, 0)["versionEndIncluding"] = "1.0.2zf" }, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[0].versionEndExcluding", "at most one end bound"},
		{"empty bound", func(r map[string]any) { match(r, 0)["versionEndExcluding"] = " " }, "CVE-2023-0286", "configurations[0].nodes[0].cpeMatch[0].versionEndExcluding", "empty"},
		{"unknown operator", func(r map[string]any) {
			path(r, "configurations", 1, "nodes", 0).(map[string]any)["operator"] = "XOR"
		}, "CVE-2023-0286", "configurations[1].nodes[0].operator", "not OR or AND"},
		{"nodes an object", func(r map[string]any) { path(r, "configurations", 0).(map[string]any)["nodes"] = map[string]any{} }, "CVE-2023-0286", "configurations.nodes", "want a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := mutate(t, base, tc.edit)
			_, err := ParseCVE(data, "records/CVE-2023-0286.json")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.ID != tc.id || pe.Field != tc.field || !strings.Contains(pe.Reason, tc.reason) {
				t.Fatalf("got id %q field %q reason %q\nwant id %q field %q reason containing %q", pe.ID, pe.Field, pe.Reason, tc.id, tc.field, tc.reason)
			}
			msg := err.Error()
			if !strings.Contains(msg, "records/CVE-2023-0286.json") || (tc.id != "" && !strings.Contains(msg, tc.id)) || !strings.Contains(msg, tc.field) {
				t.Fatalf("message %q does not name the source, id and field", msg)
			}
		})
	}
}

func TestParseCVENotARecord(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "not a JSON object"},
		{"list", `[{"id":"CVE-2023-0286"}]`, "not a JSON object"},
		{"truncated", `{"id":"CVE-2023-0286","lastModified":"2025-03-20T21:15:16.550","descriptions":[`, "ends early"},
		{"trailing garbage", `{"id":"CVE-2023-0286","lastModified":"2025-03-20T21:15:16.550"} x`, "not a JSON object"},
		{"null", `null`, `missing: every CVE record has an "id"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCVE([]byte(tc.in), "x.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// The smallest valid record.
	c, err := ParseCVE([]byte(`{"id":"CVE-2099-123456","lastModified":"2099-01-02T03:04:05Z"}`), "min.json")
	if err != nil || c.ID != "CVE-2099-123456" || !c.Published.IsZero() {
		t.Fatalf("minimal record: %+v, %v", c, err)
	}
}

func TestParseCVENegatedNode(t *testing.T) {
	data := mutate(t, readRecord(t, "CVE-2023-38545"), func(r map[string]any) {
		path(r, "configurations", 0, "nodes", 0).(map[string]any)["negate"] = true
	})
	c, err := ParseCVE(data, "negated.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Matches[0].Criteria.Product != "libcurl" || c.Matches[0].Vulnerable {
		t.Fatalf("a negated node's match: %+v, want not vulnerable", c.Matches[0])
	}
}

package nvd

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCVE: ParseCVE never panics and fails only with a *ParseError; a record
// it accepts has a CVE id and a modification time, scores within 0-10, and turns
// into advisories (with a map that takes every product it names) whose ranges
// each start with an introduced event.
func FuzzParseCVE(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add([]byte(`{"cve":` + string(b) + `}`))
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"id":"CVE-2024-0001"}`,
		`{"id":"CVE-2024-0001","lastModified":"2024-01-01T00:00:00.000","metrics":{"cvssMetricV2":[{"cvssData":{"vectorString":"AV:N/AC:L/Au:N/C:P/I:P/A:P"}}]}}`,
		`{"id":"CVE-2024-0001","lastModified":"2024-01-01T00:00:00","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:v:p\\:q:1.0:*:*:*:*:*:*:*","versionStartExcluding":"0.9"}]}]}]}`,
		`{"cve":{"id":"CVE-2024-0001","lastModified":"2024-01-01T00:00:00Z","configurations":[{"negate":true,"nodes":[]}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCVE(data, "fuzz.json")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		if !cveID.MatchString(c.ID) || c.LastModified.IsZero() {
			t.Fatalf("accepted a record with id %q, lastModified %v", c.ID, c.LastModified)
		}
		for _, m := range c.Metrics {
			if m.Score.Base < 0 || m.Score.Base > 10 || m.Score.Version != m.Version {
				t.Fatalf("metric %+v", m)
			}
		}
		if s, _, ok := c.BestScore(); ok != (len(c.Metrics) > 0) || s.Base < 0 || s.Base > 10 {
			t.Fatalf("BestScore = %v, %v with %d metrics", s, ok, len(c.Metrics))
		}
		m := CPEMap{}
		for _, mt := range c.Matches {
			if again, err := ParseCPE(mt.Criteria.String()); err != nil || again != mt.Criteria {
				t.Fatalf("criteria %q does not parse back: %+v, %v", mt.Criteria.String(), again, err)
			}
			p := mt.Criteria.VendorProduct()
			if isSpecific(mt.Criteria.Vendor) && isSpecific(mt.Criteria.Product) {
				m["pkg"] = append(m["pkg"], p)
			}
		}
		for _, a := range ToAdvisories([]*CVE{c}, m) {
			if a.ID != c.ID || len(a.Affected) == 0 {
				t.Fatalf("advisory %+v", a)
			}
			for _, af := range a.Affected {
				for _, r := range af.Ranges {
					if len(r.Events) == 0 || r.Events[0].Introduced == "" {
						t.Fatalf("range %+v", r)
					}
				}
			}
		}
	})
}

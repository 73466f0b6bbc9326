package feed

import (
	"bytes"
	"encoding/json"
	"strings"

	"vetted/internal/vuln"
	"vetted/internal/vuln/nvd"
)

// looksNVD reports whether a record is NVD CVE JSON 2.0 (an API page or one record)
// rather than OSV: NVD pages say "format": "NVD_CVE", and records have a "cve" object
// or NVD's "sourceIdentifier".
func looksNVD(data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	if f, ok := top["format"]; ok && strings.Contains(string(f), "NVD_CVE") {
		return true
	}
	_, cve := top["cve"]
	_, src := top["sourceIdentifier"]
	return cve || src
}

// nvdAdvisories turns NVD records into advisories: for each CVE, one advisory of the
// conda packages the CPE map names (none when it names none), carrying the CVE's best
// CVSS vector, so that the CVE's score can also score OSV records that only alias it.
func nvdAdvisories(data []byte, name string, m nvd.CPEMap) ([]*vuln.Advisory, []string, error) {
	var cves []*nvd.CVE
	var problems []string
	if bytes.Contains(data, []byte(`"vulnerabilities"`)) {
		list, probs, err := nvd.ParseAPIResponse(data, name)
		if err != nil {
			return nil, nil, err
		}
		cves = list
		for _, p := range probs {
			problems = append(problems, p.Error())
		}
	} else {
		c, err := nvd.ParseCVE(data, name)
		if err != nil {
			return nil, nil, err
		}
		cves = []*nvd.CVE{c}
	}
	mapped := map[string]*vuln.Advisory{}
	for _, a := range nvd.ToAdvisories(cves, m) {
		mapped[a.ID] = a
	}
	var out []*vuln.Advisory
	for _, c := range cves {
		if a, ok := mapped[c.ID]; ok {
			out = append(out, a)
			continue
		}
		a := &vuln.Advisory{ID: c.ID, Published: c.Published, Modified: c.LastModified, References: []string{nvd.DetailURL(c.ID)}}
		if len(c.Descriptions) > 0 {
			a.Summary = strings.Join(strings.Fields(c.Descriptions[0]), " ")
			if len(a.Summary) > nvd.MaxSummary {
				a.Summary = a.Summary[:nvd.MaxSummary]
			}
		}
		if c.IsRejected() {
			a.Withdrawn = c.LastModified
		}
		if s, _, ok := c.BestScore(); ok {
			a.Severity = []vuln.Severity{{Type: severityType(s.Version), Score: s.Vector}}
		}
		out = append(out, a)
	}
	return out, problems, nil
}

func severityType(version string) string {
	switch {
	case strings.HasPrefix(version, "2"):
		return "CVSS_V2"
	case strings.HasPrefix(version, "4"):
		return "CVSS_V4"
	}
	return "CVSS_V3"
}

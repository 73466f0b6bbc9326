package nvd

import (
	"vetted/internal/vuln/cvss"
)

// BestScore returns the one score vetted uses for the CVE, and the Source of the
// metric it comes from ("nvd@nist.gov"). The score is the one vuln/cvss computes from
// the vector, not NVD's stored baseScore (see Metric.Disagrees). Preference, first
// match wins:
//
//  1. Primary (NVD's own) CVSS 4.0, then 3.1, then 3.0;
//  2. Secondary (usually the CNA's) CVSS 4.0, then 3.1, then 3.0;
//  3. Primary CVSS 2.0, then Secondary CVSS 2.0.
//
// Within one type and version, a metric whose Source is nvd@nist.gov comes first,
// then record order. NVD's assessment is preferred because it is made against the
// CPE configurations vetted matches with; CVSS 2.0 comes last whoever scored it,
// because its scale differs (no critical rating; 7.0 and above is "high") and NVD
// stopped assigning it in 2022, so a CVE with only a v2 score from NVD and a v3
// score from its CNA is scored with the CNA's v3. ok is false when the CVE has no
// metric (unanalysed records often have none).
func (c *CVE) BestScore() (score cvss.Score, source string, ok bool) {
	best := -1
	for i := range c.Metrics {
		if best < 0 || preference(&c.Metrics[i]) < preference(&c.Metrics[best]) {
			best = i
		}
	}
	if best < 0 {
		return cvss.Score{}, "", false
	}
	return c.Metrics[best].Score, c.Metrics[best].Source, true
}

// preference ranks a metric for BestScore: lower is better. Ties keep record order,
// as BestScore keeps the first of equals.
func preference(m *Metric) int {
	rank := 0
	switch m.Version {
	case "4.0":
		rank = 0
	case "3.1":
		rank = 1
	case "3.0":
		rank = 2
	default: // 2.0
		rank = 6
	}
	if m.Type != TypePrimary {
		rank += 3
	}
	rank *= 2
	if m.Source != SourceNVD {
		rank++
	}
	return rank
}

// Scores returns each CVE's BestScore by CVE id, for scoring OSV advisories whose
// only CVSS is a CVE alias. CVEs without a metric and rejected CVEs are left out.
// When an id occurs more than once, the record modified last wins.
func Scores(cves []*CVE) map[string]cvss.Score {
	out := make(map[string]cvss.Score, len(cves))
	for _, c := range latest(cves) {
		if c.IsRejected() {
			continue
		}
		if s, _, ok := c.BestScore(); ok {
			out[c.ID] = s
		}
	}
	return out
}

// latest returns the CVEs without nil entries and, of records sharing an id, only the
// one modified last (on a tie, the later one in cves), in the order of each id's
// first occurrence.
func latest(cves []*CVE) []*CVE {
	pick := map[string]*CVE{}
	var order []string
	for _, c := range cves {
		if c == nil {
			continue
		}
		prev, ok := pick[c.ID]
		if !ok {
			order = append(order, c.ID)
		}
		if !ok || !c.LastModified.Before(prev.LastModified) {
			pick[c.ID] = c
		}
	}
	out := make([]*CVE, 0, len(order))
	for _, id := range order {
		out = append(out, pick[id])
	}
	return out
}

package policy

import (
	"fmt"
	"strings"
)

// Vulnerability is one advisory that affects the version being decided, with its score
// and the triage that applies to it.
type Vulnerability struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases,omitempty"`
	Scored    bool     `json:"scored"`
	Score     float64  `json:"score,omitempty"`     // CVSS base score
	Severity  string   `json:"severity,omitempty"`  // none, low, medium, high, critical
	Vector    string   `json:"vector,omitempty"`    // the CVSS vector the score comes from
	Source    string   `json:"source,omitempty"`    // where the score comes from: "OSV record", "NVD CVE-…"
	Malicious bool     `json:"malicious,omitempty"` // an OSV MAL- record
	// Triage is the status a person gave the finding: "" (none), affected,
	// not_affected, fixed or under_investigation.
	Triage string `json:"triage,omitempty"`
	// FixedIn is the nearest later version that no known advisory affects, or "".
	FixedIn string `json:"fixed_in,omitempty"`
}

// applies reports whether the finding counts against the version: a triage of
// not_affected or fixed sets it aside.
func (v Vulnerability) applies() bool {
	return v.Triage != "not_affected" && v.Triage != "fixed"
}

func (v Vulnerability) describe() string {
	name := v.ID
	if len(v.Aliases) > 0 {
		name += " (" + strings.Join(v.Aliases, ", ") + ")"
	}
	if !v.Scored {
		return name + " has no CVSS score"
	}
	return fmt.Sprintf("%s scores %.1f %s", name, v.Score, v.Severity)
}

// severityRank orders severities; unknown is -1.
func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "none":
		return 0
	case "low":
		return 1
	case "medium", "moderate":
		return 2
	case "high":
		return 3
	case "critical":
		return 4
	}
	return -1
}

// vulnRule blocks versions affected by an advisory at or above a threshold: a CVSS base
// score (max-cvss) or a severity rating (max-severity).
type vulnRule struct {
	label    string
	cvss     float64 // threshold when bySev is false
	severity string  // threshold when bySev is true
	bySev    bool
	unscored Verdict // what an unscored advisory gets: Allow (ignored), Warn or Block
}

func compileVulnRule(policyName string, n int, rs RuleSpec) (*vulnRule, error) {
	where := fmt.Sprintf("policy %q rule %d", policyName, n)
	r := &vulnRule{unscored: Warn}
	switch rs.Unscored {
	case "", "warn":
	case "block":
		r.unscored = Block
	case "allow":
		r.unscored = Allow
	default:
		return nil, fmt.Errorf("%s: unscored %q is not one of block, warn, allow", where, rs.Unscored)
	}
	switch rs.Action {
	case ActionMaxCVSS:
		if rs.MaxCVSS < 0 || rs.MaxCVSS > 10 {
			return nil, fmt.Errorf("%s: max-cvss %v is not a CVSS score between 0 and 10", where, rs.MaxCVSS)
		}
		r.cvss = rs.MaxCVSS
		r.label = fmt.Sprintf("%s (max-cvss %.1f)", where, rs.MaxCVSS)
	case ActionMaxSeverity:
		if severityRank(rs.MaxSeverity) < 1 {
			return nil, fmt.Errorf("%s: max-severity %q is not one of low, medium, high, critical", where, rs.MaxSeverity)
		}
		r.bySev, r.severity = true, strings.ToLower(rs.MaxSeverity)
		r.label = fmt.Sprintf("%s (max-severity %s)", where, r.severity)
	}
	return r, nil
}

func (r *vulnRule) kind() string {
	if r.bySev {
		return "max-severity"
	}
	return "max-cvss"
}

func (r *vulnRule) exceeds(v Vulnerability) bool {
	if r.bySev {
		return severityRank(v.Severity) >= severityRank(r.severity)
	}
	return v.Score >= r.cvss
}

func (r *vulnRule) evaluate(f Facts) (Reason, bool) {
	var over, unscored []Vulnerability
	for _, v := range f.Vulnerabilities {
		switch {
		case !v.applies():
		case !v.Scored:
			unscored = append(unscored, v)
		case r.exceeds(v):
			over = append(over, v)
		}
	}
	threshold := fmt.Sprintf("%.1f", r.cvss)
	if r.bySev {
		threshold = r.severity
	}
	switch {
	case len(over) > 0:
		return Reason{
			Rule:     r.label,
			Verdict:  Block,
			Message:  fmt.Sprintf("%s %s is blocked by %s: %s (threshold %s)", f.Project, f.Version, r.label, listFindings(over), threshold),
			Evidence: evidence(over),
			Remedy:   remedy(over),
		}, true
	case len(unscored) > 0 && r.unscored != Allow:
		return Reason{
			Rule:     r.label,
			Verdict:  r.unscored,
			Message:  fmt.Sprintf("%s %s is affected by unscored advisories: %s (policy: %s unscored)", f.Project, f.Version, listFindings(unscored), r.unscored),
			Evidence: evidence(unscored),
			Remedy:   remedy(unscored),
		}, true
	}
	return Reason{}, false
}

// listFindings names up to three findings, highest score first as given.
func listFindings(vs []Vulnerability) string {
	var parts []string
	for i, v := range vs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(vs)-3))
			break
		}
		parts = append(parts, v.describe())
	}
	return strings.Join(parts, "; ")
}

func evidence(vs []Vulnerability) string {
	var parts []string
	for _, v := range vs {
		e := v.ID
		if v.Vector != "" {
			e += " " + v.Vector
		}
		if v.Source != "" {
			e += " (" + v.Source + ")"
		}
		if v.Triage != "" {
			e += " triage: " + v.Triage
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, "; ")
}

func remedy(vs []Vulnerability) string {
	fixed := ""
	for _, v := range vs {
		if v.FixedIn != "" && (fixed == "" || v.FixedIn > fixed) {
			fixed = v.FixedIn
		}
	}
	msg := "if an advisory does not apply to you, record a triage of not_affected"
	if fixed != "" {
		msg = fmt.Sprintf("upgrade to %s (not affected), or %s", fixed, msg)
	}
	return msg
}

// maliciousRule blocks versions named by a malicious-package (MAL-) record, whatever
// the policy says: it is tried before every rule.
type maliciousRule struct{ policy string }

func (maliciousRule) kind() string { return "malicious" }

func (r maliciousRule) evaluate(f Facts) (Reason, bool) {
	var mal []Vulnerability
	for _, v := range f.Vulnerabilities {
		if v.Malicious {
			mal = append(mal, v)
		}
	}
	if len(mal) == 0 {
		return Reason{}, false
	}
	label := fmt.Sprintf("policy %q: malicious packages are always blocked", r.policy)
	return Reason{
		Rule:     label,
		Verdict:  Block,
		Message:  fmt.Sprintf("%s %s is reported as malicious: %s", f.Project, f.Version, strings.Join(ids(mal), ", ")),
		Evidence: evidence(mal),
		Remedy:   "remove it from your environments and check them for compromise; no exception is possible",
	}, true
}

func ids(vs []Vulnerability) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

package cvss

import (
	"fmt"
	"strings"
)

// The qualitative severity ratings, lowest first. v2.0 has only low, medium and high.
const (
	SeverityNone     = "none"
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

var severities = []string{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// ParseSeverity reads a severity name as people and feeds write it: any case,
// surrounding space ignored, "moderate" (GitHub's word) for medium. It returns the
// canonical lower-case name.
func ParseSeverity(s string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "moderate" {
		return SeverityMedium, nil
	}
	for _, sev := range severities {
		if t == sev {
			return sev, nil
		}
	}
	return "", fmt.Errorf("invalid severity %q: use one of none, low, medium, high, critical", s)
}

// SeverityRank orders severities for thresholds: none 0, low 1, medium 2, high 3,
// critical 4; a name ParseSeverity rejects ranks -1, below every valid one.
func SeverityRank(s string) int {
	sev, err := ParseSeverity(s)
	if err != nil {
		return -1
	}
	for i, v := range severities {
		if v == sev {
			return i
		}
	}
	return -1
}

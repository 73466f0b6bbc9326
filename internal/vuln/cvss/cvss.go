package cvss

import (
	"fmt"
	"math"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Score is a parsed and scored CVSS vector.
type Score struct {
	// Version is the CVSS version the vector is written in: "2.0", "3.0", "3.1" or "4.0".
	Version string
	// Base is the base score, 0.0 to 10.0 with one decimal. For v2.0 and v3.x it is the
	// specification's base score; temporal and environmental metrics in the vector do
	// not change it. For v4.0 it is the CVSS-B score: threat and environmental metrics
	// are read as Not Defined, so that scores from different publishers compare (a
	// publisher's CVSS-BT score with E:U is lower than the base score).
	Base float64
	// Severity is the qualitative rating of Base for that version: for v3.x and v4.0
	// none (0.0), low (0.1-3.9), medium (4.0-6.9), high (7.0-8.9) or critical (9.0-10.0);
	// for v2.0 low (0.0-3.9), medium (4.0-6.9) or high (7.0-10.0), as NVD rates v2.
	Severity string
	// Vector is the normalised vector: metrics in the specification's order, metrics
	// that are Not Defined left out (v3.x, v4.0), no "(...)" wrapper around v2.0.
	Vector string
}

// String returns "7.5 high (CVSS 3.1)".
func (s Score) String() string {
	return fmt.Sprintf("%.1f %s (CVSS %s)", s.Base, s.Severity, s.Version)
}

// Error is the error Parse returns. Its message names the vector, the metric that is
// wrong when that can be told, and what a valid vector of that version looks like.
type Error struct {
	// Vector is the vector as given to Parse.
	Vector string
	// Version is the CVSS version the vector claims ("" when it could not be told).
	Version string
	// Metric is the abbreviation of the wrong metric ("AV"), or "" when the fault is
	// not in one metric.
	Metric string
	// Reason says what is wrong.
	Reason string
	// Err is go-cvss's error, when it gave one.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid CVSS vector %q: ", short(e.Vector))
	if e.Metric != "" {
		fmt.Fprintf(&b, "metric %s: ", e.Metric)
	}
	b.WriteString(e.Reason)
	if sc := schemeOf(e.Version); sc != nil {
		fmt.Fprintf(&b, "; a CVSS %s vector looks like %q", sc.version, sc.example)
	} else {
		b.WriteString("; a valid vector looks like \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\", " +
			"\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\" or, for CVSS 2.0, \"AV:N/AC:L/Au:N/C:P/I:P/A:P\"")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// maxVectorLen bounds the input: the longest valid v4.0 vector (every metric given) is
// well under 300 bytes.
const maxVectorLen = 1024

// Parse reads a CVSS vector and scores it. The version is told by the prefix:
// "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/"; a vector without a prefix is CVSS v2.0
// ("AV:N/AC:L/Au:N/C:P/I:P/A:P", also inside "(...)" as NVD's old feeds write it).
// Surrounding white space is ignored. The error is an *Error.
func Parse(vector string) (Score, error) {
	v := strings.TrimSpace(vector)
	if len(v) > maxVectorLen {
		return Score{}, &Error{Vector: vector, Reason: fmt.Sprintf("%d bytes is too long for a CVSS vector", len(v))}
	}
	var sc *scheme
	body := v
	switch {
	case strings.HasPrefix(v, "CVSS:"):
		ver, rest, _ := strings.Cut(v[len("CVSS:"):], "/")
		sc = schemeOf(ver)
		if sc == nil || sc.version == "2.0" {
			return Score{}, &Error{Vector: vector, Reason: fmt.Sprintf("unsupported CVSS version %q (supported: 3.0, 3.1, 4.0, and 2.0 written without a prefix)", ver)}
		}
		body = rest
	default:
		sc = &v20
		if strings.HasPrefix(body, "(") && strings.HasSuffix(body, ")") {
			body = body[1 : len(body)-1]
			v = body
		}
	}
	if body == "" {
		return Score{}, &Error{Vector: vector, Version: sc.version, Reason: "no metrics"}
	}
	s, err := sc.score(v)
	if err != nil {
		metric, reason := sc.diagnose(body)
		if reason == "" {
			reason = err.Error()
		}
		return Score{}, &Error{Vector: vector, Version: sc.version, Metric: metric, Reason: reason, Err: err}
	}
	s.Version = sc.version
	s.Base = round1(s.Base)
	s.Severity = severityOf(sc.version, s.Base)
	return s, nil
}

// short cuts a long vector for messages.
func short(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// round1 rounds to one decimal, removing the binary noise of the libraries'
// arithmetic (8.799999 → 8.8) so that thresholds compare as people read them.
func round1(f float64) float64 { return math.Round(f*10) / 10 }

func severityOf(version string, base float64) string {
	if version == "2.0" {
		switch {
		case base >= 7.0:
			return SeverityHigh
		case base >= 4.0:
			return SeverityMedium
		default:
			return SeverityLow
		}
	}
	switch {
	case base >= 9.0:
		return SeverityCritical
	case base >= 7.0:
		return SeverityHigh
	case base >= 4.0:
		return SeverityMedium
	case base > 0:
		return SeverityLow
	default:
		return SeverityNone
	}
}

// scheme is what Parse knows of one CVSS version.
type scheme struct {
	version string
	example string
	// groups lists the metric abbreviations, group by group, in the specification's
	// order; groups[0] is the base group, whose metrics are all mandatory.
	groups [][]string
	// groupNames names the groups for messages.
	groupNames []string
	// ordered: the metrics must appear in the order of groups (v2.0, v4.0).
	ordered bool
	// wholeGroups: a non-base group is given entirely or not at all (v2.0).
	wholeGroups bool
	// score parses the whole vector (with its prefix) and returns Base and Vector.
	score func(vector string) (Score, error)
	// set tries one metric on a fresh vector: nil when abv:value is valid.
	set func(abv, value string) error
}

var (
	v20 = scheme{
		version: "2.0",
		example: "AV:N/AC:L/Au:N/C:P/I:P/A:P",
		groups: [][]string{
			{"AV", "AC", "Au", "C", "I", "A"},
			{"E", "RL", "RC"},
			{"CDP", "TD", "CR", "IR", "AR"},
		},
		groupNames:  []string{"base", "temporal", "environmental"},
		ordered:     true,
		wholeGroups: true,
		score: func(vector string) (Score, error) {
			c, err := gocvss20.ParseVector(vector)
			if err != nil {
				return Score{}, err
			}
			return Score{Base: c.BaseScore(), Vector: c.Vector()}, nil
		},
		set: func(abv, value string) error { return (&gocvss20.CVSS20{}).Set(abv, value) },
	}
	v30 = scheme{
		version:    "3.0",
		example:    "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		groups:     v3Groups,
		groupNames: []string{"base", "temporal", "environmental"},
		score: func(vector string) (Score, error) {
			c, err := gocvss30.ParseVector(vector)
			if err != nil {
				return Score{}, err
			}
			return Score{Base: c.BaseScore(), Vector: c.Vector()}, nil
		},
		set: func(abv, value string) error { return (&gocvss30.CVSS30{}).Set(abv, value) },
	}
	v31 = scheme{
		version:    "3.1",
		example:    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		groups:     v3Groups,
		groupNames: []string{"base", "temporal", "environmental"},
		score: func(vector string) (Score, error) {
			c, err := gocvss31.ParseVector(vector)
			if err != nil {
				return Score{}, err
			}
			return Score{Base: c.BaseScore(), Vector: c.Vector()}, nil
		},
		set: func(abv, value string) error { return (&gocvss31.CVSS31{}).Set(abv, value) },
	}
	v40 = scheme{
		version: "4.0",
		example: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		groups: [][]string{
			{"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"},
			{"E"},
			{"CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA"},
			{"S", "AU", "R", "V", "RE", "U"},
		},
		groupNames: []string{"base", "threat", "environmental", "supplemental"},
		ordered:    true,
		score: func(vector string) (Score, error) {
			c, err := gocvss40.ParseVector(vector)
			if err != nil {
				return Score{}, err
			}
			norm := c.Vector()
			// CVSS-B: the same vector with the threat and environmental metrics
			// Not Defined. Supplemental metrics never change the score.
			base := *c
			for _, m := range v4NonBase {
				if err := base.Set(m, "X"); err != nil {
					return Score{}, err
				}
			}
			return Score{Base: base.Score(), Vector: norm}, nil
		},
		set: func(abv, value string) error { return (&gocvss40.CVSS40{}).Set(abv, value) },
	}

	v3Groups = [][]string{
		{"AV", "AC", "PR", "UI", "S", "C", "I", "A"},
		{"E", "RL", "RC"},
		{"CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"},
	}
	v4NonBase = []string{"E", "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA"}
)

func schemeOf(version string) *scheme {
	switch version {
	case "2.0":
		return &v20
	case "3.0":
		return &v30
	case "3.1":
		return &v31
	case "4.0":
		return &v40
	}
	return nil
}

// diagnose finds what is wrong with the metrics part of a vector that go-cvss
// rejected: it returns the abbreviation of the wrong metric (or "") and a reason, or
// two empty strings when it finds nothing (the caller then shows go-cvss's error).
func (sc *scheme) diagnose(body string) (metric, reason string) {
	type pos struct{ group, index int }
	where := map[string]pos{}
	for g, group := range sc.groups {
		for i, m := range group {
			where[m] = pos{g, i}
		}
	}
	seen := map[string]bool{}
	last := pos{-1, -1}
	for part := range strings.SplitSeq(body, "/") {
		if part == "" {
			return "", "empty metric (two '/' in a row, or a '/' at an end)"
		}
		abv, value, ok := strings.Cut(part, ":")
		if !ok {
			return "", fmt.Sprintf("%q has no value; write each metric as ABBREVIATION:VALUE", part)
		}
		p, known := where[abv]
		if !known {
			reason := fmt.Sprintf("not a CVSS %s metric (they are %s)", sc.version, sc.list())
			if sc.version == "2.0" {
				reason += `; a vector without a prefix is read as CVSS 2.0, and CVSS 3 and 4 vectors start with "CVSS:3.1/" or "CVSS:4.0/"`
			}
			return abv, reason
		}
		if seen[abv] {
			return abv, "given more than once"
		}
		seen[abv] = true
		if err := sc.set(abv, value); err != nil {
			return abv, fmt.Sprintf("value %q is not one of %s", value, strings.Join(sc.values(abv), ", "))
		}
		if sc.ordered {
			if p.group < last.group || (p.group == last.group && p.index < last.index) {
				return abv, fmt.Sprintf("out of order; CVSS %s metrics go in the order %s", sc.version, sc.list())
			}
			last = p
		}
	}
	for _, m := range sc.groups[0] {
		if !seen[m] {
			return m, fmt.Sprintf("missing; every CVSS %s vector has the base metrics %s", sc.version, strings.Join(sc.groups[0], "/"))
		}
	}
	if sc.wholeGroups {
		for g, group := range sc.groups[1:] {
			any := false
			for _, m := range group {
				any = any || seen[m]
			}
			if !any {
				continue
			}
			for _, m := range group {
				if !seen[m] {
					return m, fmt.Sprintf("missing; CVSS %s %s metrics come as a whole group: %s", sc.version, sc.groupNames[g+1], strings.Join(group, "/"))
				}
			}
		}
	}
	return "", ""
}

// list returns the metrics of all groups, "AV/AC/... then E/RL/RC then ...".
func (sc *scheme) list() string {
	parts := make([]string, len(sc.groups))
	for i, g := range sc.groups {
		parts[i] = strings.Join(g, "/")
	}
	return strings.Join(parts, " then ")
}

// valueCandidates are the metric values of every CVSS version: single letters and
// v2.0's longer ones.
var valueCandidates = func() []string {
	var c []string
	for r := 'A'; r <= 'Z'; r++ {
		c = append(c, string(r))
	}
	return append(c, "ND", "POC", "OF", "TF", "UC", "UR", "LM", "MH")
}()

// values lists the values go-cvss accepts for a metric, by trying each candidate.
func (sc *scheme) values(abv string) []string {
	var ok []string
	for _, v := range valueCandidates {
		if sc.set(abv, v) == nil {
			ok = append(ok, v)
		}
	}
	return ok
}

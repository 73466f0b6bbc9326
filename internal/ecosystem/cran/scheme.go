package cran

import (
	"fmt"
	"strings"

	"vetted/internal/ecosystem"
)

// Scheme is CRAN's version scheme for the ecosystem-agnostic machinery.
type Scheme struct{}

var _ ecosystem.Versions = Scheme{}

// Compare orders two version strings as R's package_version does; invalid versions
// sort before valid ones and among themselves by string.
func (Scheme) Compare(a, b string) int { return Compare(a, b) }

// ParseConstraint parses an R version constraint: one or more clauses "OP VERSION"
// joined by commas, all of which must hold (">= 1.0, < 2"). OP is one of R's >=, >,
// <=, <, == and !=; the space after it is optional, and a clause may be wrapped in
// parentheses as in DESCRIPTION ("(>= 1.2.0)"). "" is the constraint every version
// satisfies.
func (Scheme) ParseConstraint(s string) (ecosystem.Constraint, error) {
	return ParseConstraint(s)
}

// Constraint is a parsed R version constraint: every clause must hold.
type Constraint struct {
	clauses []clause
}

var _ ecosystem.Constraint = Constraint{}

type clause struct {
	op string
	v  Version
}

// ConstraintError says why a constraint could not be parsed.
type ConstraintError struct {
	Constraint string
	Clause     string
	Reason     string
}

func (e *ConstraintError) Error() string {
	msg := fmt.Sprintf("invalid R version constraint %q", e.Constraint)
	if e.Clause != "" {
		msg += fmt.Sprintf(": clause %q", e.Clause)
	}
	return msg + ": " + e.Reason + `; write clauses like ">= 1.2.0" joined by commas, e.g. ">= 1.0, < 2"`
}

// operators, longest first so that ">=" is not read as ">".
var operators = []string{">=", "<=", "==", "!=", ">", "<"}

// ParseConstraint parses an R version constraint; see Scheme.ParseConstraint.
func ParseConstraint(s string) (Constraint, error) {
	if strings.TrimSpace(s) == "" {
		return Constraint{}, nil
	}
	var c Constraint
	for raw := range strings.SplitSeq(s, ",") {
		t := strings.TrimSpace(raw)
		if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
			t = strings.TrimSpace(t[1 : len(t)-1])
		}
		if t == "" {
			return Constraint{}, &ConstraintError{Constraint: s, Reason: "empty clause (a comma at an end, or two in a row)"}
		}
		op := ""
		for _, o := range operators {
			if strings.HasPrefix(t, o) {
				op = o
				break
			}
		}
		if op == "" {
			reason := "no operator; use one of >=, >, <=, <, ==, !="
			if t[0] == '=' || t[0] == '~' || t[0] == '^' {
				reason = fmt.Sprintf("unknown operator at %q; R knows >=, >, <=, <, == and !=", t)
			}
			return Constraint{}, &ConstraintError{Constraint: s, Clause: strings.TrimSpace(raw), Reason: reason}
		}
		v, err := Parse(strings.TrimSpace(t[len(op):]))
		if err != nil {
			return Constraint{}, &ConstraintError{Constraint: s, Clause: strings.TrimSpace(raw), Reason: err.Error()}
		}
		c.clauses = append(c.clauses, clause{op: op, v: v})
	}
	return c, nil
}

// Contains reports whether version satisfies every clause. A string that is not an R
// package version satisfies nothing, not even the empty constraint.
func (c Constraint) Contains(version string) bool {
	v, err := Parse(version)
	if err != nil {
		return false
	}
	for _, cl := range c.clauses {
		r := v.Compare(cl.v)
		var ok bool
		switch cl.op {
		case ">=":
			ok = r >= 0
		case ">":
			ok = r > 0
		case "<=":
			ok = r <= 0
		case "<":
			ok = r < 0
		case "==":
			ok = r == 0
		case "!=":
			ok = r != 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// String returns the constraint as ">= 1.0, < 2", versions as written.
func (c Constraint) String() string {
	parts := make([]string, len(c.clauses))
	for i, cl := range c.clauses {
		parts[i] = cl.op + " " + cl.v.Original()
	}
	return strings.Join(parts, ", ")
}

// OSVEcosystem is CRAN's ecosystem name in OSV records.
const OSVEcosystem = "CRAN"

// Ecosystem is CRAN as the ecosystem-agnostic machinery sees it. Package names are
// case-sensitive, so normalisation leaves them as they are.
type Ecosystem struct{ Scheme }

// Name implements ecosystem.Ecosystem.
func (Ecosystem) Name() string { return "cran" }

// NormalizeName implements ecosystem.Ecosystem: CRAN names compare as written.
func (Ecosystem) NormalizeName(name string) string { return name }

package conda

import (
	"strings"

	"vetted/internal/ecosystem"
)

// Scheme is conda's version scheme for the ecosystem-agnostic machinery.
type Scheme struct{}

var _ ecosystem.Versions = Scheme{}

// Compare orders two version strings as rattler does; strings that are not conda
// versions sort before every version, and among themselves by string.
func (Scheme) Compare(a, b string) int { return Compare(a, b) }

// ParseConstraint parses a version spec for a policy rule; see ParseConstraint.
func (Scheme) ParseConstraint(s string) (ecosystem.Constraint, error) {
	c, err := ParseConstraint(s)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Constraint is a version spec as an ecosystem.Constraint.
type Constraint struct {
	spec VersionSpec
	text string // the spec's normal form; "" for the constraint every version satisfies
}

var _ ecosystem.Constraint = Constraint{}

// ParseConstraint parses a version constraint written by a person (a policy rule, a
// triage record): a version spec parsed strictly, so that the ambiguous "1.2" is an
// error that asks for "==1.2" or "1.2.*" rather than a silent ==, and the sloppy
// ">=1.2.*" is refused. Surrounding white space is ignored, and "" is the
// constraint every version satisfies. To read repodata's depends, use
// ParseVersionSpec with Lenient.
func ParseConstraint(s string) (Constraint, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Constraint{}, nil
	}
	vs, err := ParseVersionSpec(t, Strict)
	if err != nil {
		return Constraint{}, err
	}
	return Constraint{spec: vs, text: vs.String()}, nil
}

// Contains reports whether version satisfies the constraint. A string that is not a
// conda version satisfies nothing, not even the empty constraint. Conda has no
// pre-release rule to apply: "<2" admits 2.0rc1, as it does for conda itself.
func (c Constraint) Contains(version string) bool {
	v, err := ParseVersion(version)
	return err == nil && c.spec.Matches(v)
}

// String returns the spec in rattler's normal form, "" for the empty constraint.
func (c Constraint) String() string { return c.text }

// Ecosystem is conda as the ecosystem-agnostic machinery sees it.
type Ecosystem struct {
	Scheme
}

var _ ecosystem.Ecosystem = Ecosystem{}

// Name implements ecosystem.Ecosystem.
func (Ecosystem) Name() string { return "conda" }

// NormalizeName implements ecosystem.Ecosystem.
func (Ecosystem) NormalizeName(name string) string { return NormalizeName(name) }

// NormalizeName returns the canonical form of a conda package name: the name in
// lower case, as rattler's PackageName normalises it. Unlike PEP 503, '-', '_' and
// '.' stay as they are: "ruamel.yaml", "ruamel-yaml" and "ruamel_yaml" are three
// different conda packages.
func NormalizeName(name string) string { return strings.ToLower(name) }

// OSVEcosystem is vetted's name for conda in advisory records. OSV defines no conda
// ecosystem, so this is ours, not OSV's.
const OSVEcosystem = "conda"

package pep440

import "vetted/internal/ecosystem"

// Scheme is PyPI's version scheme for the ecosystem-agnostic machinery.
type Scheme struct{}

var _ ecosystem.Versions = Scheme{}

// Compare orders two version strings by PEP 440; invalid versions sort before valid
// ones and among themselves by string.
func (Scheme) Compare(a, b string) int { return Compare(a, b) }

// ParseConstraint parses a PEP 440 specifier set; "" is the constraint that every
// version satisfies.
func (Scheme) ParseConstraint(s string) (ecosystem.Constraint, error) {
	set, err := ParseSpecifierSet(s)
	if err != nil {
		return nil, err
	}
	return Constraint{Set: set}, nil
}

// Constraint adapts a SpecifierSet to ecosystem.Constraint.
type Constraint struct {
	Set SpecifierSet
}

var _ ecosystem.Constraint = Constraint{}

// Contains reports whether version satisfies the set with pre-releases admitted
// (a policy rule must see every version the bounds admit). A version that is not
// PEP 440 satisfies nothing.
func (c Constraint) Contains(version string) bool {
	v, ok := parseVersion(version)
	return ok && c.Set.Contains(v, true)
}

// String returns the normalised specifier set.
func (c Constraint) String() string { return c.Set.String() }

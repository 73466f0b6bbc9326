// Package ecosystem holds what every ecosystem package (pypi, conda, cran) provides to the
// ecosystem-agnostic machinery (version ordering and version constraints), and what they
// share for reading untrusted input (ParseError, Quote, CapReader). It imports nothing of
// vetted.
package ecosystem

// Versions is an ecosystem's version scheme.
type Versions interface {
	// Compare orders two version strings: -1, 0 or +1. Invalid versions sort before
	// valid ones, and among themselves by string.
	Compare(a, b string) int
	// ParseConstraint parses a version constraint in the ecosystem's own syntax
	// (PEP 440 specifiers for PyPI). The error names the constraint and says what is wrong.
	ParseConstraint(s string) (Constraint, error)
}

// Constraint is a parsed version constraint.
type Constraint interface {
	// Contains reports whether the version satisfies the constraint. Pre-releases match
	// whenever the constraint's bounds admit them: a policy rule must see every version.
	Contains(version string) bool
	String() string
}

// Ecosystem is what the ecosystem-agnostic machinery (policy, registry) needs to know of
// an ecosystem.
type Ecosystem interface {
	// Name is the ecosystem's identifier in configuration and URLs: "pypi".
	Name() string
	// NormalizeName returns the canonical form of a project name (PEP 503 for PyPI).
	NormalizeName(name string) string
	Versions
}

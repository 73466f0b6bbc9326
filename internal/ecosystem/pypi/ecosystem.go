package pypi

import "vetted/internal/ecosystem/pypi/pep440"

// Ecosystem is PyPI as the ecosystem-agnostic machinery sees it.
type Ecosystem struct {
	pep440.Scheme
}

// Name implements ecosystem.Ecosystem.
func (Ecosystem) Name() string { return "pypi" }

// NormalizeName implements ecosystem.Ecosystem (PEP 503).
func (Ecosystem) NormalizeName(name string) string { return NormalizeName(name) }

// OSVEcosystem is PyPI's ecosystem name in OSV records.
const OSVEcosystem = "PyPI"

package cran

import "vetted/internal/ecosystem"

// ParseError reports input that does not follow its format (a DCF file (DESCRIPTION, PACKAGES), a dependency list, a package filename or a tarball). Every error this
// package returns for bad input is a *ParseError.
type ParseError = ecosystem.ParseError

// quote quotes s for an error message, shortened so that hostile input cannot make error
// messages huge.
func quote(s string) string { return ecosystem.Quote(s, 120) }

package pypi

import "vetted/internal/ecosystem"

// ParseError reports input that does not follow its format (a distribution filename, a simple-index page, a core metadata file or an archive). Every error this
// package returns for bad input is a *ParseError.
type ParseError = ecosystem.ParseError

// quote quotes s for an error message, shortened so that hostile input cannot make error
// messages huge.
func quote(s string) string { return ecosystem.Quote(s, 200) }

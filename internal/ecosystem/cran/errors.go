package cran

import (
	"strconv"
	"unicode/utf8"
)

// ParseError reports input that does not follow its format: a DCF file (DESCRIPTION,
// PACKAGES), a dependency list, a package filename or a package tarball. Every error this
// package returns for bad input is a *ParseError, so a caller can tell "upstream sent
// something malformed" (errors.As) from an I/O failure.
type ParseError struct {
	// Source names the input: a URL or path given by the caller, `DESCRIPTION in
	// "ggplot2_3.5.1.tar.gz"`, `filename "x.tar.gz"`, "dependency list".
	Source string
	// Line is the 1-based line of a DCF file the error is about, or 0.
	Line int
	// Detail says what is wrong and, where it helps, what valid input looks like.
	Detail string
	// Err is the underlying error, if any (a gzip or tar error).
	Err error
}

func (e *ParseError) Error() string {
	s := "parse " + e.Source + ": "
	if e.Line > 0 {
		s += "line " + strconv.Itoa(e.Line) + ": "
	}
	s += e.Detail
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ParseError) Unwrap() error { return e.Err }

// quote quotes s for an error message, shortening it so that hostile input cannot make
// error messages huge.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "…"
	}
	return strconv.Quote(s)
}

package pypi

import (
	"strconv"
	"unicode/utf8"
)

// ParseError reports a document that does not follow its format: a distribution filename,
// a simple-index page, a core metadata file or an archive. Every error this package
// returns for bad input is a *ParseError, so a caller can tell "upstream sent something
// malformed" (errors.As) from an I/O failure.
type ParseError struct {
	// Source names the document: a page URL, `filename "foo.whl"`, "metadata", `wheel "foo.whl"`.
	Source string
	// Detail says what is wrong and, where it helps, what a valid document looks like.
	Detail string
	// Err is the underlying error, if any (a JSON syntax error, an I/O error inside an archive).
	Err error
}

func (e *ParseError) Error() string {
	s := "parse " + e.Source + ": " + e.Detail
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ParseError) Unwrap() error { return e.Err }

// quote quotes s for an error message, shortening it so that hostile input cannot make
// error messages huge.
func quote(s string) string {
	const max = 200
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "…"
	}
	return strconv.Quote(s)
}

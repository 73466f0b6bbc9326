package condapkg

import (
	"strconv"
	"unicode/utf8"
)

// ParseError reports a package file or metadata document that does not follow its
// format. Every error this package returns for bad input is a *ParseError, so that a
// caller can tell "this package is malformed or hostile" (errors.As) from an I/O failure.
type ParseError struct {
	// Source names the document: `package "zlib-1.3.1-h4ab18f5_1.conda"`, or a caller's
	// name for an index.json.
	Source string
	// Detail says what is wrong, naming the archive member and field where there is one.
	Detail string
	// Err is the underlying error, if any.
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

package repodata

import (
	"strconv"
	"unicode/utf8"
)

// ParseError reports a document that does not follow its format: repodata.json,
// channeldata.json, a shard index or a shard. Every error this package returns for bad
// input is a *ParseError, so that a caller can tell "upstream sent something malformed"
// (errors.As) from an I/O failure.
type ParseError struct {
	// Source names the document: its URL or file path, as the caller gave it.
	Source string
	// Detail says where in the document (`packages["foo-1.0-0.tar.bz2"]`) and what is
	// wrong, and where it helps what to do about it.
	Detail string
	// Err is the underlying error, if any (an I/O or decompression error).
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

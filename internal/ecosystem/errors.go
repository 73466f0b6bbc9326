package ecosystem

import (
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// ParseError reports input that does not follow its format: a filename, an index page or
// document, a metadata file, an archive. Every error an ecosystem package returns for bad
// input is a *ParseError (each package names it as its own ParseError), so that a caller
// can tell "upstream sent something malformed" (errors.As) from an I/O failure.
type ParseError struct {
	// Source names the input: a URL or path given by the caller, `filename "foo.whl"`,
	// `package "zlib-1.3.1-h4ab18f5_1.conda"`, `DESCRIPTION in "x_1.0.tar.gz"`.
	Source string
	// Line is the 1-based line of a line-oriented file (DCF) the error is about, or 0.
	Line int
	// Detail says what is wrong and, where it helps, what valid input looks like.
	Detail string
	// Err is the underlying error, if any (a JSON syntax error, a gzip or tar error).
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

// Quote quotes s for an error message, cut to at most limit bytes (on a rune boundary)
// so that hostile input cannot make error messages huge.
func Quote(s string, limit int) string {
	if len(s) > limit {
		i := limit
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "…"
	}
	return strconv.Quote(s)
}

// ErrTooMuchData is returned by a CapReader past its limit.
var ErrTooMuchData = errors.New("decompressed data over the limit")

// CapReader fails once more than its limit has been read: unlike io.LimitReader it does
// not end the stream quietly, so a decompression bomb is reported rather than read as a
// truncated archive.
type CapReader struct {
	r io.Reader
	n int64
}

// NewCapReader reads r, failing with ErrTooMuchData past n bytes.
func NewCapReader(r io.Reader, n int64) *CapReader { return &CapReader{r: r, n: n} }

func (c *CapReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		// Allow reading exactly n bytes followed by EOF.
		var one [1]byte
		k, err := c.r.Read(one[:])
		if k > 0 {
			return 0, ErrTooMuchData
		}
		return 0, err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

package repodata

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON (RFC 8259) from a byte slice in one pass, validating as it goes.
// encoding/json needs three passes and reflection to split a 250 MB repodata.json into
// records and decode a dozen fields of each; this scanner does it in one, and lets the
// parser keep each record's bytes as a sub-slice of the input. The fuzz tests check it
// against encoding/json: what it accepts, json.Valid accepts, and it decodes the same
// strings and numbers.
//
// The input must be valid UTF-8 (the parser checks the whole document first), so strings
// need no per-byte UTF-8 check.
type scanner struct {
	data []byte
	pos  int
	buf  []byte // scratch for unescaped strings
}

// maxDepth bounds nesting: repodata nests four levels deep, a hostile document thousands.
const maxDepth = 512

// syntaxError is a JSON syntax error at a byte offset. eof marks input that ends early.
type syntaxError struct {
	off int
	msg string
	eof bool
}

func (e *syntaxError) Error() string { return e.msg }

func (s *scanner) errEOF() error {
	return &syntaxError{off: len(s.data), msg: "unexpected end of input", eof: true}
}

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxError{off: s.pos, msg: fmt.Sprintf(format, args...)}
}

// describe names the JSON value that starts with c, for error messages.
func describe(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == '"':
		return "a string"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c >= 0x21 && c < 0x7f:
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte without consuming it.
func (s *scanner) peek() (byte, error) {
	s.space()
	if s.pos >= len(s.data) {
		return 0, s.errEOF()
	}
	return s.data[s.pos], nil
}

// consume skips whitespace and consumes c.
func (s *scanner) consume(c byte, context string) error {
	b, err := s.peek()
	if err != nil {
		return err
	}
	if b != c {
		return s.errorf("expected %q %s, found %s", rune(c), context, describe(b))
	}
	s.pos++
	return nil
}

// more is called after a member of an object or list: it consumes the "," and returns
// true, or consumes the closing byte and returns false.
func (s *scanner) more(closing byte) (bool, error) {
	b, err := s.peek()
	if err != nil {
		return false, err
	}
	switch b {
	case ',':
		s.pos++
		return true, nil
	case closing:
		s.pos++
		return false, nil
	}
	return false, s.errorf("expected ',' or %q, found %s", rune(closing), describe(b))
}

// openObject consumes "{" and reports whether the object has members; if not, it also
// consumes "}".
func (s *scanner) openObject() (bool, error) {
	if err := s.consume('{', "to open an object"); err != nil {
		return false, err
	}
	b, err := s.peek()
	if err != nil {
		return false, err
	}
	if b == '}' {
		s.pos++
		return false, nil
	}
	return true, nil
}

// openList is openObject for lists.
func (s *scanner) openList() (bool, error) {
	if err := s.consume('[', "to open a list"); err != nil {
		return false, err
	}
	b, err := s.peek()
	if err != nil {
		return false, err
	}
	if b == ']' {
		s.pos++
		return false, nil
	}
	return true, nil
}

// key reads an object key and the ":" after it. The bytes are valid until the next
// string is read.
func (s *scanner) key() ([]byte, error) {
	b, err := s.peek()
	if err != nil {
		return nil, err
	}
	if b != '"' {
		return nil, s.errorf("expected a string key, found %s", describe(b))
	}
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	if err := s.consume(':', "after an object key"); err != nil {
		return nil, err
	}
	return k, nil
}

// null consumes a null if one is next.
func (s *scanner) null() (bool, error) {
	b, err := s.peek()
	if err != nil || b != 'n' {
		return false, err
	}
	return true, s.literal("null")
}

func (s *scanner) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if s.pos >= len(s.data) {
			return s.errEOF()
		}
		if s.data[s.pos] != lit[i] {
			return s.errorf("invalid literal; expected %q", lit)
		}
		s.pos++
	}
	return nil
}

// str reads a string (the next byte must be '"') and returns its decoded bytes: a
// sub-slice of the input when it has no escapes, else s.buf. Valid until the next call.
func (s *scanner) str() ([]byte, error) {
	s.pos++ // '"'
	start := s.pos
	for i := start; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return s.data[start:i], nil
		case c == '\\':
			return s.unescape(start, i)
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character 0x%02x in a string (it must be escaped)", c)
		}
	}
	s.pos = len(s.data)
	return nil, s.errEOF()
}

// unescape continues str from the first backslash at i.
func (s *scanner) unescape(start, i int) ([]byte, error) {
	buf := append(s.buf[:0], s.data[start:i]...)
	defer func() { s.buf = buf[:0] }()
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return buf, nil
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character 0x%02x in a string (it must be escaped)", c)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(s.data) {
			s.pos = len(s.data)
			return nil, s.errEOF()
		}
		switch e := s.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := s.hex4(i + 2)
			if err != nil {
				return nil, err
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by an escaped low one is one character; any
				// other surrogate is replaced by U+FFFD, as encoding/json does.
				r2 := rune(-1)
				if i+1 < len(s.data) && s.data[i] == '\\' && s.data[i+1] == 'u' {
					if r2, err = s.hex4(i + 2); err != nil {
						return nil, err
					}
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			s.pos = i
			return nil, s.errorf("invalid escape %q in a string", "\\"+string(rune(e)))
		}
		i += 2
	}
	s.pos = len(s.data)
	return nil, s.errEOF()
}

// hex4 decodes the four hex digits of a \u escape at i.
func (s *scanner) hex4(i int) (rune, error) {
	if i+4 > len(s.data) {
		s.pos = len(s.data)
		return 0, s.errEOF()
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			s.pos = i
			return 0, s.errorf("invalid \\u escape in a string")
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// skipString skips a string (the next byte must be '"'), validating its escapes.
func (s *scanner) skipString() error {
	i := s.pos + 1
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return nil
		case c < 0x20:
			s.pos = i
			return s.errorf("control character 0x%02x in a string (it must be escaped)", c)
		case c == '\\':
			if i+1 >= len(s.data) {
				s.pos = len(s.data)
				return s.errEOF()
			}
			switch s.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, err := s.hex4(i + 2); err != nil {
					return err
				}
				i += 6
			default:
				s.pos = i
				return s.errorf("invalid escape %q in a string", "\\"+string(rune(s.data[i+1])))
			}
		default:
			i++
		}
	}
	s.pos = len(s.data)
	return s.errEOF()
}

// number reads a number and returns its literal and whether it is an integer (no
// fraction, no exponent).
func (s *scanner) number() (lit []byte, isInt bool, err error) {
	start := s.pos
	i := s.pos
	digits := func() int {
		n := 0
		for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s.data) && s.data[i] == '-' {
		i++
	}
	switch {
	case i >= len(s.data):
		s.pos = i
		return nil, false, s.errEOF()
	case s.data[i] == '0':
		i++
	case s.data[i] >= '1' && s.data[i] <= '9':
		digits()
	default:
		s.pos = i
		return nil, false, s.errorf("invalid number")
	}
	isInt = true
	if i < len(s.data) && s.data[i] == '.' {
		i++
		isInt = false
		if digits() == 0 {
			s.pos = i
			if i >= len(s.data) {
				return nil, false, s.errEOF()
			}
			return nil, false, s.errorf("invalid number: a digit must follow '.'")
		}
	}
	if i < len(s.data) && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		isInt = false
		if i < len(s.data) && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			s.pos = i
			if i >= len(s.data) {
				return nil, false, s.errEOF()
			}
			return nil, false, s.errorf("invalid number: a digit must follow the exponent")
		}
	}
	s.pos = i
	return s.data[start:i], isInt, nil
}

// skip skips one value of any kind, validating it.
func (s *scanner) skip(depth int) error {
	b, err := s.peek()
	if err != nil {
		return err
	}
	switch {
	case b == '{', b == '[':
		if depth >= maxDepth {
			return s.errorf("nested more than %d levels deep", maxDepth)
		}
		closing := byte('}')
		if b == '[' {
			closing = ']'
		}
		s.pos++
		if c, err := s.peek(); err != nil {
			return err
		} else if c == closing {
			s.pos++
			return nil
		}
		for {
			if b == '{' {
				c, err := s.peek()
				if err != nil {
					return err
				}
				if c != '"' {
					return s.errorf("expected a string key, found %s", describe(c))
				}
				if err := s.skipString(); err != nil {
					return err
				}
				if err := s.consume(':', "after an object key"); err != nil {
					return err
				}
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			more, err := s.more(closing)
			if err != nil || !more {
				return err
			}
		}
	case b == '"':
		return s.skipString()
	case b == '-' || b >= '0' && b <= '9':
		_, _, err := s.number()
		return err
	case b == 't':
		return s.literal("true")
	case b == 'f':
		return s.literal("false")
	case b == 'n':
		return s.literal("null")
	}
	return s.errorf("expected a value, found %s", describe(b))
}

// value skips one value and returns its bytes.
func (s *scanner) value(depth int) ([]byte, error) {
	s.space()
	start := s.pos
	if err := s.skip(depth); err != nil {
		return nil, err
	}
	return s.data[start:s.pos:s.pos], nil
}

// end checks that only whitespace follows.
func (s *scanner) end() error {
	s.space()
	if s.pos < len(s.data) {
		return s.errorf("more data (%s) after the end of the document", describe(s.data[s.pos]))
	}
	return nil
}

// lineCol returns the 1-based line and column of a byte offset, for error messages.
func lineCol(data []byte, off int) (line, col int) {
	line, col = 1, 1
	for _, c := range data[:min(off, len(data))] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			const hex = "0123456789abcdef"
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

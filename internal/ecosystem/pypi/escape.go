package pypi

import (
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for the bytes a JSON string may hold as they are: printable ASCII
// except '"' and '\\' (JSON) and '<', '>' and '&' (HTML-safe, as encoding/json writes
// them). Bytes of multi-byte UTF-8 sequences are false: they take the slow path, which
// checks the encoding and escapes U+2028 and U+2029.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s as a JSON string, escaped exactly as encoding/json does it:
// HTML-safe, with U+2028 and U+2029 escaped and invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Fast path: a run of bytes that need no escaping.
		for i < len(s) && jsonSafe[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// htmlSpecial[c] is true for the bytes appendHTMLEscaped replaces.
var htmlSpecial = func() (t [256]bool) {
	for _, c := range `&<>"'` {
		t[c] = true
	}
	return t
}()

// appendHTMLEscaped appends s with the five characters that matter in HTML text and
// quoted attribute values escaped, exactly as html.EscapeString does.
func appendHTMLEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if !htmlSpecial[s[i]] {
			continue
		}
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		default:
			esc = "&#39;"
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, esc...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

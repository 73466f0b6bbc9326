package cran

import (
	"strings"
	"unicode/utf8"
)

// charset is how a paragraph's bytes are encoded, as its Encoding field says.
type charset int

const (
	charsetUTF8    charset = iota // no Encoding field, or Encoding: UTF-8
	charsetLatin1                 // ISO-8859-1
	charsetLatin2                 // ISO-8859-2
	charsetUnknown                // an Encoding this package cannot convert
)

// paragraphCharset reads the Encoding field of fields. "Writing R Extensions" (§1.1.1)
// names latin1, latin2 and UTF-8 as the only portable values; spellings are compared
// without case, '-' or '_' ("utf8", "ISO-8859-1").
func paragraphCharset(fields []Field) (charset, string) {
	for _, f := range fields {
		if f.Name == "Encoding" {
			return charsetOf(f.Value), f.Value
		}
	}
	return charsetUTF8, ""
}

func charsetOf(enc string) charset {
	var b [16]byte
	k := 0
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		switch {
		case c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if k == len(b) {
			return charsetUnknown
		}
		b[k] = c
		k++
	}
	switch string(b[:k]) {
	case "utf8":
		return charsetUTF8
	case "latin1", "iso88591":
		return charsetLatin1
	case "latin2", "iso88592":
		return charsetLatin2
	}
	return charsetUnknown
}

// isASCII reports whether s holds only bytes below 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decode converts s from cs to UTF-8. Every byte is a character in ISO-8859-1 and -2,
// so decoding cannot fail.
func decode(s string, cs charset) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			b.WriteByte(c)
		case cs == charsetLatin2 && c >= 0xA0:
			b.WriteRune(latin2High[c-0xA0])
		default: // Latin-1, and the C1 controls 0x80-0x9F of Latin-2
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// encode converts s from UTF-8 to cs; ok is false if s holds a character cs lacks.
func encode(s string, cs charset) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b = append(b, byte(r))
		case r == utf8.RuneError:
			return "", false
		case cs == charsetLatin1 && r <= 0xFF, cs == charsetLatin2 && r < 0xA0:
			b = append(b, byte(r))
		case cs == charsetLatin2:
			i := indexRune(latin2High[:], r)
			if i < 0 {
				return "", false
			}
			b = append(b, byte(0xA0+i))
		default:
			return "", false
		}
	}
	return string(b), true
}

func indexRune(table []rune, r rune) int {
	for i, t := range table {
		if t == r {
			return i
		}
	}
	return -1
}

// latin2High maps the bytes 0xA0-0xFF of ISO-8859-2 to Unicode (generated with Python's
// iso8859-2 codec). Below 0xA0, ISO-8859-2 is ISO-8859-1.
var latin2High = [96]rune{
	0x00A0, 0x0104, 0x02D8, 0x0141, 0x00A4, 0x013D, 0x015A, 0x00A7,
	0x00A8, 0x0160, 0x015E, 0x0164, 0x0179, 0x00AD, 0x017D, 0x017B,
	0x00B0, 0x0105, 0x02DB, 0x0142, 0x00B4, 0x013E, 0x015B, 0x02C7,
	0x00B8, 0x0161, 0x015F, 0x0165, 0x017A, 0x02DD, 0x017E, 0x017C,
	0x0154, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x0139, 0x0106, 0x00C7,
	0x010C, 0x00C9, 0x0118, 0x00CB, 0x011A, 0x00CD, 0x00CE, 0x010E,
	0x0110, 0x0143, 0x0147, 0x00D3, 0x00D4, 0x0150, 0x00D6, 0x00D7,
	0x0158, 0x016E, 0x00DA, 0x0170, 0x00DC, 0x00DD, 0x0162, 0x00DF,
	0x0155, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x013A, 0x0107, 0x00E7,
	0x010D, 0x00E9, 0x0119, 0x00EB, 0x011B, 0x00ED, 0x00EE, 0x010F,
	0x0111, 0x0144, 0x0148, 0x00F3, 0x00F4, 0x0151, 0x00F6, 0x00F7,
	0x0159, 0x016F, 0x00FA, 0x0171, 0x00FC, 0x00FD, 0x0163, 0x02D9,
}

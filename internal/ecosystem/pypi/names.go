package pypi

// NormalizeName returns the PEP 503 normalised form of a project name: lower case, with
// every run of '-', '_' and '.' replaced by one '-'. "Foo.Bar__baz" becomes "foo-bar-baz".
// It does not check that s is a valid name (see ValidName).
func NormalizeName(s string) string {
	if isNormalized(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			if !sep {
				b = append(b, '-')
			}
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
		sep = false
	}
	return string(b)
}

// isNormalized reports whether NormalizeName(s) == s, without allocating.
func isNormalized(s string) bool {
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			if sep {
				return false
			}
			sep = true
			continue
		case c == '_' || c == '.' || ('A' <= c && c <= 'Z'):
			return false
		}
		sep = false
	}
	return true
}

// ValidName reports whether s is a valid project name under PEP 508: ASCII letters and
// digits, with '.', '_' and '-' allowed inside but not at either end
// (^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$).
func ValidName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

package license

import (
	"strings"
	"unicode"
)

// fold reduces free licence text to the key it is looked up by in the alias table, so
// that the spelling variants real packages use meet one entry:
//
//   - lower case; URLs dropped; punctuation becomes space, except "." inside a version
//     and "+";
//   - letters and digits split apart, with a "v" before a version dropped: "GPLv3" and
//     "GPL 3" are both "gpl 3", "BSD_3_clause" and "BSD 3-Clause" both "bsd 3 clause";
//   - trailing ".0" dropped from versions: "Apache 2.0" is "apache 2";
//   - "or later", "or newer", "or any later version", "(>= 2)" become "+": "GPL (>= 2)",
//     "GPLv2+" and "GPL version 2 or later" are all "gpl 2 +";
//   - the words the, license, licence, version and v dropped: "The MIT License" is "mit".
//
// Aliases are folded with the same function when the table is loaded.
func fold(s string) string {
	// Pass 1: characters to raw tokens.
	var raw []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if strings.Contains(w, "://") || strings.HasPrefix(w, "www.") || strings.HasPrefix(w, "<http") || strings.HasPrefix(w, "(http") {
			continue
		}
		raw = appendWordTokens(raw, w)
	}
	// Pass 2: versions, operators, noise words.
	out := make([]string, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		t := raw[i]
		switch t {
		case "the", "license", "licence", "licensed", "licenses", "licences", "version", "ver":
			continue
		case "v":
			if i+1 < len(raw) && isVersion(raw[i+1]) {
				continue
			}
		case ">=", "=>":
			if i+1 < len(raw) && isVersion(raw[i+1]) {
				out = append(out, trimVersion(raw[i+1]), "+")
				i++
				continue
			}
		case "==", "=":
			if i+1 < len(raw) && isVersion(raw[i+1]) {
				out = append(out, trimVersion(raw[i+1]))
				i++
				continue
			}
		case "or", "and", "any":
			// "or later", "or any later (version)", "and later", "or newer", ...
			j := i + 1
			if t == "or" && j < len(raw) && raw[j] == "any" {
				j++
			}
			if j < len(raw) {
				switch raw[j] {
				case "later", "newer", "higher", "above", "greater":
					if t != "and" || raw[j] == "later" {
						out = appendPlus(out)
						i = j
						continue
					}
				}
			}
		case "+":
			out = appendPlus(out)
			continue
		}
		if isVersion(t) {
			t = trimVersion(t)
		}
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

func appendPlus(out []string) []string {
	if len(out) > 0 && out[len(out)-1] == "+" {
		return out
	}
	return append(out, "+")
}

// appendWordTokens splits one lower-cased word into tokens: runs of letters, runs of
// digits (with inner dots), "+", and runs of comparison characters.
func appendWordTokens(dst []string, w string) []string {
	rs := []rune(w)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
			word := string(rs[i:j])
			// "gplv3": drop the "v" that introduces a version.
			if j < len(rs) && unicode.IsDigit(rs[j]) && len(word) > 1 && strings.HasSuffix(word, "v") {
				word = word[:len(word)-1]
			}
			dst = append(dst, word)
			i = j
		case unicode.IsDigit(r):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.' && j+1 < len(rs) && unicode.IsDigit(rs[j+1])) {
				j++
			}
			dst = append(dst, string(rs[i:j]))
			i = j
		case r == '+':
			dst = append(dst, "+")
			i++
		case r == '>' || r == '<' || r == '=':
			j := i
			for j < len(rs) && (rs[j] == '>' || rs[j] == '<' || rs[j] == '=') {
				j++
			}
			dst = append(dst, string(rs[i:j]))
			i = j
		default:
			i++ // punctuation and symbols separate tokens
		}
	}
	return dst
}

func isVersion(t string) bool {
	if t == "" || t[0] < '0' || t[0] > '9' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if (t[i] < '0' || t[i] > '9') && t[i] != '.' {
			return false
		}
	}
	return true
}

// trimVersion drops trailing ".0" components: "2.0" is "2", "1.0.0" is "1", "2.1" stays.
func trimVersion(v string) string {
	for strings.HasSuffix(v, ".0") {
		v = v[:len(v)-2]
	}
	return v
}

package pep440

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDigits is the longest run of digits Python converts to an int: CPython 3.11 and
// later refuse longer strings (sys.get_int_max_str_digits), so packaging fails to parse
// any version holding such a number. Rejecting them here keeps the two in agreement
// and bounds the work a hostile version string can cause.
const maxDigits = 4300

// Pre-release kinds, in PEP 440 order.
const (
	preNone uint8 = iota
	preAlpha
	preBeta
	preRC
)

var preLabels = [...]string{preNone: "", preAlpha: "a", preBeta: "b", preRC: "rc"}

// Version is a parsed PEP 440 version. The zero Version is not a valid version; use
// Parse or MustParse. Two Versions may be equal under Compare while differing under
// ==, which also sees the original spelling.
type Version struct {
	orig  string // as given to Parse
	canon string // normalised form; the strings below are substrings of it
	// Every number is kept as its normalised decimal digits (no leading zeros) so that
	// numbers of any size order correctly without overflow.
	epoch   string // "0" when the version has no epoch
	release string // dot-separated, e.g. "1.2.3"
	preKind uint8
	pre     string // "" when there is no pre-release segment
	post    string // "" when there is no post-release segment
	dev     string // "" when there is no development release segment
	local   string // normalised, dot-separated, without "+"; "" when none
}

// InvalidVersionError reports a string that is not a PEP 440 version.
type InvalidVersionError struct {
	Input string
}

func (e *InvalidVersionError) Error() string {
	return fmt.Sprintf("invalid PEP 440 version %q: expected e.g. 1.2, 1.2.3rc1, 2!1.0.post1.dev2+local", e.Input)
}

// Parse parses a PEP 440 version the way packaging.version.Version does: surrounding
// whitespace and a leading "v" are ignored, letters are case-insensitive, alternate
// spellings (alpha, beta, c, pre, preview, rev, r, "1.0-1") and the separators ".",
// "_" and "-" are accepted and normalised away.
func Parse(s string) (Version, error) {
	v, ok := parseVersion(s)
	if !ok {
		return Version{}, &InvalidVersionError{Input: s}
	}
	return v, nil
}

// MustParse is Parse for versions known to be valid; it panics otherwise.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsValid reports whether s parses as a PEP 440 version.
func IsValid(s string) bool {
	_, ok := scan(trimSpace(s))
	return ok
}

// String returns the normalised form, as str(Version(s)) does in packaging.
func (v Version) String() string { return v.canon }

// Original returns the string the version was parsed from.
func (v Version) Original() string { return v.orig }

// Public returns the normalised version without its local segment.
func (v Version) Public() string {
	if v.local == "" {
		return v.canon
	}
	return v.canon[:len(v.canon)-len(v.local)-1]
}

// Local returns the normalised local segment (after "+"), or "" when there is none.
func (v Version) Local() string { return v.local }

// BaseVersion returns the epoch (when not zero) and release segment, e.g. "1!2.0".
func (v Version) BaseVersion() string {
	if v.epoch == "0" || v.epoch == "" {
		return v.release
	}
	return v.canon[:len(v.epoch)+1+len(v.release)]
}

// ReleaseString returns the normalised release segment, e.g. "1.2.3".
func (v Version) ReleaseString() string { return v.release }

// Epoch returns the epoch; an epoch too large for int is reported as math.MaxInt.
func (v Version) Epoch() int { return atoiSat(v.epoch) }

// Release returns the release segment's numbers. Numbers too large for int are
// reported as math.MaxInt; ReleaseString has the exact digits.
func (v Version) Release() []int {
	if v.release == "" {
		return nil
	}
	out := make([]int, 0, strings.Count(v.release, ".")+1)
	for rest := v.release; ; {
		part, tail, more := strings.Cut(rest, ".")
		out = append(out, atoiSat(part))
		if !more {
			return out
		}
		rest = tail
	}
}

// Pre returns the pre-release label ("a", "b" or "rc") and number, if any.
func (v Version) Pre() (label string, n int, ok bool) {
	if v.preKind == preNone {
		return "", 0, false
	}
	return preLabels[v.preKind], atoiSat(v.pre), true
}

// Post returns the post-release number, if any.
func (v Version) Post() (int, bool) { return atoiSat(v.post), v.post != "" }

// Dev returns the development release number, if any.
func (v Version) Dev() (int, bool) { return atoiSat(v.dev), v.dev != "" }

// IsPrerelease reports whether v is a pre-release or a development release, as
// packaging's is_prerelease does.
func (v Version) IsPrerelease() bool { return v.preKind != preNone || v.dev != "" }

// IsPostrelease reports whether v has a post-release segment.
func (v Version) IsPostrelease() bool { return v.post != "" }

// IsDevrelease reports whether v has a development release segment.
func (v Version) IsDevrelease() bool { return v.dev != "" }

func atoiSat(s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return math.MaxInt
	}
	return n
}

// Compare orders v and o by PEP 440: -1, 0 or +1.
func (v Version) Compare(o Version) int { return compareVersions(v, o, true) }

// compareVersions follows packaging's sort key: epoch, release (trailing zeros
// ignored), pre-release, post-release, development release and, when withLocal is
// set, the local segment.
func compareVersions(a, b Version, withLocal bool) int {
	if c := compareNumbers(a.epoch, b.epoch); c != 0 {
		return c
	}
	if c := compareReleases(a.release, b.release); c != 0 {
		return c
	}
	// A development release without a pre- or post-release sorts before every
	// pre-release of the same release; a final release sorts after them.
	ak, bk := a.preRank(), b.preRank()
	if ak != bk {
		return cmpInt(int(ak), int(bk))
	}
	if a.preKind != preNone {
		if c := compareNumbers(a.pre, b.pre); c != 0 {
			return c
		}
	}
	// No post-release sorts before any post-release.
	if c := compareOptional(a.post, b.post, -1); c != 0 {
		return c
	}
	// No development release sorts after any development release.
	if c := compareOptional(a.dev, b.dev, +1); c != 0 {
		return c
	}
	if !withLocal {
		return 0
	}
	return compareLocals(a.local, b.local)
}

// preRank maps the pre-release part of packaging's key to an integer: 0 for "dev
// release only" (negative infinity), 1-3 for a, b, rc, and 4 for "none" (infinity).
func (v Version) preRank() uint8 {
	if v.preKind != preNone {
		return v.preKind
	}
	if v.post == "" && v.dev != "" {
		return 0
	}
	return 4
}

// compareOptional compares two optional numbers ("" = absent); an absent one sorts
// as absentSign (-1: before every number, +1: after every number).
func compareOptional(a, b string, absentSign int) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return absentSign
	case b == "":
		return -absentSign
	}
	return compareNumbers(a, b)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareNumbers compares two normalised (no leading zeros) decimal strings; ""
// counts as zero.
func compareNumbers(a, b string) int {
	if a == "" {
		a = "0"
	}
	if b == "" {
		b = "0"
	}
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// compareReleases compares dot-separated release segments, padding the shorter one
// with zeros, which is the same as ignoring trailing zeros.
func compareReleases(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if c := compareNumbers(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compareLocals orders local segments: none sorts first; otherwise part by part,
// where numeric parts compare as numbers and sort after alphanumeric parts, which
// compare as strings, and a shorter list sorts first when it is a prefix.
func compareLocals(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	for a != "" && b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			c = compareNumbers(x, y)
		case xn:
			c = 1
		case yn:
			c = -1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// Compare orders two version strings: valid versions by PEP 440, invalid versions
// before valid ones and among themselves by plain string comparison.
func Compare(a, b string) int {
	va, aok := parseVersion(a)
	vb, bok := parseVersion(b)
	switch {
	case aok && bok:
		return va.Compare(vb)
	case aok:
		return 1
	case bok:
		return -1
	}
	return strings.Compare(a, b)
}

// --- scanning ---------------------------------------------------------------

// parts is the result of scanning a version: the raw (unnormalised) pieces of the
// input, each a substring of it.
type parts struct {
	epoch    string // digits, "" when absent
	release  string // raw release segment, e.g. "01.2"
	preKind  uint8
	pre      string // raw digits, "" for an implicit 0
	hasPost  bool
	post     string // raw digits, "" for an implicit 0
	hasDev   bool
	dev      string
	hasLocal bool
	local    string // raw local segment without "+"
	nRelease int    // number of release components
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSep(c byte) bool { return c == '.' || c == '_' || c == '-' }

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }

// hasWordFold reports whether s[i:] starts with the lower-case ASCII word w, ignoring
// ASCII case.
func hasWordFold(s string, i int, w string) bool {
	if len(s)-i < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		c := s[i+j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}

// digits returns the end of the run of ASCII digits starting at i.
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// scan matches s (already trimmed) against PEP 440's version grammar:
//
//	v? (N!)? N(.N)* PRE? POST? DEV? (+LOCAL)?
//	PRE   = [-_.]? (alpha|a|beta|b|preview|pre|rc|c) [-_.]? N?
//	POST  = -N | [-_.]? (post|rev|r) [-_.]? N?
//	DEV   = [-_.]? dev [-_.]? N?
//	LOCAL = [a-z0-9]+ ([-_.][a-z0-9]+)*
//
// Taking every optional piece greedily finds the same match as packaging's
// backtracking regular expression: no piece can be followed by something that
// begins the way its optional tail does.
func scan(s string) (p parts, ok bool) {
	i := 0
	if i < len(s) && (s[i] == 'v' || s[i] == 'V') {
		i++
	}
	start := i
	i = digits(s, i)
	if i == start {
		return p, false
	}
	if i < len(s) && s[i] == '!' {
		p.epoch = s[start:i]
		if len(p.epoch) > maxDigits {
			return p, false
		}
		i++
		start = i
		i = digits(s, i)
		if i == start {
			return p, false
		}
	}
	relStart := start
	if i-start > maxDigits {
		return p, false
	}
	p.nRelease = 1
	for i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		j := digits(s, i+1)
		if j-(i+1) > maxDigits {
			return p, false
		}
		i = j
		p.nRelease++
	}
	p.release = s[relStart:i]

	// Pre-release.
	{
		j := i
		if j < len(s) && isSep(s[j]) {
			j++
		}
		kind, n := preKeyword(s, j)
		if kind != preNone {
			j += n
			if j < len(s) && isSep(s[j]) {
				j++
			}
			k := digits(s, j)
			if k-j > maxDigits {
				return p, false
			}
			p.preKind, p.pre = kind, s[j:k]
			i = k
		}
	}

	// Post-release.
	if i+1 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
		k := digits(s, i+1)
		if k-(i+1) > maxDigits {
			return p, false
		}
		p.hasPost, p.post = true, s[i+1:k]
		i = k
	} else {
		j := i
		if j < len(s) && isSep(s[j]) {
			j++
		}
		n := 0
		switch {
		case hasWordFold(s, j, "post"):
			n = 4
		case hasWordFold(s, j, "rev"):
			n = 3
		case hasWordFold(s, j, "r"):
			n = 1
		}
		if n > 0 {
			j += n
			if j < len(s) && isSep(s[j]) {
				j++
			}
			k := digits(s, j)
			if k-j > maxDigits {
				return p, false
			}
			p.hasPost, p.post = true, s[j:k]
			i = k
		}
	}

	// Development release.
	{
		j := i
		if j < len(s) && isSep(s[j]) {
			j++
		}
		if hasWordFold(s, j, "dev") {
			j += 3
			if j < len(s) && isSep(s[j]) {
				j++
			}
			k := digits(s, j)
			if k-j > maxDigits {
				return p, false
			}
			p.hasDev, p.dev = true, s[j:k]
			i = k
		}
	}

	// Local version label.
	if i < len(s) && s[i] == '+' {
		i++
		start := i
		for {
			k := i
			for k < len(s) && isAlnum(s[k]) {
				k++
			}
			if k == i {
				return p, false // empty part
			}
			if allDigits(s[i:k]) && k-i > maxDigits {
				return p, false
			}
			i = k
			if i+1 < len(s) && isSep(s[i]) && isAlnum(s[i+1]) {
				i++
				continue
			}
			break
		}
		p.hasLocal, p.local = true, s[start:i]
	}
	return p, i == len(s)
}

// preKeyword recognises a pre-release label at s[i:], longest spelling first.
func preKeyword(s string, i int) (kind uint8, n int) {
	switch {
	case hasWordFold(s, i, "alpha"):
		return preAlpha, 5
	case hasWordFold(s, i, "a"):
		return preAlpha, 1
	case hasWordFold(s, i, "beta"):
		return preBeta, 4
	case hasWordFold(s, i, "b"):
		return preBeta, 1
	case hasWordFold(s, i, "preview"):
		return preRC, 7
	case hasWordFold(s, i, "pre"):
		return preRC, 3
	case hasWordFold(s, i, "rc"):
		return preRC, 2
	case hasWordFold(s, i, "c"):
		return preRC, 1
	}
	return preNone, 0
}

// trimZeros strips leading zeros from a digit string, keeping one digit; "" stays
// "" (an implicit zero is handled by the caller).
func trimZeros(d string) string {
	i := 0
	for i < len(d)-1 && d[i] == '0' {
		i++
	}
	return d[i:]
}

// parseVersion trims, scans and normalises s. It allocates only when the
// normalised form differs from the trimmed input.
func parseVersion(s string) (Version, bool) {
	t := trimSpace(s)
	p, ok := scan(t)
	if !ok {
		return Version{}, false
	}
	var stack [64]byte
	buf := stack[:0]
	var v Version
	v.orig = s

	// Record where each piece of the normalised form starts and ends, then cut the
	// pieces out of the final string.
	epoch := "0"
	epochEnd := 0
	if p.epoch != "" {
		epoch = trimZeros(p.epoch)
		if epoch != "0" {
			buf = append(buf, epoch...)
			buf = append(buf, '!')
			epochEnd = len(buf)
		}
	}
	relStart := len(buf)
	for rest, first := p.release, true; ; first = false {
		part, tail, more := strings.Cut(rest, ".")
		if !first {
			buf = append(buf, '.')
		}
		buf = append(buf, trimZeros(part)...)
		if !more {
			break
		}
		rest = tail
	}
	relEnd := len(buf)
	var preStart, preEnd, postStart, postEnd, devStart, devEnd, localStart int
	if p.preKind != preNone {
		buf = append(buf, preLabels[p.preKind]...)
		preStart = len(buf)
		buf = appendNumber(buf, p.pre)
		preEnd = len(buf)
	}
	if p.hasPost {
		buf = append(buf, ".post"...)
		postStart = len(buf)
		buf = appendNumber(buf, p.post)
		postEnd = len(buf)
	}
	if p.hasDev {
		buf = append(buf, ".dev"...)
		devStart = len(buf)
		buf = appendNumber(buf, p.dev)
		devEnd = len(buf)
	}
	if p.hasLocal {
		buf = append(buf, '+')
		localStart = len(buf)
		buf = appendLocal(buf, p.local)
	}

	if string(buf) == t {
		v.canon = t
	} else {
		v.canon = string(buf)
	}
	c := v.canon
	v.epoch = epoch
	if epochEnd > 0 {
		v.epoch = c[:epochEnd-1]
	}
	v.release = c[relStart:relEnd]
	v.preKind = p.preKind
	if p.preKind != preNone {
		v.pre = c[preStart:preEnd]
	}
	if p.hasPost {
		v.post = c[postStart:postEnd]
	}
	if p.hasDev {
		v.dev = c[devStart:devEnd]
	}
	if p.hasLocal {
		v.local = c[localStart:]
	}
	return v, true
}

// appendNumber appends the normalised digits d, or "0" for an implicit number.
func appendNumber(buf []byte, d string) []byte {
	if d == "" {
		return append(buf, '0')
	}
	return append(buf, trimZeros(d)...)
}

// appendLocal appends a local label with its parts lower-cased, numeric parts
// without leading zeros, and every separator turned into ".".
func appendLocal(buf []byte, local string) []byte {
	start := 0
	for i := 0; i <= len(local); i++ {
		if i < len(local) && !isSep(local[i]) {
			continue
		}
		part := local[start:i]
		if start > 0 {
			buf = append(buf, '.')
		}
		if allDigits(part) {
			buf = append(buf, trimZeros(part)...)
		} else {
			for j := 0; j < len(part); j++ {
				c := part[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf = append(buf, c)
			}
		}
		start = i + 1
	}
	return buf
}

// --- whitespace -----------------------------------------------------------------

// isPySpace reports whether r is whitespace to Python (str.isspace and the re
// module's \s): Go's unicode.IsSpace plus the ASCII information separators
// U+001C..U+001F.
func isPySpace(r rune) bool {
	switch {
	case r == ' ', '\t' <= r && r <= '\r', 0x1c <= r && r <= 0x1f:
		return true
	case r < 0x85:
		return false
	}
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

// trimSpace removes Python whitespace from both ends of s.
func trimSpace(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if !isPySpace(rune(c)) {
				break
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if !isPySpace(r) || r == utf8.RuneError {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if !isPySpace(rune(c)) {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s)
		if !isPySpace(r) || r == utf8.RuneError {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// hasPySpace reports whether s contains Python whitespace anywhere.
func hasPySpace(s string) bool {
	for _, r := range s {
		if isPySpace(r) {
			return true
		}
	}
	return false
}

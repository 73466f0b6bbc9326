package conda

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// Version is a parsed conda version: an optional epoch ("1!"), release segments and
// an optional local part after '+'. Segments are separated by '.', '-' or '_' and
// hold components: numbers, lower-cased identifiers, and the special "dev" and
// "post". A segment that starts with a letter has an implicit 0 in front, so
// "1.a1" equals "1.0a1".
//
// The zero Version is not a parsed version; it prints as "" and compares like "0".
type Version struct {
	s        string      // normal form, as rattler prints it; identifiers point into it
	comps    []component // release components, then local ones; the epoch is not among them
	local    int         // index in comps of the first local component; len(comps) when there is none
	epoch    uint64
	hasEpoch bool
}

// kind is a component's kind. Components of different kinds order by kind:
// dev < a trailing '_' or '-' < identifier < number < post.
type kind uint8

const (
	kindDev kind = iota
	kindSep
	kindIdent
	kindNumber
	kindPost
)

// component is one component of a version: 16 bytes, so that a version is one
// allocation however many components it has.
type component struct {
	num   uint64 // kindNumber: the value; kindIdent: the length of the identifier
	off   uint32 // kindIdent: the identifier's offset in Version.s
	kind  kind
	flags uint8
}

const (
	flagSegStart = 1 << iota // first component of a segment
	flagImplicit             // the implicit 0 in front of a segment that starts with a letter
	flagDash                 // kindSep: the component is '-' rather than '_'
	flagSepShift = iota      // two bits: the separator in front of the segment (see sepCodes)
)

// sepCodes maps the two separator bits of a segment's first component to the
// separator written in front of the segment.
var sepCodes = [4]byte{0, '-', '_', '.'}

func sepFlags(sep byte) uint8 {
	switch sep {
	case '-':
		return 1 << flagSepShift
	case '_':
		return 2 << flagSepShift
	case '.':
		return 3 << flagSepShift
	}
	return 0
}

func (c component) sep() byte { return sepCodes[(c.flags>>flagSepShift)&3] }

// Limits rattler puts on a version.
const (
	maxSegmentsBeforeLocal = 127  // release segments, when there is a local part
	maxSegmentComponents   = 8191 // components written in one segment (the implicit 0 aside)
)

// VersionError says why a string is not a conda version.
type VersionError struct {
	Input  string
	Reason string
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("invalid conda version %q: %s; a conda version looks like 1.2.3, 1.0rc1, 2024a, 1.6_5, 1!2.0 or 1.2.3+local", e.Input, e.Reason)
}

// Reasons a version does not parse, after rattler's ParseVersionErrorKind.
const (
	reasonEmpty      = "it is empty"
	reasonEpoch      = "the epoch before '!' is larger than 18446744073709551615"
	reasonNumber     = "a number is larger than 18446744073709551615"
	reasonComponent  = "expected a version component such as 2 or rc"
	reasonMixedSeps  = "'-' and '_' are both used as separators; use one of them"
	reasonSegments   = "more than 127 segments before the local version"
	reasonComponents = "more than 8191 components in one segment"
)

// ParseVersion parses a conda version as rattler does. Input is case-insensitive and
// is not trimmed: surrounding white space is an error.
func ParseVersion(s string) (Version, error) {
	v, rest, reason := parseVersion(s)
	if reason == "" && rest != "" {
		reason = fmt.Sprintf("unexpected %q after %q", rest, s[:len(s)-len(rest)])
	}
	if reason != "" {
		return Version{}, &VersionError{Input: s, Reason: reason}
	}
	return v, nil
}

// MustParseVersion is ParseVersion for versions known to be valid; it panics on error.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsValidVersion reports whether s parses as a conda version.
func IsValidVersion(s string) bool {
	_, ok := parseWhole(s)
	return ok
}

// parseVersion parses the longest version at the start of s, as rattler's
// version_parser does, and returns what follows it. A non-empty reason means there
// is no version there.
func parseVersion(s string) (Version, string, string) {
	if s == "" {
		return Version{}, "", reasonEmpty
	}
	if len(s) > 1<<31 {
		return Version{}, "", "it is too long"
	}
	p := versionParser{in: s, comps: make([]component, 0, estimateComponents(s))}
	var v Version
	pos := 0
	// An epoch: digits followed by '!'.
	if j := skipDigits(s, 0); j > 0 && j < len(s) && s[j] == '!' {
		n, ok := parseUint(s[:j])
		if !ok {
			return Version{}, "", reasonEpoch
		}
		v.epoch, v.hasEpoch = n, true
		p.render = p.render || (j > 1 && s[0] == '0')
		pos = j + 1
	}
	pos, reason := p.part(pos)
	if reason != "" {
		return Version{}, "", reason
	}
	v.local = len(p.comps)
	if pos < len(s) && s[pos] == '+' {
		if p.segments > maxSegmentsBeforeLocal {
			return Version{}, "", reasonSegments
		}
		if pos, reason = p.part(pos + 1); reason != "" {
			return Version{}, "", reason
		}
	}
	v.comps = p.comps
	if p.render {
		v.s = v.render(s)
	} else {
		v.s = s[:pos]
	}
	return v, s[pos:], ""
}

// estimateComponents bounds the number of components of s closely enough to make
// one allocation: a component per run of digits or letters, and room for an implicit
// 0 and a trailing separator per separator.
func estimateComponents(s string) int {
	n, prev := 1, byte(0)
	for i := 0; i < len(s); i++ {
		c := charClass(s[i])
		switch {
		case c == 3:
			n += 2
		case c != prev:
			n++
		}
		prev = c
	}
	return n
}

// charClass is 1 for a digit, 2 for an ASCII letter and 3 for anything else.
func charClass(c byte) byte {
	switch {
	case isDigit(c):
		return 1
	case isAlpha(c):
		return 2
	}
	return 3
}

type versionParser struct {
	in       string
	comps    []component
	dash     byte // '-' or '_' once one of them has been used as a separator, else 0
	render   bool // the input is not in normal form
	segments int  // segments of the part being parsed
	segLen   int  // components written in the current segment
}

// part parses the release part or the local part from pos (rattler's
// version_part_parser) and returns where it ends.
func (p *versionParser) part(pos int) (int, string) {
	p.segments = 0
	end, found, reason := p.segment(pos, 0)
	if reason != "" {
		return 0, reason
	}
	if !found {
		return 0, reasonComponent
	}
	pos = end
	for pos < len(p.in) {
		sep := p.in[pos]
		if sep != '.' && sep != '-' && sep != '_' {
			break
		}
		if sep != '.' {
			if p.dash != 0 && p.dash != sep {
				return 0, reasonMixedSeps
			}
			p.dash = sep
		}
		after := pos + 1
		end, found, reason := p.segment(after, sep)
		if reason != "" {
			return 0, reason
		}
		if found {
			pos = end
			continue
		}
		// No segment after the separator. A second '-' or '_' is a segment of its
		// own ("1__", "1._"); a single trailing '-' or '_' belongs to the segment
		// before it ("1.1_", openssl-style); a trailing '.' is left unparsed.
		if after < len(p.in) && (p.in[after] == '-' || p.in[after] == '_') {
			c := p.in[after]
			if p.dash != 0 && p.dash != c {
				return 0, reasonMixedSeps
			}
			p.dash = c
			p.comps = append(p.comps,
				component{kind: kindNumber, flags: flagSegStart | flagImplicit | sepFlags(sep)},
				sepComponent(c, 0))
			p.segments++
			return after + 1, ""
		}
		if sep != '.' {
			if p.segLen++; p.segLen > maxSegmentComponents {
				return 0, reasonComponents
			}
			p.comps = append(p.comps, sepComponent(sep, 0))
			return after, ""
		}
		return pos, ""
	}
	return pos, ""
}

func sepComponent(c byte, flags uint8) component {
	if c == '-' {
		flags |= flagDash
	}
	return component{kind: kindSep, flags: flags}
}

// segment parses one segment at pos, preceded by separator sep (0 for none). found
// is false when there is no component at pos; reason is set when the version cannot
// be parsed at all.
func (p *versionParser) segment(pos int, sep byte) (end int, found bool, reason string) {
	c, end, reason := p.component(pos)
	if reason != "" || end == pos {
		return pos, false, reason
	}
	start := sepFlags(sep) | flagSegStart
	if c.kind != kindNumber {
		p.comps = append(p.comps, component{kind: kindNumber, flags: start | flagImplicit})
		start = 0
	}
	c.flags |= start
	p.comps = append(p.comps, c)
	p.segLen = 1
	for {
		c, next, reason := p.component(end)
		if reason != "" {
			return pos, false, reason
		}
		if next == end {
			break
		}
		if p.segLen++; p.segLen > maxSegmentComponents {
			return pos, false, reasonComponents
		}
		p.comps = append(p.comps, c)
		end = next
	}
	p.segments++
	return end, true, ""
}

// component parses one component at pos: a number, "post", "dev" (both in any
// case) or a run of ASCII letters. It returns end == pos when there is none.
func (p *versionParser) component(pos int) (component, int, string) {
	s := p.in
	if pos >= len(s) {
		return component{}, pos, ""
	}
	switch c := s[pos]; {
	case isDigit(c):
		end := skipDigits(s, pos)
		n, ok := parseUint(s[pos:end])
		if !ok {
			return component{}, pos, reasonNumber
		}
		p.render = p.render || (end-pos > 1 && c == '0')
		return component{kind: kindNumber, num: n}, end, ""
	case !isAlpha(c):
		return component{}, pos, ""
	case hasPrefixFold(s[pos:], "post"):
		p.render = p.render || s[pos:pos+4] != "post"
		return component{kind: kindPost}, pos + 4, ""
	case hasPrefixFold(s[pos:], "dev"):
		p.render = p.render || s[pos:pos+3] != "dev"
		return component{kind: kindDev}, pos + 3, ""
	}
	end := pos
	for end < len(s) && isAlpha(s[end]) {
		if s[end] < 'a' {
			p.render = true
		}
		end++
	}
	return component{kind: kindIdent, num: uint64(end - pos), off: uint32(pos)}, end, ""
}

// render writes the normal form of a version parsed from in, and points the
// identifiers into it.
func (v *Version) render(in string) string {
	var b strings.Builder
	b.Grow(len(in))
	var num [20]byte
	if v.hasEpoch {
		b.Write(strconv.AppendUint(num[:0], v.epoch, 10))
		b.WriteByte('!')
	}
	for i := range v.comps {
		c := &v.comps[i]
		if i == v.local && i > 0 {
			b.WriteByte('+')
		}
		if s := c.sep(); s != 0 && c.flags&flagSegStart != 0 {
			b.WriteByte(s)
		}
		switch c.kind {
		case kindNumber:
			if c.flags&flagImplicit == 0 {
				b.Write(strconv.AppendUint(num[:0], c.num, 10))
			}
		case kindIdent:
			word := in[c.off : c.off+uint32(c.num)]
			c.off = uint32(b.Len())
			for j := 0; j < len(word); j++ {
				b.WriteByte(lower(word[j]))
			}
		case kindPost:
			b.WriteString("post")
		case kindDev:
			b.WriteString("dev")
		case kindSep:
			if c.flags&flagDash != 0 {
				b.WriteByte('-')
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// String returns the normal form of the version, as rattler prints it: letters in
// lower case, numbers without leading zeros, separators as written.
func (v Version) String() string { return v.s }

// Epoch returns the epoch, 0 when none is written.
func (v Version) Epoch() uint64 { return v.epoch }

// HasLocal reports whether the version has a local part ("+...").
func (v Version) HasLocal() bool { return v.local < len(v.comps) }

// IsDev reports whether a release segment has a "dev" component (rattler's
// Version::is_dev).
func (v Version) IsDev() bool {
	for _, c := range v.comps[:v.local] {
		if c.kind == kindDev {
			return true
		}
	}
	return false
}

// SegmentCount returns the number of release segments, the local part aside.
func (v Version) SegmentCount() int {
	n := 0
	for _, c := range v.comps[:v.local] {
		if c.flags&flagSegStart != 0 {
			n++
		}
	}
	return n
}

func (v *Version) release() []component { return v.comps[:v.local] }
func (v *Version) localPart() []component {
	return v.comps[v.local:]
}

// Compare orders v and w as rattler (and conda's VersionOrder) does: by epoch, then
// segment by segment and component by component, with a missing component taken as
// 0, then the local parts the same way. It returns -1, 0 or +1.
func (v Version) Compare(w Version) int { return compareVersions(&v, &w, false) }

// Equal reports whether v and w are equal as rattler's == sees them: Compare is 0,
// and trailing separators match ("1.0-" and "1.0_" compare equal but are not ==).
// "==1.0_" in a version spec matches only what Equal says.
func (v Version) Equal(w Version) bool { return compareVersions(&v, &w, true) == 0 }

func compareVersions(v, w *Version, exact bool) int {
	if c := cmp.Compare(v.epoch, w.epoch); c != 0 {
		return c
	}
	if c := compareParts(v, v.release(), w, w.release(), exact); c != 0 {
		return c
	}
	return compareParts(v, v.localPart(), w, w.localPart(), exact)
}

var zeroComponent = component{kind: kindNumber}

// compareParts compares two release parts (or two local parts) segment by segment.
func compareParts(v *Version, a []component, w *Version, b []component, exact bool) int {
	for len(a) > 0 || len(b) > 0 {
		na, nb := segmentLen(a), segmentLen(b)
		for i := 0; i < na || i < nb; i++ {
			x, y := zeroComponent, zeroComponent
			if i < na {
				x = a[i]
			}
			if i < nb {
				y = b[i]
			}
			if c := compareComponents(v, x, w, y, exact); c != 0 {
				return c
			}
		}
		a, b = a[na:], b[nb:]
	}
	return 0
}

// segmentLen returns the number of components of the segment cs starts with.
func segmentLen(cs []component) int {
	if len(cs) == 0 {
		return 0
	}
	n := 1
	for n < len(cs) && cs[n].flags&flagSegStart == 0 {
		n++
	}
	return n
}

func compareComponents(v *Version, x component, w *Version, y component, exact bool) int {
	if x.kind != y.kind {
		return cmp.Compare(x.kind, y.kind)
	}
	switch x.kind {
	case kindNumber:
		return cmp.Compare(x.num, y.num)
	case kindIdent:
		return strings.Compare(v.s[x.off:x.off+uint32(x.num)], w.s[y.off:y.off+uint32(y.num)])
	case kindSep:
		if exact {
			return cmp.Compare(x.flags&flagDash, y.flags&flagDash)
		}
	}
	return 0
}

// StartsWith reports whether v starts with prefix, as "1.2.*" (or "=1.2") matches in
// a version spec, the way rattler decides it: the epochs are equal; each segment of
// prefix equals v's segment component for component, where v's segment may go on
// only with zeros ("1.2.*" matches 1.2, 1.2.0rc1 and 1.2.3 but not 1.2a, 1.2rc1 or
// 1.2post; "1a.*" matches 1a0 but not 1a1); segments of prefix beyond v's end must
// be 0 ("1.0.*" matches 1); and the same holds for the local parts.
func (v Version) StartsWith(prefix Version) bool {
	return v.epoch == prefix.epoch &&
		segmentsStartWith(&v, v.release(), &prefix, prefix.release()) &&
		segmentsStartWith(&v, v.localPart(), &prefix, prefix.localPart())
}

// CompatibleWith reports whether v satisfies "~=w": v >= w, with w's release
// segments but the last as a prefix of v's, and w's local part as a prefix of v's.
func (v Version) CompatibleWith(w Version) bool {
	rel := w.release()
	last := len(rel) - 1
	for last > 0 && rel[last].flags&flagSegStart == 0 {
		last--
	}
	if last < 0 {
		last = 0
	}
	return v.Compare(w) >= 0 && v.epoch == w.epoch &&
		segmentsStartWith(&v, v.release(), &w, rel[:last]) &&
		segmentsStartWith(&v, v.localPart(), &w, w.localPart())
}

func segmentsStartWith(v *Version, a []component, p *Version, b []component) bool {
	for len(b) > 0 {
		nb := segmentLen(b)
		if len(a) == 0 {
			if nb != 1 || b[0].kind != kindNumber || b[0].num != 0 {
				return false
			}
			b = b[nb:]
			continue
		}
		na := segmentLen(a)
		if na < nb {
			return false
		}
		for i := range nb {
			if compareComponents(v, a[i], p, b[i], true) != 0 {
				return false
			}
		}
		for _, c := range a[nb:na] {
			if c.kind != kindNumber || c.num != 0 {
				return false
			}
		}
		a, b = a[na:], b[nb:]
	}
	return true
}

// Compare orders two version strings by conda's rules; strings that are not conda
// versions sort before every version, and among themselves by string.
func Compare(a, b string) int {
	va, okA := parseWhole(a)
	vb, okB := parseWhole(b)
	switch {
	case !okA && !okB:
		return strings.Compare(a, b)
	case !okA:
		return -1
	case !okB:
		return 1
	}
	return va.Compare(vb)
}

// parseWhole parses a whole version without building an error.
func parseWhole(s string) (Version, bool) {
	v, rest, reason := parseVersion(s)
	return v, reason == "" && rest == ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// parseUint parses a run of decimal digits; ok is false when it overflows a uint64.
func parseUint(digits string) (n uint64, ok bool) {
	for i := 0; i < len(digits); i++ {
		d := uint64(digits[i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// hasPrefixFold reports whether s starts with the lower-case ASCII word prefix, in
// any case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

package pep440

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Specifier is one clause of a specifier set, such as ">=1.0" or "==1.4.*".
type Specifier struct {
	op      string  // "~=", "==", "!=", "<=", ">=", "<", ">" or "==="
	version string  // the version as written, surrounding whitespace removed
	v       Version // the parsed version; for a ".*" clause, the part before ".*"
	// wildcard is set for "==V.*" and "!=V.*".
	wildcard bool
	// prefix is the dotted prefix a "==V.*", "!=V.*" or "~=V" clause compares against,
	// split the way packaging splits it (a pre-release label becomes its own part).
	prefix []string
	pre    bool   // packaging's Specifier.prereleases
	key    string // identity for de-duplication: operator and canonical version
}

// operators in the order they are tried: a longer operator before its prefixes.
var operators = [...]string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// InvalidSpecifierError reports a specifier set with a clause that is not a PEP 440
// version specifier.
type InvalidSpecifierError struct {
	Input  string // the whole specifier set as given
	Clause string // the offending clause, surrounding whitespace removed
	Reason string
}

func (e *InvalidSpecifierError) Error() string {
	if strings.TrimSpace(e.Input) == e.Clause {
		return fmt.Sprintf("invalid PEP 440 specifier %q: %s", e.Clause, e.Reason)
	}
	return fmt.Sprintf("invalid PEP 440 specifier %q in %q: %s", e.Clause, e.Input, e.Reason)
}

// ParseSpecifier parses a single clause such as "~=1.4.2".
func ParseSpecifier(s string) (Specifier, error) {
	t := trimSpace(s)
	sp, ok := parseSpecifier(t)
	if !ok {
		return Specifier{}, &InvalidSpecifierError{Input: s, Clause: t, Reason: diagnose(t)}
	}
	return sp, nil
}

func splitOperator(t string) (op, rest string) {
	for _, op := range operators {
		if strings.HasPrefix(t, op) {
			return op, t[len(op):]
		}
	}
	return "", t
}

// parseSpecifier parses a trimmed clause with the grammar of packaging's Specifier:
// "===" takes any word without whitespace; "==" and "!=" take a version with an
// optional local label, or a version without development release or local label
// followed by ".*"; "~=" takes a version with at least two release numbers and no
// local label; the ordered comparisons take a version without local label.
func parseSpecifier(t string) (Specifier, bool) {
	op, rest := splitOperator(t)
	if op == "" {
		return Specifier{}, false
	}
	sp := Specifier{op: op, version: trimSpace(rest)}
	text := sp.version
	if op == "===" {
		if hasPySpace(text) {
			return Specifier{}, false
		}
		v, ok := parseVersion(text)
		sp.pre = ok && v.IsPrerelease()
		sp.key = op + "\x00" + canonicalizeVersion(text)
		return sp, true
	}
	if text == "" {
		return Specifier{}, false
	}
	base := text
	if (op == "==" || op == "!=") && strings.HasSuffix(text, ".*") {
		sp.wildcard = true
		base = text[:len(text)-2]
	}
	p, ok := scan(base)
	if !ok {
		return Specifier{}, false
	}
	switch {
	case sp.wildcard && (p.hasDev || p.hasLocal):
		return Specifier{}, false
	case p.hasLocal && op != "==" && op != "!=":
		return Specifier{}, false
	case op == "~=" && p.nRelease < 2:
		return Specifier{}, false
	}
	sp.v, _ = parseVersion(base)
	switch op {
	case "==", ">=", "<=", "~=":
		sp.pre = sp.v.IsPrerelease()
	}
	if sp.wildcard {
		sp.prefix = versionSplit(nil, base)
	}
	if op == "~=" {
		// Drop the suffix parts (pre, post, dev) and the last release number: the
		// clause then means ">=V" and "==prefix.*".
		parts := versionSplit(nil, text)
		n := 0
		for n < len(parts) && isNotSuffix(parts[n]) {
			n++
		}
		if n > 0 {
			n--
		}
		sp.prefix = versionSplit(nil, strings.Join(parts[:n], "."))
	}
	sp.key = op + "\x00" + canonicalizeVersion(text)
	return sp, true
}

// diagnose explains why a trimmed clause failed to parse.
func diagnose(t string) string {
	op, rest := splitOperator(t)
	if op == "" {
		return "expected an operator (~=, ==, !=, <=, >=, <, >, ===) followed by a version, e.g. >=1.2"
	}
	text := trimSpace(rest)
	if op == "===" {
		return "=== takes a single word without spaces"
	}
	if text == "" {
		return "missing a version after " + op
	}
	base := text
	wildcard := strings.HasSuffix(text, ".*")
	if wildcard {
		if op != "==" && op != "!=" {
			return `".*" is only allowed after == and !=`
		}
		base = text[:len(text)-2]
	}
	p, ok := scan(base)
	switch {
	case !ok:
		return fmt.Sprintf("%q is not a PEP 440 version: expected e.g. 1.2, 1.2.3rc1, 2!1.0.post1.dev2", base)
	case wildcard && (p.hasDev || p.hasLocal):
		return `".*" cannot follow a development release or a local version`
	case p.hasLocal:
		return "a local version (+...) is only allowed after == and !="
	case op == "~=" && p.nRelease < 2:
		return "~= needs at least two release numbers, e.g. ~=1.4"
	}
	return "not a PEP 440 specifier"
}

// canonicalizeVersion is packaging's utils.canonicalize_version: the normalised form
// with trailing ".0"s removed from the release segment; strings that are not versions
// are returned unchanged.
func canonicalizeVersion(s string) string {
	v, ok := parseVersion(s)
	if !ok {
		return s
	}
	rel := v.release
	for strings.HasSuffix(rel, ".0") {
		rel = rel[:len(rel)-2]
	}
	var b strings.Builder
	if v.epoch != "0" {
		b.WriteString(v.epoch)
		b.WriteByte('!')
	}
	b.WriteString(rel)
	b.WriteString(v.canon[len(v.BaseVersion()):])
	return b.String()
}

// versionSplit splits a version on dots and also between a release number and a
// pre-release label joined to it ("0rc1" becomes "0", "rc1"), as packaging does for
// prefix matching. It works on the text as written: it is case-sensitive and does not
// normalise, so its quirks are packaging's.
func versionSplit(dst []string, s string) []string {
	for {
		item, rest, more := strings.Cut(s, ".")
		if num, label, ok := splitPreItem(item); ok {
			dst = append(dst, num, label)
		} else {
			dst = append(dst, item)
		}
		if !more {
			return dst
		}
		s = rest
	}
}

// splitPreItem matches digits followed by a, b, c or rc and more digits.
func splitPreItem(item string) (num, label string, ok bool) {
	j := digits(item, 0)
	if j == 0 {
		return "", "", false
	}
	k := j
	switch {
	case strings.HasPrefix(item[k:], "rc"):
		k += 2
	case k < len(item) && (item[k] == 'a' || item[k] == 'b' || item[k] == 'c'):
		k++
	default:
		return "", "", false
	}
	m := digits(item, k)
	if m == k || m != len(item) {
		return "", "", false
	}
	return item[:j], item[j:], true
}

func isNotSuffix(part string) bool {
	for _, p := range [...]string{"dev", "a", "b", "rc", "post"} {
		if strings.HasPrefix(part, p) {
			return false
		}
	}
	return true
}

// prefixMatch reports whether the public form of v starts with the split prefix,
// release numbers padded with "0" parts as packaging pads them.
func prefixMatch(v Version, prefix []string) bool {
	var stack [16]string
	pv := versionSplit(stack[:0], v.Public())
	if len(pv) > len(prefix) {
		pv = pv[:len(prefix)]
	}
	lr, rr := leadingNumbers(prefix), leadingNumbers(pv)
	padL, padR := max(0, rr-lr), max(0, lr-rr)
	if len(prefix)+padL != len(pv)+padR {
		return false
	}
	for i := 0; i < len(prefix)+padL; i++ {
		if padded(prefix, lr, padL, i) != padded(pv, rr, padR, i) {
			return false
		}
	}
	return true
}

// leadingNumbers counts the parts at the start of parts that are all digits.
func leadingNumbers(parts []string) int {
	n := 0
	for n < len(parts) && allDigits(parts[n]) {
		n++
	}
	return n
}

// padded returns item i of parts with pad "0" parts inserted after the first n.
func padded(parts []string, n, pad, i int) string {
	switch {
	case i < n:
		return parts[i]
	case i < n+pad:
		return "0"
	}
	return parts[i-pad]
}

// sameBase reports whether a and b have equal epochs and releases.
func sameBase(a, b Version) bool {
	return compareNumbers(a.epoch, b.epoch) == 0 && compareReleases(a.release, b.release) == 0
}

// pyLowerEquals reports whether Python's s.lower() equals canon, a normalised (and
// so ASCII, lower-case) version.
func pyLowerEquals(s, canon string) bool {
	j := 0
	for _, r := range s {
		var c byte
		switch {
		case r < utf8.RuneSelf:
			c = byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
		case r == 0x212a: // KELVIN SIGN lower-cases to "k"
			c = 'k'
		default:
			return false // lower-cases to something that is not ASCII
		}
		if j >= len(canon) || canon[j] != c {
			return false
		}
		j++
	}
	return j == len(canon)
}

// Operator returns the clause's operator, e.g. ">=".
func (s Specifier) Operator() string { return s.op }

// Version returns the clause's version as written, e.g. "1.4.*".
func (s Specifier) Version() string { return s.version }

// String returns the operator and version as written, without whitespace, as
// packaging's str(Specifier) does.
func (s Specifier) String() string { return s.op + s.version }

// AllowsPrereleases is packaging's Specifier.prereleases: true for an inclusive
// clause (==, >=, <=, ~=, ===) whose version is itself a pre-release.
func (s Specifier) AllowsPrereleases() bool { return s.pre }

// Contains reports whether v satisfies the clause, as packaging's
// Specifier.contains(v, prereleases=prereleases).
func (s Specifier) Contains(v Version, prereleases bool) bool {
	if v.IsPrerelease() && !prereleases {
		return false
	}
	return s.match(v)
}

func (s Specifier) match(v Version) bool {
	switch s.op {
	case "==":
		return s.equal(v)
	case "!=":
		return !s.equal(v)
	case "<=":
		return compareVersions(v, s.v, false) <= 0
	case ">=":
		return compareVersions(v, s.v, false) >= 0
	case "<":
		if v.Compare(s.v) >= 0 {
			return false
		}
		// "<V" does not admit pre-releases of V itself unless V is one.
		return s.v.IsPrerelease() || !v.IsPrerelease() || !sameBase(v, s.v)
	case ">":
		if v.Compare(s.v) <= 0 {
			return false
		}
		// ">V" does not admit post-releases of V unless V is one, nor local
		// versions of V.
		if !s.v.IsPostrelease() && v.IsPostrelease() && sameBase(v, s.v) {
			return false
		}
		return v.local == "" || !sameBase(v, s.v)
	case "~=":
		return compareVersions(v, s.v, false) >= 0 && prefixMatch(v, s.prefix)
	case "===":
		return pyLowerEquals(s.version, v.canon)
	}
	return false
}

func (s Specifier) equal(v Version) bool {
	switch {
	case s.wildcard:
		return prefixMatch(v, s.prefix)
	case s.v.local == "":
		return compareVersions(v, s.v, false) == 0
	}
	return v.Compare(s.v) == 0
}

// SpecifierSet is a comma-separated list of clauses that must all hold. The zero
// SpecifierSet is empty and contains every version.
type SpecifierSet struct {
	specs []Specifier // de-duplicated, sorted by String
}

// ParseSpecifierSet parses a comma-separated specifier set such as ">=1.0, <2".
// Whitespace around clauses is ignored and empty clauses are dropped, so "" is the
// empty set. Clauses that are equal after normalising their versions ("==1.0" and
// "==1") count once: the first one is kept.
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	var set SpecifierSet
	for rest := s; ; {
		clause, tail, more := strings.Cut(rest, ",")
		if t := trimSpace(clause); t != "" {
			sp, ok := parseSpecifier(t)
			if !ok {
				return SpecifierSet{}, &InvalidSpecifierError{Input: s, Clause: t, Reason: diagnose(t)}
			}
			if !slices.ContainsFunc(set.specs, func(o Specifier) bool { return o.key == sp.key }) {
				set.specs = append(set.specs, sp)
			}
		}
		if !more {
			break
		}
		rest = tail
	}
	slices.SortStableFunc(set.specs, func(a, b Specifier) int {
		return strings.Compare(a.String(), b.String())
	})
	return set, nil
}

// MustParseSpecifierSet is ParseSpecifierSet for sets known to be valid; it panics
// otherwise.
func MustParseSpecifierSet(s string) SpecifierSet {
	set, err := ParseSpecifierSet(s)
	if err != nil {
		panic(err)
	}
	return set
}

// Specifiers returns the set's clauses, sorted by their string form.
func (s SpecifierSet) Specifiers() []Specifier { return slices.Clone(s.specs) }

// Len returns the number of distinct clauses.
func (s SpecifierSet) Len() int { return len(s.specs) }

// String returns the clauses sorted and joined with ",", as packaging's
// str(SpecifierSet) does; "" for the empty set.
func (s SpecifierSet) String() string {
	switch len(s.specs) {
	case 0:
		return ""
	case 1:
		return s.specs[0].String()
	}
	var b strings.Builder
	for i, sp := range s.specs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(sp.op)
		b.WriteString(sp.version)
	}
	return b.String()
}

// AllowsPrereleases is packaging's SpecifierSet.prereleases: whether any clause
// admits pre-releases by itself (see Specifier.AllowsPrereleases); false for the
// empty set. packaging's default contains(v) is Contains(v, s.AllowsPrereleases()).
func (s SpecifierSet) AllowsPrereleases() bool {
	for _, sp := range s.specs {
		if sp.pre {
			return true
		}
	}
	return false
}

// Contains reports whether v satisfies every clause, as packaging's
// SpecifierSet.contains(v, prereleases=prereleases): when prereleases is false,
// pre-releases and development releases never match.
func (s SpecifierSet) Contains(v Version, prereleases bool) bool {
	if v.IsPrerelease() && !prereleases {
		return false
	}
	for _, sp := range s.specs {
		if !sp.match(v) {
			return false
		}
	}
	return true
}

// PrereleasePolicy is the prereleases argument of Filter.
type PrereleasePolicy int

const (
	// PrereleasesAuto is packaging's prereleases=None: pre-releases are admitted when
	// the set's clauses ask for them (AllowsPrereleases); an empty set admits them
	// only when no final release is given.
	PrereleasesAuto PrereleasePolicy = iota
	// PrereleasesInclude admits pre-releases that the clauses admit.
	PrereleasesInclude
	// PrereleasesExclude never admits pre-releases.
	PrereleasesExclude
)

// Filter returns the versions, in order, that packaging's SpecifierSet.filter keeps.
func (s SpecifierSet) Filter(versions []Version, policy PrereleasePolicy) []Version {
	var out []Version
	if len(s.specs) > 0 {
		pre := policy == PrereleasesInclude || (policy == PrereleasesAuto && s.AllowsPrereleases())
		for _, v := range versions {
			if s.Contains(v, pre) {
				out = append(out, v)
			}
		}
		return out
	}
	// With no clauses, pre-releases are held back and only returned (with Auto)
	// when nothing else is; those after the first final release are dropped.
	var held []Version
	for _, v := range versions {
		if v.IsPrerelease() && policy != PrereleasesInclude {
			if len(out) == 0 {
				held = append(held, v)
			}
			continue
		}
		out = append(out, v)
	}
	if len(out) == 0 && len(held) > 0 && policy == PrereleasesAuto {
		return held
	}
	return out
}

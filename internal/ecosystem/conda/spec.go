package conda

import (
	"fmt"
	"strings"
)

// VersionSpec is the version part of a conda MatchSpec ("numpy >=1.26.4,<2.0a0"
// holds ">=1.26.4,<2.0a0"): clauses joined by ',' (and) and '|' (or, which binds
// less tightly), with parentheses for grouping. A clause is one of
//
//   - every version
//     ==1.2  !=1.2   equal or not equal (1.2 == 1.2.0)
//     >1.2 >=1.2 <1.2 <=1.2
//     1.2.*  1.2*  =1.2
//     versions starting with 1.2 (see Version.StartsWith)
//     !=1.2.*        versions not starting with 1.2
//     ~=1.4          compatible release: >=1.4 and starting with 1 (Version.CompatibleWith)
//     1.2            ==1.2 when parsed leniently; an error when parsed strictly
//
// The zero VersionSpec matches every version.
type VersionSpec struct {
	root node
}

// Strictness says how forgiving ParseVersionSpec is, after rattler's ParseStrictness.
type Strictness uint8

const (
	// Lenient accepts what conda clients accept in repodata: a bare version means
	// ==, a glob after an operator is dropped (">=1.2.*" is ">=1.2", ">1.2.*" is
	// ">=1.2"), "2023.*.*" is "2023.*", and ">=*", "==*", "=*", "~=*" mean "*".
	Lenient Strictness = iota
	// Strict rejects those forms: "1.2" is ambiguous (did you mean "==1.2" or
	// "1.2.*"?), and '*' goes only with no operator or with "!=".
	Strict
)

func (m Strictness) String() string {
	if m == Strict {
		return "strict"
	}
	return "lenient"
}

type op uint8

const (
	opAny op = iota
	opEq
	opNe
	opGt
	opGe
	opLt
	opLe
	opStartsWith
	opNotStartsWith
	opCompatible
	opAnd
	opOr
)

type node struct {
	op   op
	v    Version // the version of a comparison
	kids []node  // the clauses of opAnd and opOr
}

// SpecError says why a version spec could not be parsed.
type SpecError struct {
	Spec   string
	Clause string // the clause at fault; "" when the spec's structure is at fault
	Reason string
}

func (e *SpecError) Error() string {
	msg := fmt.Sprintf("invalid conda version spec %q", e.Spec)
	if e.Clause != "" && e.Clause != e.Spec {
		msg += fmt.Sprintf(": clause %q", e.Clause)
	}
	return msg + ": " + e.Reason +
		`; write clauses such as ">=1.2", "<2.0a0", "1.2.*" or "==1.2.3", joined by "," (and) or "|" (or), e.g. ">=1.2,<2|3.*"`
}

// ParseVersionSpec parses a version spec as rattler's VersionSpec::from_str does with
// the given strictness. White space is allowed around ',', '|' and inside
// parentheses, but not at either end nor between an operator and its version. A
// build string (">=1.8.0=py37_0", "1.8.0 py37_0") belongs to the MatchSpec, not to
// the version spec, and is an error here.
func ParseVersionSpec(s string, mode Strictness) (VersionSpec, error) {
	p := specParser{in: s, mode: mode}
	n, err := p.orGroup()
	if err != nil {
		return VersionSpec{}, err
	}
	if p.pos < len(s) {
		return VersionSpec{}, p.unexpected()
	}
	return VersionSpec{root: n}, nil
}

// MustParseVersionSpec is ParseVersionSpec for specs known to be valid; it panics on
// error.
func MustParseVersionSpec(s string, mode Strictness) VersionSpec {
	vs, err := ParseVersionSpec(s, mode)
	if err != nil {
		panic(err)
	}
	return vs
}

type specParser struct {
	in    string
	pos   int
	mode  Strictness
	last  string // the clause parsed last, for error messages
	depth int    // parentheses open at pos
}

// maxDepth bounds the nesting of parentheses, and so the parser's recursion.
const maxDepth = 64

func (p *specParser) fail(clause, reason string) error {
	return &SpecError{Spec: p.in, Clause: clause, Reason: reason}
}

// unexpected reports the text at p.pos that does not continue the spec.
func (p *specParser) unexpected() error {
	rest := p.in[p.pos:]
	switch {
	case p.last != "" && strings.TrimSpace(rest) == "":
		return p.fail("", fmt.Sprintf("white space after %q at the end", p.last))
	case p.last != "":
		return p.fail("", fmt.Sprintf("unexpected %q after %q (a build string or a missing ',')", rest, p.last))
	}
	return p.fail("", fmt.Sprintf("unexpected %q", rest))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *specParser) skipSpace() {
	for p.pos < len(p.in) && isSpace(p.in[p.pos]) {
		p.pos++
	}
}

// separator consumes white space, sep and white space, or nothing when sep is not
// there.
func (p *specParser) separator(sep byte) bool {
	save := p.pos
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == sep {
		p.pos++
		p.skipSpace()
		return true
	}
	p.pos = save
	return false
}

func (p *specParser) orGroup() (node, error) {
	return p.group(opOr, '|', (*specParser).andGroup)
}

func (p *specParser) andGroup() (node, error) {
	return p.group(opAnd, ',', (*specParser).term)
}

// group parses items joined by sep and flattens the result as rattler's
// flatten_group does: one item stands for itself, and nested groups of the same
// operator are merged.
func (p *specParser) group(o op, sep byte, item func(*specParser) (node, error)) (node, error) {
	first, err := item(p)
	if err != nil {
		return node{}, err
	}
	if !p.separator(sep) {
		return first, nil
	}
	kids := appendFlat(nil, o, first)
	for {
		if p.pos == len(p.in) {
			return node{}, p.fail("", fmt.Sprintf("nothing after %q at the end", sep))
		}
		n, err := item(p)
		if err != nil {
			return node{}, err
		}
		kids = appendFlat(kids, o, n)
		if !p.separator(sep) {
			return node{op: o, kids: kids}, nil
		}
	}
}

func appendFlat(kids []node, o op, n node) []node {
	if n.op == o {
		return append(kids, n.kids...)
	}
	return append(kids, n)
}

// term parses a parenthesised group or one clause.
func (p *specParser) term() (node, error) {
	if p.pos < len(p.in) && p.in[p.pos] == '(' {
		start := p.pos
		if p.depth++; p.depth > maxDepth {
			return node{}, p.fail("", fmt.Sprintf("parentheses nested more than %d deep", maxDepth))
		}
		p.pos++
		p.skipSpace()
		n, err := p.orGroup()
		if err != nil {
			return node{}, err
		}
		p.depth--
		p.skipSpace()
		if p.pos == len(p.in) || p.in[p.pos] != ')' {
			if p.pos == len(p.in) {
				return node{}, p.fail(p.in[start:], "'(' without ')'")
			}
			return node{}, p.fail(p.in[start:p.pos], fmt.Sprintf("expected ')' before %q", p.in[p.pos:]))
		}
		p.pos++
		p.last = p.in[start:p.pos]
		return n, nil
	}
	text, err := p.recognize()
	if err != nil {
		return node{}, err
	}
	p.last = text
	return p.clause(text)
}

// recognize finds the extent of one clause, as rattler's recognize_constraint does:
// "*" or "*.*", or an optional operator (white space around it included) followed
// by version characters and globs.
func (p *specParser) recognize() (string, error) {
	in, start := p.in, p.pos
	if start < len(in) && in[start] == '*' {
		p.pos++
		if strings.HasPrefix(in[p.pos:], ".*") {
			p.pos += 2
		}
		return in[start:p.pos], nil
	}
	q := start
	for q < len(in) && isSpace(in[q]) {
		q++
	}
	if n := operatorLen(in[q:]); n > 0 {
		q += n
		for q < len(in) && isSpace(in[q]) {
			q++
		}
		p.pos = q
	}
	end, ok := recognizeVersion(in, p.pos)
	if !ok {
		return "", p.expectedClause(start)
	}
	for end < len(in) && (in[end] == '.' || in[end] == '*') {
		end++
	}
	p.pos = end
	return in[start:end], nil
}

func (p *specParser) expectedClause(start int) error {
	rest := p.in[start:]
	switch {
	case rest == "":
		return p.fail("", "expected a clause, found nothing")
	case p.pos > start:
		return p.fail(rest, fmt.Sprintf("expected a version after %q", strings.TrimSpace(p.in[start:p.pos])))
	}
	return p.fail(rest, fmt.Sprintf("expected a clause at %q", rest))
}

// operators in the order rattler's parse_operator tries them.
var operators = [...]string{"==", "!=", "=", ">=", ">", "<=", "<", "~="}

func operatorLen(s string) int {
	for _, o := range operators {
		if strings.HasPrefix(s, o) {
			return len(o)
		}
	}
	return 0
}

// recognizeVersion finds the extent of a version with globs at pos, as rattler's
// recognize_version(true) does: an optional epoch that fits in 32 bits, components
// (letters, digits or '*') with any run of '.', '-' and '_' between them, and an
// optional local part.
func recognizeVersion(s string, pos int) (int, bool) {
	if j := skipDigits(s, pos); j > pos && j < len(s) && s[j] == '!' {
		if n, ok := parseUint(s[pos:j]); ok && n <= 1<<32-1 {
			pos = j + 1
		}
	}
	end, ok := recognizeComponents(s, pos)
	if !ok {
		return pos, false
	}
	if end < len(s) && s[end] == '+' {
		return recognizeComponents(s, end+1)
	}
	return end, true
}

func recognizeComponents(s string, pos int) (int, bool) {
	end := recognizeComponent(s, pos)
	if end == pos {
		return pos, false
	}
	for {
		q := end
		for q < len(s) && (s[q] == '.' || s[q] == '-' || s[q] == '_') {
			q++
		}
		next := recognizeComponent(s, q)
		if next == q {
			return end, true
		}
		end = next
	}
}

func recognizeComponent(s string, pos int) int {
	switch {
	case pos >= len(s):
		return pos
	case s[pos] == '*':
		return pos + 1
	case isDigit(s[pos]):
		return skipDigits(s, pos)
	}
	end := pos
	for end < len(s) && isAlpha(s[end]) {
		end++
	}
	return end
}

// clause parses one recognised clause, as rattler's constraint_parser does.
func (p *specParser) clause(text string) (node, error) {
	if text == "*" || text == "*.*" {
		return node{op: opAny}, nil
	}
	i := 0
	for i < len(text) && strings.IndexByte("=!<>~", text[i]) >= 0 {
		i++
	}
	o, hasOp := opAny, i > 0
	switch text[:i] {
	case "":
	case "==":
		o = opEq
	case "!=":
		o = opNe
	case "=":
		o = opStartsWith
	case ">=":
		o = opGe
	case ">":
		o = opGt
	case "<=":
		o = opLe
	case "<":
		o = opLt
	case "~=":
		o = opCompatible
	default:
		return node{}, p.fail(text, fmt.Sprintf("unknown operator %q; use ==, !=, =, >=, >, <=, < or ~=", text[:i]))
	}
	vs := text[i:]
	if vs == "" || !isVersionChar(vs[0]) {
		// Recognition leaves only white space to find here.
		if hasOp {
			return node{}, p.fail(text, "white space between the operator and the version")
		}
		return node{}, p.fail(text, "white space in front of the clause")
	}
	if vs == "*" {
		switch {
		case p.mode == Strict:
			return node{}, p.fail(text, fmt.Sprintf("'*' cannot follow %q; write \"*\" alone for every version", text[:i]))
		case o == opGe || o == opLe || o == opCompatible || o == opStartsWith || o == opEq:
			return node{op: opAny}, nil
		}
		return node{}, p.fail(text, fmt.Sprintf("'*' cannot follow %q", text[:i]))
	}
	v, rest, reason := parseVersion(vs)
	if reason != "" {
		return node{}, p.fail(text, fmt.Sprintf("version %q: %s", vs, reason))
	}
	lenient := p.mode == Lenient
	glob := rest == "*" || rest == ".*"
	switch {
	case rest == "" && hasOp:
	case rest == "":
		if !lenient {
			return node{}, p.fail(text, fmt.Sprintf("%q is ambiguous: write \"==%s\" for exactly that version or \"%s.*\" for every version starting with it", vs, vs, vs))
		}
		o = opEq
	case lenient && (o == opGe || o == opGt) && isStarOrStarDotStar(rest):
		o = opGe
	case glob && o == opNe:
		o = opNotStartsWith
	case lenient && hasOp && isStarOrStarDotStar(rest):
	case glob && hasOp:
		return node{}, p.fail(text, fmt.Sprintf("'*' cannot follow %q; write \"%s.*\" for versions starting with %s, or drop the '*'", text[:i], v, v))
	case glob:
		o = opStartsWith
	case !hasOp && lenient && looksLikeInfiniteStartsWith(rest):
		o = opStartsWith
	case strings.Contains(vs, "*") || strings.HasSuffix(rest, "$"):
		return node{}, p.fail(text, "'*' only goes at the end of a version (\"1.2.*\"); regular expressions are not supported")
	default:
		return node{}, p.fail(text, fmt.Sprintf("version %q: unexpected %q after %q", vs, rest, vs[:len(vs)-len(rest)]))
	}
	return node{op: o, v: v}, nil
}

func isVersionChar(c byte) bool {
	return isDigit(c) || isAlpha(c) || strings.IndexByte("!-_.*+", c) >= 0
}

// isStarOrStarDotStar reports whether s is "*" or a run of ".*" (including none).
func isStarOrStarDotStar(s string) bool {
	if s == "*" {
		return true
	}
	for strings.HasSuffix(s, ".*") {
		s = s[:len(s)-2]
	}
	return s == ""
}

// looksLikeInfiniteStartsWith reports whether s is a run of ".*", perhaps followed
// by one '.' (anaconda's "mkl 2023.*.*").
func looksLikeInfiniteStartsWith(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return false
	}
	for strings.HasSuffix(s, ".*") {
		s = s[:len(s)-2]
	}
	return s == ""
}

// Matches reports whether v satisfies the spec.
func (vs VersionSpec) Matches(v Version) bool { return vs.root.matches(&v) }

func (n *node) matches(v *Version) bool {
	switch n.op {
	case opAny:
		return true
	case opEq:
		return compareVersions(v, &n.v, true) == 0
	case opNe:
		return compareVersions(v, &n.v, true) != 0
	case opGt:
		return compareVersions(v, &n.v, false) > 0
	case opGe:
		return compareVersions(v, &n.v, false) >= 0
	case opLt:
		return compareVersions(v, &n.v, false) < 0
	case opLe:
		return compareVersions(v, &n.v, false) <= 0
	case opStartsWith:
		return v.StartsWith(n.v)
	case opNotStartsWith:
		return !v.StartsWith(n.v)
	case opCompatible:
		return v.CompatibleWith(n.v)
	case opAnd:
		for i := range n.kids {
			if !n.kids[i].matches(v) {
				return false
			}
		}
		return true
	case opOr:
		for i := range n.kids {
			if n.kids[i].matches(v) {
				return true
			}
		}
	}
	return false
}

// String returns the spec in rattler's normal form: versions normalised, no white
// space, "=1.2" and "1.2*" written "1.2.*", an or-group inside an and-group in
// parentheses.
func (vs VersionSpec) String() string {
	var b strings.Builder
	vs.root.write(&b, opAny)
	return b.String()
}

var opText = [...]string{opEq: "==", opNe: "!=", opGt: ">", opGe: ">=", opLt: "<", opLe: "<=", opCompatible: "~="}

func (n *node) write(b *strings.Builder, parent op) {
	switch n.op {
	case opAny:
		b.WriteByte('*')
	case opStartsWith:
		b.WriteString(n.v.s)
		b.WriteString(".*")
	case opNotStartsWith:
		b.WriteString("!=")
		b.WriteString(n.v.s)
		b.WriteString(".*")
	case opAnd, opOr:
		paren := n.op == opOr && parent == opAnd
		if paren {
			b.WriteByte('(')
		}
		for i := range n.kids {
			if i > 0 {
				if n.op == opAnd {
					b.WriteByte(',')
				} else {
					b.WriteByte('|')
				}
			}
			n.kids[i].write(b, n.op)
		}
		if paren {
			b.WriteByte(')')
		}
	default:
		b.WriteString(opText[n.op])
		b.WriteString(n.v.s)
	}
}

package license

import (
	"errors"
	"fmt"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// This file parses SPDX licence expressions (SPDX 2.3, Annex D) into a small tree that
// Classify and Allowed can walk: go-spdx validates expressions but does not expose its
// tree. Identifiers are looked up in go-spdx's copy of the SPDX licence and exception
// lists, so both parsers agree on what an identifier is; Normalize also hands every
// expression it produces to go-spdx to validate.

// Limits that keep the work on hostile input bounded.
const (
	maxDepth = 32  // nested parentheses
	maxTerms = 256 // licence terms in one expression
)

// NOASSERTION is the expression of a declared licence that could not be mapped (SPDX's
// "no assertion is made").
const NOASSERTION = "NOASSERTION"

type nodeKind uint8

const (
	leafNode nodeKind = iota
	andNode
	orNode
)

// node is an SPDX expression: a leaf (licence id with an optional exception) or an AND/OR
// of two or more children. Children of an AND are never ANDs (and likewise for OR).
type node struct {
	kind      nodeKind
	id        string // leaf: canonical licence id, possibly ending in "+", or a LicenseRef
	exception string // leaf: canonical exception id, or ""
	kids      []*node
}

func (n *node) String() string {
	var b strings.Builder
	n.render(&b)
	return b.String()
}

func (n *node) render(b *strings.Builder) {
	if n.kind == leafNode {
		b.WriteString(n.id)
		if n.exception != "" {
			b.WriteString(" WITH ")
			b.WriteString(n.exception)
		}
		return
	}
	op := " AND "
	if n.kind == orNode {
		op = " OR "
	}
	for i, k := range n.kids {
		if i > 0 {
			b.WriteString(op)
		}
		if k.kind != leafNode {
			// Parentheses around every compound child: AND binds tighter than OR, but
			// people read "MIT OR GPL-2.0-only AND BSD-3-Clause" both ways.
			b.WriteByte('(')
			k.render(b)
			b.WriteByte(')')
		} else {
			k.render(b)
		}
	}
}

// leaves appends the leaves of n in order.
func (n *node) leaves(dst []*node) []*node {
	if n.kind == leafNode {
		return append(dst, n)
	}
	for _, k := range n.kids {
		dst = k.leaves(dst)
	}
	return dst
}

// combine builds an AND or OR of kids, flattening nested nodes of the same kind and
// dropping repeated terms ("MIT OR MIT" is "MIT").
func combine(kind nodeKind, kids []*node) *node {
	var flat []*node
	seen := map[string]bool{}
	var add func(k *node)
	add = func(k *node) {
		if k.kind == kind {
			for _, kk := range k.kids {
				add(kk)
			}
			return
		}
		s := k.String()
		if seen[s] {
			return
		}
		seen[s] = true
		flat = append(flat, k)
	}
	for _, k := range kids {
		add(k)
	}
	if len(flat) == 1 {
		return flat[0]
	}
	return &node{kind: kind, kids: flat}
}

func (n *node) clone() *node {
	c := *n
	if n.kids != nil {
		c.kids = make([]*node, len(n.kids))
		for i, k := range n.kids {
			c.kids[i] = k.clone()
		}
	}
	return &c
}

// exprParser parses one SPDX expression. successors maps deprecated licence ids to the
// expression that replaces them (nil: keep deprecated ids as they are).
type exprParser struct {
	toks       []string
	pos        int
	depth      int
	terms      int
	successors map[string]*node
	notes      []string // what was changed on the way: case, deprecated ids
}

// parseSPDX parses s as an SPDX expression. Identifiers and operators are matched without
// regard to case (PEP 639 asks tools to accept that and normalise); the notes say what
// had to be corrected.
func parseSPDX(s string, successors map[string]*node) (*node, []string, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, nil, err
	}
	if len(toks) == 0 {
		return nil, nil, errors.New("empty expression")
	}
	p := &exprParser{toks: toks, successors: successors}
	n, err := p.parseOr()
	if err != nil {
		return nil, nil, err
	}
	if p.pos < len(p.toks) {
		if p.toks[p.pos] == ")" {
			return nil, nil, errors.New("unbalanced parentheses: ')' without '('")
		}
		return nil, nil, fmt.Errorf("%q follows a complete expression: licences must be joined by AND, OR or WITH", p.toks[p.pos])
	}
	return n, p.notes, nil
}

// tokenize splits s into "(", ")" and words. It accepts only the characters SPDX
// expressions are made of.
func tokenize(s string) ([]string, error) {
	var toks []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, s[i:i+1])
			i++
		case isIDChar(c) || c == '+' || c == ':':
			j := i
			for j < len(s) && (isIDChar(s[j]) || s[j] == '+' || s[j] == ':') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			r := []rune(s[i:min(len(s), i+4)])[0]
			return nil, fmt.Errorf("character %q is not part of an SPDX expression", r)
		}
		if len(toks) > 4*maxTerms {
			return nil, fmt.Errorf("more than %d tokens", 4*maxTerms)
		}
	}
	return toks, nil
}

func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

func (p *exprParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

// operator reports whether the next token is op, accepting any case.
func (p *exprParser) operator(op string) bool {
	t := p.peek()
	if !strings.EqualFold(t, op) {
		return false
	}
	if t != op {
		p.note(fmt.Sprintf("operator %q written as %s", t, op))
	}
	p.pos++
	return true
}

func (p *exprParser) note(s string) {
	for _, n := range p.notes {
		if n == s {
			return
		}
	}
	p.notes = append(p.notes, s)
}

func (p *exprParser) parseOr() (*node, error) {
	n, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := []*node{n}
	for p.operator("OR") {
		k, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	return combine(orNode, kids), nil
}

func (p *exprParser) parseAnd() (*node, error) {
	n, err := p.parseWith()
	if err != nil {
		return nil, err
	}
	kids := []*node{n}
	for p.operator("AND") {
		k, err := p.parseWith()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	return combine(andNode, kids), nil
}

func (p *exprParser) parseWith() (*node, error) {
	t := p.peek()
	if t == "(" {
		p.pos++
		p.depth++
		if p.depth > maxDepth {
			return nil, fmt.Errorf("parentheses nested more than %d deep", maxDepth)
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errors.New("unbalanced parentheses: '(' without ')'")
		}
		p.pos++
		p.depth--
		if strings.EqualFold(p.peek(), "WITH") {
			return nil, errors.New("WITH must follow a licence identifier, not a parenthesised expression")
		}
		return n, nil
	}
	switch {
	case t == "":
		return nil, errors.New("expression ends where a licence was expected")
	case t == ")":
		return nil, errors.New("')' where a licence was expected")
	case strings.EqualFold(t, "AND") || strings.EqualFold(t, "OR") || strings.EqualFold(t, "WITH"):
		return nil, fmt.Errorf("operator %s where a licence was expected", strings.ToUpper(t))
	}
	p.pos++
	p.terms++
	if p.terms > maxTerms {
		return nil, fmt.Errorf("more than %d licence terms", maxTerms)
	}
	n, err := p.licence(t)
	if err != nil {
		return nil, err
	}
	if p.operator("WITH") {
		e := p.peek()
		if e == "" || e == "(" || e == ")" {
			return nil, errors.New("WITH must be followed by an exception identifier")
		}
		p.pos++
		ok, canon := spdxlicenses.IsException(e)
		if !ok {
			return nil, fmt.Errorf("%q is not an exception on the SPDX exception list", e)
		}
		if canon != e {
			p.note(fmt.Sprintf("%q written as %s", e, canon))
		}
		if n.kind != leafNode || n.exception != "" {
			return nil, fmt.Errorf("%s already carries an exception", t)
		}
		if isRef(n.id) {
			return nil, errors.New("WITH after a LicenseRef is not supported")
		}
		n.exception = canon
	}
	return n, nil
}

func isRef(id string) bool {
	return strings.HasPrefix(id, "LicenseRef-") || strings.HasPrefix(id, "DocumentRef-")
}

// licence resolves one licence word: canonical case, deprecated ids replaced by their
// successors, a trailing "+" folded into an "-or-later" id where SPDX has one.
func (p *exprParser) licence(w string) (*node, error) {
	if r, ok := refID(w); ok {
		if r != w {
			p.note(fmt.Sprintf("%q written as %s", w, r))
		}
		return &node{id: r}, nil
	}
	if strings.ContainsRune(w, ':') {
		return nil, fmt.Errorf("%q: ':' belongs only in DocumentRef-...:LicenseRef-...", w)
	}
	base, plus := strings.CutSuffix(w, "+")
	if base == "" || strings.ContainsRune(base, '+') {
		return nil, fmt.Errorf("%q: '+' may only end a licence identifier", w)
	}
	if plus {
		// "GPL-2.0+" is itself a deprecated identifier.
		if ok, canon := spdxlicenses.IsDeprecatedLicense(w); ok {
			return p.deprecated(w, canon, false), nil
		}
	}
	if ok, canon := spdxlicenses.IsActiveLicense(base); ok {
		if canon != base {
			p.note(fmt.Sprintf("%q written as %s", base, canon))
		}
		id := canon
		if plus {
			id = orLater(canon)
			if id != canon+"+" {
				p.note(fmt.Sprintf("%s+ written as %s", canon, id))
			}
		}
		return &node{id: id}, nil
	}
	if ok, canon := spdxlicenses.IsDeprecatedLicense(base); ok {
		return p.deprecated(w, canon, plus), nil
	}
	return nil, fmt.Errorf("%q is not an identifier on the SPDX licence list", base)
}

func (p *exprParser) deprecated(w, canon string, plus bool) *node {
	succ, ok := p.successors[canon]
	if !ok {
		if p.successors != nil {
			p.note(fmt.Sprintf("%s is deprecated and has no single successor; kept", canon))
		}
		id := canon
		if plus {
			id += "+"
		}
		return &node{id: id}
	}
	n := succ.clone()
	if plus && n.kind == leafNode {
		n.id = orLater(strings.TrimSuffix(n.id, "+"))
	}
	p.note(fmt.Sprintf("deprecated %s replaced by %s", w, n))
	return n
}

// orLater returns the "or later" form of an active licence id: GPL-2.0-only becomes
// GPL-2.0-or-later, MIT becomes MIT+.
func orLater(id string) string {
	if strings.HasSuffix(id, "-or-later") {
		return id
	}
	if base, ok := strings.CutSuffix(id, "-only"); ok {
		if ok, canon := spdxlicenses.IsActiveLicense(base + "-or-later"); ok {
			return canon
		}
	}
	if ok, canon := spdxlicenses.IsActiveLicense(id + "-or-later"); ok {
		return canon
	}
	return id + "+"
}

// refID recognises LicenseRef-x and DocumentRef-y:LicenseRef-x (prefixes in any case)
// and returns them with the prefixes in SPDX's spelling.
func refID(w string) (string, bool) {
	const lr, dr = "LicenseRef-", "DocumentRef-"
	doc := ""
	rest := w
	if len(rest) > len(dr) && strings.EqualFold(rest[:len(dr)], dr) {
		d, after, ok := strings.Cut(rest[len(dr):], ":")
		if !ok || !validIDString(d) {
			return "", false
		}
		doc = dr + d + ":"
		rest = after
	}
	if len(rest) <= len(lr) || !strings.EqualFold(rest[:len(lr)], lr) || !validIDString(rest[len(lr):]) {
		return "", false
	}
	return doc + lr + rest[len(lr):], true
}

func validIDString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDChar(s[i]) {
			return false
		}
	}
	return true
}

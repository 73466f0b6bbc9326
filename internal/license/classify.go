package license

import (
	"fmt"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// Term is one licence of an expression with the category the table gives it.
type Term struct {
	// License is the licence id (SPDX id, "id+", or LicenseRef-...).
	License string
	// Exception is the exception attached with WITH, or "".
	Exception string
	// Category is the licence's category after the exception is applied.
	Category Category
	// Listed reports whether the table has the licence; an unlisted one is Unknown.
	Listed bool
}

func (t Term) String() string {
	if t.Exception != "" {
		return t.License + " WITH " + t.Exception
	}
	return t.License
}

// Detail explains a classification.
type Detail struct {
	// Decisive is the part of the expression that decided the category: the least
	// restrictive alternative of an OR, the most restrictive term of an AND.
	Decisive string
	// Terms are the licences of the expression in order, each with its category.
	Terms []Term
	// Reason says why the category is Unknown when the expression could not be read.
	Reason string
}

// Classify gives an SPDX expression the category of what it asks of a user: an OR lets
// the user choose, so the least restrictive alternative decides; an AND requires every
// term, so the most restrictive decides. A licence with an exception the table marks as
// a linking exception (Classpath-exception-2.0, GCC-exception-3.1, LLVM-exception, ...)
// is capped at that category: GPL-2.0-only WITH Classpath-exception-2.0 is
// weak-copyleft. NOASSERTION, unparseable text and licences the table does not list are
// Unknown.
func Classify(expression string, t *Table) (Category, Detail) {
	s := strings.TrimSpace(expression)
	if s == "" || s == NOASSERTION {
		return Unknown, Detail{Decisive: NOASSERTION, Reason: "no licence asserted"}
	}
	n, _, err := parseSPDX(s, t.deprecated)
	if err != nil {
		return Unknown, Detail{Decisive: s, Reason: "unparseable: " + err.Error()}
	}
	return t.classify(n)
}

func (t *Table) classify(n *node) (Category, Detail) {
	var d Detail
	for _, l := range n.leaves(nil) {
		d.Terms = append(d.Terms, t.term(l))
	}
	c, decisive := t.eval(n)
	d.Decisive = decisive.String()
	return c, d
}

func (t *Table) term(l *node) Term {
	c, ok := t.Category(l.id)
	if !ok {
		c = Unknown
	}
	if l.exception != "" {
		if capc, has := t.exceptionCap(l.exception); has && isCopyleft(c) && capc.Rank() < c.Rank() {
			c = capc
		}
	}
	return Term{License: l.id, Exception: l.exception, Category: c, Listed: ok}
}

func isCopyleft(c Category) bool {
	return c == WeakCopyleft || c == StrongCopyleft || c == NetworkCopyleft
}

// eval returns the category of n and the sub-expression that decided it.
func (t *Table) eval(n *node) (Category, *node) {
	if n.kind == leafNode {
		return t.term(n).Category, n
	}
	best, by := t.eval(n.kids[0])
	for _, k := range n.kids[1:] {
		c, kby := t.eval(k)
		if n.kind == orNode && c.Rank() < best.Rank() || n.kind == andNode && c.Rank() > best.Rank() {
			best, by = c, kby
		}
	}
	return best, by
}

// Allowed decides an expression against allow and deny lists whose items are licence
// ids ("MIT", "GPL-3.0-only", "LicenseRef-Acme") or category names ("permissive"),
// in any case. A term is allowed when no deny item matches it and, if allow is not
// empty, an allow item does. An OR is allowed when one alternative is; an AND when all
// terms are. failingClause is the part that was not allowed ("" when allowed): the whole
// OR when no alternative passes, the first failing term of an AND.
//
// Matching: an id item matches a term with that licence id, with or without an
// exception (an exception only adds permissions); an allow item also matches an
// "or later" term it satisfies (allow GPL-3.0-only admits GPL-2.0-or-later, whose user
// may choose version 3); deny items match exactly, so deny GPL-3.0-only does not deny
// GPL-2.0-or-later. A category item matches a term of that category after exceptions
// (deny strong-copyleft does not deny GPL-2.0-only WITH Classpath-exception-2.0, which
// is weak-copyleft). NOASSERTION is a term of category unknown that only "unknown"
// matches. Check the items with ValidateRule when loading a policy.
func Allowed(expression string, allow, deny []string, t *Table) (bool, string) {
	s := strings.TrimSpace(expression)
	if s == "" || s == NOASSERTION {
		if t.ruleMatches(deny, Term{License: NOASSERTION, Category: Unknown}, false) ||
			len(allow) > 0 && !t.ruleMatches(allow, Term{License: NOASSERTION, Category: Unknown}, true) {
			return false, NOASSERTION
		}
		return true, ""
	}
	n, _, err := parseSPDX(s, t.deprecated)
	if err != nil {
		// Not an expression: only an explicit "unknown" lets it through.
		u := Term{License: s, Category: Unknown}
		if t.ruleMatches(deny, u, false) || len(allow) > 0 && !t.ruleMatches(allow, u, true) {
			return false, s
		}
		return true, ""
	}
	return t.allowed(n, allow, deny)
}

func (t *Table) allowed(n *node, allow, deny []string) (bool, string) {
	switch n.kind {
	case leafNode:
		term := t.term(n)
		if t.ruleMatches(deny, term, false) || len(allow) > 0 && !t.ruleMatches(allow, term, true) {
			return false, n.String()
		}
		return true, ""
	case orNode:
		for _, k := range n.kids {
			if ok, _ := t.allowed(k, allow, deny); ok {
				return true, ""
			}
		}
		return false, n.String()
	default:
		for _, k := range n.kids {
			if ok, clause := t.allowed(k, allow, deny); !ok {
				return false, clause
			}
		}
		return true, ""
	}
}

// ruleMatches reports whether an item of items matches term. orLater lets an id item
// match an "or later" term that it satisfies (used for allow lists).
func (t *Table) ruleMatches(items []string, term Term, orLater bool) bool {
	for _, it := range items {
		it = strings.TrimSpace(it)
		if ok, canon := spdxlicenses.IsDeprecatedLicense(it); ok {
			if succ, has := t.deprecated[canon]; has {
				it = succ.String() // GPL-2.0 means GPL-2.0-only
			}
		}
		if c := Category(strings.ToLower(it)); c.Valid() {
			if term.Category == c {
				return true
			}
			continue
		}
		if strings.EqualFold(it, term.License) || strings.EqualFold(it, term.String()) {
			return true
		}
		if orLater && (strings.HasSuffix(term.License, "-or-later") || strings.HasSuffix(term.License, "+")) {
			if ok, err := spdxexp.Satisfies(term.License, []string{it}); err == nil && ok {
				return true
			}
		}
	}
	return false
}

// ValidateRule checks the items of an allow or deny list: each must be a category name
// or a licence id on the SPDX list or a LicenseRef (or NOASSERTION). The error names the
// first bad item and what to write instead.
func ValidateRule(items []string) error {
	for _, it := range items {
		s := strings.TrimSpace(it)
		if Category(strings.ToLower(s)).Valid() || s == NOASSERTION {
			continue
		}
		if _, err := tableID(s); err == nil {
			continue
		}
		if strings.Contains(s, " ") {
			return fmt.Errorf("licence rule item %q: write one SPDX id or category per item, not an expression", it)
		}
		return fmt.Errorf("licence rule item %q is neither a category (public-domain, permissive, weak-copyleft, strong-copyleft, network-copyleft, unknown, proprietary) nor an SPDX licence id (see https://spdx.org/licenses/) nor a LicenseRef-", it)
	}
	return nil
}

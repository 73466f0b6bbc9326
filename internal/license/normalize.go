package license

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/github/go-spdx/v2/spdxexp"
)

// Limits on the declared text.
const (
	// MaxDeclared is the longest declared text (after trimming) that is analysed; longer
	// text is NOASSERTION with the reason "too long". Real licence names and expressions
	// are far shorter; a longer License field holds a licence text, which is not
	// identified anyway.
	MaxDeclared = 4096
	// textLines and textBytes decide that a free-text field holds a licence text rather
	// than a licence name.
	textLines = 3
	textBytes = 300
	// maxParts bounds the pieces free text is split into at "or", "and", ",", "/".
	maxParts = 16
	// DefaultCacheSize is the number of results a Normalizer remembers.
	DefaultCacheSize = 8192
)

// Result is what Normalize makes of one declared licence.
type Result struct {
	// Declared is the text as declared, verbatim.
	Declared string
	// Source is the field it was declared in.
	Source Source
	// Expression is the SPDX expression with canonical ids, or NOASSERTION when the text
	// could not be mapped without guessing.
	Expression string
	// Category is the category of Expression (see Classify); Unknown for NOASSERTION.
	Category Category
	// Parsed reports whether Expression is a mapping of the text (false exactly when it
	// is NOASSERTION).
	Parsed bool
	// Reason says what was mapped ("free text \"Apache 2.0\" (alias)", "deprecated GPL-2.0+
	// replaced by GPL-2.0-or-later") or why the result is NOASSERTION.
	Reason string
	// Licenses are the licence ids of Expression, each once, in order (exceptions are in
	// Expression only).
	Licenses []string
}

// Normalizer maps declared licences to SPDX expressions and categories with one Table,
// remembering results so that the thousands of packages declaring "MIT" cost one
// analysis. It is safe for concurrent use.
type Normalizer struct {
	table *Table
	cache *cache
}

// New returns a Normalizer over t (DefaultTable, possibly Merged with configuration)
// that remembers up to DefaultCacheSize results.
func New(t *Table) *Normalizer {
	return NewWithCacheSize(t, DefaultCacheSize)
}

// NewWithCacheSize is New with a cache of size results; 0 disables the cache.
func NewWithCacheSize(t *Table, size int) *Normalizer {
	if t == nil {
		panic("license.New: nil *Table (use DefaultTable)")
	}
	return &Normalizer{table: t, cache: newCache(size)}
}

// Table returns the table n uses.
func (n *Normalizer) Table() *Table { return n.table }

// Normalize maps a declared licence, read from the field src says, to an SPDX expression
// and its category. It never guesses: text that the SPDX lists and the alias table do not
// identify is NOASSERTION, with the reason. Work is bounded: text longer than MaxDeclared
// is not analysed, control characters are dropped, nesting and term counts are capped.
func (n *Normalizer) Normalize(declared string, src Source) Result {
	if l := len(strings.TrimSpace(declared)); l > MaxDeclared {
		// Not cached: a flood of long distinct strings must not fill the cache.
		return n.finish(Result{Declared: declared, Source: src}, noAssertion("too long: %d bytes (the limit is %d); a licence text is not a licence name", l, MaxDeclared))
	}
	k := cacheKey{src: src, text: declared}
	if r, ok := n.cache.get(k); ok {
		r.Licenses = slices.Clone(r.Licenses)
		return r
	}
	r := n.normalize(declared, src)
	n.cache.put(k, r)
	r.Licenses = slices.Clone(r.Licenses)
	return r
}

// NormalizeClassifiers is Normalize of a package's classifiers (all of them; those not
// starting with "License ::" are ignored) as PyPIClassifier.
func (n *Normalizer) NormalizeClassifiers(classifiers []string) Result {
	return n.Normalize(strings.Join(classifiers, "\n"), PyPIClassifier)
}

// outcome is a front end's answer: an expression, or why there is none.
type outcome struct {
	expr  *node
	steps []string // what was mapped
	why   string   // why NOASSERTION (expr == nil)
}

func noAssertion(format string, a ...any) outcome {
	return outcome{why: fmt.Sprintf(format, a...)}
}

func (n *Normalizer) normalize(declared string, src Source) Result {
	r := Result{Declared: declared, Source: src}
	text, dropped := sanitize(declared)
	text = strings.TrimSpace(text)
	// A licence text in a free-text field is reported as such, whatever its brackets.
	freeTextField := src == PyPILicense || src == CondaLicense
	parenErr := checkParens(text)
	var o outcome
	switch {
	case !src.Valid():
		o = noAssertion("unknown source %d", int(src))
	case text == "":
		o = noAssertion("nothing declared")
	case len(text) > MaxDeclared:
		o = noAssertion("too long: %d bytes (the limit is %d); a licence text is not a licence name", len(text), MaxDeclared)
	case parenErr != nil && !(freeTextField && looksLikeText(text)):
		o = noAssertion("unparseable: %v", parenErr)
	default:
		switch src {
		case PyPIExpression:
			o = n.expression(text)
		case PyPILicense, CondaLicense:
			o = n.freeText(text)
		case PyPIClassifier:
			o = n.classifiers(text)
		case CondaLicenseFamily:
			o = n.condaFamily(text)
		case CRANLicense:
			o = n.cran(text)
		}
	}
	if dropped > 0 {
		o.steps = append([]string{fmt.Sprintf("%d control or invalid characters dropped", dropped)}, o.steps...)
	}
	return n.finish(r, o)
}

// finish fills the result from an outcome: renders and validates the expression,
// classifies it, lists its licences.
func (n *Normalizer) finish(r Result, o outcome) Result {
	if o.expr != nil {
		expr := o.expr.String()
		if ok, bad := spdxexp.ValidateLicenses([]string{expr}); !ok {
			// The parser here and go-spdx disagree: report rather than pass on an
			// expression downstream tools would reject.
			o = noAssertion("internal: %q was rejected by the SPDX validator (%s)", expr, strings.Join(bad, ", "))
		} else {
			r.Expression = expr
			r.Parsed = true
			r.Category, _ = n.table.classify(o.expr)
			for _, l := range o.expr.leaves(nil) {
				if !slices.Contains(r.Licenses, l.id) {
					r.Licenses = append(r.Licenses, l.id)
				}
			}
			r.Reason = strings.Join(o.steps, "; ")
			return r
		}
	}
	r.Expression = NOASSERTION
	r.Category = Unknown
	r.Parsed = false
	r.Reason = strings.Join(append(o.steps, o.why), "; ")
	return r
}

// sanitize drops control and format characters (zero-width, bidi overrides) and invalid
// UTF-8, turns tabs and carriage returns into spaces, and keeps newlines (free text uses
// them to tell a licence text from a name). It returns how many characters it dropped.
func sanitize(s string) (string, int) {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s, 0
	}
	var b strings.Builder
	b.Grow(len(s))
	dropped := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			dropped++
		case r == '\n':
			b.WriteRune(r)
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			dropped++
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), dropped
}

// expression reads a PEP 639 License-Expression: SPDX, and failing that free text (the
// Reason says so: PEP 639 makes such metadata invalid).
func (n *Normalizer) expression(text string) outcome {
	e, notes, err := parseSPDX(oneLine(text), n.table.deprecated)
	if err == nil {
		return outcome{expr: e, steps: append([]string{"SPDX expression"}, notes...)}
	}
	o := n.freeText(text)
	o.steps = append([]string{fmt.Sprintf("not a valid SPDX expression (%v), read as free text", err)}, o.steps...)
	if o.expr == nil {
		o.why = "unparseable: " + o.why
	}
	return o
}

// freeText reads a free-text licence field: an SPDX expression if it is one, else the
// alias table, else the text split at "or", "/", "and", ",", ";", "&" with each part
// mapped.
func (n *Normalizer) freeText(text string) outcome {
	if looksLikeText(text) {
		lines := strings.Count(text, "\n") + 1
		return noAssertion("the field holds a licence text (%d lines, %d bytes), not a licence name; the classifiers or License-Expression should name it", lines, len(text))
	}
	text = oneLine(text)
	if k := classifierKey(text); strings.HasPrefix(k, "license ::") {
		o := n.classifiers(text)
		o.steps = append([]string{"a trove classifier"}, o.steps...)
		return o
	}
	if e, notes, err := parseSPDX(text, n.table.deprecated); err == nil {
		return outcome{expr: e, steps: append([]string{"SPDX expression"}, notes...)}
	}
	return n.phrase(text, 0)
}

// looksLikeText reports whether a free-text field holds a licence text (several lines or
// a paragraph) rather than a licence name.
func looksLikeText(s string) bool {
	return strings.Count(s, "\n")+1 >= textLines || len(s) > textBytes
}

// phrase maps free text through the alias table, splitting it when it joins several
// licence names.
func (n *Normalizer) phrase(text string, depth int) outcome {
	text = strings.TrimSpace(text)
	key := fold(text)
	if key == "" {
		return noAssertion("%s names no licence", q(text))
	}
	if m, ok := n.table.aliases[key]; ok {
		if m.expr == nil {
			return noAssertion("%s names no single licence (listed as such in the alias table)", q(text))
		}
		return outcome{expr: m.expr.clone(), steps: []string{fmt.Sprintf("%s is %s (alias)", q(text), m.expr)}}
	}
	if depth > 0 {
		if e, notes, err := parseSPDX(text, n.table.deprecated); err == nil {
			return outcome{expr: e, steps: notes}
		}
	}
	if depth < 2 {
		for _, level := range []struct {
			kind  nodeKind
			words []string
			chars string
		}{
			{orNode, []string{"or"}, "/"},
			{andNode, []string{"and"}, ",;&"},
		} {
			parts := splitPhrase(text, level.words, level.chars)
			if len(parts) < 2 {
				continue
			}
			if len(parts) > maxParts {
				return noAssertion("more than %d licence names", maxParts)
			}
			var kids []*node
			var steps []string
			for _, p := range parts {
				o := n.phrase(p, depth+1)
				if o.expr == nil {
					return noAssertion("unmapped part %s: %s", q(p), o.why)
				}
				kids = append(kids, o.expr)
				steps = append(steps, o.steps...)
			}
			return outcome{expr: combine(level.kind, kids), steps: steps}
		}
	}
	return noAssertion("no SPDX identifier or alias matches %s (looked up as %s)", q(text), q(key))
}

// splitPhrase splits text at the separator words (whole words, any case; "or later" is
// not a separator) and at the separator characters.
func splitPhrase(text string, words []string, chars string) []string {
	var parts []string
	var cur []string
	flush := func() {
		if s := strings.TrimSpace(strings.Join(cur, " ")); s != "" {
			parts = append(parts, s)
		}
		cur = cur[:0]
	}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' })
	for i, f := range fields {
		lw := strings.ToLower(f)
		if strings.Contains(lw, "://") || strings.HasPrefix(lw, "www.") {
			continue // a URL is a reference, and its slashes are not separators
		}
		if slices.Contains(words, lw) && !laterWord(fields, i+1) {
			flush()
			continue
		}
		for {
			j := strings.IndexAny(f, chars)
			if j < 0 {
				break
			}
			cur = append(cur, f[:j])
			flush()
			f = f[j+1:]
		}
		cur = append(cur, f)
	}
	flush()
	// "Apache License, Version 2.0": a part that is only a version belongs to the name
	// before it.
	merged := parts[:0]
	for _, p := range parts {
		if len(merged) > 0 && !hasLetter(fold(p)) {
			merged[len(merged)-1] += ", " + p
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// laterWord reports whether fields[i] begins "later", "newer", "any later", ...
func laterWord(fields []string, i int) bool {
	if i < len(fields) && strings.EqualFold(fields[i], "any") {
		i++
	}
	if i >= len(fields) {
		return false
	}
	switch strings.Trim(strings.ToLower(fields[i]), ".,;)") {
	case "later", "newer", "higher", "above", "greater":
		return true
	}
	return false
}

// checkParens rejects text whose parentheses do not balance or nest deeper than
// maxDepth: such text is a broken expression, not a licence name to look up.
func checkParens(s string) error {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("parentheses nested more than %d deep", maxDepth)
			}
		case ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced parentheses: ')' without '('")
			}
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced parentheses: '(' without ')'")
	}
	return nil
}

// q quotes declared text for a reason, cut to a readable length: a reason names the
// part it is about; the whole text is in Result.Declared.
func q(s string) string {
	const max = 80
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// classifiers maps "License ::" trove classifiers, one a line. Following PEP 639, a
// classifier that is the parent of another ("License :: OSI Approved") is dropped; the
// ambiguous ones (GPL without "or later", BSD, Apache Software License) map to family
// references, not to a guessed version. Several classifiers combine with AND: PEP 639
// leaves their relation open, and AND is the reading that never understates what is
// asked (a dual licence declared this way reads stricter than it is).
func (n *Normalizer) classifiers(text string) outcome {
	var keys, shown []string
	for _, line := range strings.Split(text, "\n") {
		k := classifierKey(line)
		if !strings.HasPrefix(k, "license ::") || slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		shown = append(shown, strings.TrimSpace(line))
	}
	if len(keys) == 0 {
		return noAssertion("no \"License ::\" classifier")
	}
	var kids []*node
	var steps []string
	for i, k := range keys {
		parent := false
		for _, other := range keys {
			if other != k && strings.HasPrefix(other, k+" ::") {
				parent = true
			}
		}
		if parent {
			steps = append(steps, fmt.Sprintf("%s dropped: a more specific classifier is present", q(shown[i])))
			continue
		}
		m, ok := n.table.classifiers[k]
		if !ok {
			return noAssertion("unknown classifier %s", q(shown[i]))
		}
		if m.expr == nil {
			return noAssertion("classifier %s names no single licence", q(shown[i]))
		}
		kids = append(kids, m.expr.clone())
		steps = append(steps, fmt.Sprintf("%s is %s", q(shown[i]), m.expr))
	}
	e := combine(andNode, kids)
	if e.kind == andNode {
		steps = append(steps, "several licence classifiers read as AND (PEP 639 leaves their relation open; declare License-Expression to state a choice)")
	}
	return outcome{expr: e, steps: steps}
}

// condaFamily maps conda's license_family field.
func (n *Normalizer) condaFamily(text string) outcome {
	m, ok := n.table.condaFamilies[fold(text)]
	if !ok {
		return noAssertion("unknown conda license_family %s", q(text))
	}
	if m.expr == nil {
		return noAssertion("license_family %s names no licence", q(text))
	}
	return outcome{expr: m.expr.clone(), steps: []string{fmt.Sprintf("license_family %s is %s", q(text), m.expr)}}
}

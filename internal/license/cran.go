package license

import (
	"fmt"
	"strconv"
	"strings"
)

// fileRef stands for licence terms in a file shipped with the package (CRAN's
// "file LICENSE"): its category is unknown until someone reads the file.
const fileRef = "LicenseRef-vetted-file-LICENSE"

// cran reads the License field of an R DESCRIPTION file ("Writing R Extensions",
// section "Licensing"; tools:::analyze_license): alternatives separated by "|"; each a
// licence from R's licence database, optionally with a version range "(>= 2)" and a
// "+ file LICENSE" extension, or "file LICENSE" alone, or "Unlimited".
func (n *Normalizer) cran(text string) outcome {
	text = oneLine(text)
	comps := strings.Split(text, "|")
	if len(comps) > maxParts {
		return noAssertion("more than %d alternatives", maxParts)
	}
	var kids []*node
	var steps []string
	for _, c := range comps {
		c = strings.TrimSpace(c)
		if c == "" {
			return noAssertion("an empty alternative between '|'")
		}
		e, step, why := n.cranComponent(c)
		if e == nil {
			return noAssertion("CRAN licence %s: %s", q(c), why)
		}
		kids = append(kids, e)
		steps = append(steps, step)
	}
	e := combine(orNode, kids)
	if e.kind == leafNode && e.id == fileRef {
		return noAssertion("the licence is in the package's LICENSE file, which is not read")
	}
	return outcome{expr: e, steps: steps}
}

// cranComponent maps one alternative of a CRAN License field.
func (n *Normalizer) cranComponent(c string) (*node, string, string) {
	if isFileLicense(c) {
		return &node{id: fileRef}, fmt.Sprintf("%s: terms in the package's file (%s)", q(c), fileRef), ""
	}
	base, ext := cutFileExtension(c)
	var e *node
	var step string
	if name, cons, ok := cutVersionSpec(base); ok {
		var why string
		e, why = n.cranRange(name, cons)
		if e == nil {
			return nil, "", why
		}
		step = fmt.Sprintf("%s is %s (R licence db versions %s)", q(base), e, strings.Join(n.table.cranVersions[fold(name)], ", "))
	} else {
		e, step = n.cranName(base)
		if e == nil {
			return nil, "", fmt.Sprintf("not a licence of R's licence database and no alias matches %s", q(base))
		}
	}
	if ext {
		if e.kind == leafNode && n.table.cranTemplates[e.id] {
			step += fmt.Sprintf("; the file holds the %s template's year and copyright holder", e.id)
		} else {
			e = combine(andNode, []*node{e, {id: fileRef}})
			step += fmt.Sprintf("; \"+ file LICENSE\" adds terms (%s)", fileRef)
		}
	}
	return e, step, ""
}

// cranName maps a licence name without a version range: CRAN's own meanings first
// ("GPL" is every GPL version R knows), then SPDX ids, then the alias table.
func (n *Normalizer) cranName(name string) (*node, string) {
	if m, ok := n.table.cran[fold(name)]; ok && m.expr != nil {
		return m.expr.clone(), fmt.Sprintf("%s is %s (CRAN)", q(name), m.expr)
	}
	if e, _, err := parseSPDX(name, n.table.deprecated); err == nil {
		return e, fmt.Sprintf("%s is %s", q(name), e)
	}
	o := n.phrase(name, 0)
	if o.expr == nil {
		return nil, ""
	}
	return o.expr, strings.Join(o.steps, "; ")
}

// cranRange maps "NAME (op v, ...)": the versions of NAME in R's licence database that
// satisfy every constraint, each mapped as "NAME v", joined with OR. A single ">= v" is
// "NAME v or later" where the alias table has that ("GPL (>= 2)" is GPL-2.0-or-later).
func (n *Normalizer) cranRange(name string, cons []constraint) (*node, string) {
	key := fold(name)
	if len(cons) == 1 && cons[0].op == ">=" {
		if e, ok := n.cranLookup(key + " " + trimVersion(cons[0].v) + " +"); ok {
			return e, ""
		}
	}
	versions, ok := n.table.cranVersions[key]
	if !ok {
		return nil, fmt.Sprintf("R's licence database gives %s no versions", q(name))
	}
	var kids []*node
	for _, v := range versions {
		if !satisfiesAll(v, cons) {
			continue
		}
		e, ok := n.cranLookup(key + " " + trimVersion(v))
		if !ok {
			return nil, fmt.Sprintf("no SPDX identifier for %s version %s", name, v)
		}
		kids = append(kids, e)
	}
	if len(kids) == 0 {
		return nil, fmt.Sprintf("no version of %s satisfies the range", name)
	}
	return combine(orNode, kids), ""
}

func (n *Normalizer) cranLookup(key string) (*node, bool) {
	if m, ok := n.table.cran[key]; ok && m.expr != nil {
		return m.expr.clone(), true
	}
	if m, ok := n.table.aliases[key]; ok && m.expr != nil {
		return m.expr.clone(), true
	}
	return nil, false
}

func isFileLicense(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) == 2 && f[0] == "file" && (f[1] == "license" || f[1] == "licence")
}

// cutFileExtension splits "MIT + file LICENSE" into "MIT" and true.
func cutFileExtension(c string) (string, bool) {
	i := strings.LastIndex(c, "+")
	if i < 0 || !isFileLicense(c[i+1:]) {
		return c, false
	}
	return strings.TrimSpace(c[:i]), true
}

type constraint struct{ op, v string }

// cutVersionSpec splits "GPL (>= 2, < 3)" into "GPL" and its constraints; ok is false
// when the text does not end in a version specification.
func cutVersionSpec(s string) (string, []constraint, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ")") {
		return "", nil, false
	}
	open := strings.LastIndex(s, "(")
	if open <= 0 {
		return "", nil, false
	}
	var cons []constraint
	for _, item := range strings.Split(s[open+1:len(s)-1], ",") {
		item = strings.TrimSpace(item)
		op := strings.TrimRight(item, "0123456789. ")
		v := strings.TrimSpace(item[len(op):])
		op = strings.TrimSpace(op)
		switch op {
		case "<", "<=", ">", ">=", "==", "!=":
		default:
			return "", nil, false
		}
		if !isVersion(v) {
			return "", nil, false
		}
		cons = append(cons, constraint{op, v})
	}
	return strings.TrimSpace(s[:open]), cons, true
}

func satisfiesAll(v string, cons []constraint) bool {
	for _, c := range cons {
		d := compareVersions(v, c.v)
		ok := false
		switch c.op {
		case "<":
			ok = d < 0
		case "<=":
			ok = d <= 0
		case ">":
			ok = d > 0
		case ">=":
			ok = d >= 0
		case "==":
			ok = d == 0
		case "!=":
			ok = d != 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// compareVersions compares dotted numeric versions ("2" == "2.0" < "2.1" < "3").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

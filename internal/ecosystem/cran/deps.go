package cran

import (
	"fmt"
	"strings"
)

// Dep is one entry of a dependency field (Depends, Imports, LinkingTo, Suggests,
// Enhances): a package name, optionally with one version constraint, "pkg (>= 1.2.3)".
type Dep struct {
	// Name is the package name as written (case-sensitive), or "R" for R itself.
	Name string
	// Op is one of >=, >, <=, <, == and !=, or "" when the entry has no constraint.
	Op string
	// Version is the constraint's version as written ("3.5.0", "1.2-3"), or "".
	Version string
}

// IsR reports whether the entry is a dependency on R itself ("R (>= 3.5.0)" in Depends)
// rather than on a package.
func (d Dep) IsR() bool { return d.Name == "R" }

// String returns the entry as DESCRIPTION writes it: "pkg" or "pkg (>= 1.2.3)".
func (d Dep) String() string {
	if d.Op == "" {
		return d.Name
	}
	return d.Name + " (" + d.Op + " " + d.Version + ")"
}

// Constraint returns the entry's version constraint, parsed with the package's Scheme;
// an entry without one gives the constraint every version satisfies.
func (d Dep) Constraint() (Constraint, error) {
	if d.Op == "" && d.Version == "" {
		return Constraint{}, nil
	}
	return ParseConstraint(d.Op + " " + d.Version)
}

// ParseDeps parses a dependency field as R's tools:::.split_dependencies does:
// comma-separated entries "name" or "name (op version)", with white space, line breaks
// included, allowed anywhere between the parts ("R (>=\n3.5.0)" is how a wrapped PACKAGES
// line reads back), and none required around the operator. Entries are returned in
// order; empty entries (a trailing comma) are skipped, as R skips them.
//
// Where R is lax, ParseDeps is strict and says which entry is wrong: a name that is
// neither a valid package name nor "R", an operator R does not know (=, =>, ~=), a
// version that is not an R package version (R's svn revisions, "R (>= r56550)", are
// refused too), or text after the closing parenthesis. R keeps one constraint per entry
// and drops later entries for the same package; some files repeat a package to give two
// bounds ("x (>= 1.0), x (< 2.0)"), so ParseDeps keeps every entry: a caller checking a
// version must satisfy all of a package's entries.
func ParseDeps(field string) ([]Dep, error) {
	return parseDeps(field, "dependency list")
}

func parseDeps(field, source string) ([]Dep, error) {
	var deps []Dep
	n := 0
	for raw := range strings.SplitSeq(field, ",") {
		n++
		entry := trimSpace(raw)
		if entry == "" {
			continue
		}
		d, why := parseDep(entry)
		if why != "" {
			return nil, &ParseError{Source: source, Detail: fmt.Sprintf("entry %d, %s: %s; write entries like \"pkg\" or \"pkg (>= 1.2.3)\" separated by commas", n, quote(entry), why)}
		}
		deps = append(deps, d)
	}
	return deps, nil
}

// parseDep parses one trimmed, non-empty entry; why says what is wrong.
func parseDep(entry string) (d Dep, why string) {
	i := strings.IndexFunc(entry, func(r rune) bool { return r == '(' || r < 0x80 && isSpace(byte(r)) })
	if i < 0 {
		i = len(entry)
	}
	d.Name = entry[:i]
	switch {
	case d.Name == "":
		return d, "no package name before '('"
	case d.Name != "R" && !ValidName(d.Name):
		return d, fmt.Sprintf("%s is not a valid package name (letters, digits and '.', starting with a letter, not ending with '.', two characters or more)", quote(d.Name))
	}
	rest := trimSpace(entry[i:])
	if rest == "" {
		return d, ""
	}
	if rest[0] != '(' {
		return d, fmt.Sprintf("unexpected %s after the name; a constraint goes in parentheses", quote(rest))
	}
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return d, "no closing ')'"
	}
	if after := trimSpace(rest[end+1:]); after != "" {
		return d, fmt.Sprintf("unexpected %s after ')'", quote(after))
	}
	inner := trimSpace(rest[1:end])
	for _, op := range operators {
		if strings.HasPrefix(inner, op) {
			d.Op = op
			break
		}
	}
	if d.Op == "" {
		return d, fmt.Sprintf("no comparison operator in %s; R knows >=, >, <=, <, == and !=", quote(inner))
	}
	d.Version = trimSpace(inner[len(d.Op):])
	if d.Version == "" {
		return d, "no version after " + quote(d.Op)
	}
	if _, err := Parse(d.Version); err != nil {
		return d, err.Error()
	}
	return d, ""
}

// isSpace is R's [[:space:]] in the C locale.
func isSpace(c byte) bool { return isDCFSpace(c) }

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

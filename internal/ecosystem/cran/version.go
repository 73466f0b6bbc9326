package cran

import (
	"cmp"
	"fmt"
	"strings"
)

// Version is a parsed R package version.
type Version struct {
	orig  string
	parts []string // components as decimal digits without leading zeros ("0" for zero)
}

// InvalidVersionError says why a string is not an R package version.
type InvalidVersionError struct {
	Version string
	Reason  string
}

func (e *InvalidVersionError) Error() string {
	return fmt.Sprintf("invalid R package version %q: %s; R package versions are two or more non-negative integers separated by '.' or '-', like 1.2.3 or 1.2-10", e.Version, e.Reason)
}

// maxVersionLen bounds the input; real versions are a few bytes.
const maxVersionLen = 256

// Parse reads an R package version.
func Parse(s string) (Version, error) {
	t := strings.TrimSpace(s)
	if len(t) > maxVersionLen {
		return Version{}, &InvalidVersionError{Version: s[:32] + "...", Reason: fmt.Sprintf("%d bytes is too long", len(t))}
	}
	if t == "" {
		return Version{}, &InvalidVersionError{Version: s, Reason: "empty"}
	}
	var parts []string
	start := 0
	for i := 0; i <= len(t); i++ {
		if i < len(t) && t[i] >= '0' && t[i] <= '9' {
			continue
		}
		if i < len(t) && t[i] != '.' && t[i] != '-' {
			return Version{}, &InvalidVersionError{Version: s, Reason: fmt.Sprintf("%q at offset %d is not a digit, '.' or '-'", t[i], i)}
		}
		if i == start {
			return Version{}, &InvalidVersionError{Version: s, Reason: "empty component (a separator at an end, or two in a row)"}
		}
		d := strings.TrimLeft(t[start:i], "0")
		if d == "" {
			d = "0"
		}
		parts = append(parts, d)
		start = i + 1
	}
	if len(parts) < 2 {
		return Version{}, &InvalidVersionError{Version: s, Reason: "only one component"}
	}
	return Version{orig: t, parts: parts}, nil
}

// MustParse is Parse for versions known to be valid; it panics otherwise.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsValid reports whether s is an R package version.
func IsValid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// String returns the canonical form, as R's as.character(package_version(s)) writes
// it: components as integers joined by '.' ("1.02-3" → "1.2.3").
func (v Version) String() string { return strings.Join(v.parts, ".") }

// Original returns the version as written, without surrounding white space.
func (v Version) Original() string { return v.orig }

// Len returns the number of components.
func (v Version) Len() int { return len(v.parts) }

// Compare orders v and o as R orders package versions: -1, 0 or +1.
func (v Version) Compare(o Version) int {
	for i := 0; i < len(v.parts) && i < len(o.parts); i++ {
		if c := compareDigits(v.parts[i], o.parts[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(v.parts), len(o.parts))
}

// compareDigits compares two decimal numbers without leading zeros.
func compareDigits(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Compare orders two version strings as R does; strings that are not package
// versions sort before valid ones, and among themselves by string.
func Compare(a, b string) int {
	va, erra := Parse(a)
	vb, errb := Parse(b)
	switch {
	case erra != nil && errb != nil:
		return strings.Compare(a, b)
	case erra != nil:
		return -1
	case errb != nil:
		return 1
	}
	return va.Compare(vb)
}

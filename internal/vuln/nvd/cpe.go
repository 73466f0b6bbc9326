package nvd

import (
	"errors"
	"fmt"
	"strings"
)

// CPE is a CPE 2.3 name in the formatted-string binding, as NVD writes match
// criteria: "cpe:2.3:a:openssl:openssl:3.0.7:*:*:*:*:*:*:*" (NISTIR 7695, section
// 6.2, https://csrc.nist.gov/pubs/ir/7695/final). Each field holds its component
// exactly as written, quoting included: "*" is ANY, "-" is NA (not applicable), a
// backslash quotes the next character ("\:" is a literal colon, "\*" a literal
// asterisk), and an unquoted "*" or "?" inside a value is a wildcard. String
// returns the name again.
type CPE struct {
	// Part is "a" (application), "o" (operating system) or "h" (hardware).
	Part string
	// Vendor and Product name the product ("haxx", "libcurl").
	Vendor  string
	Product string
	// Version is the release ("8.3.0"), ANY or NA; NVD writes "*" when the match
	// gives version bounds instead.
	Version string
	// Update qualifies the version ("beta1", "rc1", "update_121").
	Update    string
	Edition   string
	Language  string
	SWEdition string
	// TargetSW is the software the product runs on or is built for ("node.js").
	TargetSW string
	TargetHW string
	Other    string
}

// CPE component values with a meaning of their own.
const (
	cpeAny = "*" // every value
	cpeNA  = "-" // not applicable: the product has no such attribute
)

const cpePrefix = "cpe:2.3:"

// ParseCPE reads a CPE 2.3 formatted string: "cpe:2.3:" and eleven components
// separated by unquoted colons (part, vendor, product, version, update, edition,
// language, sw_edition, target_sw, target_hw, other). Components are kept as written;
// each must be non-empty, of printable ASCII without spaces, and not end in a lone
// backslash. Part is one of a, o, h or "*".
func ParseCPE(s string) (CPE, error) {
	fail := func(reason string) (CPE, error) {
		return CPE{}, fmt.Errorf("invalid CPE 2.3 name %q: %s; a CPE 2.3 name looks like %q", short(s), reason, "cpe:2.3:a:openssl:openssl:3.0.7:*:*:*:*:*:*:*")
	}
	if !strings.HasPrefix(s, cpePrefix) {
		return fail(`it does not start with "cpe:2.3:" (CPE 2.2 URIs, "cpe:/a:...", are not read)`)
	}
	parts, err := splitCPE(s[len(cpePrefix):], len(cpePrefix))
	if err != nil {
		return fail(err.Error())
	}
	if len(parts) != 11 {
		return fail(fmt.Sprintf("%d components after \"cpe:2.3:\", want 11 (part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other); a colon inside a value is written \\:", len(parts)))
	}
	switch parts[0] {
	case "a", "o", "h", cpeAny:
	default:
		return fail(fmt.Sprintf("part %q is not a (application), o (operating system) or h (hardware)", parts[0]))
	}
	return CPE{
		Part: parts[0], Vendor: parts[1], Product: parts[2], Version: parts[3],
		Update: parts[4], Edition: parts[5], Language: parts[6], SWEdition: parts[7],
		TargetSW: parts[8], TargetHW: parts[9], Other: parts[10],
	}, nil
}

// splitCPE splits on unquoted colons and checks each component's characters.
func splitCPE(s string, offset int) ([]string, error) {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x21 || c > 0x7e:
			return nil, fmt.Errorf("character %q at byte %d: components are printable ASCII without spaces", c, offset+i)
		case c == '\\':
			if i+1 == len(s) {
				return nil, errors.New("it ends in a lone backslash (a backslash quotes the character after it)")
			}
			i++ // the quoted character, whatever it is
			if s[i] < 0x21 || s[i] > 0x7e {
				return nil, fmt.Errorf("character %q at byte %d: components are printable ASCII without spaces", s[i], offset+i)
			}
		case c == ':':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	for i, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("component %d is empty (write * for any value, - for not applicable)", i+1)
		}
	}
	return parts, nil
}

// String returns the formatted string.
func (c CPE) String() string {
	return cpePrefix + strings.Join([]string{c.Part, c.Vendor, c.Product, c.Version, c.Update,
		c.Edition, c.Language, c.SWEdition, c.TargetSW, c.TargetHW, c.Other}, ":")
}

// VendorProduct returns the CPE's vendor and product, unquoted and in lower case (CPE
// names compare case-insensitively).
func (c CPE) VendorProduct() Product {
	return Product{Vendor: strings.ToLower(unquote(c.Vendor)), Product: strings.ToLower(unquote(c.Product))}
}

// exactVersion returns the single release a criteria names, when it names one: the
// version, unquoted, followed by the update when that is given ("1.7.0" and "beta1"
// give "1.7.0beta1"). ok is false for ANY, NA and wildcard patterns.
func (c CPE) exactVersion() (string, bool) {
	if !isSpecific(c.Version) {
		return "", false
	}
	v := unquote(c.Version)
	if isSpecific(c.Update) {
		v += unquote(c.Update)
	}
	return v, true
}

// isSpecific reports whether a component names one value: not ANY, not NA, no
// unquoted wildcard.
func isSpecific(comp string) bool {
	return comp != cpeAny && comp != cpeNA && !hasWildcard(comp)
}

// hasWildcard reports an unquoted "*" or "?".
func hasWildcard(comp string) bool {
	for i := 0; i < len(comp); i++ {
		switch comp[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		}
	}
	return false
}

// unquote returns a component without its quoting: "node\.js" gives "node.js",
// "1.0\:beta" gives "1.0:beta". ANY ("*") and NA ("-") are returned as they are.
func unquote(comp string) string {
	if !strings.Contains(comp, `\`) {
		return comp
	}
	var b strings.Builder
	for i := 0; i < len(comp); i++ {
		if comp[i] == '\\' && i+1 < len(comp) {
			i++
		}
		b.WriteByte(comp[i])
	}
	return b.String()
}

// quote writes a value as a formatted-string component: every character other than
// letters, digits, "_", "-" and "." is quoted with a backslash, and so is a value
// that is a lone "-".
func quote(v string) string {
	if v == cpeNA {
		return `\-` // a lone "-" would read as NA
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Product is a CPE vendor and product, the unit NVD files vulnerabilities under
// ("openssl:openssl", "haxx:libcurl", "nodejs:node.js"). Both are unquoted and in
// lower case.
type Product struct {
	Vendor  string
	Product string
}

// String returns "vendor:product", quoted as in a CPE formatted string.
func (p Product) String() string { return quote(p.Vendor) + ":" + quote(p.Product) }

// ParseProduct reads "vendor:product" as a CPE formatted string writes the two
// components (a literal colon is "\:"). Neither may be empty, ANY, NA or a wildcard
// pattern. The result is unquoted and in lower case.
func ParseProduct(s string) (Product, error) {
	fail := func(reason string) (Product, error) {
		return Product{}, fmt.Errorf("invalid CPE vendor:product %q: %s; write it as NVD's CPE names do, like \"openssl:openssl\" or \"haxx:libcurl\" (the 4th and 5th fields of cpe:2.3:a:VENDOR:PRODUCT:...)", short(s), reason)
	}
	parts, err := splitCPE(s, 0)
	if err != nil {
		return fail(err.Error())
	}
	if len(parts) != 2 {
		return fail(fmt.Sprintf("%d colon-separated parts, want 2", len(parts)))
	}
	for _, p := range parts {
		if !isSpecific(p) {
			return fail(fmt.Sprintf("%q is not one name (*, - and wildcards match many)", p))
		}
	}
	return Product{Vendor: strings.ToLower(unquote(parts[0])), Product: strings.ToLower(unquote(parts[1]))}, nil
}

// short cuts a long input for messages.
func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

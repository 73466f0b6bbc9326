package license

import "fmt"

// Category is what a licence asks of the people who use and redistribute the code under it.
// The categories are ordered by restrictiveness (see Rank): an OR expression takes the
// least restrictive category of its alternatives, an AND expression the most restrictive
// of its terms.
type Category string

// The categories, from least to most restrictive.
const (
	// PublicDomain: no conditions at all, not even attribution (CC0-1.0, Unlicense, 0BSD,
	// MIT-0, public-domain notices).
	PublicDomain Category = "public-domain"
	// Permissive: use, modify and redistribute, also in closed products, keeping notices
	// (MIT, BSD, Apache-2.0, ISC, Zlib, PSF-2.0, CC-BY).
	Permissive Category = "permissive"
	// WeakCopyleft: changes to the licensed files or library stay under the licence; the
	// larger work that uses or links it does not (LGPL, MPL, EPL, CDDL, OFL, and GPL with a
	// linking exception such as Classpath-exception-2.0).
	WeakCopyleft Category = "weak-copyleft"
	// StrongCopyleft: a derived work that is distributed must be under the same licence as
	// a whole (GPL, CC-BY-SA, GFDL, Sleepycat).
	StrongCopyleft Category = "strong-copyleft"
	// NetworkCopyleft: strong copyleft that is triggered by letting users interact with the
	// software over a network, not only by distribution (AGPL, SSPL, EUPL, OSL-3.0, RPL).
	NetworkCopyleft Category = "network-copyleft"
	// Unknown: no category is known (NOASSERTION, an unmapped LicenseRef, a licence in a
	// file). It ranks above the copylefts and below Proprietary: an AND with an unknown
	// term is unknown, an OR with a known alternative is that alternative.
	Unknown Category = "unknown"
	// Proprietary: not an open source licence: use is restricted (non-commercial, field of
	// use, source-available, "Proprietary"), or modification is forbidden (CC-BY-ND).
	Proprietary Category = "proprietary"
)

// categories lists every category in rank order.
var categories = [...]Category{PublicDomain, Permissive, WeakCopyleft, StrongCopyleft, NetworkCopyleft, Unknown, Proprietary}

// Categories returns every category, least restrictive first.
func Categories() []Category { return categories[:] }

// Rank orders categories by restrictiveness: PublicDomain is 0, Proprietary 6. A value
// that is not a category ranks as Unknown.
func (c Category) Rank() int {
	for i, k := range categories {
		if k == c {
			return i
		}
	}
	return Unknown.Rank()
}

// Valid reports whether c is one of the categories.
func (c Category) Valid() bool {
	for _, k := range categories {
		if k == c {
			return true
		}
	}
	return false
}

func (c Category) String() string { return string(c) }

// ParseCategory returns the category named s ("permissive", "weak-copyleft", ...).
func ParseCategory(s string) (Category, error) {
	if c := Category(s); c.Valid() {
		return c, nil
	}
	return "", fmt.Errorf("unknown licence category %q: use one of public-domain, permissive, weak-copyleft, strong-copyleft, network-copyleft, unknown, proprietary", s)
}

// UnmarshalText accepts only the category names, so that strict YAML decoding names a
// misspelt category.
func (c *Category) UnmarshalText(b []byte) error {
	v, err := ParseCategory(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalText encodes the category by name.
func (c Category) MarshalText() ([]byte, error) { return []byte(c), nil }

// leastRestrictive and mostRestrictive combine categories for OR and AND.
func leastRestrictive(a, b Category) Category {
	if b.Rank() < a.Rank() {
		return b
	}
	return a
}

func mostRestrictive(a, b Category) Category {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

package pypi

import (
	"slices"
	"strings"

	"vetted/internal/ecosystem/pypi/pep440"
)

// Versions on project pages and in filenames are compared the way pip compares them,
// through pep440. Strings that are not PEP 440 versions (legacy versions of old sdists)
// are kept, and compared as strings.

// orderVersions sorts versions in PEP 440 order (invalid versions first, by string) and
// drops the later spellings of one version ("1.0" after "1.0.0", "1.0-1" after
// "1.0.post1"), keeping the order seen among equal ones.
func orderVersions(vs []string) []string {
	slices.SortStableFunc(vs, pep440.Compare)
	return slices.CompactFunc(vs, func(a, b string) bool { return pep440.Compare(a, b) == 0 })
}

// sameVersion reports whether two spellings of a version, from a wheel filename and its
// .dist-info directory, name the same version.
func sameVersion(a, b string) bool {
	return strings.EqualFold(a, b) || pep440.Compare(a, b) == 0
}

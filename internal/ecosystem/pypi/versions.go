package pypi

import "strings"

// orderVersions puts the versions derived from a page's filenames in order.
//
// It keeps them in the order first seen, which on pypi.org is upload order. It is the one
// place to switch to PEP 440 order (pep440.Compare) once that package is ready.
func orderVersions(vs []string) {}

// sameVersion reports whether two spellings of a version, from a wheel filename and its
// .dist-info directory, name the same version. It compares case-insensitively; it is the
// one place to switch to PEP 440 equality once pep440 is ready.
func sameVersion(a, b string) bool { return strings.EqualFold(a, b) }

// Package cran owns CRAN's version semantics: R's package_version ordering and the
// version constraints of DESCRIPTION files (Depends/Imports: "pkg (>= 1.2.0)") and
// policy rules. Scheme is the ecosystem.Versions implementation for CRAN.
//
// R is not needed to use or test it: the rules are R's documented semantics (see
// ?package_version and ?numeric_version in R's base package, and "Writing R
// Extensions" §1.1.1, "The DESCRIPTION file", on the Version and Depends fields):
//
//   - A package version is two or more non-negative integers separated by '.' or '-'
//     ("1.2.3", "1.2-10", "0.9.1"). "1" and "1.2a" are not package versions; the
//     separators are equivalent, so "1.2-3" equals "1.2.3".
//   - Components compare as integers, left to right: 1.2-10 > 1.2.9, 0.10.0 > 0.9.1,
//     and leading zeros do not count (1.01 equals 1.1).
//   - When one version is a prefix of the other, the shorter is smaller:
//     package_version("1.0") < package_version("1.0.0") is TRUE in R.
//   - Surrounding white space is ignored.
//
// One deliberate difference: R keeps components as integers (at most 2147483647);
// here components of any length compare as numbers.
//
// The package imports only the standard library and vetted/internal/ecosystem.
package cran

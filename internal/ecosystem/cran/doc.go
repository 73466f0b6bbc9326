// Package cran owns vetted's knowledge of CRAN and CRAN-like R package repositories:
// R's package_version ordering and the version constraints of DESCRIPTION files
// (Depends/Imports: "pkg (>= 1.2.0)") and policy rules; the DCF format of DESCRIPTION
// and PACKAGES files; repository indexes; dependency fields; package names and
// filenames; and reading a package tarball's DESCRIPTION safely. Scheme is the
// ecosystem.Versions implementation for CRAN.
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
// # Files and repositories
//
// The repository layout this package reads and writes is CRAN's:
//
//	src/contrib/
//	├── PACKAGES              index: one DCF paragraph per package (ParsePackages, RenderPackages)
//	├── PACKAGES.gz           the same, gzip-compressed (GunzipPackages, GzipPackages)
//	├── <pkg>_<ver>.tar.gz    current source packages (ParseFilename, ReadDescription, Validate)
//	└── Archive/<pkg>/<pkg>_<ver>.tar.gz   older versions
//
// What it assumes of these files:
//
//   - ParseDCF and WriteDCF read and write the Debian Control File format as R's
//     read.dcf and write.dcf do (R's src/main/dcf.c), including R's white-space rules
//     for DESCRIPTION fields: see ParseDCF for every rule and where this package is
//     stricter than R (duplicate fields, field names, invalid UTF-8 are errors). Values
//     keep their line breaks, as read.dcf returns them; WriteDCF does not re-wrap, so
//     what it writes reads back the same, and a CRAN PACKAGES file renders back byte for
//     byte.
//   - Paragraphs declaring "Encoding: latin1" or latin2 are converted to UTF-8 when read
//     and back when written; other text must be valid UTF-8.
//   - ParseDeps reads Depends, Imports, LinkingTo, Suggests and Enhances; "R (>= 3.5.0)"
//     is a dependency on R itself (Dep.IsR).
//   - Package names are case-sensitive and never normalised (ValidName).
//   - Tarballs are hostile until proven otherwise: ReadDescription bounds the bytes and
//     members it reads and refuses unsafe member names and links, naming the member.
//
// Every error for bad input is a *ParseError naming the file (and line, for DCF) and
// saying what a valid one looks like. Parsers are pure: they take bytes or a reader
// and never touch the network or the file system.
//
// Package crantest builds real R source packages and a fake CRAN mirror for tests.
//
// The package imports only the standard library and vetted/internal/ecosystem.
package cran

package cran

import (
	"fmt"
	"strings"
)

// ValidName reports whether s is a valid R package name ("Writing R Extensions" §1.1.1):
// ASCII letters, digits and '.', at least two characters, starting with a letter and
// not ending with '.' (R's tools:::.valid_package_name_regexp,
// [[:alpha:]][[:alnum:].]*[[:alnum:]]). Names are case-sensitive: "Matrix" and "matrix"
// are different packages, and nothing here normalises them.
func ValidName(s string) bool {
	if len(s) < 2 || !isLetter(s[0]) || s[len(s)-1] == '.' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '.' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// Package file extensions, as CRAN names them.
const (
	ExtSource     = ".tar.gz" // source package: src/contrib/<pkg>_<ver>.tar.gz
	ExtMacBinary  = ".tgz"    // macOS binary: bin/macosx/…/contrib/<R>/<pkg>_<ver>.tgz
	ExtWinBinary  = ".zip"    // Windows binary: bin/windows/contrib/<R>/<pkg>_<ver>.zip
	filenameUsage = `want "<package>_<version>.tar.gz" (or .tgz, .zip for binaries), like "ggplot2_3.5.1.tar.gz"`
)

// SourceFilename returns the name CRAN gives a source package: "<pkg>_<version>.tar.gz".
func SourceFilename(pkg, version string) string {
	return pkg + "_" + version + ExtSource
}

// ParseFilename splits a package filename, "<pkg>_<version>.tar.gz" (source) or .tgz
// (macOS binary) or .zip (Windows binary), into a valid package name and a valid R
// package version, as written ("1.2-3" stays "1.2-3"). Package names cannot hold '_',
// so the split is at the first '_'. A name with a path separator, "..", a NUL or any
// character outside the two parts' alphabets is an error: a filename that parses is
// safe to join to a directory.
func ParseFilename(name string) (pkg, version string, err error) {
	fail := func(why string) (string, string, error) {
		return "", "", &ParseError{Source: "filename " + quote(name), Detail: why + "; " + filenameUsage}
	}
	switch {
	case name == "":
		return fail("empty")
	case strings.ContainsAny(name, "/\\"):
		return fail("it holds a path separator, which a package filename never does (a path traversal attempt?)")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < ' ' || c >= 0x7f {
			return fail(fmt.Sprintf("byte %#x at offset %d is a control or non-ASCII character", c, i))
		}
	}
	var stem string
	for _, ext := range []string{ExtSource, ExtMacBinary, ExtWinBinary} {
		if s, ok := strings.CutSuffix(name, ext); ok {
			stem = s
			break
		}
	}
	if stem == "" {
		return fail("unknown extension")
	}
	pkg, version, ok := strings.Cut(stem, "_")
	switch {
	case !ok:
		return fail("no '_' between the package name and the version")
	case !ValidName(pkg):
		return fail(fmt.Sprintf("%s is not a valid R package name (letters, digits and '.', starting with a letter, not ending with '.', two characters or more)", quote(pkg)))
	}
	if _, err := Parse(version); err != nil || strings.TrimSpace(version) != version {
		why := "surrounding white space"
		if err != nil {
			why = err.Error()
		}
		return fail(fmt.Sprintf("the version part %s: %s", quote(version), why))
	}
	return pkg, version, nil
}

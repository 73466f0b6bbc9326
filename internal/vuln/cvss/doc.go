// Package cvss reads CVSS vector strings and scores them: CVSS v2.0
// (https://www.first.org/cvss/v2/guide), v3.0
// (https://www.first.org/cvss/v3.0/specification-document), v3.1
// (https://www.first.org/cvss/v3.1/specification-document) and v4.0
// (https://www.first.org/cvss/v4.0/specification-document). It owns the qualitative
// severity scale (none < low < medium < high < critical) that policy thresholds use.
//
// The arithmetic is github.com/pandatix/go-cvss; this package adds version detection,
// the severity scale, errors that name the wrong metric and show what a valid vector
// looks like, and one Score type for every version.
//
// It imports only the standard library and go-cvss; it must not import anything of
// vetted.
package cvss

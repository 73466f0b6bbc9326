// Package vuln owns vetted's model of vulnerability advisories: OSV records
// (https://ossf.github.io/osv-schema/) read from JSON or YAML into the compact
// Advisory, their CVSS scores, and matching a package version against their affected
// ranges — one advisory at a time (Affects) or against a whole database at once
// (Index). Dedup merges records that describe the same vulnerability under
// different ids (a PYSEC and a GHSA record for one CVE); NearestUnaffected finds the
// version to suggest instead.
//
// Version ordering is not known here: every call takes the ecosystem's
// ecosystem.Versions and name normaliser (PEP 503 for PyPI), so the package names no
// ecosystem. Feed import (downloading, storing, refreshing) lives in subpackages and
// above; this package is pure: no I/O beyond the bytes it is handed, no clock, no
// globals.
//
// It imports the standard library, vetted/internal/ecosystem, vetted/internal/vuln/cvss,
// the OSV schema's Go bindings (github.com/ossf/osv-schema/bindings/go, used to decode
// and type-check records), google.golang.org/protobuf and go.yaml.in/yaml/v3. It must
// not import the ecosystem packages (pypi, cran), policy, catalog or anything of HTTP.
package vuln

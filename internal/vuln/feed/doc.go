// Package feed imports vulnerability records into the catalog: OSV records (JSON or
// YAML) and NVD CVE JSON 2.0 records or API pages, from a directory tree, a zip export
// (OSV's per-ecosystem all.zip) or an HTTP(S) URL of either. NVD CVEs become advisories
// of the conda packages that the CPE map names, and carry the CVE's score for OSV
// records that only alias the CVE.
//
// An import is incremental (a record whose normalised content is unchanged is skipped)
// and atomic (every change of one import is committed in one catalog transaction, so an
// interrupted import leaves the previous data in use). Malformed records are skipped and
// reported with their file and id; the import goes on.
//
// It knows nothing of HTTP handlers, policy or the registry.
package feed

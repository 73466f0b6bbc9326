// Package nvd reads NVD CVE records (the CVE API 2.0 JSON,
// https://nvd.nist.gov/developers/vulnerabilities) and turns them into what vetted
// uses: CVSS scores for OSV advisories that carry only a CVE alias (Scores), and
// vuln.Advisory records for the "conda" ecosystem (ToAdvisories), which no public
// feed publishes. conda channels ship native libraries (openssl, libcurl, zlib ...)
// that have no OSV ecosystem; NVD files their vulnerabilities under CPE products
// (vendor:product with version bounds), and a maintained CPEMap (cpemap.yaml,
// embedded, extendable from configuration) says which conda packages each CPE
// product is.
//
// It owns: the NVD record model (CVE, Metric, CPEMatch), CPE 2.3 formatted strings
// (CPE, Product), the choice of one score per CVE (BestScore), the CPE-to-conda map,
// and the conversion of CPE version bounds into OSV ranges. It does not fetch
// anything, and it does not know conda's version ordering: the ranges it writes use
// NVD's (upstream) version strings, and matching them is vuln.Index's business with
// the conda ecosystem's ordering. CheckRanges finds the bounds that such an ordering
// cannot evaluate (openssl's 1.1.1t sorts before 1.1.1 in conda).
//
// It imports the standard library, vetted/internal/vuln, vetted/internal/vuln/cvss,
// vetted/internal/ecosystem (the Versions interface only) and go.yaml.in/yaml/v3. It
// must not import an ecosystem package (pypi, cran, conda), the catalog, policy or
// anything of HTTP.
package nvd

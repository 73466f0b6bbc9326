package license

import "fmt"

// Source says which metadata field a declared licence string was read from. The field
// decides the syntax: a PEP 639 License-Expression is SPDX, a CRAN License field has its
// own grammar, the others are free text or fixed vocabularies.
type Source int

// The sources. The zero value is not a source, so that a forgotten field is an error.
const (
	_ Source = iota
	// PyPIExpression is the Core Metadata License-Expression field (PEP 639): an SPDX
	// expression. Text that is not one is still tried as free text, and the Reason says so.
	PyPIExpression
	// PyPILicense is the free-text Core Metadata License field ("Apache 2.0", "BSD",
	// sometimes the whole licence text).
	PyPILicense
	// PyPIClassifier is one or more "License :: ..." trove classifiers, one a line; other
	// classifiers are ignored. See NormalizeClassifiers.
	PyPIClassifier
	// CondaLicense is the license field of conda metadata (recipe about.license, repodata
	// "license"): mostly SPDX, sometimes free text ("BSD 3-Clause", "PSF").
	CondaLicense
	// CondaLicenseFamily is conda's license_family field (AGPL, LGPL, GPL, GPL2, GPL3, BSD,
	// MIT, APACHE, PSF, CC, MOZILLA, PUBLIC-DOMAIN, PROPRIETARY, OTHER, NONE).
	CondaLicenseFamily
	// CRANLicense is the License field of an R package DESCRIPTION file: alternatives
	// separated by "|", version ranges "GPL (>= 2)", "+ file LICENSE" extensions, as
	// described in "Writing R Extensions", section "Licensing".
	CRANLicense
)

var sourceNames = map[Source]string{
	PyPIExpression:     "pypi-license-expression",
	PyPILicense:        "pypi-license",
	PyPIClassifier:     "pypi-classifier",
	CondaLicense:       "conda-license",
	CondaLicenseFamily: "conda-license-family",
	CRANLicense:        "cran-license",
}

func (s Source) String() string {
	if n, ok := sourceNames[s]; ok {
		return n
	}
	return fmt.Sprintf("source(%d)", int(s))
}

// Valid reports whether s is one of the sources.
func (s Source) Valid() bool {
	_, ok := sourceNames[s]
	return ok
}

// ParseSource returns the source named s (as String writes it).
func ParseSource(s string) (Source, error) {
	for k, n := range sourceNames {
		if n == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown licence source %q: use one of pypi-license-expression, pypi-license, pypi-classifier, conda-license, conda-license-family, cran-license", s)
}

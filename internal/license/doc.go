// Package license turns the licences packages declare into SPDX expressions and
// categories that a policy can decide on.
//
// It owns three steps of licence governance (issue 6):
//
//   - Normalisation. Normalizer.Normalize maps one declared licence, read from a given
//     metadata field (Source: a PEP 639 License-Expression, the free-text PyPI License
//     field, trove classifiers, conda's license and license_family, a CRAN License
//     field), to an SPDX expression with canonical ids. SPDX expressions are parsed here
//     and validated with github.com/github/go-spdx/v2 (both use go-spdx's copy of the
//     SPDX licence and exception lists); deprecated ids become their successors
//     (GPL-2.0+ is GPL-2.0-or-later); free text goes through the alias table; CRAN's
//     grammar ("GPL (>= 2)", "GPL-2 | GPL-3", "MIT + file LICENSE") follows R's licence
//     database. The declared text is kept verbatim in the Result.
//   - Classification. Classify puts an expression into a Category: OR lets the user
//     choose, so the least restrictive alternative decides; AND requires all terms, so
//     the most restrictive decides; a linking exception (WITH Classpath-exception-2.0,
//     GCC-exception-3.1, ...) caps a copyleft licence at weak-copyleft.
//   - Policy matching. Allowed checks an expression against allow and deny lists of
//     SPDX ids and category names, with the same OR/AND rules. The policy rules
//     themselves (what to allow, how to treat unknown) belong to the policy package.
//
// The knowledge is data, not code: aliases.yaml (free text, classifiers, CRAN names,
// conda families, deprecated ids) and categories.yaml (a category for every SPDX licence
// and the effect of every SPDX exception) are embedded, commented, and checked by the
// tests. A configuration adds or overrides entries with a table of the same shape
// (TableSpec, ParseTable) laid over DefaultTable with Merge.
//
// Decisions, in short (the YAML files and the doc comments give the reasons):
//
//   - Nothing is guessed. Text that names no licence ("Dual License", "UNKNOWN") or
//     that nothing maps is NOASSERTION with the reason. Text that names a family but not
//     the version or variant ("BSD", "GPL", the PEP 639 ambiguous classifiers such as
//     "License :: OSI Approved :: BSD License") maps to a family reference,
//     LicenseRef-vetted-<family>-unspecified, whose category is known (every BSD is
//     permissive) but which matches no specific SPDX id in an allow list.
//   - Several licence classifiers on one package combine with AND: PEP 639 says their
//     relation is unknown, and AND never understates what is asked.
//   - "License :: Public Domain" and the proprietary-sounding classifiers map to PEP
//     639's LicenseRef-Public-Domain and LicenseRef-Proprietary.
//   - On CRAN, a GNU licence name without a version means every version R's licence
//     database knows ("GPL" is GPL-2.0-or-later), "BSD" is BSD-3-Clause, "Unlimited" is
//     public domain; "+ file LICENSE" on MIT and BSD templates holds only the copyright
//     holder, on other licences it adds terms (AND LicenseRef-vetted-file-LICENSE, whose
//     category is unknown); "file LICENSE" alone is NOASSERTION.
//   - Unknown ranks between network-copyleft and proprietary: "MIT OR LicenseRef-x" is
//     permissive, "MIT AND LicenseRef-x" unknown, "LicenseRef-x AND CC-BY-NC-4.0"
//     proprietary.
//   - SSPL-1.0 and the EUPL are network-copyleft (classified by what they ask; deny SSPL
//     by id if it is unwelcome); non-commercial, no-derivatives, field-of-use and
//     source-available licences are proprietary.
//
// Work is bounded: text longer than MaxDeclared is not analysed, control and format
// characters are dropped, parentheses are checked before parsing, nesting and term
// counts are capped, and results are cached (bounded, keyed by source and text) so that
// the many packages declaring the same licence cost one analysis.
//
// The package imports nothing of vetted. The per-source front ends (PyPI classifiers,
// CRAN grammar, conda families) are ecosystem knowledge kept here at the request
// as pure functions over strings; they can move to ecosystem/<eco> behind a small
// interface if that rule is to be enforced strictly.
package license

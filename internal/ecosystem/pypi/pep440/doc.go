// Package pep440 owns PyPI's version semantics: parsing and normalising PEP 440
// versions, ordering them, and matching them against PEP 440 version specifiers
// (">=1.0,<2", "~=1.4.2", "==1.*", "===foo", ...). It also provides Scheme, the
// ecosystem.Versions implementation for PyPI.
//
// The behaviour follows Python's packaging library (the copy pip vendors) rather than
// the letter of the PEP, quirks included, so that vetted agrees with what pip does:
// the test fixtures in testdata/ are generated with packaging itself (see
// testdata/README.md). Notable points:
//
//   - Parse accepts what packaging.version.Version accepts and String returns
//     str(Version(s)). Strings packaging 21 would fall back to a LegacyVersion for
//     (and newer packaging rejects) are errors here; there is no legacy ordering.
//   - Version ordering uses packaging's sort key: dev releases before pre-releases,
//     post-releases after the release, local labels after the public version.
//   - SpecifierSet.Contains(v, prereleases) is SpecifierSet.contains(v,
//     prereleases=...), including the exclusive ordered comparisons ("<V" does not
//     admit pre-releases of V, ">V" does not admit post-releases or local versions of
//     V), local labels being ignored by "==V" without a label, prefix matching with
//     ".*" done on the text as written, "~=" and "===".
//   - A clause that packaging 21 would accept only as a LegacySpecifier is an error.
//
// Known, deliberate differences: Python's case-insensitive regular expressions match
// a few non-ASCII letters (KELVIN SIGN for k, LATIN SMALL LETTER LONG S for s, the
// dotted and dotless I for i), so packaging accepts e.g. "1.0+\u212a" or
// "1.0.po\u017ft1"; only ASCII letters are accepted here. Numbers longer than 4300
// digits are rejected, as Python 3.11's int conversion limit makes packaging reject
// them.
//
// Parsing is a hand-written scanner; it allocates nothing for input that is already
// in normalised form and one string otherwise.
//
// The package imports only the standard library and vetted/internal/ecosystem.
package pep440

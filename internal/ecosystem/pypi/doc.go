// Package pypi holds vetted's knowledge of the Python package ecosystem: project names
// (PEP 503), distribution filenames, simple repository index documents (PEP 503 HTML and
// PEP 691 JSON, with PEP 592, 658, 700 and 714 fields), core metadata (METADATA / PKG-INFO)
// and reading wheels and sdists safely. Versions and specifiers live in pep440.
//
// It imports only the standard library and vetted/internal/ecosystem[/pypi/pep440]; it
// knows nothing of HTTP handlers, storage or policy.
package pypi

package license

import (
	"strings"
	"testing"

	"github.com/github/go-spdx/v2/spdxexp"
)

func TestParseSPDXCanonical(t *testing.T) {
	tb := mustDefault(t)
	for in, want := range map[string]string{
		"MIT":                                  "MIT",
		"mit":                                  "MIT",
		"apache-2.0 or mit":                    "Apache-2.0 OR MIT",
		"MIT AND (Apache-2.0 OR BSD-2-clause)": "MIT AND (Apache-2.0 OR BSD-2-Clause)",
		"((MIT))":                              "MIT",
		"MIT OR (Apache-2.0 OR ISC)":           "MIT OR Apache-2.0 OR ISC", // associative: flattened
		"MIT AND MIT":                          "MIT",                      // idempotent
		"MIT OR Apache-2.0 AND BSD-3-Clause":   "MIT OR (Apache-2.0 AND BSD-3-Clause)",
		"gpl-2.0-or-later with classpath-exception-2.0":    "GPL-2.0-or-later WITH Classpath-exception-2.0",
		"LicenseRef-Acme-1.0":                              "LicenseRef-Acme-1.0",
		"licenseref-acme":                                  "LicenseRef-acme",
		"DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2": "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
		"GPL-2.0-or-later+":                                "GPL-2.0-or-later",
		"LGPL-2.1-only+":                                   "LGPL-2.1-or-later",
		"MIT+":                                             "MIT+",
		" MIT\tOR\nISC ":                                   "MIT OR ISC",
	} {
		n, _, err := parseSPDX(in, tb.deprecated)
		if err != nil {
			t.Errorf("parseSPDX(%q): %v", in, err)
			continue
		}
		got := n.String()
		if got != want {
			t.Errorf("parseSPDX(%q) = %s, want %s", in, got, want)
		}
		// parse(render(x)) == x, and go-spdx agrees that the rendering is valid.
		again, _, err := parseSPDX(got, tb.deprecated)
		if err != nil || again.String() != got {
			t.Errorf("re-parsing %s: %v, %v", got, again, err)
		}
		if ok, bad := spdxexp.ValidateLicenses([]string{got}); !ok {
			t.Errorf("go-spdx rejects %s: %v", got, bad)
		}
	}
}

func TestParseSPDXErrors(t *testing.T) {
	tb := mustDefault(t)
	for _, in := range []string{
		"", "(", ")", "MIT)", "(MIT", "MIT AND", "OR MIT", "MIT OR OR ISC", "MIT ISC",
		"MIT WITH", "MIT WITH MIT", "MIT WITH Nonsense-exception", "(MIT) WITH Classpath-exception-2.0",
		"Classpath-exception-2.0", "NotALicence", "MIT, Apache-2.0", "MIT/Apache-2.0",
		"GPL-2.0-only WITH Classpath-exception-2.0 WITH LLVM-exception",
		"GPL-2.0-with-classpath-exception WITH LLVM-exception",
		"LicenseRef-", "LicenseRef-a b", "LicenseRef-x WITH Classpath-exception-2.0",
		"DocumentRef-x:MIT", "M+IT", "+", "MIT +",
		strings.Repeat("(", maxDepth+1) + "MIT" + strings.Repeat(")", maxDepth+1),
		strings.TrimSuffix(strings.Repeat("MIT OR ", maxTerms+1), " OR "),
	} {
		if n, _, err := parseSPDX(in, tb.deprecated); err == nil {
			t.Errorf("parseSPDX(%q) = %s, want an error", in, n)
		}
	}
}

func TestParseSPDXNotes(t *testing.T) {
	tb := mustDefault(t)
	_, notes, err := parseSPDX("mit and GPL-2.0+", tb.deprecated)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(notes, "; ")
	for _, want := range []string{`"mit" written as MIT`, `operator "and" written as AND`, "deprecated GPL-2.0+ replaced by GPL-2.0-or-later"} {
		if !strings.Contains(got, want) {
			t.Errorf("notes %q lack %q", got, want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"The MIT License (MIT)":                  "mit mit",
		"MIT license":                            "mit",
		"GPLv3+":                                 "gpl 3 +",
		"GPL v3 or later":                        "gpl 3 +",
		"GPL-3.0+":                               "gpl 3 +",
		"GPL (>= 3)":                             "gpl 3 +",
		"GPL version 3 or any later version":     "gpl 3 +",
		"LGPLv2.1":                               "lgpl 2.1",
		"Apache License, Version 2.0":            "apache 2",
		"Apache-2":                               "apache 2",
		"BSD_3_clause":                           "bsd 3 clause",
		"BSD 3-Clause":                           "bsd 3 clause",
		"Mozilla Public License, v. 2.0":         "mozilla public 2",
		"CC0 1.0":                                "cc 0 1",
		"Public-Domain (http://www.sqlite.org/)": "public domain",
		"3-clause BSD <http://x.org/bsd.php>":    "3 clause bsd",
		"":                                       "",
		"!!!":                                    "",
		"GPL (== 2)":                             "gpl 2",
		"GPL and later":                          "gpl +",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

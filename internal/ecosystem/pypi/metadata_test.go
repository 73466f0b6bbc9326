package pypi

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// A METADATA file as setuptools 69 writes it into a wheel (metadata 2.1, body description).
const metadataSetuptools = `Metadata-Version: 2.1
Name: sampleproject
Version: 4.0.0
Summary: A sample Python project
Author-email: "A. Random Developer" <author@example.com>
Maintainer-email: "A. Great Maintainer" <maintainer@example.com>
License: Copyright (c) 2016 The Python Packaging Authority (PyPA)
        
        Permission is hereby granted, free of charge, to any person obtaining a copy of
        this software and associated documentation files (the "Software"), to deal in
Project-URL: Homepage, https://github.com/pypa/sampleproject
Project-URL: Bug Reports, https://github.com/pypa/sampleproject/issues
Keywords: sample,setuptools,development
Classifier: Development Status :: 3 - Alpha
Classifier: License :: OSI Approved :: MIT License
Classifier: Programming Language :: Python :: 3.12
Requires-Python: >=3.8
Description-Content-Type: text/markdown
License-File: LICENSE.txt
Requires-Dist: peppercorn
Provides-Extra: dev
Requires-Dist: check-manifest ; extra == "dev"
Provides-Extra: test
Requires-Dist: coverage ; extra == "test"

# A sample Python project

![Python Logo](https://www.python.org/static/community_logos/python-logo.png "Sample inline image")

A sample project that exists as an aid to the [Python Packaging User Guide][packaging guide]'s
[Tutorial on Packaging and Distributing Projects][distribution tutorial].
`

// A PKG-INFO as distutils wrote it (metadata 1.1, Description as a folded field, CRLF).
const metadataDistutils = "Metadata-Version: 1.1\r\n" +
	"Name: Foo.Bar\r\n" +
	"Version: 0.9\r\n" +
	"Summary: UNKNOWN\r\n" +
	"Home-page: http://example.com/\r\n" +
	"License: BSD\r\n" +
	"Description: Foo Bar\r\n" +
	"        =======\r\n" +
	"        \r\n" +
	"            indented code\r\n" +
	"Platform: UNKNOWN\r\n" +
	"Classifier: Programming Language :: Python :: 2\r\n"

// A PEP 639 METADATA (metadata 2.4) as hatchling writes it, with the pipe convention.
const metadataPEP639 = `Metadata-Version: 2.4
Name: licensed
Version: 1.0
License-Expression: MIT AND (Apache-2.0 OR BSD-2-Clause)
License-File: LICENSE
License-File: licenses/APACHE.txt
Description: first line
       |second line
       |
       |  indented
Dynamic: license-file
`

func TestParseMetadata(t *testing.T) {
	m, err := ParseMetadata([]byte(metadataSetuptools))
	if err != nil {
		t.Fatal(err)
	}
	if m.MetadataVersion != "2.1" || m.Name != "sampleproject" || m.Version != "4.0.0" || m.Summary != "A sample Python project" ||
		m.RequiresPython != ">=3.8" || m.DescriptionContentType != "text/markdown" {
		t.Errorf("scalars: %+v", m)
	}
	if want := []string{"peppercorn", `check-manifest ; extra == "dev"`, `coverage ; extra == "test"`}; !reflect.DeepEqual(m.RequiresDist, want) {
		t.Errorf("RequiresDist = %q", m.RequiresDist)
	}
	if want := []string{"dev", "test"}; !reflect.DeepEqual(m.ProvidesExtra, want) {
		t.Errorf("ProvidesExtra = %q", m.ProvidesExtra)
	}
	if len(m.Classifiers) != 3 || m.Classifiers[1] != "License :: OSI Approved :: MIT License" {
		t.Errorf("Classifiers = %q", m.Classifiers)
	}
	if want := []string{"Homepage, https://github.com/pypa/sampleproject", "Bug Reports, https://github.com/pypa/sampleproject/issues"}; !reflect.DeepEqual(m.ProjectURLs, want) {
		t.Errorf("ProjectURLs = %q", m.ProjectURLs)
	}
	if !reflect.DeepEqual(m.LicenseFiles, []string{"LICENSE.txt"}) {
		t.Errorf("LicenseFiles = %q", m.LicenseFiles)
	}
	wantLicense := "Copyright (c) 2016 The Python Packaging Authority (PyPA)\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of\nthis software and associated documentation files (the \"Software\"), to deal in"
	if m.License != wantLicense {
		t.Errorf("License = %q\nwant      %q", m.License, wantLicense)
	}
	if !strings.HasPrefix(m.Description, "# A sample Python project\n") || !strings.HasSuffix(m.Description, "[distribution tutorial].\n") {
		t.Errorf("Description = %q", m.Description)
	}
	if m.Get("author-email") != `"A. Random Developer" <author@example.com>` || m.Get("Keywords") != "sample,setuptools,development" {
		t.Errorf("Get: %q %q", m.Get("author-email"), m.Get("Keywords"))
	}
	if got := m.Values("Provides-Extra"); !reflect.DeepEqual(got, []string{"dev", "test"}) {
		t.Errorf("Values = %q", got)
	}
	if len(m.Headers) != 21 || m.Headers[0] != (Header{"Metadata-Version", "2.1"}) {
		t.Errorf("%d headers, first %+v", len(m.Headers), m.Headers[0])
	}
}

func TestParseMetadataLegacyAndPEP639(t *testing.T) {
	m, err := ParseMetadata([]byte(metadataDistutils))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Foo.Bar" || m.License != "BSD" || m.Description != "Foo Bar\n=======\n\n    indented code" || m.Get("Platform") != "UNKNOWN" || len(m.Classifiers) != 1 {
		t.Errorf("distutils: %+v", m)
	}
	m, err = ParseMetadata([]byte(metadataPEP639))
	if err != nil {
		t.Fatal(err)
	}
	if m.LicenseExpression != "MIT AND (Apache-2.0 OR BSD-2-Clause)" || !reflect.DeepEqual(m.LicenseFiles, []string{"LICENSE", "licenses/APACHE.txt"}) {
		t.Errorf("PEP 639: %q %q", m.LicenseExpression, m.LicenseFiles)
	}
	if m.Description != "first line\nsecond line\n\n  indented" {
		t.Errorf("pipe description = %q", m.Description)
	}
}

func TestParseMetadataLenient(t *testing.T) {
	// A BOM, invalid UTF-8, and a line that is not a header: Python's email parser starts
	// the body there.
	in := "\xef\xbb\xbfMetadata-Version: 1.0\nName: x\nVersion: 1\nAuthor: J\xe9r\xf4me\nthis is not a header\nAuthor: Z\n"
	m, err := ParseMetadata([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if m.Get("Author") != "J\uFFFDr\uFFFDme" || m.Description != "this is not a header\nAuthor: Z\n" {
		t.Errorf("got author %q, description %q", m.Get("Author"), m.Description)
	}
	// Description field and body: the body wins, both stay in Headers.
	m, err = ParseMetadata([]byte("Metadata-Version: 2.1\nName: x\nVersion: 1\nDescription: field\n\nbody\n"))
	if err != nil || m.Description != "body\n" || m.Get("Description") != "field" {
		t.Errorf("got %+v, %v", m, err)
	}
}

func TestParseMetadataErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", `"Metadata-Version" is missing`},
		{"garbage", "\x00\x01\x02", `"Metadata-Version" is missing`},
		{"leading continuation", " Name: x\n", "line 1 starts with whitespace"},
		{"no name", "Metadata-Version: 2.1\nVersion: 1\n", `"Name" is missing`},
		{"no version", "Metadata-Version: 2.1\nName: x\n", `"Version" is missing`},
		{"bad name", "Metadata-Version: 2.1\nName: ../x\nVersion: 1\n", `Name "../x" is not a valid project name`},
		{"bad version", "Metadata-Version: 2.1\nName: x\nVersion: 1\n 2\n", "Version \"1\\n2\" contains whitespace"},
		{"metadata version 3", "Metadata-Version: 3.0\nName: x\nVersion: 1\n", `Metadata-Version "3.0" is not supported`},
		{"metadata version garbage", "Metadata-Version: two\nName: x\nVersion: 1\n", `Metadata-Version "two" is not supported`},
		{"two names", "Metadata-Version: 2.1\nName: x\nVersion: 1\nname: y\n", `line 4: field "name" appears again (first on line 2)`},
		{"two versions", "Metadata-Version: 2.1\nName: x\nVersion: 1\nVersion: 2\n", `field "Version" appears again`},
		{"too big", "Metadata-Version: 2.1\n" + strings.Repeat("x", MaxMetadataBytes), "MiB limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMetadata([]byte(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "parse metadata: ") {
				t.Errorf("error %q is not a metadata *ParseError", err)
			}
		})
	}
}

// Many continuation lines must take linear time.
func TestParseMetadataManyContinuationLines(t *testing.T) {
	in := "Metadata-Version: 2.1\nName: x\nVersion: 1\nLicense: a\n" + strings.Repeat("        b\n", 1_000_000)
	m, err := ParseMetadata([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.License) != 1+2*1_000_000 {
		t.Errorf("License has %d bytes", len(m.License))
	}
}

package cran

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fields builds a paragraph from name, value pairs.
func fields(kv ...string) Paragraph {
	var p Paragraph
	for i := 0; i < len(kv); i += 2 {
		p.Fields = append(p.Fields, Field{Name: kv[i], Value: kv[i+1]})
	}
	return p
}

// The expected values are what R's read.dcf(file, keep.white =
// tools:::.keep_white_description_fields) returns, worked out from src/main/dcf.c.
func TestParseDCF(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []Paragraph
	}{
		{"one field", "Package: abc\n", []Paragraph{fields("Package", "abc")}},
		{"no final newline", "Package: abc\nVersion: 1.0", []Paragraph{fields("Package", "abc", "Version", "1.0")}},
		{"two paragraphs", "Package: a1\n\nPackage: b2\n", []Paragraph{fields("Package", "a1"), fields("Package", "b2")}},
		{"runs of blank lines and blank lines at the ends", "\n \n\t\nPackage: a1\n\n\n   \nPackage: b2\n\n\n", []Paragraph{fields("Package", "a1"), fields("Package", "b2")}},
		{"space and tab after the colon dropped, trailing too in folded fields", "License:  \t GPL-3 \t\n", []Paragraph{fields("License", "GPL-3")}},
		{"no space after the colon", "License:GPL-3\n", []Paragraph{fields("License", "GPL-3")}},
		{"empty value", "Suggests:\nLicense: MIT\n", []Paragraph{fields("Suggests", "", "License", "MIT")}},
		{"colon inside the value", "URL: https://x.example/a:b\n", []Paragraph{fields("URL", "https://x.example/a:b")}},
		{"names are case-sensitive", "Package: a1\npackage: a2\n", []Paragraph{fields("Package", "a1", "package", "a2")}},
		{"names with @ / . -", "Authors@R: x\nConfig/testthat/edition: 3\nX-CRAN-Comment: y\nDate/Publication: z\n",
			[]Paragraph{fields("Authors@R", "x", "Config/testthat/edition", "3", "X-CRAN-Comment", "y", "Date/Publication", "z")}},
		{"folded continuation keeps the line break, drops indentation and trailing blanks",
			"Imports: cli, glue,\n        lifecycle (>=   \n\t1.0.1), MASS\n",
			[]Paragraph{fields("Imports", "cli, glue,\nlifecycle (>=\n1.0.1), MASS")}},
		{"folded field starting on the next line: no leading line break", "Imports:\n    cli,\n    glue\n", []Paragraph{fields("Imports", "cli,\nglue")}},
		{"Description keeps its white space", "Description: A first line.  \n    Second line.\n\tThird.  \n", []Paragraph{fields("Description", "A first line.  \n    Second line.\n\tThird.  ")}},
		{"Authors@R with an empty first line", "Authors@R: \n    c(person(\"A\", \"B\"),\n      person(\"C\", \"D\"))\n", []Paragraph{fields("Authors@R", "\n    c(person(\"A\", \"B\"),\n      person(\"C\", \"D\"))")}},
		{"Author, Built and Packaged keep white space too", "Author: A,\n  B\nBuilt: R 4.4.0; ; 2024-05-01 10:00:00 UTC; unix\nPackaged: x ; y\n",
			[]Paragraph{fields("Author", "A,\n  B", "Built", "R 4.4.0; ; 2024-05-01 10:00:00 UTC; unix", "Packaged", "x ; y")}},
		{"' .' is an empty line in a folded field", "Note: a\n .\n b\n", []Paragraph{fields("Note", "a\n\nb")}},
		{"' .' lines at the end of a folded field are dropped", "Note: a\n .\n  .  \nLicense: MIT\n", []Paragraph{fields("Note", "a", "License", "MIT")}},
		{"R carries dropped ' .' lines over to the next field's continuation", "Note: a\n .\nImports: b,\n c\n", []Paragraph{fields("Note", "a", "Imports", "b,\n\nc")}},
		{"' .' after an empty first line", "Note:\n .\n b\n", []Paragraph{fields("Note", "\nb")}},
		{"' .' in Description is an empty line, kept at the end", "Description: a\n  .\n  b\n .\n", []Paragraph{fields("Description", "a\n\n  b\n")}},
		{"' .x' is not the empty-line marker", "Note: a\n .x\n", []Paragraph{fields("Note", "a\n.x")}},
		{"comment lines are skipped", "# generated\nPackage: a1\n# between\nImports: b,\n# inside a field\n c\n", []Paragraph{fields("Package", "a1", "Imports", "b,\nc")}},
		{"a comment line does not separate paragraphs", "Package: a1\n#\nVersion: 1.0\n", []Paragraph{fields("Package", "a1", "Version", "1.0")}},
		{"a paragraph of comments is no paragraph", "#a\n\n#b\n\nPackage: a1\n", []Paragraph{fields("Package", "a1")}},
		{"CRLF", "Package: a1\r\nImports: b,\r\n  c\r\n\r\nPackage: a2\r\n", []Paragraph{fields("Package", "a1", "Imports", "b,\nc"), fields("Package", "a2")}},
		{"lone CR", "Package: a1\rVersion: 1.0\r\rPackage: a2\r", []Paragraph{fields("Package", "a1", "Version", "1.0"), fields("Package", "a2")}},
		{"byte order mark", "\ufeffPackage: a1\n", []Paragraph{fields("Package", "a1")}},
		{"UTF-8", "Author: Stéphane Dray\n", []Paragraph{fields("Author", "Stéphane Dray")}},
		{"latin1 converted to UTF-8", "Author: St\xe9phane Dray\nEncoding: latin1\n", []Paragraph{fields("Author", "Stéphane Dray", "Encoding", "latin1")}},
		{"Encoding declared before or after, spelled ISO-8859-1", "Encoding: ISO-8859-1\nTitle: Caf\xe9\n", []Paragraph{fields("Encoding", "ISO-8859-1", "Title", "Café")}},
		{"latin2", "Author: Pawe\xb3 \xa3ukasz\nEncoding: latin2\n", []Paragraph{fields("Author", "Paweł Łukasz", "Encoding", "latin2")}},
		{"Encoding is per paragraph", "Title: \xe9\nEncoding: latin1\n\nTitle: é\n", []Paragraph{fields("Title", "é", "Encoding", "latin1"), fields("Title", "é")}},
		{"unknown Encoding is fine for ASCII", "Encoding: CP1252\nTitle: plain\n", []Paragraph{fields("Encoding", "CP1252", "Title", "plain")}},
		{"empty input", "", nil},
		{"only blank lines", "\n\n  \n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDCF([]byte(tc.in), "test")
			if err != nil {
				t.Fatalf("ParseDCF(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseDCF(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkRoundTrip(t, got)
		})
	}
}

// checkRoundTrip checks that what WriteDCF writes of ps reads back as ps.
func checkRoundTrip(t *testing.T, ps []Paragraph) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDCF(&buf, ps); err != nil {
		t.Fatalf("WriteDCF(%q): %v", ps, err)
	}
	back, err := ParseDCF(buf.Bytes(), "written")
	if err != nil {
		t.Fatalf("parsing what WriteDCF wrote: %v\n%s", err, buf.Bytes())
	}
	if len(ps) == 0 && len(back) == 0 {
		return buf.Bytes()
	}
	if !reflect.DeepEqual(back, ps) {
		t.Fatalf("round trip changed the paragraphs:\nbefore %q\nafter  %q\nwritten:\n%s", ps, back, buf.Bytes())
	}
	return buf.Bytes()
}

func TestParseDCFErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		line int
		want string
	}{
		{"continuation at the start", "  Package: a1\n", 1, "continuation line"},
		{"continuation after a blank line", "Package: a1\n\n  more\n", 3, "at the start of a paragraph"},
		{"not a field", "Package: a1\nthis is not a field\n", 2, "neither a field"},
		{"no name before the colon", ": value\n", 1, "is empty"},
		{"space in the name", "Foo Bar: x\n", 1, `field name "Foo Bar" contains ' '`},
		{"non-ASCII name", "Pàckage: x\n", 1, "contains"},
		{"duplicate field", "Package: a1\nVersion: 1.0\nVersion: 2.0\n", 3, `field "Version" appears again in this paragraph (first on line 2)`},
		{"duplicate after a multi-line field", "Imports: a,\n b\nLicense: x\nImports: c\n", 4, "first on line 1"},
		{"duplicates in a later paragraph", "Package: a1\n\nPackage: b2\nPackage: b3\n", 4, `"Package" appears again`},
		{"NUL", "Package: a1\nTitle: x\x00y\n", 2, "NUL"},
		{"invalid UTF-8 without Encoding", "Package: a1\nAuthor: St\xe9phane\n", 2, `field "Author" is not valid UTF-8`},
		{"invalid UTF-8 with Encoding UTF-8", "Encoding: UTF-8\nAuthor: \xff\n", 2, `add "Encoding: latin1"`},
		{"non-ASCII in an unknown Encoding", "Encoding: CP1252\nTitle: \x93q\x94\n", 2, `Encoding "CP1252"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDCF([]byte(tc.in), "testdata/x")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "parse testdata/x: line ") {
				t.Fatalf("ParseDCF(%q) error = %v, want a *ParseError on line %d with %q", tc.in, err, tc.line, tc.want)
			}
		})
	}
}

// TestDCFFixtures: the fixtures, written in R's own layout, read as expected and are
// written back byte for byte.
func TestDCFFixtures(t *testing.T) {
	for _, tc := range []struct {
		file      string
		exact     bool
		checkPara func(t *testing.T, p Paragraph)
	}{
		{"DESCRIPTION-ggplot2", true, func(t *testing.T, p Paragraph) {
			if got := p.Get("Imports"); !strings.HasPrefix(got, "cli, glue, grDevices, grid, gtable (>= 0.1.1), isoband,\nlifecycle (> 1.0.1), MASS,") {
				t.Errorf("Imports = %q", got)
			}
			if got := p.Get("Authors@R"); !strings.HasPrefix(got, "\n    c(person(\"Hadley\", \"Wickham\", , \"hadley@posit.co\", role = \"aut\",\n           comment") ||
				!strings.HasSuffix(got, `person("Posit, PBC", role = c("cph", "fnd")))`) {
				t.Errorf("Authors@R = %q", got)
			}
			if got := p.Get("Author"); !strings.Contains(got, "),\n  Winston Chang [aut]") {
				t.Errorf("Author = %q", got)
			}
			if got := p.Get("Description"); !strings.HasSuffix(got, "to use, and it\n    takes care of the details.") {
				t.Errorf("Description = %q", got)
			}
			if got := p.Get("Date/Publication"); got != "2024-04-23 08:00:08 UTC" {
				t.Errorf("Date/Publication = %q", got)
			}
			if len(p.Fields) != 25 || p.Fields[0].Name != "Package" || p.Fields[24].Name != "Date/Publication" {
				t.Errorf("%d fields, first %q", len(p.Fields), p.Fields[0].Name)
			}
		}},
		{"DESCRIPTION-latin1", false, func(t *testing.T, p Paragraph) {
			if got := p.Get("Maintainer"); got != "Aurélie Siberchicot <aurelie.siberchicot@univ-lyon1.fr>" {
				t.Errorf("Maintainer = %q", got)
			}
			if got := p.Get("Description"); !strings.Contains(got, "analysis).\n\n  The philosophy") {
				t.Errorf("Description = %q: the '  .' line should be an empty line", got)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := ParseDCF(data, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 {
				t.Fatalf("%d paragraphs", len(ps))
			}
			tc.checkPara(t, ps[0])
			out := checkRoundTrip(t, ps)
			if tc.exact && !bytes.Equal(out, data) {
				t.Errorf("WriteDCF did not reproduce %s:\n%s", tc.file, out)
			}
			if enc := ps[0].Get("Encoding"); enc == "latin1" && !bytes.Contains(out, []byte("Aur\xe9lie")) {
				t.Errorf("WriteDCF did not write latin1 back:\n%s", out)
			}
		})
	}
}

func TestWriteDCF(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Paragraph
		want string
	}{
		{"fields in order, paragraphs separated, no trailing blank line",
			[]Paragraph{fields("Package", "b2", "Version", "1.0"), fields("Package", "a1")},
			"Package: b2\nVersion: 1.0\n\nPackage: a1\n"},
		{"long lines are not wrapped", []Paragraph{fields("Imports", strings.Repeat("pkg, ", 40)+"z")}, "Imports: " + strings.Repeat("pkg, ", 40) + "z\n"},
		{"line breaks of folded fields indented by eight spaces", []Paragraph{fields("Imports", "a,\nb")}, "Imports: a,\n        b\n"},
		{"empty lines inside folded fields", []Paragraph{fields("Note", "a\n\nb")}, "Note: a\n .\n        b\n"},
		{"empty first line of a folded field", []Paragraph{fields("Note", "\nb")}, "Note:\n .\n        b\n"},
		{"white-space-keeping fields as written", []Paragraph{fields("Description", "One.\n  Two.\n\n\tThree.\n")}, "Description: One.\n  Two.\n .\n\tThree.\n .\n"},
		{"empty first line of Authors@R", []Paragraph{fields("Authors@R", "\n  person()")}, "Authors@R: \n  person()\n"},
		{"empty value", []Paragraph{fields("Suggests", "")}, "Suggests:\n"},
		{"latin1 written back", []Paragraph{fields("Encoding", "latin1", "Author", "Stéphane")}, "Encoding: latin1\nAuthor: St\xe9phane\n"},
		{"latin2 written back", []Paragraph{fields("Author", "Łukasz", "Encoding", "latin2")}, "Author: \xa3ukasz\nEncoding: latin2\n"},
		{"nothing", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteDCF(&buf, tc.in); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Fatalf("WriteDCF wrote\n%q\nwant\n%q", buf.String(), tc.want)
			}
			checkRoundTrip(t, tc.in)
		})
	}
}

func TestWriteDCFErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Paragraph
		want string
	}{
		{"empty paragraph", Paragraph{}, "no fields"},
		{"empty name", fields("", "x"), "is empty"},
		{"name with a space", fields("A B", "x"), "contains ' '"},
		{"name with a colon", fields("A:B", "x"), "contains ':'"},
		{"name starting with #", fields("#A", "x"), "comment"},
		{"duplicate", fields("A", "x", "A", "y"), `"A" appears twice`},
		{"NUL", fields("A", "x\x00"), "NUL"},
		{"CR", fields("A", "x\r\ny"), `"\r"`},
		{"invalid UTF-8", fields("A", "\xff"), "not valid UTF-8"},
		{"leading space", fields("A", " x"), "starts with white space"},
		{"trailing space in a folded field", fields("A", "x "), "ends with white space"},
		{"indented continuation in a folded field", fields("A", "x\n  y"), "line 2 of the value starts or ends with white space"},
		{"trailing empty line in a folded field", fields("A", "x\n"), "empty and last"},
		{"a '.' line in a folded field", fields("A", "x\n."), `is ".", which R reads as an empty line`},
		{"unindented continuation of Description", fields("Description", "x\ny"), `line 2 of the value, "y", does not start with a space or tab`},
		{"blank continuation of Description", fields("Description", "x\n  \ny"), "only white space"},
		{"' .' continuation of Description", fields("Description", "x\n  . "), "which R reads as an empty line"},
		{"character outside latin1", fields("Encoding", "latin1", "A", "Łukasz"), "cannot represent"},
		{"non-ASCII in an unknown encoding", fields("Encoding", "CP1252", "A", "é"), "change the Encoding to UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteDCF(&buf, []Paragraph{fields("Package", "ok"), tc.in})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "paragraph 2") {
				t.Fatalf("WriteDCF error = %v, want one about paragraph 2 with %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q despite the error", buf.String())
			}
		})
	}
}

func TestParagraphLookup(t *testing.T) {
	p := fields("Package", "a1", "Suggests", "")
	if v, ok := p.Lookup("Suggests"); !ok || v != "" {
		t.Errorf("Lookup(Suggests) = %q, %v", v, ok)
	}
	if v, ok := p.Lookup("package"); ok || v != "" {
		t.Errorf("Lookup is case-insensitive: %q, %v", v, ok)
	}
	if p.Get("Package") != "a1" || p.Get("Nope") != "" {
		t.Error("Get")
	}
}

// TestParseDCFLargeParagraph: a paragraph with many fields is parsed in linear time
// (duplicate detection switches to a map).
func TestParseDCFLargeParagraph(t *testing.T) {
	var b strings.Builder
	for i := range 200_000 {
		b.WriteString("F" + strconv.Itoa(i) + ": v\n")
	}
	b.WriteString("F7: again\n")
	_, err := ParseDCF([]byte(b.String()), "big")
	if err == nil || !strings.Contains(err.Error(), `"F7" appears again in this paragraph (first on line 8)`) {
		t.Fatalf("error = %v", err)
	}
}

// TestParseDCFSharesArena: appending to one paragraph's fields does not overwrite the
// next paragraph's.
func TestParseDCFSharesArena(t *testing.T) {
	ps, err := ParseDCF([]byte("A: 1\n\nB: 2\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	ps[0].Fields = append(ps[0].Fields, Field{"C", "3"})
	if ps[1].Fields[0] != (Field{"B", "2"}) {
		t.Errorf("second paragraph changed: %v", ps[1])
	}
}

package cran

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets check that the parsers never panic, that what they accept keeps the
// package's invariants (valid names and versions, UTF-8 values, safe filenames), and
// that writing what was parsed and parsing it again gives the same result.

func addTestdataSeeds(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseDCF(f *testing.F) {
	addTestdataSeeds(f, "DESCRIPTION-*")
	addTestdataSeeds(f, "PACKAGES-*")
	for _, s := range []string{
		"Note: a\n .\nImports: b,\n c\n",
		"Description: x\n  .\n\ty  \n .\n",
		"Authors@R: \n  c(\n  )\r\n\r\n#c\nA:\n .\n b\n",
		"Encoding: latin1\nAuthor: \xe9\xff\n\nEncoding: latin2\nT: \xa3\n",
		"A: 1\rB: 2\r\rC: 3",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseDCF(data, "fuzz")
		if err != nil {
			return
		}
		for _, p := range ps {
			if len(p.Fields) == 0 {
				t.Fatalf("empty paragraph from %q", data)
			}
			for _, fl := range p.Fields {
				if !utf8.ValidString(fl.Value) || strings.ContainsAny(fl.Value, "\r\x00") {
					t.Fatalf("field %q = %q", fl.Name, fl.Value)
				}
			}
		}
		var w1 bytes.Buffer
		if err := WriteDCF(&w1, ps); err != nil {
			t.Fatalf("WriteDCF of what ParseDCF read: %v\ninput %q\nparsed %q", err, data, ps)
		}
		qs, err := ParseDCF(w1.Bytes(), "written")
		if err != nil {
			t.Fatalf("parsing what WriteDCF wrote: %v\n%q", err, w1.Bytes())
		}
		if len(ps) != 0 && !reflect.DeepEqual(ps, qs) {
			t.Fatalf("parse(write(parse(x))) != parse(x)\nx      %q\nbefore %q\nafter  %q", data, ps, qs)
		}
		var w2 bytes.Buffer
		if err := WriteDCF(&w2, qs); err != nil || !bytes.Equal(w1.Bytes(), w2.Bytes()) {
			t.Fatalf("writing is not stable: %v\n%q\n%q", err, w1.Bytes(), w2.Bytes())
		}
	})
}

func FuzzParsePackages(f *testing.F) {
	addTestdataSeeds(f, "PACKAGES-*")
	f.Add(syntheticPackages(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParsePackages(data, "fuzz")
		if err != nil {
			return
		}
		for _, e := range entries {
			if !ValidName(e.Package()) || !IsValid(e.Version()) || e.Get("Package") != e.Package() {
				t.Fatalf("entry %q %q", e.Package(), e.Version())
			}
		}
		out := RenderPackages(entries)
		back, err := ParsePackages(out, "rendered")
		if err != nil || len(back) != len(entries) {
			t.Fatalf("parsing the rendered index: %v\n%q", err, out)
		}
		for i := range back {
			if !reflect.DeepEqual(back[i].fields, entries[i].fields) {
				t.Fatalf("entry %d changed: %q → %q", i, entries[i].fields, back[i].fields)
			}
		}
	})
}

func FuzzParseDeps(f *testing.F) {
	for _, s := range []string{"R (>= 3.5.0), rlang (>= 1.1.0)", "cli,\nglue,", "scales (>=\n1.3.0)", "x1 (= 1)", "a..b(!=0.0-0)", "x ((", ", ,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		deps, err := ParseDeps(field)
		if err != nil {
			return
		}
		strs := make([]string, len(deps))
		for i, d := range deps {
			if d.Name != "R" && !ValidName(d.Name) || (d.Op == "") != (d.Version == "") || d.Op != "" && !slices.Contains(operators, d.Op) {
				t.Fatalf("ParseDeps(%q) gave %+v", field, d)
			}
			c, err := d.Constraint()
			if err != nil || (d.Version != "" && !c.Contains(d.Version) && !strings.Contains(d.Op, "<") && !strings.Contains(d.Op, ">") && d.Op != "!=") {
				t.Fatalf("%+v: constraint %v, %v", d, c, err)
			}
			strs[i] = d.String()
		}
		again, err := ParseDeps(strings.Join(strs, ", "))
		if err != nil || !reflect.DeepEqual(again, deps) {
			t.Fatalf("ParseDeps(%q) = %+v; its String() parses to %+v, %v", field, deps, again, err)
		}
	})
}

func FuzzReadDescription(f *testing.F) {
	f.Add(buildTarball(f, validPackage()...))
	f.Add(buildTarball(f, append(validPackage(), member{name: "foo.bar/x", typ: tar.TypeSymlink, link: "../y"})...))
	f.Add(buildTarball(f, member{name: "./foo.bar/DESCRIPTION", body: "Package: foo.bar\nEncoding: latin1\nAuthor: \xe9\n"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readDescription(bytes.NewReader(data), fooFile, 4<<20, 1000)
		if err != nil {
			return
		}
		if err := checkParagraph(p); err != nil {
			t.Fatalf("accepted a DESCRIPTION WriteDCF cannot write: %v", err)
		}
		Validate(p, fooFile) // must not panic
	})
}

func FuzzParseFilename(f *testing.F) {
	for _, s := range []string{"ggplot2_3.5.1.tar.gz", "Rcpp_1.0.12.zip", "a..b_0-1.tgz", "../x_1.0.tar.gz", "x_1.tar.gz", "my_pkg_1.0.tar.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		pkg, version, err := ParseFilename(name)
		if err != nil {
			return
		}
		if !ValidName(pkg) || !validVersion(version) || strings.ContainsAny(name, "/\\\x00") || filepath.Base(name) != name || strings.HasPrefix(name, ".") {
			t.Fatalf("ParseFilename(%q) = %q, %q", name, pkg, version)
		}
		if strings.HasSuffix(name, ExtSource) && SourceFilename(pkg, version) != name {
			t.Fatalf("SourceFilename(%q, %q) != %q", pkg, version, name)
		}
	})
}

// FuzzValidVersion: the allocation-free check ParsePackages uses agrees with Parse.
func FuzzValidVersion(f *testing.F) {
	for _, s := range []string{"1.0", "1.2-3", " 1.0", "1", "1..2", "1.0-", "٣.1", "1.0\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := Parse(s)
		want := err == nil && strings.TrimSpace(s) == s
		if got := validVersion(s); got != want {
			t.Fatalf("validVersion(%q) = %v, Parse says %v (%v)", s, got, want, err)
		}
	})
}

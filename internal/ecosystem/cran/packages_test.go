package cran

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParsePackagesCRAN(t *testing.T) {
	data, err := os.ReadFile("testdata/PACKAGES-cran")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ParsePackages(data, "testdata/PACKAGES-cran")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Package()+" "+e.Version())
	}
	want := []string{"A3 1.0.0", "abc 2.2.1", "abc.data 1.1", "akima 0.6-3.4", "BH 1.84.0-0", "data.table 1.15.4", "doMC 1.3.8",
		"ggplot2 3.5.1", "MASS 7.3-60.2", "Matrix 1.7-0", "Rcpp 1.0.12", "RcppArmadillo 0.12.8.4.0", "sf 1.0-16", "zoo 1.8-12"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("entries %q\nwant    %q", names, want)
	}
	gg := entries[7]
	if got := gg.Get("Imports"); got != "cli, glue, grDevices, grid, gtable (>= 0.1.1), isoband,\nlifecycle (> 1.0.1), MASS, mgcv, rlang (>= 1.1.0), scales (>=\n1.3.0), stats, tibble, vctrs (>= 0.5.0), withr (>= 2.5.0)" {
		t.Errorf("ggplot2 Imports = %q", got)
	}
	deps, err := gg.Deps("Imports")
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 15 || deps[10] != (Dep{Name: "scales", Op: ">=", Version: "1.3.0"}) {
		t.Errorf("ggplot2 Imports parsed as %v", deps)
	}
	if got := entries[8].Get("Priority"); got != "recommended" {
		t.Errorf("MASS Priority = %q", got)
	}
	if v, ok := entries[6].Lookup("OS_type"); !ok || v != "unix" {
		t.Errorf("doMC OS_type = %q, %v", v, ok)
	}
	if got := entries[3].Paragraph().Fields; len(got) != 7 || got[4] != (Field{"License_restricts_use", "yes"}) {
		t.Errorf("akima fields %q", got)
	}
	// Every entry's dependency fields parse.
	for _, e := range entries {
		for _, f := range []string{"Depends", "Imports", "LinkingTo", "Suggests", "Enhances"} {
			if _, err := e.Deps(f); err != nil {
				t.Errorf("%s: %v", e.Package(), err)
			}
		}
	}
	if out := RenderPackages(entries); !bytes.Equal(out, data) {
		t.Errorf("RenderPackages did not reproduce the CRAN file:\n%s", out)
	}
}

func TestParsePackagesErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		line int
		want string
	}{
		{"no Package", "Package: a1\nVersion: 1.0\n\n\nVersion: 1.0\n", 5, `paragraph 2: no "Package" field`},
		{"invalid name", "Package: ../etc\nVersion: 1.0\n", 1, `Package "../etc" is not a valid R package name`},
		{"one-letter name", "Package: a\nVersion: 1.0\n", 1, "not a valid R package name"},
		{"no Version", "Package: a1\n", 1, `package a1 has no "Version" field`},
		{"invalid Version", "Package: a1\nVersion: 1.0rc1\n", 1, `Version "1.0rc1", which is not an R package version`},
		{"DCF error", "Package: a1\nVersion: 1.0\nVersion: 1.1\n", 3, "appears again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePackages([]byte(tc.in), "https://cran.example/src/contrib/PACKAGES")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(err.Error(), tc.want) || pe.Source != "https://cran.example/src/contrib/PACKAGES" {
				t.Fatalf("error = %v, want line %d and %q", err, tc.line, tc.want)
			}
		})
	}
	if entries, err := ParsePackages(nil, "empty"); err != nil || len(entries) != 0 {
		t.Errorf("empty index: %v, %v", entries, err)
	}
}

func TestNewEntry(t *testing.T) {
	p := fields("Package", "a1", "Version", "1.0-1", "File", "a1_1.0-1.tar.gz", "Repository", "https://r.example")
	e, err := NewEntry(p)
	if err != nil {
		t.Fatal(err)
	}
	p.Fields[0].Value = "changed"
	if e.Package() != "a1" || e.Version() != "1.0-1" || e.Get("File") != "a1_1.0-1.tar.gz" || e.Get("Package") != "a1" {
		t.Errorf("entry %+v", e)
	}
	for _, tc := range []struct {
		name string
		p    Paragraph
		want string
	}{
		{"no package", fields("Version", "1.0"), "no \"Package\" field"},
		{"bad version", fields("Package", "a1", "Version", " 1.0"), "not an R package version"},
		{"unwritable", fields("Package", "a1", "Version", "1.0", "Depends", "x\n"), `index entry a1 1.0: field "Depends"`},
	} {
		if _, err := NewEntry(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewEntry error = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestEntryFromDescription(t *testing.T) {
	data, err := os.ReadFile("testdata/DESCRIPTION-ggplot2")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := ParseDescription(data, "DESCRIPTION-ggplot2")
	if err != nil {
		t.Fatal(err)
	}
	e, err := EntryFromDescription(desc, "2fb779ac4fcb54fd135fe01fea487f5b")
	if err != nil {
		t.Fatal(err)
	}
	// The ggplot2 paragraph of the CRAN PACKAGES fixture is what write_PACKAGES writes
	// for this DESCRIPTION.
	packages, err := os.ReadFile("testdata/PACKAGES-cran")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(packages, []byte("Package: ggplot2\n"))
	end := start + bytes.Index(packages[start:], []byte("\n\n")) + 1
	if got := RenderPackages([]Entry{e}); string(got) != string(packages[start:end]) {
		t.Errorf("entry\n%s\nwant\n%s", got, packages[start:end])
	}
	if _, err := EntryFromDescription(desc, "2FB779AC"); err == nil || !strings.Contains(err.Error(), "32 lower-case hex") {
		t.Errorf("bad MD5sum: %v", err)
	}
}

func TestGzipPackages(t *testing.T) {
	data, err := os.ReadFile("testdata/PACKAGES-cran")
	if err != nil {
		t.Fatal(err)
	}
	gz := GzipPackages(data)
	if !bytes.Equal(gz, GzipPackages(data)) {
		t.Error("GzipPackages is not deterministic")
	}
	back, err := GunzipPackages(gz, "PACKAGES.gz")
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("GunzipPackages: %v", err)
	}
	if _, err := gunzip(gz, "PACKAGES.gz", int64(len(data)-1)); err == nil || !strings.Contains(err.Error(), "decompression bomb") {
		t.Errorf("limit: %v", err)
	}
	if _, err := gunzip(gz, "PACKAGES.gz", int64(len(data))); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	if _, err := GunzipPackages(data, "PACKAGES.gz"); err == nil || !strings.Contains(err.Error(), "not a gzip file") {
		t.Errorf("plain text: %v", err)
	}
	if _, err := GunzipPackages(gz[:len(gz)-4], "PACKAGES.gz"); err == nil {
		t.Error("truncated gzip accepted")
	}
}

// syntheticPackages returns a PACKAGES file of n entries shaped like CRAN's: about 400
// bytes each, a third with wrapped dependency lists.
func syntheticPackages(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		if i > 0 {
			b.WriteByte('\n')
		}
		name := fmt.Sprintf("pkg%05d.x", i)
		fmt.Fprintf(&b, "Package: %s\nVersion: %d.%d-%d\n", name, i%7, i%13, i%5)
		fmt.Fprintf(&b, "Depends: R (>= 3.%d.0), methods\n", i%7)
		if i%3 == 0 {
			b.WriteString("Imports: cli, glue, grDevices, grid, gtable (>= 0.1.1), isoband,\n        lifecycle (> 1.0.1), MASS, mgcv, rlang (>= 1.1.0), scales (>=\n        1.3.0), stats, tibble, vctrs (>= 0.5.0), withr (>= 2.5.0)\n")
		} else {
			b.WriteString("Imports: Rcpp (>= 1.0.8), stats, utils\n")
		}
		if i%4 == 0 {
			b.WriteString("LinkingTo: Rcpp, RcppArmadillo\n")
		}
		b.WriteString("Suggests: knitr, rmarkdown, testthat (>= 3.0.0)\nLicense: GPL (>= 2)\n")
		sum := md5.Sum([]byte(name))
		fmt.Fprintf(&b, "MD5sum: %s\nNeedsCompilation: %s\n", hex.EncodeToString(sum[:]), []string{"no", "yes"}[i%2])
	}
	return b.Bytes()
}

func TestSyntheticPackagesRoundTrip(t *testing.T) {
	data := syntheticPackages(500)
	entries, err := ParsePackages(data, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 500 || !bytes.Equal(RenderPackages(entries), data) {
		t.Fatalf("%d entries; render differs", len(entries))
	}
}

// BenchmarkParsePackages and BenchmarkRenderPackages measure a 25,000-entry index,
// a little larger than CRAN's (about 22,000 packages).
func BenchmarkParsePackages(b *testing.B) {
	data := syntheticPackages(25_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePackages(data, "synthetic"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderPackages(b *testing.B) {
	data := syntheticPackages(25_000)
	entries, err := ParsePackages(data, "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		RenderPackages(entries)
	}
}

func BenchmarkGzipPackages(b *testing.B) {
	data := syntheticPackages(25_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		GzipPackages(data)
	}
}

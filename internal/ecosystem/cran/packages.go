package cran

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"

	"vetted/internal/ecosystem"
)

// MaxPackagesBytes bounds the decompressed size of a PACKAGES.gz that GunzipPackages
// reads. CRAN's PACKAGES is about 10 MB for 22,000 packages.
const MaxPackagesBytes = 256 << 20

// Entry is one package of a repository index (PACKAGES): every field of its paragraph,
// verbatim and in order. An Entry always has a valid Package name and Version, and
// RenderPackages can always write it; make one with ParsePackages, NewEntry or
// EntryFromDescription.
type Entry struct {
	fields        []Field
	name, version string
}

// Package returns the package name, as written (CRAN names are case-sensitive).
func (e Entry) Package() string { return e.name }

// Version returns the version as written ("1.2-3").
func (e Entry) Version() string { return e.version }

// Get returns the value of a field ("MD5sum", "Depends", "NeedsCompilation"), or "".
func (e Entry) Get(name string) string { return Paragraph{Fields: e.fields}.Get(name) }

// Lookup returns the value of a field and whether the entry has it.
func (e Entry) Lookup(name string) (string, bool) { return Paragraph{Fields: e.fields}.Lookup(name) }

// Paragraph returns a copy of the entry's fields.
func (e Entry) Paragraph() Paragraph { return Paragraph{Fields: slices.Clone(e.fields)} }

// Deps parses one of the entry's dependency fields ("Depends", "Imports", "LinkingTo",
// "Suggests", "Enhances") with ParseDeps; a missing field has no entries. Errors name
// the package and the field.
func (e Entry) Deps(field string) ([]Dep, error) {
	return parseDeps(e.Get(field), fmt.Sprintf("%s of %s %s", field, e.name, e.version))
}

// NewEntry makes an index entry of p's fields, which it copies. p must have a Package
// field holding a valid package name, a Version field holding a valid R package
// version, and fields that WriteDCF can write.
func NewEntry(p Paragraph) (Entry, error) {
	e, why := newEntry(p.Fields)
	if why != "" {
		return Entry{}, fmt.Errorf("index entry: %s", why)
	}
	if err := checkParagraph(p); err != nil {
		return Entry{}, fmt.Errorf("index entry %s %s: %w", e.name, e.version, err)
	}
	e.fields = slices.Clone(p.Fields)
	return e, nil
}

// newEntry checks the Package and Version fields; why says what is wrong.
func newEntry(fields []Field) (e Entry, why string) {
	p := Paragraph{Fields: fields}
	name, ok := p.Lookup("Package")
	if !ok {
		return e, `no "Package" field; every paragraph of a PACKAGES file starts with "Package: <name>"`
	}
	if !ValidName(name) {
		return e, fmt.Sprintf("Package %s is not a valid R package name (letters, digits and '.', starting with a letter, not ending with '.', two characters or more)", quote(name))
	}
	version, ok := p.Lookup("Version")
	if !ok {
		return e, fmt.Sprintf("package %s has no \"Version\" field", name)
	}
	if !validVersion(version) {
		return e, fmt.Sprintf("package %s has Version %s, which is not an R package version (like 1.2.3 or 1.2-10)", name, quote(version))
	}
	return Entry{fields: fields, name: name, version: version}, ""
}

// ParsePackages parses a repository index: the PACKAGES file of a CRAN-like repository's
// src/contrib (or of a binary contrib directory). source names it in errors (its URL).
// The file is read with ParseDCF; every paragraph must have a valid Package name and
// Version, or the error names the paragraph's line. Entries are returned in file order;
// a package listed twice (an index written with latestOnly = FALSE) gives two entries.
// An empty file is an empty index.
func ParsePackages(data []byte, source string) ([]Entry, error) {
	ps, starts, err := parseDCF(data, source)
	if err != nil {
		return nil, err
	}
	entries := make([]Entry, len(ps))
	for i, p := range ps {
		e, why := newEntry(p.Fields)
		if why != "" {
			return nil, &ParseError{Source: source, Line: starts[i], Detail: "paragraph " + fmt.Sprint(i+1) + ": " + why}
		}
		entries[i] = e
	}
	return entries, nil
}

// RenderPackages writes entries as a PACKAGES file, in order, with WriteDCF's layout:
// one paragraph per entry, fields in order and values verbatim, continuation lines of a
// value indented by eight spaces as tools::write_PACKAGES does. A CRAN PACKAGES file
// parsed with ParsePackages renders back byte for byte.
func RenderPackages(entries []Entry) []byte {
	n := 0
	for _, e := range entries {
		n++
		for _, f := range e.fields {
			n += len(f.Name) + len(f.Value) + 3
		}
	}
	b := make([]byte, 0, n+n/16)
	for i, e := range entries {
		if i > 0 {
			b = append(b, '\n')
		}
		b = appendParagraph(b, e.fields)
	}
	return b
}

// EntryFromDescription makes the index entry that tools::write_PACKAGES writes for a
// source package: the DESCRIPTION fields of a repository index that desc has, in R's
// order (tools:::.get_standard_repository_db_fields: Package, Version, Priority,
// Depends, Imports, LinkingTo, Suggests, Enhances, License, License_is_FOSS,
// License_restricts_use, OS_type, Archs), then MD5sum (the tarball's MD5, in lower-case
// hex), then NeedsCompilation. Values are copied as they are, not re-wrapped.
func EntryFromDescription(desc Paragraph, md5sum string) (Entry, error) {
	if len(md5sum) != 32 || !isLowerHex(md5sum) {
		return Entry{}, fmt.Errorf("index entry for %s: MD5sum %s is not 32 lower-case hex digits", quote(desc.Get("Package")), quote(md5sum))
	}
	var fields []Field
	for _, name := range [...]string{"Package", "Version", "Priority", "Depends", "Imports", "LinkingTo", "Suggests", "Enhances",
		"License", "License_is_FOSS", "License_restricts_use", "OS_type", "Archs", "MD5sum", "NeedsCompilation"} {
		if name == "MD5sum" {
			fields = append(fields, Field{Name: name, Value: md5sum})
			continue
		}
		if v, ok := desc.Lookup(name); ok {
			fields = append(fields, Field{Name: name, Value: v})
		}
	}
	return NewEntry(Paragraph{Fields: fields})
}

// validVersion reports whether Parse accepts s and s has no surrounding white space,
// without allocating: ParsePackages checks 22,000 versions.
func validVersion(s string) bool {
	if s == "" || len(s) > maxVersionLen {
		return false
	}
	parts, empty := 1, true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			empty = false
		case (c == '.' || c == '-') && !empty:
			parts, empty = parts+1, true
		default:
			return false
		}
	}
	return !empty && parts >= 2
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// GzipPackages compresses a rendered PACKAGES file into PACKAGES.gz. The output depends
// only on the input (no name or time in the gzip header), so it can be cached and given
// an ETag.
func GzipPackages(packages []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(packages)/5 + 64)
	zw := gzip.NewWriter(&buf)
	zw.Write(packages) // writes to a bytes.Buffer do not fail
	zw.Close()
	return buf.Bytes()
}

// GunzipPackages decompresses a PACKAGES.gz, refusing more than MaxPackagesBytes of
// output (a decompression bomb). source names the file in errors.
func GunzipPackages(data []byte, source string) ([]byte, error) {
	return gunzip(data, source, MaxPackagesBytes)
}

func gunzip(data []byte, source string, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, &ParseError{Source: source, Detail: "not a gzip file", Err: err}
	}
	b, err := io.ReadAll(ecosystem.NewCapReader(zr, limit))
	if errors.Is(err, ecosystem.ErrTooMuchData) {
		return nil, &ParseError{Source: source, Detail: fmt.Sprintf("it decompresses to more than %s; refusing it as a decompression bomb", byteSize(limit))}
	}
	if err != nil {
		return nil, &ParseError{Source: source, Detail: "corrupt gzip data", Err: err}
	}
	return b, nil
}

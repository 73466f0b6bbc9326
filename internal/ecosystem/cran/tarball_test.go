package cran

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const fooDescription = "Package: foo.bar\nVersion: 1.0-1\nTitle: Foo\nDescription: Foo.\n    More.\nLicense: GPL-3\n"

// member is a tar member for buildTarball; typ 0 means a regular file.
type member struct {
	name, body string
	typ        byte
	link       string
}

// buildTarball builds a gzip-compressed tar archive in memory.
func buildTarball(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: 0o644, ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
		switch m.typ {
		case 0:
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(m.body))
		case tar.TypeXGlobalHeader:
			h = &tar.Header{Name: m.name, Typeflag: m.typ, PAXRecords: map[string]string{"comment": m.body}}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validPackage returns the members of a small source package foo.bar 1.0-1, as R CMD
// build lays it out.
func validPackage() []member {
	return []member{
		{name: "foo.bar/", typ: tar.TypeDir},
		{name: "foo.bar/DESCRIPTION", body: fooDescription},
		{name: "foo.bar/NAMESPACE", body: "export(foo)\n"},
		{name: "foo.bar/R/", typ: tar.TypeDir},
		{name: "foo.bar/R/foo.R", body: "foo <- function() 1\n"},
	}
}

const fooFile = "foo.bar_1.0-1.tar.gz"

func TestReadDescription(t *testing.T) {
	want, err := ParseDescription([]byte(fooDescription), "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		filename string
		members  []member
	}{
		{"as R CMD build writes it", fooFile, validPackage()},
		{"a macOS binary", "foo.bar_1.0-1.tgz", validPackage()},
		{"without directory members", fooFile, validPackage()[1:2]},
		{"with a ./ prefix", fooFile, []member{{name: "./", typ: tar.TypeDir}, {name: "./foo.bar/DESCRIPTION", body: fooDescription}}},
		{"with a pax global header", fooFile, append([]member{{name: "pax_global_header", typ: tar.TypeXGlobalHeader, body: "git"}}, validPackage()...)},
		{"with links inside the package", fooFile, append(validPackage(),
			member{name: "foo.bar/R/link.R", typ: tar.TypeSymlink, link: "foo.R"},
			member{name: "foo.bar/inst/up", typ: tar.TypeSymlink, link: "../R"},
			member{name: "foo.bar/hard", typ: tar.TypeLink, link: "foo.bar/R/foo.R"})},
		{"DESCRIPTION in CRLF", fooFile, []member{{name: "foo.bar/DESCRIPTION", body: strings.ReplaceAll(fooDescription, "\n", "\r\n")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadDescription(bytes.NewReader(buildTarball(t, tc.members...)), tc.filename)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %q\nwant %q", got, want)
			}
			if err := Validate(got, tc.filename); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReadDescriptionRefuses(t *testing.T) {
	with := func(extra ...member) []member { return append(validPackage(), extra...) }
	for _, tc := range []struct {
		name     string
		filename string
		data     []byte
		want     string
	}{
		{"absolute member", fooFile, buildTarball(t, with(member{name: "/etc/passwd", body: "x"})...), `member "/etc/passwd" is an absolute path`},
		{"'..' member", fooFile, buildTarball(t, with(member{name: "foo.bar/../../x", body: "x"})...), `member "foo.bar/../../x" has a ".." element`},
		{"backslash", fooFile, buildTarball(t, with(member{name: `foo.bar\..\x`, body: "x"})...), "contains a backslash"},
		{"drive letter", fooFile, buildTarball(t, with(member{name: "C:/x", body: "x"})...), "drive letter"},
		{"second top-level directory", fooFile, buildTarball(t, with(member{name: "other/x", body: "x"})...), `member "other/x" is outside the directory "foo.bar/"`},
		{"top-level file", fooFile, buildTarball(t, with(member{name: "README", body: "x"})...), "outside the directory"},
		{"directory not named after the package", fooFile, buildTarball(t, member{name: "foo/DESCRIPTION", body: fooDescription}), `"foo/DESCRIPTION" is outside the directory "foo.bar/"`},
		{"names are case-sensitive", fooFile, buildTarball(t, member{name: "Foo.bar/DESCRIPTION", body: fooDescription}), "outside the directory"},
		{"symlink out", fooFile, buildTarball(t, with(member{name: "foo.bar/x", typ: tar.TypeSymlink, link: "../../etc/passwd"})...), `member "foo.bar/x" links to "../../etc/passwd", outside the package directory`},
		{"symlink to the parent", fooFile, buildTarball(t, with(member{name: "foo.bar/x", typ: tar.TypeSymlink, link: "/etc"})...), "is an absolute path"},
		{"hard link out", fooFile, buildTarball(t, with(member{name: "foo.bar/x", typ: tar.TypeLink, link: "etc/passwd"})...), "outside the package directory"},
		{"device", fooFile, buildTarball(t, with(member{name: "foo.bar/dev", typ: tar.TypeChar})...), "device or FIFO"},
		{"FIFO", fooFile, buildTarball(t, with(member{name: "foo.bar/fifo", typ: tar.TypeFifo})...), "device or FIFO"},
		{"no DESCRIPTION", fooFile, buildTarball(t, member{name: "foo.bar/NAMESPACE", body: ""}), `no "foo.bar/DESCRIPTION"`},
		{"DESCRIPTION deeper", fooFile, buildTarball(t, member{name: "foo.bar/inst/DESCRIPTION", body: fooDescription}), "no \"foo.bar/DESCRIPTION\""},
		{"DESCRIPTION twice", fooFile, buildTarball(t, with(member{name: "./foo.bar/DESCRIPTION", body: "Package: evil\n"})...), "foo.bar/DESCRIPTION appears twice"},
		{"DESCRIPTION a symlink", fooFile, buildTarball(t, member{name: "foo.bar/DESCRIPTION", typ: tar.TypeSymlink, link: "x"}), "is not a regular file"},
		{"DESCRIPTION a directory", fooFile, buildTarball(t, member{name: "foo.bar/DESCRIPTION", typ: tar.TypeDir}), "is not a regular file"},
		{"DESCRIPTION too large", fooFile, buildTarball(t, member{name: "foo.bar/DESCRIPTION", body: fooDescription + "X: " + strings.Repeat("x", MaxDescriptionBytes) + "\n"}), "more than the 1024 KiB"},
		{"two paragraphs in DESCRIPTION", fooFile, buildTarball(t, member{name: "foo.bar/DESCRIPTION", body: "Package: foo.bar\n\nVersion: 1.0-1\n"}), `parse DESCRIPTION in "foo.bar_1.0-1.tar.gz": line 3: a second paragraph`},
		{"a bad DESCRIPTION", fooFile, buildTarball(t, member{name: "foo.bar/DESCRIPTION", body: "Package: foo.bar\nnot a field\n"}), "line 2: \"not a field\" is neither"},
		{"not gzip", fooFile, []byte("Package: foo.bar\n"), "not a gzip stream"},
		{"truncated", fooFile, buildTarball(t, validPackage()...)[:60], "not a readable"},
		{"a Windows binary", "foo.bar_1.0-1.zip", nil, "Windows binary .zip"},
		{"a bad filename", "../foo.bar_1.0-1.tar.gz", nil, "path separator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDescription(bytes.NewReader(tc.data), tc.filename)
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want a *ParseError with %q", err, tc.want)
			}
		})
	}
}

func TestReadDescriptionChecksum(t *testing.T) {
	b := buildTarball(t, validPackage()...)
	b[len(b)-8] ^= 0xff // the CRC-32 in the gzip trailer
	if _, err := ReadDescription(bytes.NewReader(b), fooFile); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("corrupt gzip checksum: %v", err)
	}
}

func TestReadDescriptionLimits(t *testing.T) {
	ms := append(validPackage(), member{name: "foo.bar/data.bin", body: strings.Repeat("\x00", 200_000)})
	b := buildTarball(t, ms...)
	if _, err := readDescription(bytes.NewReader(b), fooFile, 100_000, MaxTarballMembers); err == nil || !strings.Contains(err.Error(), "more than 100000 bytes; refusing it as a decompression bomb") {
		t.Errorf("byte limit: %v", err)
	}
	if _, err := readDescription(bytes.NewReader(b), fooFile, 1<<20, MaxTarballMembers); err != nil {
		t.Errorf("under the byte limit: %v", err)
	}
	if _, err := readDescription(bytes.NewReader(b), fooFile, MaxTarballBytes, 5); err == nil || !strings.Contains(err.Error(), "more than the limit of 5 members") {
		t.Errorf("member limit: %v", err)
	}
	if _, err := readDescription(bytes.NewReader(b), fooFile, MaxTarballBytes, 6); err != nil {
		t.Errorf("at the member limit: %v", err)
	}
}

func TestUnsafePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"pkg/x\x00y", "NUL"},
		{"", "empty"},
		{"..", `".."`},
		{"pkg/..", `".."`},
		{"pkg/a..b", ""},
		{"pkg/R/x.R", ""},
	} {
		if got := unsafePath(tc.in); !strings.Contains(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("unsafePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		desc     Paragraph
		filename string
		want     string
	}{
		{"match", fields("Package", "foo.bar", "Version", "1.0-1"), fooFile, ""},
		{"other package", fields("Package", "foo.baz", "Version", "1.0-1"), fooFile, `DESCRIPTION says Package "foo.baz", the filename says "foo.bar"`},
		{"case differs", fields("Package", "Foo.bar", "Version", "1.0-1"), fooFile, `DESCRIPTION says Package "Foo.bar", the filename says "foo.bar"`},
		{"other version", fields("Package", "foo.bar", "Version", "1.0-2"), fooFile, `DESCRIPTION says Version "1.0-2", the filename says "1.0-1"`},
		{"same version spelled differently", fields("Package", "foo.bar", "Version", "1.0.1"), fooFile, `R orders them as equal, but R CMD build names the file from the Version as written, so rename the file "foo.bar_1.0.1.tar.gz"`},
		{"no Package", fields("Version", "1.0-1"), fooFile, `no "Package" field`},
		{"no Version", fields("Package", "foo.bar"), fooFile, `no "Version" field`},
		{"invalid Version", fields("Package", "foo.bar", "Version", "1.0-1a"), fooFile, "not an R package version"},
		{"bad filename", fields("Package", "foo.bar", "Version", "1.0-1"), "foo.bar-1.0-1.tar.gz", "no '_'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.desc, tc.filename)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

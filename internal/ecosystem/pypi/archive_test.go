package pypi

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"
)

const wheelName = "foo_bar-1.0-py3-none-any.whl"

const fooMetadata = "Metadata-Version: 2.1\nName: foo-bar\nVersion: 1.0\n"

type member struct {
	name, body string
}

// buildZip builds a zip archive in memory (wheels, zip sdists).
func buildZip(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validWheel returns the members of a small, valid wheel of foo-bar 1.0.
func validWheel() []member {
	return []member{
		{"foo_bar/__init__.py", "print('hi')\n"},
		{"foo_bar-1.0.dist-info/METADATA", fooMetadata},
		{"foo_bar-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
		{"foo_bar-1.0.dist-info/RECORD", ""},
	}
}

func readWheel(t testing.TB, filename string, members ...member) ([]byte, error) {
	t.Helper()
	b := buildZip(t, members...)
	return ReadWheelMetadata(bytes.NewReader(b), int64(len(b)), filename)
}

func TestReadWheelMetadata(t *testing.T) {
	got, err := readWheel(t, wheelName, validWheel()...)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != fooMetadata {
		t.Errorf("got %q", got)
	}
	// The .dist-info name is compared normalised: Foo.Bar-1.0.dist-info is fine.
	ms := validWheel()
	ms[1].name = "Foo.Bar-1.0.dist-info/METADATA"
	ms[2].name = "Foo.Bar-1.0.dist-info/WHEEL"
	ms[3].name = "Foo.Bar-1.0.dist-info/RECORD"
	if _, err := readWheel(t, wheelName, ms...); err != nil {
		t.Errorf("Foo.Bar-1.0.dist-info: %v", err)
	}
	// The version is compared by PEP 440: 1.0 and 1.0.0 are the same.
	ms = validWheel()
	ms[1].name = "foo_bar-1.0.0.dist-info/METADATA"
	ms[2].name = "foo_bar-1.0.0.dist-info/WHEEL"
	ms[3].name = "foo_bar-1.0.0.dist-info/RECORD"
	if _, err := readWheel(t, wheelName, ms...); err != nil {
		t.Errorf("foo_bar-1.0.0.dist-info: %v", err)
	}
	// A METADATA in a nested .dist-info (a vendored package) does not count.
	ms = append(validWheel(), member{"foo_bar/_vendor/six-1.0.dist-info/METADATA", "x"})
	if got, err := readWheel(t, wheelName, ms...); err != nil || string(got) != fooMetadata {
		t.Errorf("nested dist-info: %q, %v", got, err)
	}
}

func TestReadWheelMetadataRefuses(t *testing.T) {
	with := func(extra ...member) []member { return append(validWheel(), extra...) }
	for _, tc := range []struct {
		name     string
		filename string
		members  []member
		want     string
	}{
		{"parent directory", wheelName, with(member{"../evil.py", ""}), `member "../evil.py" has a ".." element`},
		{"nested parent directory", wheelName, with(member{"foo_bar/../../evil.py", ""}), `member "foo_bar/../../evil.py" has a ".." element`},
		{"absolute path", wheelName, with(member{"/etc/cron.d/evil", ""}), `member "/etc/cron.d/evil" is an absolute path`},
		{"backslash", wheelName, with(member{`foo_bar\..\evil.py`, ""}), `contains a backslash`},
		{"NUL", wheelName, with(member{"foo_bar/evil\x00.py", ""}), `contains a NUL byte`},
		{"drive letter", wheelName, with(member{"C:/evil.py", ""}), `starts with a drive letter`},
		{"two dist-info directories", wheelName, with(member{"other-2.0.dist-info/METADATA", fooMetadata}), `2 top-level .dist-info directories ("foo_bar-1.0.dist-info", "other-2.0.dist-info")`},
		{"no dist-info", wheelName, []member{{"foo_bar/__init__.py", ""}}, "no top-level .dist-info directory"},
		{"no METADATA", wheelName, []member{{"foo_bar-1.0.dist-info/WHEEL", ""}}, `no "foo_bar-1.0.dist-info/METADATA"`},
		{"METADATA twice", wheelName, with(member{"foo_bar-1.0.dist-info/METADATA", "Name: evil"}), `"foo_bar-1.0.dist-info/METADATA" appears 2 times`},
		{"dist-info of another project", "other-1.0-py3-none-any.whl", validWheel(), `the directory "foo_bar-1.0.dist-info" does not match the filename; want "other-1.0.dist-info"`},
		{"dist-info of another version", "foo_bar-2.0-py3-none-any.whl", validWheel(), `does not match the filename`},
		{"not a wheel filename", "foo_bar-1.0.tar.gz", validWheel(), "not a wheel filename"},
		{"bad filename", "../x.whl", validWheel(), "not a safe filename"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readWheel(t, tc.filename, tc.members...)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

func TestReadWheelMetadataNotAZip(t *testing.T) {
	b := []byte("this is not a zip file")
	_, err := ReadWheelMetadata(bytes.NewReader(b), int64(len(b)), wheelName)
	if err == nil || !strings.Contains(err.Error(), `parse wheel "foo_bar-1.0-py3-none-any.whl": not a readable zip archive`) {
		t.Errorf("got %v", err)
	}
}

// rawWheel builds a wheel whose METADATA entry declares declared bytes but holds data
// (stored uncompressed), to test an archive that lies about sizes.
func rawWheel(t *testing.T, data []byte, declared uint64, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var payload bytes.Buffer
	if method == zip.Deflate {
		w, _ := flate.NewWriter(&payload, flate.BestCompression)
		w.Write(data)
		w.Close()
	} else {
		payload.Write(data)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "foo_bar-1.0.dist-info/METADATA",
		Method:             method,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   uint64(payload.Len()),
		UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(payload.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadWheelMetadataLyingSizes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		data     []byte
		declared uint64
		method   uint16
		want     string
	}{
		{"declared larger than the limit", []byte(fooMetadata), MaxMetadataBytes + 1, zip.Store, "more than the 16 MiB limit"},
		{"declared smaller than held", []byte(fooMetadata), 10, zip.Store, `"foo_bar-1.0.dist-info/METADATA"`},
		{"deflate bomb declared small", make([]byte, MaxMetadataBytes+100), 100, zip.Deflate, `"foo_bar-1.0.dist-info/METADATA"`},
		{"declared larger than held", []byte(fooMetadata), uint64(len(fooMetadata)) + 5, zip.Store, `"foo_bar-1.0.dist-info/METADATA"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := rawWheel(t, tc.data, tc.declared, tc.method)
			_, err := ReadWheelMetadata(bytes.NewReader(b), int64(len(b)), wheelName)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestReadWheelMetadataTooManyMembers(t *testing.T) {
	ms := validWheel()
	for i := range 10 {
		ms = append(ms, member{name: "f/" + strconv.Itoa(i)})
	}
	b := buildZip(t, ms...)
	_, err := readWheelMetadata(bytes.NewReader(b), int64(len(b)), wheelName, 10)
	if err == nil || !strings.Contains(err.Error(), "14 members, more than the limit of 10") {
		t.Errorf("got %v", err)
	}
	if _, err := readWheelMetadata(bytes.NewReader(b), int64(len(b)), wheelName, 14); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

type tarMember struct {
	name, body string
	typ        byte
	link       string
}

func buildTar(t testing.TB, gz bool, members ...tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	var zw *gzip.Writer
	tw := tar.NewWriter(&buf)
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	}
	for _, m := range members {
		typ := m.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: m.name, Typeflag: typ, Mode: 0o644, Linkname: m.link}
		if typ == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if gz {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func validSdist() []tarMember {
	return []tarMember{
		{name: "foo_bar-1.0/", typ: tar.TypeDir},
		{name: "foo_bar-1.0/pyproject.toml", body: "[project]\nname = \"foo-bar\"\n"},
		{name: "foo_bar-1.0/src/foo_bar.egg-info/PKG-INFO", body: "not this one"},
		{name: "foo_bar-1.0/PKG-INFO", body: fooMetadata},
		{name: "foo_bar-1.0/src/foo_bar/__init__.py", body: strings.Repeat("x = 1\n", 1000)},
	}
}

func TestReadSdistMetadata(t *testing.T) {
	got, err := ReadSdistMetadata(bytes.NewReader(buildTar(t, true, validSdist()...)), "foo_bar-1.0.tar.gz")
	if err != nil || string(got) != fooMetadata {
		t.Fatalf("tar.gz: %q, %v", got, err)
	}
	got, err = ReadSdistMetadata(bytes.NewReader(buildTar(t, false, validSdist()...)), "foo_bar-1.0.tar")
	if err != nil || string(got) != fooMetadata {
		t.Fatalf("tar: %q, %v", got, err)
	}
	dotSlash := []tarMember{{name: "./foo_bar-1.0/PKG-INFO", body: fooMetadata}}
	got, err = ReadSdistMetadata(bytes.NewReader(buildTar(t, true, dotSlash...)), "foo_bar-1.0.tgz")
	if err != nil || string(got) != fooMetadata {
		t.Fatalf("./ prefix: %q, %v", got, err)
	}
	z := buildZip(t, member{"foo_bar-1.0/PKG-INFO", fooMetadata}, member{"foo_bar-1.0/setup.py", ""})
	got, err = ReadZipSdistMetadata(bytes.NewReader(z), int64(len(z)), "foo_bar-1.0.zip")
	if err != nil || string(got) != fooMetadata {
		t.Fatalf("zip: %q, %v", got, err)
	}
}

func TestReadSdistMetadataRefuses(t *testing.T) {
	with := func(extra ...tarMember) []tarMember { return append(validSdist(), extra...) }
	for _, tc := range []struct {
		name     string
		filename string
		body     []byte
		want     string
	}{
		{"parent directory", "foo_bar-1.0.tar.gz", buildTar(t, true, with(tarMember{name: "foo_bar-1.0/../../evil"})...), `member "foo_bar-1.0/../../evil" has a ".." element`},
		{"absolute path", "foo_bar-1.0.tar.gz", buildTar(t, true, with(tarMember{name: "/etc/passwd"})...), `member "/etc/passwd" is an absolute path`},
		{"second PKG-INFO", "foo_bar-1.0.tar.gz", buildTar(t, true, with(tarMember{name: "other-1.0/PKG-INFO", body: "Name: evil"})...), `PKG-INFO appears more than once at the top ("foo_bar-1.0/PKG-INFO" and "other-1.0/PKG-INFO")`},
		{"PKG-INFO is a symlink", "foo_bar-1.0.tar.gz", buildTar(t, true, tarMember{name: "foo_bar-1.0/PKG-INFO", typ: tar.TypeSymlink, link: "/etc/passwd"}), `"foo_bar-1.0/PKG-INFO" is not a regular file`},
		{"no PKG-INFO", "foo_bar-1.0.tar.gz", buildTar(t, true, tarMember{name: "foo_bar-1.0/setup.py"}), "no <dir>/PKG-INFO at the top"},
		{"PKG-INFO at the root", "foo_bar-1.0.tar.gz", buildTar(t, true, tarMember{name: "PKG-INFO", body: fooMetadata}), "no <dir>/PKG-INFO at the top"},
		{"not gzip", "foo_bar-1.0.tar.gz", []byte("plain text"), "not a gzip stream"},
		{"not tar", "foo_bar-1.0.tar", []byte(strings.Repeat("garbage!", 100)), "not a readable tar archive"},
		{"not bzip2", "foo_bar-1.0.tar.bz2", []byte("garbage"), "not a readable tar archive"},
		{"xz", "foo_bar-1.0.tar.xz", nil, "reading .tar.xz sdists is not supported"},
		{"zip", "foo_bar-1.0.zip", nil, "use ReadZipSdistMetadata"},
		{"wheel", wheelName, nil, "not an sdist filename"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSdistMetadata(bytes.NewReader(tc.body), tc.filename)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.filename) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestReadSdistMetadataBomb(t *testing.T) {
	body := buildTar(t, true, validSdist()...) // about 9 KiB of tar inside
	_, err := readSdistMetadata(bytes.NewReader(body), "foo_bar-1.0.tar.gz", 4096)
	if err == nil || !strings.Contains(err.Error(), "decompresses to more than 4096 bytes; refusing it as a decompression bomb") {
		t.Errorf("got %v", err)
	}
	// Exactly at the limit is fine.
	plain := buildTar(t, false, validSdist()...)
	if _, err := readSdistMetadata(bytes.NewReader(plain), "foo_bar-1.0.tar", int64(len(plain))); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

func TestReadZipSdistMetadataRefuses(t *testing.T) {
	z := buildZip(t, member{"a-1.0/PKG-INFO", fooMetadata}, member{"b-1.0/PKG-INFO", fooMetadata})
	if _, err := ReadZipSdistMetadata(bytes.NewReader(z), int64(len(z)), "a-1.0.zip"); err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Errorf("two PKG-INFO: %v", err)
	}
	z = buildZip(t, member{"a-1.0/PKG-INFO", fooMetadata}, member{"../x", ""})
	if _, err := ReadZipSdistMetadata(bytes.NewReader(z), int64(len(z)), "a-1.0.zip"); err == nil || !strings.Contains(err.Error(), `member "../x"`) {
		t.Errorf("traversal: %v", err)
	}
}

package condapkg

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"

	"vetted/internal/ecosystem/conda/condatest"
)

const fixture = "tiny-0.1.0-pyhd8ed1ab_0"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Packages made by conda-package-handling's own `cph create` (testdata/make_fixtures.sh).
func TestReadInfoFixtures(t *testing.T) {
	for _, ext := range []string{ExtConda, ExtTarBz2} {
		t.Run(ext, func(t *testing.T) {
			data := readFixture(t, fixture+ext)
			info, err := ReadInfo(bytes.NewReader(data), int64(len(data)), fixture+ext)
			if err != nil {
				t.Fatal(err)
			}
			ix := info.Index
			want := IndexJSON{
				Name: "tiny", Version: "0.1.0", Build: "pyhd8ed1ab_0", Depends: []string{"python >=3.8"},
				License: "MIT", LicenseFamily: "MIT", Subdir: "noarch", Noarch: "python", Timestamp: 1709150578093, Raw: ix.Raw,
			}
			if !reflect.DeepEqual(*ix, want) {
				t.Errorf("got  %+v\nwant %+v", *ix, want)
			}
			if !bytes.Contains(info.About, []byte(`"summary": "A tiny test package"`)) || !bytes.Contains(info.Paths, []byte(`"site-packages/tiny/__init__.py"`)) {
				t.Errorf("about %s\npaths %s", info.About, info.Paths)
			}
			ix2, err := ReadIndex(bytes.NewReader(data), int64(len(data)), fixture+ext)
			if err != nil || !reflect.DeepEqual(ix, ix2) {
				t.Errorf("ReadIndex: %+v, %v", ix2, err)
			}
		})
	}
}

// Packages made by condatest, in both formats, read back as they were described.
func TestReadIndexCondatest(t *testing.T) {
	for _, p := range []condatest.Package{
		{Name: "tiny-util", Version: "1.0.2", Depends: []string{"python >=3.9"}, Noarch: "python", License: "MIT"},
		{Name: "libfoo", Version: "2.1", BuildNumber: 3, Depends: []string{"libgcc >=13"}, Constrains: []string{"foo-tools 2.1"}, License: "BSD-3-Clause", LicenseFamily: "BSD", TrackFeatures: "foo_debug"},
	} {
		p = p.WithDefaults()
		for _, ext := range []string{ExtConda, ExtTarBz2} {
			data := p.Bytes(ext)
			info, err := ReadInfo(bytes.NewReader(data), int64(len(data)), p.Filename(ext))
			if err != nil {
				t.Fatalf("%s: %v", p.Filename(ext), err)
			}
			ix := info.Index
			want := IndexJSON{
				Name: p.Name, Version: p.Version, Build: p.Build, BuildNumber: p.BuildNumber, Depends: p.Depends, Constrains: p.Constrains,
				License: p.License, LicenseFamily: p.LicenseFamily, Subdir: p.Subdir, Noarch: p.Noarch, Timestamp: p.Timestamp,
				TrackFeatures: p.TrackFeatures, Raw: ix.Raw,
			}
			if p.Noarch == "" {
				want.Platform, want.Arch = "linux", "x86_64"
			}
			if !reflect.DeepEqual(*ix, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", p.Filename(ext), *ix, want)
			}
			if info.About == nil || info.Paths == nil {
				t.Errorf("%s: about.json or paths.json missing", p.Filename(ext))
			}
		}
	}
}

// member is an archive member for the hostile packages built below.
type member struct {
	name string
	data string
	typ  byte // tar type; 0 for a regular file
}

func tarBytes(t testing.TB, members []member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if m.typ != 0 {
			h.Typeflag, h.Size, h.Linkname = m.typ, 0, "info/other.json"
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(m.data))
	}
	tw.Close()
	return b.Bytes()
}

func zst(t testing.TB, data []byte, opts ...zstd.EOption) []byte {
	enc, err := zstd.NewWriter(nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(data, nil)
}

// zstStream compresses as a stream: no content size in the frame header, a small window.
func zstStream(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b, zstd.WithWindowSize(1<<17))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func bz2(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, _ := bzip2.NewWriter(&b, nil)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func zipBytes(t testing.TB, members []member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(m.data))
	}
	zw.Close()
	return b.Bytes()
}

const goodIndex = `{"name": "tiny", "version": "0.1.0", "build": "pyhd8ed1ab_0", "build_number": 0, "depends": []}`

// conda builds a .conda for the fixture's name around an info tarball.
func conda(t testing.TB, infoTar []byte) []byte {
	return zipBytes(t, []member{
		{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`},
		{name: "info-" + fixture + ".tar.zst", data: string(zst(t, infoTar))},
		{name: "pkg-" + fixture + ".tar.zst", data: string(zst(t, tarBytes(t, []member{{name: "a", data: "b"}})))},
	})
}

func TestReadIndexHostile(t *testing.T) {
	small := Limits{MaxMembers: 10, MaxMetadataBytes: 1 << 10, MaxDecompressedBytes: 1 << 20, MaxZstdWindow: 1 << 20}
	info := func(extra ...member) []byte {
		return tarBytes(t, append([]member{{name: "info/index.json", data: goodIndex}}, extra...))
	}
	many := make([]member, 11)
	for i := range many {
		many[i] = member{name: "f" + string(rune('a'+i)), data: "x"}
	}
	for _, tc := range []struct {
		name   string
		ext    string
		data   []byte
		limits *Limits
		want   string
	}{
		{"absolute member", ExtTarBz2, bz2(t, info(member{name: "/etc/passwd", data: "x"})), nil, `member "/etc/passwd" is an absolute path; the package is broken or hostile, refusing it`},
		{"dot-dot member", ExtTarBz2, bz2(t, info(member{name: "lib/../../x", data: "x"})), nil, `member "lib/../../x" has a ".." element`},
		{"backslash member", ExtConda, conda(t, info(member{name: `bin\x`, data: "x"})), nil, `member "bin\\x" contains a backslash`},
		{"drive letter", ExtTarBz2, bz2(t, info(member{name: "C:/x", data: "x"})), nil, `member "C:/x" starts with a drive letter`},
		{"index twice", ExtTarBz2, bz2(t, info(member{name: "./info/index.json", data: goodIndex})), nil, `member "./info/index.json" appears twice in the archive`},
		{"index is a symlink", ExtConda, conda(t, tarBytes(t, []member{{name: "info/index.json", typ: tar.TypeSymlink}})), nil, `member "info/index.json" is not a regular file`},
		{"no index", ExtConda, conda(t, tarBytes(t, []member{{name: "info/files", data: ""}})), nil, `no info/index.json in the info tarball`},
		{"no index in tar.bz2", ExtTarBz2, bz2(t, tarBytes(t, []member{{name: "info/files", data: ""}})), nil, `no info/index.json in the archive`},
		{"too many members", ExtTarBz2, bz2(t, info(many...)), &small, `the archive has more than the limit of 10 members`},
		{"index too large", ExtTarBz2, bz2(t, tarBytes(t, []member{{name: "info/index.json", data: goodIndex + strings.Repeat(" ", 2000)}})), &small, `member "info/index.json" is 2095 bytes, more than the limit of 1024`},
		{"bomb", ExtTarBz2, bz2(t, info(member{name: "zeros", data: strings.Repeat("\x00", 2<<20)})), &small, `the archive decompresses to more than 1048576 bytes; refusing it as a decompression bomb`},
		{"zstd bomb declared", ExtConda, conda(t, info(member{name: "zeros", data: strings.Repeat("\x00", 2<<20)})), &small, `the info tarball "info-tiny-0.1.0-pyhd8ed1ab_0.tar.zst" needs a zstd window larger than 1048576 bytes, or declares more than 1048576 decompressed bytes; refusing it as a decompression bomb`},
		{"zstd bomb streamed", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`}, {name: "info-" + fixture + ".tar.zst", data: string(zstStream(t, info(member{name: "zeros", data: strings.Repeat("\x00", 2<<20)})))}}), &small,
			`the info tarball "info-tiny-0.1.0-pyhd8ed1ab_0.tar.zst" decompresses to more than 1048576 bytes; refusing it as a decompression bomb`},
		{"not bzip2", ExtTarBz2, []byte("BZh9 but not really"), nil, `the archive is not a readable compressed tar`},
		{"not a zip", ExtConda, []byte("PK\x03\x04 nope"), nil, `not a readable zip archive (a .conda is a zip; truncated download?)`},
		{"zip entry dot-dot", ExtConda, zipBytes(t, []member{{name: "../metadata.json", data: "{}"}}), nil, `zip entry "../metadata.json" has a ".." element`},
		{"zip entry NUL", ExtConda, zipBytes(t, []member{{name: "a\x00b", data: "{}"}}), nil, `zip entry "a\x00b" contains a NUL byte`},
		{"no metadata.json", ExtConda, zipBytes(t, []member{{name: "info-" + fixture + ".tar.zst", data: string(zst(t, info()))}}), nil, `no metadata.json`},
		{"metadata.json twice", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`}, {name: "metadata.json", data: `{}`}}), nil, `zip entry "metadata.json" appears twice`},
		{"format version 3", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 3}`}}), nil, `conda_pkg_format_version 3; only version 2 is known`},
		{"bad metadata.json", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `[]`}}), nil, `metadata.json must be {"conda_pkg_format_version": 2}`},
		{"renamed .conda", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`}, {name: "info-tiny-0.1.0-pyhd8ed1ab_1.tar.zst", data: ""}}), nil,
			`the info tarball is named "info-tiny-0.1.0-pyhd8ed1ab_1.tar.zst", but the filename asks for "info-tiny-0.1.0-pyhd8ed1ab_0.tar.zst"; the file was renamed`},
		{"no info tarball", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`}}), nil, `no zip entry "info-tiny-0.1.0-pyhd8ed1ab_0.tar.zst"`},
		{"info not zstd", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`}, {name: "info-" + fixture + ".tar.zst", data: "plain tar?"}}), nil, `the info tarball "info-tiny-0.1.0-pyhd8ed1ab_0.tar.zst" is not a readable compressed tar`},
		{"zstd window too large", ExtConda, zipBytes(t, []member{{name: "metadata.json", data: `{"conda_pkg_format_version": 2}`}, {name: "info-" + fixture + ".tar.zst", data: string(zst(t, info(member{name: "big", data: string(bytes.Repeat([]byte("0123456789abcdef"), 1<<17))}), zstd.WithWindowSize(8<<20)))}}),
			&Limits{MaxMembers: 10, MaxMetadataBytes: 1 << 10, MaxDecompressedBytes: 1 << 30, MaxZstdWindow: 1 << 20}, `needs a zstd window larger than 1048576 bytes, or declares more than 1073741824 decompressed bytes`},
		{"about.json not an object", ExtTarBz2, bz2(t, info(member{name: "info/about.json", data: "[]"})), nil, `"info/about.json" is not a JSON object`},
		{"index.json not JSON", ExtTarBz2, bz2(t, tarBytes(t, []member{{name: "info/index.json", data: "{"}})), nil, `parse package "tiny-0.1.0-pyhd8ed1ab_0.tar.bz2": info/index.json: index.json is not valid JSON`},
		{"name mismatch", ExtTarBz2, bz2(t, tarBytes(t, []member{{name: "info/index.json", data: strings.Replace(goodIndex, `"tiny"`, `"tinier"`, 1)}})), nil,
			`parse package "tiny-0.1.0-pyhd8ed1ab_0.tar.bz2": index.json says name "tinier" but the filename says "tiny"; the file is misnamed or was tampered with`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := DefaultLimits()
			if tc.limits != nil {
				l = *tc.limits
			}
			filename := fixture + tc.ext
			_, err := l.ReadInfo(bytes.NewReader(tc.data), int64(len(tc.data)), filename)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), `parse package "`+filename+`"`) {
				t.Errorf("got  %v\nwant …%s…", err, tc.want)
			}
		})
	}
}

// Every truncation of a package is an error, never a panic or a success.
func TestReadIndexTruncated(t *testing.T) {
	for _, ext := range []string{ExtConda, ExtTarBz2} {
		data := readFixture(t, fixture+ext)
		for i := range len(data) {
			if _, err := ReadIndex(bytes.NewReader(data[:i]), int64(i), fixture+ext); err == nil {
				t.Errorf("%s cut at %d bytes is accepted", ext, i)
			}
		}
	}
}

func TestReadIndexFilename(t *testing.T) {
	data := readFixture(t, fixture+ExtConda)
	for _, tc := range []struct{ filename, want string }{
		{"tiny-0.1.0.conda", `not a conda package filename`},
		{"tiny-0.1.0-pyhd8ed1ab_0.zip", `not a conda package filename`},
		// A .conda renamed to another version: its info tarball gives it away.
		{"tiny-0.2.0-pyhd8ed1ab_0.conda", `the info tarball is named "info-tiny-0.1.0-pyhd8ed1ab_0.tar.zst", but the filename asks for "info-tiny-0.2.0-pyhd8ed1ab_0.tar.zst"`},
	} {
		_, err := ReadIndex(bytes.NewReader(data), int64(len(data)), tc.filename)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want …%s…", tc.filename, err, tc.want)
		}
	}
	// A .tar.bz2 has no inner name: index.json gives it away.
	data = readFixture(t, fixture+ExtTarBz2)
	_, err := ReadIndex(bytes.NewReader(data), int64(len(data)), "tiny-0.1.0-pyhd8ed1ab_1.tar.bz2")
	if want := `index.json says build "pyhd8ed1ab_0" but the filename says "pyhd8ed1ab_1"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want …%s…", err, want)
	}
}

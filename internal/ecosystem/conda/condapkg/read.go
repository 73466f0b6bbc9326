package condapkg

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"

	"vetted/internal/ecosystem"
)

// Limits bound the work of reading one package. Hostile packages are expected.
type Limits struct {
	// MaxMembers bounds the members of the .tar.bz2, of a .conda's info tarball and the
	// entries of a .conda's zip.
	MaxMembers int
	// MaxMetadataBytes bounds each metadata file read into memory (index.json, about.json,
	// paths.json, metadata.json).
	MaxMetadataBytes int64
	// MaxDecompressedBytes bounds the bytes decompressed for one read: the whole tar of a
	// .tar.bz2 (conda's largest packages unpack to a few GB), the info tarball of a .conda.
	// Past it the package is refused as a decompression bomb.
	MaxDecompressedBytes int64
	// MaxZstdWindow bounds the zstd window (the decoder's memory) of a .conda's tarballs;
	// conda-package-handling writes 8 MiB windows at its default level.
	MaxZstdWindow uint64
}

// DefaultLimits returns the limits ReadIndex and ReadInfo apply.
func DefaultLimits() Limits {
	return Limits{
		MaxMembers:           500_000,
		MaxMetadataBytes:     64 << 20,
		MaxDecompressedBytes: 8 << 30,
		MaxZstdWindow:        128 << 20,
	}
}

// Info is what a package says about itself in info/.
type Info struct {
	Index *IndexJSON
	// About and Paths are info/about.json and info/paths.json as the package holds them
	// (checked to be JSON objects), or nil when it has none.
	About json.RawMessage
	Paths json.RawMessage
}

const (
	indexMember = "info/index.json"
	aboutMember = "info/about.json"
	pathsMember = "info/paths.json"
)

// ReadIndex reads the info/index.json of a package file, with DefaultLimits: see
// Limits.ReadIndex.
func ReadIndex(r io.ReaderAt, size int64, filename string) (*IndexJSON, error) {
	return DefaultLimits().ReadIndex(r, size, filename)
}

// ReadInfo reads info/index.json, about.json and paths.json, with DefaultLimits: see
// Limits.ReadInfo.
func ReadInfo(r io.ReaderAt, size int64, filename string) (*Info, error) {
	return DefaultLimits().ReadInfo(r, size, filename)
}

// ReadIndex reads and parses the info/index.json of the package file r (size bytes) named
// filename, and checks it against the filename (IndexJSON.Validate). The format follows
// the extension:
//
//   - .conda: a zip of metadata.json ({"conda_pkg_format_version": 2}),
//     info-<stem>.tar.zst and pkg-<stem>.tar.zst, where <stem> is the filename without
//     ".conda". Only the zip's directory, metadata.json and the info tarball are read.
//   - .tar.bz2: a bzip2-compressed tar holding info/ and the payload. The whole archive is
//     read, so that a second info/index.json cannot hide behind the first (the last one
//     wins when conda extracts it).
//
// The package is refused, with an error naming the member, if a zip entry or tar member
// name is empty, absolute, has a ".." element, a backslash or a NUL; if a metadata file
// appears twice, is not a regular file or is larger than l.MaxMetadataBytes; or if the
// archive exceeds l.MaxMembers or l.MaxDecompressedBytes.
func (l Limits) ReadIndex(r io.ReaderAt, size int64, filename string) (*IndexJSON, error) {
	info, err := l.read(r, size, filename, false)
	if err != nil {
		return nil, err
	}
	return info.Index, nil
}

// ReadInfo is ReadIndex, also returning info/about.json and info/paths.json when the
// package has them.
func (l Limits) ReadInfo(r io.ReaderAt, size int64, filename string) (*Info, error) {
	return l.read(r, size, filename, true)
}

func (l Limits) read(r io.ReaderAt, size int64, filename string, all bool) (*Info, error) {
	src := "package " + quote(filename)
	_, _, _, ext, ok := SplitFilename(filename)
	if !ok {
		return nil, &ParseError{Source: src, Detail: "not a conda package filename; want <name>-<version>-<build>.conda or .tar.bz2"}
	}
	want := map[string]bool{indexMember: true}
	if all {
		want[aboutMember], want[pathsMember] = true, true
	}
	var members map[string][]byte
	var err error
	if ext == ExtConda {
		members, err = l.readConda(r, size, src, strings.TrimSuffix(filename, ExtConda), want)
	} else {
		members, err = l.readTar(src, "the archive", bzip2.NewReader(io.NewSectionReader(r, 0, size)), want)
	}
	if err != nil {
		return nil, err
	}
	data, ok := members[indexMember]
	if !ok {
		where := "the archive"
		if ext == ExtConda {
			where = "the info tarball"
		}
		return nil, &ParseError{Source: src, Detail: "no " + indexMember + " in " + where + "; every conda package carries one"}
	}
	ix, err := ParseIndexJSON(data, src+": "+indexMember)
	if err != nil {
		return nil, err
	}
	if err := ix.Validate(filename); err != nil {
		return nil, err
	}
	info := &Info{Index: ix}
	for name, dst := range map[string]*json.RawMessage{aboutMember: &info.About, pathsMember: &info.Paths} {
		if b, ok := members[name]; ok {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
				return nil, &ParseError{Source: src, Detail: quote(name) + " is not a JSON object", Err: err}
			}
			*dst = b
		}
	}
	return info, nil
}

// readConda reads the wanted members of a .conda's info tarball.
func (l Limits) readConda(r io.ReaderAt, size int64, src, stem string, want map[string]bool) (map[string][]byte, error) {
	zr, err := zip.NewReader(r, size)
	// ErrInsecurePath (GODEBUG=zipinsecurepath=0) comes with a usable reader: the name check
	// below says which entry is at fault.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &ParseError{Source: src, Detail: "not a readable zip archive (a .conda is a zip; truncated download?)", Err: err}
	}
	if len(zr.File) > l.MaxMembers {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%d zip entries, more than the limit of %d", len(zr.File), l.MaxMembers)}
	}
	wantInfo := "info-" + stem + ".tar.zst"
	var info, meta *zip.File
	var otherInfo string
	for _, f := range zr.File {
		if err := checkMemberName(src, "zip entry", f.Name); err != nil {
			return nil, err
		}
		switch {
		case f.Name == wantInfo || f.Name == "metadata.json":
			if (f.Name == wantInfo && info != nil) || (f.Name == "metadata.json" && meta != nil) {
				return nil, &ParseError{Source: src, Detail: "zip entry " + quote(f.Name) + " appears twice; tools would disagree on which one counts"}
			}
			if f.Name == wantInfo {
				info = f
			} else {
				meta = f
			}
		case strings.HasPrefix(f.Name, "info-") && strings.HasSuffix(f.Name, ".tar.zst"):
			otherInfo = f.Name
		}
		if f.Flags&0x1 != 0 {
			return nil, &ParseError{Source: src, Detail: "zip entry " + quote(f.Name) + " is encrypted"}
		}
	}
	if meta == nil {
		return nil, &ParseError{Source: src, Detail: `no metadata.json; a .conda holds metadata.json ({"conda_pkg_format_version": 2}), info-<stem>.tar.zst and pkg-<stem>.tar.zst`}
	}
	b, err := l.readZipEntry(src, meta)
	if err != nil {
		return nil, err
	}
	var m struct {
		Version *int `json:"conda_pkg_format_version"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Version == nil {
		return nil, &ParseError{Source: src, Detail: `metadata.json must be {"conda_pkg_format_version": 2}`, Err: err}
	}
	if *m.Version != 2 {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("conda_pkg_format_version %d; only version 2 is known", *m.Version)}
	}
	if info == nil {
		if otherInfo != "" {
			return nil, &ParseError{Source: src, Detail: fmt.Sprintf("the info tarball is named %s, but the filename asks for %s; the file was renamed", quote(otherInfo), quote(wantInfo))}
		}
		return nil, &ParseError{Source: src, Detail: "no zip entry " + quote(wantInfo) + "; a .conda holds its metadata there"}
	}
	rc, err := info.Open()
	if err != nil {
		return nil, &ParseError{Source: src, Detail: "cannot open zip entry " + quote(info.Name), Err: err}
	}
	defer rc.Close()
	// MaxMemory is also zstd's bound on the decoded size: capReader reports that one.
	dec, err := zstd.NewReader(rc, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(l.MaxZstdWindow), zstd.WithDecoderMaxMemory(uint64(l.MaxDecompressedBytes)+1))
	if err != nil {
		return nil, &ParseError{Source: src, Detail: "zip entry " + quote(info.Name) + " is not zstd-compressed", Err: err}
	}
	defer dec.Close()
	return l.readTar(src, "the info tarball "+quote(info.Name), dec, want)
}

func (l Limits) readZipEntry(src string, f *zip.File) ([]byte, error) {
	name := quote(f.Name)
	if f.UncompressedSize64 > uint64(l.MaxMetadataBytes) {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("zip entry %s is %d bytes, more than the limit of %d", name, f.UncompressedSize64, l.MaxMetadataBytes)}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &ParseError{Source: src, Detail: "cannot open zip entry " + name, Err: err}
	}
	defer rc.Close()
	// The declared size may lie: read at most one byte more than the limit.
	b, err := io.ReadAll(io.LimitReader(rc, l.MaxMetadataBytes+1))
	if err != nil {
		return nil, &ParseError{Source: src, Detail: "cannot read zip entry " + name + " (the archive is corrupt, or its sizes or checksum do not match the data)", Err: err}
	}
	if int64(len(b)) > l.MaxMetadataBytes || uint64(len(b)) != f.UncompressedSize64 {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("zip entry %s holds %d bytes but declares %d", name, len(b), f.UncompressedSize64)}
	}
	return b, nil
}

// readTar reads a tar stream to its end and returns the wanted members.
func (l Limits) readTar(src, what string, r io.Reader, want map[string]bool) (map[string][]byte, error) {
	cr := ecosystem.NewCapReader(r, l.MaxDecompressedBytes)
	tr := tar.NewReader(cr)
	found := map[string][]byte{}
	for members := 0; ; members++ {
		h, err := tr.Next()
		if err == io.EOF {
			if members == 0 {
				return nil, &ParseError{Source: src, Detail: what + " is empty"}
			}
			// Read the compressed stream to its end, so that its checksum is checked and a
			// truncated file is noticed even when the tar ends before the cut.
			if _, err := io.Copy(io.Discard, cr); err != nil {
				return nil, l.tarError(src, what, err)
			}
			return found, nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return nil, l.tarError(src, what, err)
		}
		if members >= l.MaxMembers {
			return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%s has more than the limit of %d members", what, l.MaxMembers)}
		}
		if err := checkMemberName(src, "member", h.Name); err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, "./")
		if !want[name] {
			continue
		}
		if _, dup := found[name]; dup {
			return nil, &ParseError{Source: src, Detail: "member " + quote(h.Name) + " appears twice in " + what + "; tools would disagree on which one counts"}
		}
		if h.Typeflag != tar.TypeReg {
			return nil, &ParseError{Source: src, Detail: "member " + quote(h.Name) + " is not a regular file (a link or a directory?)"}
		}
		if h.Size > l.MaxMetadataBytes {
			return nil, &ParseError{Source: src, Detail: fmt.Sprintf("member %s is %d bytes, more than the limit of %d", quote(h.Name), h.Size, l.MaxMetadataBytes)}
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, l.tarError(src, what, err)
		}
		found[name] = b
	}
}

func (l Limits) tarError(src, what string, err error) error {
	switch {
	case errors.Is(err, ecosystem.ErrTooMuchData):
		return &ParseError{Source: src, Detail: fmt.Sprintf("%s decompresses to more than %d bytes; refusing it as a decompression bomb", what, l.MaxDecompressedBytes)}
	case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded):
		return &ParseError{Source: src, Detail: fmt.Sprintf("%s needs a zstd window larger than %d bytes, or declares more than %d decompressed bytes; refusing it as a decompression bomb", what, l.MaxZstdWindow, l.MaxDecompressedBytes)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{Source: src, Detail: what + " ends early (a truncated download?)", Err: err}
	}
	return &ParseError{Source: src, Detail: what + " is not a readable compressed tar", Err: err}
}

// checkMemberName refuses archive member names that could escape the directory an archive
// is unpacked into, or that tools read differently.
func checkMemberName(src, kind, name string) error {
	var why string
	switch {
	case name == "":
		why = "is empty"
	case strings.IndexByte(name, 0) >= 0:
		why = "contains a NUL byte"
	case strings.IndexByte(name, '\\') >= 0:
		why = "contains a backslash"
	case name[0] == '/':
		why = "is an absolute path"
	case len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z'):
		why = "starts with a drive letter"
	default:
		for elem := range strings.SplitSeq(name, "/") {
			if elem == ".." {
				why = `has a ".." element`
				break
			}
		}
	}
	if why == "" {
		return nil
	}
	return &ParseError{Source: src, Detail: kind + " " + quote(name) + " " + why + "; the package is broken or hostile, refusing it"}
}

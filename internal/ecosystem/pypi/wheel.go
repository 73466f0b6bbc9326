package pypi

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"vetted/internal/ecosystem"
)

// Limits on reading archives. Hostile archives are expected: every member name is
// checked, sizes are checked against what is actually read, and the work done is bounded.
const (
	// MaxArchiveMembers bounds the number of members read from a wheel or sdist.
	MaxArchiveMembers = 100_000
	// MaxSdistBytes bounds the decompressed bytes read from a tar sdist (bomb defence).
	MaxSdistBytes = 1 << 30
)

// ReadWheelMetadata returns the bytes of a wheel's core metadata file: the one member
// <name>-<version>.dist-info/METADATA of the wheel's single top-level .dist-info
// directory, whose name and version must match the wheel filename's (names compared
// normalised). r and size give the wheel; filename is its name, as in the index.
//
// The wheel is refused, with an error naming the member, if any member name is absolute,
// has a ".." element, a backslash or a NUL; if it has more than MaxArchiveMembers
// members, more than one .dist-info directory or more than one METADATA; or if METADATA
// is larger than MaxMetadataBytes or holds a size other than the one the zip declares.
func ReadWheelMetadata(r io.ReaderAt, size int64, filename string) ([]byte, error) {
	return readWheelMetadata(r, size, filename, MaxArchiveMembers)
}

func readWheelMetadata(r io.ReaderAt, size int64, filename string, maxMembers int) ([]byte, error) {
	src := "wheel " + quote(filename)
	d, err := ParseFilename(filename)
	if err != nil {
		return nil, err
	}
	if d.Kind != KindWheel {
		return nil, &ParseError{Source: src, Detail: "not a wheel filename (name-1.0-py3-none-any.whl)"}
	}
	zr, err := openZip(r, size, src, maxMembers)
	if err != nil {
		return nil, err
	}
	var dirs []string
	var metas []*zip.File
	for _, f := range zr.File {
		if err := checkMemberName(src, f.Name); err != nil {
			return nil, err
		}
		top, rest, nested := strings.Cut(f.Name, "/")
		if !nested || !strings.HasSuffix(top, ".dist-info") {
			continue
		}
		if !slices.Contains(dirs, top) {
			dirs = append(dirs, top)
		}
		if rest == "METADATA" {
			metas = append(metas, f)
		}
	}
	switch {
	case len(dirs) == 0:
		return nil, &ParseError{Source: src, Detail: "no top-level .dist-info directory; a wheel holds <name>-<version>.dist-info/METADATA"}
	case len(dirs) > 1:
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%d top-level .dist-info directories (%s); a wheel must have exactly one", len(dirs), quoteList(dirs))}
	}
	stem := strings.TrimSuffix(dirs[0], ".dist-info")
	i := strings.LastIndexByte(stem, '-')
	if i <= 0 || NormalizeName(stem[:i]) != d.Project || !sameVersion(stem[i+1:], d.Version) {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("the directory %s does not match the filename; want %s", quote(dirs[0]), quote(strings.ReplaceAll(d.Project, "-", "_")+"-"+d.Version+".dist-info"))}
	}
	switch len(metas) {
	case 0:
		return nil, &ParseError{Source: src, Detail: "no " + quote(dirs[0]+"/METADATA") + "; a wheel must carry its core metadata"}
	case 1:
	default:
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%s appears %d times; a wheel must hold it once, or tools disagree on which copy counts", quote(metas[0].Name), len(metas))}
	}
	return readZipMember(src, metas[0])
}

// ReadZipSdistMetadata returns the PKG-INFO of a legacy .zip sdist: the member
// <dir>/PKG-INFO of its single top-level directory. The rules of ReadWheelMetadata apply.
func ReadZipSdistMetadata(r io.ReaderAt, size int64, filename string) ([]byte, error) {
	src := "sdist " + quote(filename)
	zr, err := openZip(r, size, src, MaxArchiveMembers)
	if err != nil {
		return nil, err
	}
	var found []*zip.File
	for _, f := range zr.File {
		if err := checkMemberName(src, f.Name); err != nil {
			return nil, err
		}
		if isTopLevelPKGInfo(f.Name) {
			found = append(found, f)
		}
	}
	if err := onePKGInfo(src, len(found), func(i int) string { return found[i].Name }); err != nil {
		return nil, err
	}
	return readZipMember(src, found[0])
}

func openZip(r io.ReaderAt, size int64, src string, maxMembers int) (*zip.Reader, error) {
	zr, err := zip.NewReader(r, size)
	// ErrInsecurePath (GODEBUG=zipinsecurepath=0) comes with a usable reader: the member
	// check below says which member is at fault.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &ParseError{Source: src, Detail: "not a readable zip archive", Err: err}
	}
	if len(zr.File) > maxMembers {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%d members, more than the limit of %d", len(zr.File), maxMembers)}
	}
	return zr, nil
}

func readZipMember(src string, f *zip.File) ([]byte, error) {
	name := quote(f.Name)
	if f.Flags&0x1 != 0 {
		return nil, &ParseError{Source: src, Detail: name + " is encrypted"}
	}
	if f.UncompressedSize64 > MaxMetadataBytes {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%s is %d bytes, more than the %d MiB limit", name, f.UncompressedSize64, MaxMetadataBytes>>20)}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &ParseError{Source: src, Detail: "cannot open " + name, Err: err}
	}
	defer rc.Close()
	// The declared size may lie: read at most one byte more than the limit.
	b, err := io.ReadAll(io.LimitReader(rc, MaxMetadataBytes+1))
	if err != nil {
		return nil, &ParseError{Source: src, Detail: "cannot read " + name + " (the archive is corrupt, or its sizes or checksum do not match the data)", Err: err}
	}
	if len(b) > MaxMetadataBytes {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%s holds more than the %d MiB limit although it declares %d bytes", name, MaxMetadataBytes>>20, f.UncompressedSize64)}
	}
	if uint64(len(b)) != f.UncompressedSize64 {
		return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%s holds %d bytes but declares %d", name, len(b), f.UncompressedSize64)}
	}
	return b, nil
}

// ReadSdistMetadata returns the PKG-INFO of a tar sdist (.tar.gz, .tgz, .tar.bz2, .tbz or
// .tar): the member <dir>/PKG-INFO of its top-level directory, which must be a regular
// file and appear once. The whole archive is read, so that a second PKG-INFO cannot hide
// behind the first; at most MaxSdistBytes decompressed bytes and MaxArchiveMembers
// members are read. Member names are checked as in ReadWheelMetadata. For .zip sdists,
// use ReadZipSdistMetadata.
func ReadSdistMetadata(r io.Reader, filename string) ([]byte, error) {
	return readSdistMetadata(r, filename, MaxSdistBytes)
}

func readSdistMetadata(r io.Reader, filename string, maxBytes int64) ([]byte, error) {
	src := "sdist " + quote(filename)
	d, err := ParseFilename(filename)
	if err != nil {
		return nil, err
	}
	var dr io.Reader
	switch ext := strings.ToLower(d.Ext); {
	case d.Kind != KindSdist:
		return nil, &ParseError{Source: src, Detail: "not an sdist filename (name-1.0.tar.gz)"}
	case ext == ".tar.gz" || ext == ".tgz":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, &ParseError{Source: src, Detail: "not a gzip stream", Err: err}
		}
		defer zr.Close()
		dr = zr
	case ext == ".tar.bz2" || ext == ".tbz":
		dr = bzip2.NewReader(r)
	case ext == ".tar":
		dr = r
	case ext == ".zip":
		return nil, &ParseError{Source: src, Detail: "a .zip sdist needs random access; use ReadZipSdistMetadata"}
	default:
		return nil, &ParseError{Source: src, Detail: "reading " + d.Ext + " sdists is not supported (.tar.gz, .tgz, .tar.bz2, .tbz, .tar and .zip are)"}
	}
	tr := tar.NewReader(ecosystem.NewCapReader(dr, maxBytes))
	var found []string
	var pkgInfo []byte
	for members := 0; ; members++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return nil, tarError(src, err, maxBytes)
		}
		if members >= MaxArchiveMembers {
			return nil, &ParseError{Source: src, Detail: fmt.Sprintf("more than the limit of %d members", MaxArchiveMembers)}
		}
		if err := checkMemberName(src, h.Name); err != nil {
			return nil, err
		}
		if !isTopLevelPKGInfo(h.Name) {
			continue
		}
		found = append(found, h.Name)
		if len(found) > 1 {
			break
		}
		if h.Typeflag != tar.TypeReg {
			return nil, &ParseError{Source: src, Detail: quote(h.Name) + " is not a regular file (a link or a directory?)"}
		}
		if h.Size > MaxMetadataBytes {
			return nil, &ParseError{Source: src, Detail: fmt.Sprintf("%s is %d bytes, more than the %d MiB limit", quote(h.Name), h.Size, MaxMetadataBytes>>20)}
		}
		if pkgInfo, err = io.ReadAll(tr); err != nil {
			return nil, tarError(src, err, maxBytes)
		}
	}
	if err := onePKGInfo(src, len(found), func(i int) string { return found[i] }); err != nil {
		return nil, err
	}
	return pkgInfo, nil
}

func tarError(src string, err error, maxBytes int64) error {
	if errors.Is(err, ecosystem.ErrTooMuchData) {
		return &ParseError{Source: src, Detail: fmt.Sprintf("it decompresses to more than %d bytes; refusing it as a decompression bomb", maxBytes)}
	}
	return &ParseError{Source: src, Detail: "not a readable tar archive", Err: err}
}

func onePKGInfo(src string, n int, name func(int) string) error {
	switch {
	case n == 0:
		return &ParseError{Source: src, Detail: "no <dir>/PKG-INFO at the top of the archive; an sdist built by a PEP 517 backend has one"}
	case n > 1:
		return &ParseError{Source: src, Detail: fmt.Sprintf("PKG-INFO appears more than once at the top (%s and %s); tools would disagree on which copy counts", quote(name(0)), quote(name(1)))}
	}
	return nil
}

// isTopLevelPKGInfo reports whether a member is <dir>/PKG-INFO (or ./<dir>/PKG-INFO).
func isTopLevelPKGInfo(name string) bool {
	name = strings.TrimPrefix(name, "./")
	dir, rest, ok := strings.Cut(name, "/")
	return ok && dir != "" && dir != "." && rest == "PKG-INFO"
}

// checkMemberName refuses archive member names that could escape the directory an
// archive is unpacked into, or that tools read differently.
func checkMemberName(src, name string) error {
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
	case len(name) >= 2 && name[1] == ':' && isASCIILetter(name[0]):
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
	return &ParseError{Source: src, Detail: "member " + quote(name) + " " + why + "; the archive is broken or hostile, refusing it"}
}

func quoteList(list []string) string {
	var b bytes.Buffer
	for i, s := range list {
		if i == 3 {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(s))
	}
	return b.String()
}

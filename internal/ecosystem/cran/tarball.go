package cran

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"vetted/internal/ecosystem"
)

// Limits on reading package tarballs. Hostile archives are expected: every member is
// checked, sizes are checked against what is actually read, and the work is bounded.
const (
	// MaxDescriptionBytes bounds a DESCRIPTION file. Real ones are a few KiB; the
	// longest Authors@R lists stay far below this.
	MaxDescriptionBytes = 1 << 20
	// MaxTarballBytes bounds the decompressed bytes read from a package tarball (bomb
	// defence). CRAN's largest source packages unpack to a few hundred MiB.
	MaxTarballBytes = 1 << 30
	// MaxTarballMembers bounds the number of members read from a package tarball.
	MaxTarballMembers = 100_000
)

// ParseDescription parses a DESCRIPTION file: one DCF paragraph (see ParseDCF), at most
// MaxDescriptionBytes long. source names it in errors. It does not check which fields
// are present; Validate does that for a tarball's DESCRIPTION.
func ParseDescription(data []byte, source string) (Paragraph, error) {
	if len(data) > MaxDescriptionBytes {
		return Paragraph{}, &ParseError{Source: source, Detail: fmt.Sprintf("%d bytes, more than the %d KiB a DESCRIPTION file may have", len(data), MaxDescriptionBytes>>10)}
	}
	ps, starts, err := parseDCF(data, source)
	if err != nil {
		return Paragraph{}, err
	}
	switch len(ps) {
	case 0:
		return Paragraph{}, &ParseError{Source: source, Detail: `no fields; a DESCRIPTION file starts with "Package: <name>" and "Version: <version>"`}
	case 1:
		return ps[0], nil
	}
	return Paragraph{}, &ParseError{Source: source, Line: starts[1], Detail: "a second paragraph starts here; a DESCRIPTION file is one paragraph, and R would ignore everything after the blank line above: remove it, or indent the lines that continue a field"}
}

// ReadDescription returns the DESCRIPTION of a package tarball: a source package
// "<pkg>_<version>.tar.gz" as R CMD build writes it, or a macOS binary ".tgz", read from
// r. filename is the file's name (its package name must be the tarball's directory).
//
// Every member of the archive must lie in the single top-level directory "<pkg>/" (a
// leading "./" is allowed); DESCRIPTION is the regular file "<pkg>/DESCRIPTION", which
// must appear once. The whole archive is read, so that a second DESCRIPTION cannot hide
// behind the first, and the gzip checksum is verified. The tarball is refused, with an
// error naming the member, if a member name is absolute, has a ".." element, a backslash
// or a NUL, if a link points outside "<pkg>/", or if a member is a device or FIFO; and if
// it holds more than MaxTarballMembers members or MaxTarballBytes decompressed bytes.
//
// ReadDescription checks the archive, not the fields: call Validate to check that the
// DESCRIPTION's Package and Version match the filename.
func ReadDescription(r io.Reader, filename string) (Paragraph, error) {
	return readDescription(r, filename, MaxTarballBytes, MaxTarballMembers)
}

func readDescription(r io.Reader, filename string, maxBytes int64, maxMembers int) (Paragraph, error) {
	pkg, _, err := ParseFilename(filename)
	if err != nil {
		return Paragraph{}, err
	}
	src := "package " + quote(filename)
	if strings.HasSuffix(filename, ExtWinBinary) {
		return Paragraph{}, &ParseError{Source: src, Detail: "a Windows binary .zip; ReadDescription reads gzip tarballs (.tar.gz source packages, .tgz macOS binaries)"}
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return Paragraph{}, &ParseError{Source: src, Detail: "not a gzip stream; a package tarball is a gzip-compressed tar archive", Err: err}
	}
	defer zr.Close()
	cr := ecosystem.NewCapReader(zr, maxBytes)
	tr := tar.NewReader(cr)
	want := pkg + "/DESCRIPTION"
	var desc []byte
	found := ""
	for members := 0; ; members++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return Paragraph{}, tarError(src, err, maxBytes)
		}
		if members >= maxMembers {
			return Paragraph{}, &ParseError{Source: src, Detail: fmt.Sprintf("more than the limit of %d members", maxMembers)}
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // pax metadata for the members that follow, not a member
		}
		if err := checkMember(src, pkg, h); err != nil {
			return Paragraph{}, err
		}
		if strings.TrimPrefix(h.Name, "./") != want {
			continue
		}
		if found != "" {
			return Paragraph{}, &ParseError{Source: src, Detail: fmt.Sprintf("%s appears twice (as %s and %s); tools would disagree on which copy counts, refusing it", want, quote(found), quote(h.Name))}
		}
		found = h.Name
		if h.Typeflag != tar.TypeReg {
			return Paragraph{}, &ParseError{Source: src, Detail: quote(h.Name) + " is not a regular file (a link or a directory?)"}
		}
		if h.Size > MaxDescriptionBytes {
			return Paragraph{}, &ParseError{Source: src, Detail: fmt.Sprintf("%s is %d bytes, more than the %d KiB a DESCRIPTION file may have", quote(h.Name), h.Size, MaxDescriptionBytes>>10)}
		}
		if desc, err = io.ReadAll(tr); err != nil {
			return Paragraph{}, tarError(src, err, maxBytes)
		}
	}
	// Read to the end of the gzip stream: the padding after the tar archive counts
	// towards the limit, and gzip verifies its checksum at the end.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return Paragraph{}, tarError(src, err, maxBytes)
	}
	if found == "" {
		return Paragraph{}, &ParseError{Source: src, Detail: "no " + quote(want) + "; an R package tarball holds <package>/DESCRIPTION, as R CMD build writes it"}
	}
	return ParseDescription(desc, "DESCRIPTION in "+quote(filename))
}

// checkMember refuses members that could escape the directory the tarball is unpacked
// into, that tools read differently, or that an R package never holds.
func checkMember(src, pkg string, h *tar.Header) error {
	refuse := func(why string) error {
		return &ParseError{Source: src, Detail: "member " + quote(h.Name) + " " + why}
	}
	if why := unsafePath(h.Name); why != "" {
		return refuse(why + "; the archive is broken or hostile, refusing it")
	}
	name := strings.TrimPrefix(h.Name, "./")
	if top, _, _ := strings.Cut(name, "/"); top != pkg && !(h.Typeflag == tar.TypeDir && (name == "" || name == ".")) {
		return refuse(fmt.Sprintf("is outside the directory %s; an R package tarball holds everything in one directory named after the package", quote(pkg+"/")))
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	case tar.TypeSymlink, tar.TypeLink:
		// A hard link names another member; a symbolic link is resolved from its
		// directory, so "../R" may stay inside the package.
		why := unsafePath(h.Linkname)
		target := path.Clean(h.Linkname)
		if h.Typeflag == tar.TypeSymlink {
			if why == `has a ".." element` {
				why = ""
			}
			target = path.Join(path.Dir(name), h.Linkname)
		}
		if why != "" {
			return refuse("links to " + quote(h.Linkname) + ", which " + why)
		}
		if target != pkg && !strings.HasPrefix(target, pkg+"/") {
			return refuse("links to " + quote(h.Linkname) + ", outside the package directory; refusing it")
		}
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return refuse("is a device or FIFO; an R package holds only files, directories and links")
	default:
		return refuse(fmt.Sprintf("has the unsupported tar type %q", h.Typeflag))
	}
	return nil
}

// unsafePath says why an archive path is unsafe, or returns "".
func unsafePath(name string) string {
	switch {
	case name == "":
		return "is empty"
	case strings.IndexByte(name, 0) >= 0:
		return "contains a NUL byte"
	case strings.IndexByte(name, '\\') >= 0:
		return "contains a backslash"
	case name[0] == '/':
		return "is an absolute path"
	case len(name) >= 2 && name[1] == ':' && isLetter(name[0]):
		return "starts with a drive letter"
	}
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return `has a ".." element`
		}
	}
	return ""
}

// Validate checks a tarball's DESCRIPTION against its filename "<pkg>_<version>.tar.gz":
// the Package and Version fields must be present and valid, and equal the filename's
// parts exactly, as R CMD build names the file ("1.2-3" and "1.2.3" are the same version
// to R, but not the same file).
func Validate(desc Paragraph, filename string) error {
	pkg, version, err := ParseFilename(filename)
	if err != nil {
		return err
	}
	fail := func(format string, args ...any) error {
		return &ParseError{Source: "DESCRIPTION of " + quote(filename), Detail: fmt.Sprintf(format, args...)}
	}
	name, ok := desc.Lookup("Package")
	switch {
	case !ok || name == "":
		return fail(`no "Package" field; a DESCRIPTION starts with "Package: %s"`, pkg)
	case name != pkg:
		return fail("DESCRIPTION says Package %s, the filename says %s; a package file must be named <Package>_<Version>.tar.gz from its own DESCRIPTION", quote(name), quote(pkg))
	}
	v, ok := desc.Lookup("Version")
	switch {
	case !ok || v == "":
		return fail(`no "Version" field; the filename says Version %s`, quote(version))
	case !IsValid(v):
		return fail("Version %s is not an R package version (like 1.2.3 or 1.2-10)", quote(v))
	case v != version && Compare(v, version) == 0:
		return fail("DESCRIPTION says Version %s, the filename says %s: R orders them as equal, but R CMD build names the file from the Version as written, so rename the file %s", quote(v), quote(version), quote(SourceFilename(name, v)))
	case v != version:
		return fail("DESCRIPTION says Version %s, the filename says %s; a package file must be named <Package>_<Version>.tar.gz from its own DESCRIPTION", quote(v), quote(version))
	}
	return nil
}

func tarError(src string, err error, maxBytes int64) error {
	if errors.Is(err, ecosystem.ErrTooMuchData) {
		return &ParseError{Source: src, Detail: fmt.Sprintf("it decompresses to more than %s; refusing it as a decompression bomb", byteSize(maxBytes))}
	}
	return &ParseError{Source: src, Detail: "not a readable gzip-compressed tar archive", Err: err}
}

// byteSize writes a limit for people: "1 GiB", "256 MiB", "1000 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

package condatest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
)

// Package file extensions.
const (
	ExtConda  = ".conda"
	ExtTarBz2 = ".tar.bz2"
)

// Package describes one build of a conda package with a single payload file.
type Package struct {
	Name    string // lower case, e.g. "tiny-util"
	Version string // e.g. "1.0.2"
	// Build is the build string; default "h" + 8 hex digits of the name and version + "_"
	// + BuildNumber, in conda-forge's shape.
	Build       string
	BuildNumber int
	// Subdir defaults to "noarch" when Noarch is set, else "linux-64".
	Subdir string
	// Noarch is "", "python" or "generic".
	Noarch        string
	Depends       []string // match specs: "python >=3.9"
	Constrains    []string
	License       string // e.g. "MIT"
	LicenseFamily string
	TrackFeatures string
	// Timestamp is the build time in milliseconds; default 2024-01-02T03:04:05Z.
	Timestamp int64
	// Padding adds an incompressible payload file of that many bytes (for benchmarks).
	Padding int
}

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// WithDefaults returns p with its defaults filled in.
func (p Package) WithDefaults() Package {
	if p.Build == "" {
		sum := sha256.Sum256([]byte(p.Name + "=" + p.Version))
		p.Build = fmt.Sprintf("h%x_%d", sum[:4], p.BuildNumber)
	}
	if p.Subdir == "" {
		p.Subdir = "linux-64"
		if p.Noarch != "" {
			p.Subdir = "noarch"
		}
	}
	if p.Timestamp == 0 {
		p.Timestamp = epoch.UnixMilli()
	}
	return p
}

// Stem is name-version-build, the filename without its extension.
func (p Package) Stem() string {
	p = p.WithDefaults()
	return p.Name + "-" + p.Version + "-" + p.Build
}

// Filename is the package's file name with ext (ExtConda or ExtTarBz2).
func (p Package) Filename(ext string) string { return p.Stem() + ext }

// Index returns the fields of info/index.json, as conda-build writes them.
func (p Package) Index() map[string]any {
	p = p.WithDefaults()
	m := map[string]any{
		"name":         p.Name,
		"version":      p.Version,
		"build":        p.Build,
		"build_number": p.BuildNumber,
		"depends":      nonNil(p.Depends),
		"subdir":       p.Subdir,
		"timestamp":    p.Timestamp,
		"arch":         nil,
		"platform":     nil,
	}
	if arch, platform, ok := archPlatform(p.Subdir); ok {
		m["arch"], m["platform"] = arch, platform
	}
	if p.Noarch != "" {
		m["noarch"] = p.Noarch
	}
	if len(p.Constrains) > 0 {
		m["constrains"] = p.Constrains
	}
	if p.License != "" {
		m["license"] = p.License
	}
	if p.LicenseFamily != "" {
		m["license_family"] = p.LicenseFamily
	}
	if p.TrackFeatures != "" {
		m["track_features"] = p.TrackFeatures
	}
	return m
}

func archPlatform(subdir string) (arch, platform string, ok bool) {
	platform, arch, ok = strings.Cut(subdir, "-")
	if !ok || subdir == "noarch" {
		return "", "", false
	}
	switch arch {
	case "64":
		arch = "x86_64"
	case "32":
		arch = "x86"
	}
	return arch, platform, true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// IndexJSON is the content of info/index.json.
func (p Package) IndexJSON() []byte { return marshal(p.Index()) }

func marshal(v any) []byte {
	var b bytes.Buffer
	if err := newJSONEncoder(&b, "  ").Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// newJSONEncoder writes JSON as conda's Python tools do: sorted keys (encoding/json sorts
// map keys), indented, "<>&" not escaped.
func newJSONEncoder(w io.Writer, indent string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	return enc
}

type member struct {
	name string
	data []byte
}

// payload is the package's installed files.
func (p Package) payload() []member {
	p = p.WithDefaults()
	var files []member
	if p.Noarch == "python" {
		mod := strings.ReplaceAll(p.Name, "-", "_")
		files = append(files, member{"site-packages/" + mod + "/__init__.py", fmt.Appendf(nil, "VERSION = %q\n", p.Version)})
	} else {
		files = append(files, member{"share/" + p.Name + "/VERSION", fmt.Appendf(nil, "%s %s %s\n", p.Name, p.Version, p.Build)})
	}
	if p.Padding > 0 {
		files = append(files, member{"share/" + p.Name + "/padding.bin", noise(p.Padding)})
	}
	return files
}

// info is the package's info/ directory.
func (p Package) info(payload []member) []member {
	var list strings.Builder
	var paths []map[string]any
	for _, f := range payload {
		list.WriteString(f.name + "\n")
		sum := sha256.Sum256(f.data)
		paths = append(paths, map[string]any{"_path": f.name, "path_type": "hardlink", "sha256": hex.EncodeToString(sum[:]), "size_in_bytes": len(f.data)})
	}
	about := map[string]any{"summary": "test package " + p.Name, "channels": []string{"vetted-test"}}
	if p.License != "" {
		about["license"] = p.License
	}
	return []member{
		{"info/about.json", marshal(about)},
		{"info/files", []byte(list.String())},
		{"info/index.json", p.IndexJSON()},
		{"info/paths.json", marshal(map[string]any{"paths": paths, "paths_version": 1})},
	}
}

func writeTar(w *tar.Writer, files []member) {
	for _, f := range files {
		if err := w.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			panic(err)
		}
		if _, err := w.Write(f.data); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
}

func tarZst(files []member) []byte {
	var raw bytes.Buffer
	writeTar(tar.NewWriter(&raw), files)
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err)
	}
	defer enc.Close()
	return enc.EncodeAll(raw.Bytes(), nil)
}

// Conda returns the bytes of a valid .conda package (format version 2): an uncompressed
// zip of metadata.json, pkg-<stem>.tar.zst (the payload) and info-<stem>.tar.zst (info/),
// in the order conda-package-handling 2 writes them. The output is deterministic.
func (p Package) Conda() []byte {
	stem := p.Stem()
	payload := p.payload()
	members := []member{
		{"metadata.json", []byte(`{"conda_pkg_format_version": 2}`)},
		{"pkg-" + stem + ".tar.zst", tarZst(payload)},
		{"info-" + stem + ".tar.zst", tarZst(p.WithDefaults().info(payload))},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store, Modified: epoch})
		if err != nil {
			panic(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TarBz2 returns the bytes of a valid .tar.bz2 package: info/ first (about.json, files,
// index.json, paths.json), then the payload. The output is deterministic.
func (p Package) TarBz2() []byte {
	payload := p.payload()
	var buf bytes.Buffer
	bw, err := bzip2.NewWriter(&buf, &bzip2.WriterConfig{Level: bzip2.BestCompression})
	if err != nil {
		panic(err)
	}
	writeTar(tar.NewWriter(bw), append(p.WithDefaults().info(payload), payload...))
	if err := bw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Bytes returns Conda() or TarBz2() according to ext.
func (p Package) Bytes(ext string) []byte {
	switch ext {
	case ExtConda:
		return p.Conda()
	case ExtTarBz2:
		return p.TarBz2()
	}
	panic("condatest: unknown package extension " + ext)
}

// Record returns the repodata.json record of the package file data (as made by Bytes):
// index.json's fields plus its md5, sha256 and size, as conda-index writes them.
func (p Package) Record(data []byte) map[string]any {
	m := p.Index()
	delete(m, "arch")
	delete(m, "platform")
	md := md5.Sum(data)
	sh := sha256.Sum256(data)
	m["md5"] = hex.EncodeToString(md[:])
	m["sha256"] = hex.EncodeToString(sh[:])
	m["size"] = len(data)
	return m
}

// noise returns n deterministic, incompressible bytes.
func noise(n int) []byte {
	out := make([]byte, 0, n+32)
	seed := sha256.Sum256([]byte("vetted"))
	for len(out) < n {
		seed = sha256.Sum256(seed[:])
		out = append(out, seed[:]...)
	}
	return out[:n]
}

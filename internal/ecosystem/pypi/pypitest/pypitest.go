// Package pypitest builds real Python distributions in memory for tests and benchmarks:
// wheels that pip installs, and sdists with a tiny in-tree PEP 517 build backend that
// needs no network (its build requirements are empty).
package pypitest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Project describes one version of a pure-Python project with a single module.
type Project struct {
	Name           string   // as written in metadata, e.g. "Gamma_Util"
	Version        string   // e.g. "1.0"
	RequiresDist   []string // e.g. ["alpha>=1.0"]
	RequiresPython string   // e.g. ">=3.8"
	License        string
	// Module is the import name; default: the normalised name with '-' replaced by '_'.
	Module string
	// Padding adds an incompressible data file of that many bytes (for benchmarks).
	Padding int
}

func (p Project) module() string {
	if p.Module != "" {
		return p.Module
	}
	return strings.ReplaceAll(strings.ToLower(strings.NewReplacer(".", "_", "-", "_").Replace(p.Name)), "-", "_")
}

// distName is the name as it appears in filenames (PEP 427 escaping).
func (p Project) distName() string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToLower(p.Name))
}

// WheelFilename is the file name of the project's universal wheel.
func (p Project) WheelFilename() string {
	return fmt.Sprintf("%s-%s-py3-none-any.whl", p.distName(), p.Version)
}

// SdistFilename is the file name of the project's sdist.
func (p Project) SdistFilename() string {
	return fmt.Sprintf("%s-%s.tar.gz", p.distName(), p.Version)
}

// Metadata is the project's core metadata (METADATA / PKG-INFO).
func (p Project) Metadata() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: test project %s\n", p.Name, p.Version, p.Name)
	if p.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", p.RequiresPython)
	}
	if p.License != "" {
		fmt.Fprintf(&b, "License: %s\n", p.License)
	}
	for _, r := range p.RequiresDist {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// ModuleSource is the content of the project's module: it records its version.
func (p Project) ModuleSource() string {
	return fmt.Sprintf("VERSION = %q\n\ndef hello():\n    return %q\n", p.Version, p.Name+" "+p.Version)
}

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Wheel returns the bytes of a valid py3-none-any wheel, with a correct RECORD.
func (p Project) Wheel() []byte {
	distInfo := fmt.Sprintf("%s-%s.dist-info", p.distName(), p.Version)
	files := [][2]string{
		{p.module() + "/__init__.py", p.ModuleSource()},
		{distInfo + "/METADATA", string(p.Metadata())},
		{distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: vetted-pypitest\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n"},
	}
	if p.Padding > 0 {
		files = append(files, [2]string{p.module() + "/data.bin", string(noise(p.Padding))})
	}
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256([]byte(f[1]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f[0], base64.RawURLEncoding.EncodeToString(sum[:]), len(f[1]))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", distInfo)
	files = append(files, [2]string{distInfo + "/RECORD", record.String()})

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		method := zip.Deflate
		if strings.HasSuffix(f[0], ".bin") {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: method, Modified: epoch})
		if err != nil {
			panic(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
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

// backend is an in-tree PEP 517 build backend: it builds the wheel from the sdist's
// files with the standard library alone, so pip needs no build requirements.
const backend = `import base64, hashlib, os, zipfile

def _meta():
    with open("PKG-INFO") as f:
        return f.read()

def _field(meta, name):
    for line in meta.splitlines():
        if line.startswith(name + ": "):
            return line[len(name) + 2:]

def _dist():
    meta = _meta()
    name = _field(meta, "Name").lower().replace("-", "_").replace(".", "_")
    return name, _field(meta, "Version"), meta

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, version, meta = _dist()
    d = "%s-%s.dist-info" % (name, version)
    os.makedirs(os.path.join(metadata_directory, d))
    with open(os.path.join(metadata_directory, d, "METADATA"), "w") as f:
        f.write(meta)
    return d

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, meta = _dist()
    d = "%s-%s.dist-info" % (name, version)
    files = {}
    for root, _, names in os.walk("src"):
        for n in names:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, "src")] = f.read()
    files[d + "/METADATA"] = meta.encode()
    files[d + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: vetted-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n"
    record = []
    for n, data in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (n, h, len(data)))
    record.append(d + "/RECORD,,")
    files[d + "/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = "%s-%s-py3-none-any.whl" % (name, version)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    return wheel
`

// Sdist returns the bytes of a .tar.gz sdist that pip can build offline.
func (p Project) Sdist() []byte {
	root := fmt.Sprintf("%s-%s", p.distName(), p.Version)
	files := [][2]string{
		{root + "/PKG-INFO", string(p.Metadata())},
		{root + "/pyproject.toml", "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n"},
		{root + "/backend.py", backend},
		{root + "/src/" + p.module() + "/__init__.py", p.ModuleSource()},
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), ModTime: epoch, Typeflag: tar.TypeReg})
		tw.Write([]byte(f[1]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

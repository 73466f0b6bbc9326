package condapkg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IndexJSON is a package's info/index.json: what conda-index copies into the package's
// repodata record (adding md5, sha256 and size).
//
//	{"arch": "x86_64", "build": "h4ab18f5_1", "build_number": 1, "depends": ["libgcc-ng >=12"],
//	 "license": "Zlib", "license_family": "Other", "name": "zlib", "platform": "linux",
//	 "subdir": "linux-64", "timestamp": 1716874185812, "version": "1.3.1"}
type IndexJSON struct {
	Name        string
	Version     string
	Build       string
	BuildNumber int
	Depends     []string
	Constrains  []string
	// License and LicenseFamily may be "".
	License       string
	LicenseFamily string
	Subdir        string // "linux-64", "noarch"…
	Platform      string // "linux", "osx", "win"; "" for noarch
	Arch          string // "x86_64", "aarch64"…; "" for noarch
	// Noarch is "", "python" or "generic" (a legacy `true` reads as "generic").
	Noarch string
	// Timestamp is the build time in milliseconds since 1970; 0 when absent. Seconds (values
	// up to 253402300799) are converted, as conda reads them.
	Timestamp     int64
	TrackFeatures string // space separated; a JSON list is joined with spaces
	Features      string
	// Raw is the document as the package holds it.
	Raw json.RawMessage
}

// MaxIndexBytes bounds the size of an index.json that ParseIndexJSON accepts.
const MaxIndexBytes = 1 << 20

// ParseIndexJSON parses an info/index.json. source names it in errors. The fields listed
// in IndexJSON must have their documented types; other fields may hold anything.
func ParseIndexJSON(data []byte, source string) (*IndexJSON, error) {
	fail := func(detail string, err error) error {
		return &ParseError{Source: source, Detail: detail, Err: err}
	}
	if len(data) > MaxIndexBytes {
		return nil, fail(fmt.Sprintf("index.json is %d bytes, more than the limit of %d", len(data), MaxIndexBytes), nil)
	}
	if !utf8.Valid(data) {
		return nil, fail("index.json is not valid UTF-8", nil)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		if err == nil || json.Valid(data) {
			return nil, fail("index.json must be a JSON object", nil)
		}
		return nil, fail("index.json is not valid JSON", err)
	}
	ix := &IndexJSON{Raw: data}
	field := func(key string) (json.RawMessage, bool) {
		v, ok := fields[key]
		if !ok || string(v) == "null" {
			return nil, false
		}
		return v, true
	}
	bad := func(key, want string) error {
		return fail(fmt.Sprintf("index.json: %q must be %s, not %s", key, want, kind(fields[key])), nil)
	}
	for _, f := range []struct {
		key      string
		dst      *string
		required bool
	}{
		{"name", &ix.Name, true}, {"version", &ix.Version, true}, {"build", &ix.Build, true},
		{"license", &ix.License, false}, {"license_family", &ix.LicenseFamily, false},
		{"subdir", &ix.Subdir, false}, {"platform", &ix.Platform, false}, {"arch", &ix.Arch, false},
	} {
		v, ok := field(f.key)
		if !ok {
			if f.required {
				return nil, fail(fmt.Sprintf("index.json has no %q; every package names its package, version and build", f.key), nil)
			}
			continue
		}
		if json.Unmarshal(v, f.dst) != nil {
			return nil, bad(f.key, "a string")
		}
		if f.required && *f.dst == "" {
			return nil, fail(fmt.Sprintf("index.json: %q must not be empty", f.key), nil)
		}
	}
	for _, f := range [...][2]string{{"version", ix.Version}, {"build", ix.Build}} {
		if strings.Contains(f[1], "-") {
			return nil, fail(fmt.Sprintf("index.json: %q is %s, but a conda %s never contains \"-\"", f[0], quote(f[1]), f[0]), nil)
		}
	}
	if v, ok := field("build_number"); ok {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || n < 0 || n > math.MaxInt32 {
			return nil, bad("build_number", "a non-negative integer")
		}
		ix.BuildNumber = int(n)
	}
	for key, dst := range map[string]*[]string{"depends": &ix.Depends, "constrains": &ix.Constrains} {
		if v, ok := field(key); ok && json.Unmarshal(v, dst) != nil {
			return nil, bad(key, "a list of strings")
		}
	}
	if v, ok := field("noarch"); ok {
		var b bool
		switch {
		case json.Unmarshal(v, &ix.Noarch) == nil:
		case json.Unmarshal(v, &b) == nil:
			if b {
				ix.Noarch = "generic"
			}
		default:
			return nil, bad("noarch", `"python", "generic" or a boolean`)
		}
	}
	if v, ok := field("timestamp"); ok {
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || f < 0 || f >= math.MaxInt64/1000 {
			return nil, bad("timestamp", "a time in milliseconds since 1970")
		}
		ix.Timestamp = int64(f)
		if ix.Timestamp <= 253402300799 {
			ix.Timestamp *= 1000
		}
	}
	for key, dst := range map[string]*string{"track_features": &ix.TrackFeatures, "features": &ix.Features} {
		v, ok := field(key)
		if !ok {
			continue
		}
		var list []string
		switch {
		case json.Unmarshal(v, dst) == nil:
		case json.Unmarshal(v, &list) == nil:
			*dst = strings.Join(list, " ")
		default:
			return nil, bad(key, "a string or a list of strings")
		}
	}
	return ix, nil
}

// kind names a JSON value's type for error messages.
func kind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "missing"
	}
	switch c := v[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		if bytes.ContainsAny(v, ".eE") {
			return "a non-integer number"
		}
		if c == '-' {
			return "a negative number"
		}
		return "a number"
	}
	return "something else"
}

// Package file extensions.
const (
	ExtConda  = ".conda"
	ExtTarBz2 = ".tar.bz2"
)

// SplitFilename splits a package filename into name, version, build and extension
// (ExtConda or ExtTarBz2). The name may contain "-"; version and build may not, so the
// last two "-" separate them. ok is false for any other form.
func SplitFilename(filename string) (name, version, build, ext string, ok bool) {
	stem, found := strings.CutSuffix(filename, ExtConda)
	ext = ExtConda
	if !found {
		if stem, found = strings.CutSuffix(filename, ExtTarBz2); !found {
			return "", "", "", "", false
		}
		ext = ExtTarBz2
	}
	i := strings.LastIndexByte(stem, '-')
	if i < 0 {
		return "", "", "", "", false
	}
	j := strings.LastIndexByte(stem[:i], '-')
	if j <= 0 || j+1 == i || i+1 == len(stem) {
		return "", "", "", "", false
	}
	return stem[:j], stem[j+1 : i], stem[i+1:], ext, true
}

// Validate checks that filename is the name conda gives this package's file:
// <name>-<version>-<build>.conda or .tar.bz2, with index.json's name, version and build.
func (ix *IndexJSON) Validate(filename string) error {
	src := "package " + quote(filename)
	name, version, build, _, ok := SplitFilename(filename)
	if !ok {
		return &ParseError{Source: src, Detail: "not a conda package filename; want <name>-<version>-<build>.conda or .tar.bz2"}
	}
	for _, f := range [...][3]string{{"name", ix.Name, name}, {"version", ix.Version, version}, {"build", ix.Build, build}} {
		if f[1] != f[2] {
			return &ParseError{Source: src, Detail: fmt.Sprintf("index.json says %s %s but the filename says %s; the file is misnamed or was tampered with", f[0], quote(f[1]), quote(f[2]))}
		}
	}
	return nil
}

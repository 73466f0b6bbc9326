package pypi

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxMetadataBytes bounds the size of a core metadata file. Real ones are rarely above
// 1 MiB (the long description dominates).
const MaxMetadataBytes = 16 << 20

// Metadata is a core metadata file (METADATA in a wheel, PKG-INFO in an sdist), versions
// 1.0 to 2.4: https://packaging.python.org/en/latest/specifications/core-metadata/.
type Metadata struct {
	MetadataVersion string
	Name            string // as written (not normalised)
	Version         string
	Summary         string
	RequiresPython  string
	// RequiresDist holds the PEP 508 requirements, one per Requires-Dist field.
	RequiresDist  []string
	ProvidesExtra []string
	Classifiers   []string
	// ProjectURLs holds the Project-URL fields as written: "Label, https://…".
	ProjectURLs []string
	// License is the free-text License field (often a whole licence text); LicenseExpression
	// is the PEP 639 SPDX License-Expression; LicenseFiles the License-File paths.
	License           string
	LicenseExpression string
	LicenseFiles      []string
	// Description is the body after the headers (metadata 2.1+), or else the Description
	// field.
	Description            string
	DescriptionContentType string
	// Headers holds every field in the order written, including the ones above and any
	// this struct does not name. Multi-line values are unfolded into lines joined by "\n".
	Headers []Header
}

// Header is one "Field: value" of a metadata file.
type Header struct {
	Name  string // as written
	Value string
}

// Get returns the value of the first field called name (compared case-insensitively),
// or "".
func (m *Metadata) Get(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Values returns the values of every field called name (compared case-insensitively).
func (m *Metadata) Values(name string) []string {
	var vs []string
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			vs = append(vs, h.Value)
		}
	}
	return vs
}

// singleField reports whether a field (lower case) may appear at most once: two Name or
// Version fields are an error, because two tools could read two identities from one file.
func singleField(key string) bool {
	switch key {
	case "metadata-version", "name", "version", "summary", "requires-python", "license",
		"license-expression", "description-content-type":
		return true
	}
	return false
}

// ParseMetadata parses a core metadata file in the RFC 822 style that Python's email
// parser reads: "Field: value" lines, continuation lines that start with a space or tab,
// then an empty line and the description. Multi-use fields (Requires-Dist, Classifier,
// Project-URL, Provides-Extra, License-File, …) are collected in order.
//
// It is as lenient as the Python tools where they are lenient: invalid UTF-8 is replaced
// by U+FFFD, and a line that is not a header ends the headers (Python's email parser does
// the same). It is strict where identity is at stake: Metadata-Version (1.x or 2.x), Name
// (PEP 508) and Version are required, and a field that may appear once must not appear
// twice.
func ParseMetadata(b []byte) (*Metadata, error) {
	if len(b) > MaxMetadataBytes {
		return nil, metadataErrorf("the file is %d bytes, more than the %d MiB limit; this is not a real metadata file", len(b), MaxMetadataBytes>>20)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	m := &Metadata{}
	firstLine := map[string]int{}
	var body []byte
	bodySet := false
	// value accumulates the current field's lines: appending to a string would be
	// quadratic in the number of continuation lines.
	var value []byte
	flush := func() {
		if len(m.Headers) > 0 {
			m.Headers[len(m.Headers)-1].Value = validUTF8(bytes.TrimRight(value, " \t\n"))
		}
	}
	lineNo := 0
	for pos := 0; pos < len(b); {
		start := pos
		line := b[pos:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, pos = line[:i], pos+i+1
		} else {
			pos = len(b)
		}
		lineNo++
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			body, bodySet = b[pos:], true
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(m.Headers) == 0 {
				return nil, metadataErrorf("line %d starts with whitespace but there is no field before it to continue; the file must start with \"Metadata-Version: 2.1\"", lineNo)
			}
			value = append(value, '\n')
			value = append(value, unfoldLine(line)...)
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !validFieldName(line[:colon]) {
			// Python's email parser ends the headers here and reads the rest as the body.
			body, bodySet = b[start:], true
			break
		}
		flush()
		name := string(line[:colon])
		key := strings.ToLower(name)
		if singleField(key) {
			if first, ok := firstLine[key]; ok {
				return nil, metadataErrorf("line %d: field %s appears again (first on line %d); it may appear only once, so the file is ambiguous", lineNo, quote(name), first)
			}
			firstLine[key] = lineNo
		}
		value = append(value[:0], bytes.TrimLeft(line[colon+1:], " \t")...)
		m.Headers = append(m.Headers, Header{Name: name})
	}
	flush()
	for i := range m.Headers {
		h := &m.Headers[i]
		switch strings.ToLower(h.Name) {
		case "metadata-version":
			m.MetadataVersion = h.Value
		case "name":
			m.Name = h.Value
		case "version":
			m.Version = h.Value
		case "summary":
			m.Summary = h.Value
		case "requires-python":
			m.RequiresPython = h.Value
		case "requires-dist":
			m.RequiresDist = append(m.RequiresDist, h.Value)
		case "provides-extra":
			m.ProvidesExtra = append(m.ProvidesExtra, h.Value)
		case "classifier":
			m.Classifiers = append(m.Classifiers, h.Value)
		case "project-url":
			m.ProjectURLs = append(m.ProjectURLs, h.Value)
		case "license":
			m.License = h.Value
		case "license-expression":
			m.LicenseExpression = h.Value
		case "license-file":
			m.LicenseFiles = append(m.LicenseFiles, h.Value)
		case "description":
			m.Description = h.Value
		case "description-content-type":
			m.DescriptionContentType = h.Value
		}
	}
	if bodySet && len(bytes.TrimSpace(body)) > 0 {
		m.Description = validUTF8(body)
	}
	switch {
	case m.MetadataVersion == "":
		return nil, metadataErrorf("the required field \"Metadata-Version\" is missing; a metadata file starts with \"Metadata-Version: 2.1\", \"Name: …\", \"Version: …\"")
	case !supportedMetadataVersion(m.MetadataVersion):
		return nil, metadataErrorf("Metadata-Version %s is not supported; this reader understands 1.0 to 2.x", quote(m.MetadataVersion))
	case m.Name == "":
		return nil, metadataErrorf("the required field \"Name\" is missing")
	case !ValidName(m.Name):
		return nil, metadataErrorf("Name %s is not a valid project name (letters, digits, '.', '_', '-')", quote(m.Name))
	case m.Version == "":
		return nil, metadataErrorf("the required field \"Version\" is missing")
	case strings.ContainsAny(m.Version, " \t\n"):
		return nil, metadataErrorf("Version %s contains whitespace; a version looks like 1.0 or 2.0rc1", quote(m.Version))
	}
	return m, nil
}

// unfoldLine strips the indentation of a continuation line: the 8 characters
// "       |" (the core metadata convention for Description) or 8 spaces (what
// setuptools writes), else all leading whitespace.
func unfoldLine(line []byte) []byte {
	switch {
	case bytes.HasPrefix(line, []byte("       |")):
		line = line[8:]
	case bytes.HasPrefix(line, []byte("        ")):
		line = line[8:]
	default:
		line = bytes.TrimLeft(line, " \t")
	}
	return line
}

// validFieldName accepts RFC 822 field names: printable ASCII except ':' and space.
func validFieldName(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

func supportedMetadataVersion(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	if !ok || (major != "1" && major != "2") || minor == "" {
		return false
	}
	for i := 0; i < len(minor); i++ {
		if !isDigit(minor[i]) {
			return false
		}
	}
	return true
}

func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func metadataErrorf(format string, args ...any) error {
	return &ParseError{Source: "metadata", Detail: fmt.Sprintf(format, args...)}
}

package pypi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonPage is a PEP 691 page as decoded: every value is kept raw and checked by hand, so
// that an error can say which field of which file is wrong. Unknown keys are ignored, as
// PEP 691 asks of clients.
type jsonPage struct {
	Name     json.RawMessage `json:"name"`
	Meta     json.RawMessage `json:"meta"`
	Files    []jsonFile      `json:"files"`
	Versions json.RawMessage `json:"versions"`
	Projects []jsonProject   `json:"projects"`
}

type jsonFile struct {
	Filename             json.RawMessage `json:"filename"`
	URL                  json.RawMessage `json:"url"`
	Hashes               json.RawMessage `json:"hashes"`
	RequiresPython       json.RawMessage `json:"requires-python"`
	Yanked               json.RawMessage `json:"yanked"`
	CoreMetadata         json.RawMessage `json:"core-metadata"`
	DistInfoMetadata     json.RawMessage `json:"dist-info-metadata"`
	DataDistInfoMetadata json.RawMessage `json:"data-dist-info-metadata"` // what pypi.org sent before PEP 714
	Size                 json.RawMessage `json:"size"`
	UploadTime           json.RawMessage `json:"upload-time"`
}

type jsonProject struct {
	Name json.RawMessage `json:"name"`
}

type jsonMeta struct {
	APIVersion json.RawMessage `json:"api-version"`
	LastSerial json.RawMessage `json:"_last-serial"`
}

// ParseProjectJSON parses a PEP 691 project page (application/vnd.pypi.simple.v1+json)
// with the PEP 700, 592, 658 and 714 fields. pageURL is the URL the page was fetched
// from: relative file URLs are resolved against it, and it names the page in errors.
//
// "core-metadata" is preferred to "dist-info-metadata" (PEP 714). A "#sha256=…" fragment
// on a file URL is removed (and used as the hash when "hashes" is empty). "yanked": ""
// means not yanked, as pip reads it. A file whose filename was already seen is skipped.
// When the page has no "versions", they are derived from the filenames.
func ParseProjectJSON(body []byte, pageURL string) (*Project, error) {
	pp, err := newPageParser(body, pageURL)
	if err != nil {
		return nil, err
	}
	var page jsonPage
	if err := pp.decodeJSON(body, &page); err != nil {
		return nil, err
	}
	p := &Project{}
	if p.Meta, err = pp.meta(page.Meta); err != nil {
		return nil, err
	}
	name, ok, err := jsonString(page.Name)
	if err != nil {
		return nil, pp.errorf(`"name" must be a string`)
	}
	if !ok {
		name = pp.projectNameFromURL()
	}
	if !ValidName(name) {
		return nil, pp.errorf(`"name" %s is not a valid project name (letters, digits, '.', '_', '-')`, quote(name))
	}
	p.Name = NormalizeName(name)
	if len(page.Files) > 0 {
		p.Files = make([]File, 0, len(page.Files))
	}
	seen := make(map[string]bool, len(page.Files))
	for i := range page.Files {
		f, err := pp.file(&page.Files[i], i+1)
		if err != nil {
			return nil, err
		}
		if seen[f.Filename] {
			continue
		}
		seen[f.Filename] = true
		p.Files = append(p.Files, f)
	}
	if jsonNull(page.Versions) {
		p.Versions = deriveVersions(p.Name, p.Files)
	} else {
		var vs []string
		if err := json.Unmarshal(page.Versions, &vs); err != nil {
			return nil, pp.errorf(`"versions" must be an array of strings`)
		}
		if len(vs) > 0 {
			p.Versions = vs
		}
	}
	return p, nil
}

// ParseProjectListJSON parses a PEP 691 root page: {"meta": …, "projects": [{"name": …}]}.
// Names are kept as the index spells them; names already seen (compared normalised) are
// skipped.
func ParseProjectListJSON(body []byte, pageURL string) (*ProjectList, error) {
	pp, err := newPageParser(body, pageURL)
	if err != nil {
		return nil, err
	}
	var page jsonPage
	if err := pp.decodeJSON(body, &page); err != nil {
		return nil, err
	}
	l := &ProjectList{}
	if l.Meta, err = pp.meta(page.Meta); err != nil {
		return nil, err
	}
	if len(page.Projects) > 0 {
		l.Projects = make([]ProjectRef, 0, len(page.Projects))
	}
	seen := make(map[string]bool, len(page.Projects))
	for i, jp := range page.Projects {
		name, ok, err := jsonString(jp.Name)
		if err != nil || !ok {
			return nil, pp.errorf(`project %d: "name" must be a string`, i+1)
		}
		if !ValidName(name) {
			return nil, pp.errorf(`project %d: "name" %s is not a valid project name (letters, digits, '.', '_', '-')`, i+1, quote(name))
		}
		if n := NormalizeName(name); !seen[n] {
			seen[n] = true
			l.Projects = append(l.Projects, ProjectRef{Name: name})
		}
	}
	return l, nil
}

// decodeJSON decodes a page, turning encoding/json errors into errors that say where.
func (pp *pageParser) decodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return pp.errorf("the page is not a JSON object; a PEP 691 page looks like {\"meta\": {\"api-version\": \"1.1\"}, \"name\": …, \"files\": […]}")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &ParseError{Source: pp.pageURL, Detail: "invalid JSON at byte " + strconv.FormatInt(se.Offset, 10), Err: err}
	case errors.As(err, &te):
		return pp.errorf("%q must be an array of objects (found %s)", te.Field, te.Value)
	}
	return &ParseError{Source: pp.pageURL, Detail: "invalid JSON", Err: err}
}

func (pp *pageParser) meta(raw json.RawMessage) (Meta, error) {
	m := Meta{APIVersion: "1.0"}
	if jsonNull(raw) {
		return m, nil
	}
	var jm jsonMeta
	if jsonKind(raw) != '{' || json.Unmarshal(raw, &jm) != nil {
		return m, pp.errorf(`"meta" must be an object like {"api-version": "1.1"}`)
	}
	v, ok, err := jsonString(jm.APIVersion)
	if err != nil {
		return m, pp.errorf(`"meta"."api-version" must be a string like "1.1"`)
	}
	if ok {
		m.APIVersion = v
	}
	if err := pp.checkAPIVersion(m.APIVersion); err != nil {
		return m, err
	}
	if !jsonNull(jm.LastSerial) {
		n, err := strconv.ParseInt(string(jm.LastSerial), 10, 64)
		if err != nil || n < 0 {
			return m, pp.errorf(`"meta"."_last-serial" must be a non-negative integer`)
		}
		m.LastSerial = n
	}
	return m, nil
}

func (pp *pageParser) file(jf *jsonFile, n int) (File, error) {
	f := File{Size: -1}
	name, ok, err := jsonString(jf.Filename)
	if err != nil || !ok {
		return f, pp.errorf(`file %d: "filename" must be a string`, n)
	}
	if !SafeFilename(name) {
		return f, pp.errorf("file %d: filename %s is not a safe filename (no '/', '\\', control characters, \"..\" or leading '.'); the index is broken or hostile", n, quote(name))
	}
	f.Filename = name
	fail := func(format string, args ...any) (File, error) {
		return File{}, pp.errorf("file %d (%s): %s", n, quote(name), fmt.Sprintf(format, args...))
	}
	link, ok, err := jsonString(jf.URL)
	if err != nil || !ok || link == "" {
		return fail(`"url" must be a non-empty string`)
	}
	u, frag, err := pp.resolve(pp.base, link)
	if err != nil {
		return fail(`"url" %s is not a URL: %v`, quote(link), err)
	}
	f.URL = u.String()
	if f.Hashes, err = jsonHashes(jf.Hashes); err != nil {
		return fail(`"hashes" %v`, err)
	}
	if f.Hashes == nil {
		if name, digest, ok := parseHashFragment(frag); ok {
			f.Hashes = map[string]string{name: digest}
		}
	}
	if f.RequiresPython, _, err = jsonString(jf.RequiresPython); err != nil {
		return fail(`"requires-python" must be a string or null`)
	}
	switch jsonKind(jf.Yanked) {
	case 0, 'f':
	case 't':
		f.Yanked = true
	case '"':
		r, _, err := jsonString(jf.Yanked)
		if err != nil {
			return fail(`"yanked" must be a boolean or a string`)
		}
		f.Yanked, f.YankedReason = r != "", r
	default:
		return fail(`"yanked" must be a boolean or a string`)
	}
	meta, key := jf.CoreMetadata, "core-metadata"
	if jsonNull(meta) {
		meta, key = jf.DistInfoMetadata, "dist-info-metadata"
	}
	if jsonNull(meta) {
		meta, key = jf.DataDistInfoMetadata, "data-dist-info-metadata"
	}
	switch jsonKind(meta) {
	case 0, 'f':
	case 't':
		f.CoreMetadata = map[string]string{}
	case '{':
		h, err := jsonHashes(meta)
		if err != nil {
			return fail("%q %v", key, err)
		}
		if h == nil {
			h = map[string]string{}
		}
		f.CoreMetadata = h
	default:
		return fail("%q must be a boolean or an object of hashes", key)
	}
	if !jsonNull(jf.Size) {
		s, err := strconv.ParseInt(string(jf.Size), 10, 64)
		if err != nil || s < 0 {
			return fail(`"size" must be a non-negative integer`)
		}
		f.Size = s
	}
	if f.UploadTime, _, err = jsonString(jf.UploadTime); err != nil {
		return fail(`"upload-time" must be a string like "2024-01-31T12:00:00.000000Z"`)
	}
	return f, nil
}

// jsonHashes decodes a PEP 691 hashes object. An empty object gives nil. The error
// completes a sentence that starts with the field name.
func jsonHashes(raw json.RawMessage) (map[string]string, error) {
	if jsonNull(raw) {
		return nil, nil
	}
	h, ok := jsonStringMap(raw)
	if !ok {
		return nil, errors.New(`must be an object mapping algorithm names to hex digests, like {"sha256": "…"}`)
	}
	if len(h) == 0 {
		return nil, nil
	}
	for name, digest := range h {
		if !validHashName(name) || !isHex(digest) {
			return nil, fmt.Errorf("entry %s: %s is not a hex digest of a hash algorithm", quote(name), quote(digest))
		}
	}
	out := h
	for name, digest := range h {
		if ln, ld := strings.ToLower(name), strings.ToLower(digest); ln != name || ld != digest {
			out = make(map[string]string, len(h))
			for name, digest := range h {
				out[strings.ToLower(name)] = strings.ToLower(digest)
			}
			break
		}
	}
	return out, nil
}

// jsonStringMap decodes a JSON object whose values are all strings. raw has been
// validated by encoding/json already, so this only has to walk it; it exists because
// json.Unmarshal validates each small value again, which made it the slowest part of
// ParseProjectJSON.
func jsonStringMap(raw json.RawMessage) (map[string]string, bool) {
	b := skipJSONSpace(raw)
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	m := make(map[string]string, 1)
	b = skipJSONSpace(b[1:])
	if len(b) > 0 && b[0] == '}' {
		return m, true
	}
	for {
		var k, v string
		var ok bool
		if k, b, ok = cutJSONString(b); !ok {
			return nil, false
		}
		if b = skipJSONSpace(b); len(b) == 0 || b[0] != ':' {
			return nil, false
		}
		if v, b, ok = cutJSONString(skipJSONSpace(b[1:])); !ok {
			return nil, false
		}
		m[k] = v
		b = skipJSONSpace(b)
		if len(b) == 0 {
			return nil, false
		}
		switch b[0] {
		case '}':
			return m, true
		case ',':
			b = skipJSONSpace(b[1:])
		default:
			return nil, false
		}
	}
}

// cutJSONString decodes the JSON string at the start of b and returns the rest of b.
// Strings without escapes are taken as they are; others are left to encoding/json.
func cutJSONString(b []byte) (s string, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	escaped := false
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			escaped = true
			i++ // skip the escaped character, which may be '"'
		case '"':
			if raw := b[1:i]; !escaped && utf8.Valid(raw) {
				return string(raw), b[i+1:], true
			}
			if json.Unmarshal(b[:i+1], &s) != nil {
				return "", nil, false
			}
			return s, b[i+1:], true
		}
	}
	return "", nil, false
}

func skipJSONSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// jsonString decodes a JSON string; ok is false for an absent or null value.
func jsonString(raw json.RawMessage) (s string, ok bool, err error) {
	switch jsonKind(raw) {
	case 0:
		return "", false, nil
	case '"':
		s, rest, ok := cutJSONString(skipJSONSpace(raw))
		if !ok || len(skipJSONSpace(rest)) > 0 {
			return "", false, errors.New("not a string")
		}
		return s, true, nil
	}
	return "", false, errors.New("not a string")
}

// jsonKind returns the first byte of a raw JSON value ('"', '{', '[', 't', 'f', a digit
// or '-'), or 0 for an absent or null value.
func jsonKind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] == 'n' {
		return 0
	}
	return raw[0]
}

func jsonNull(raw json.RawMessage) bool { return jsonKind(raw) == 0 }

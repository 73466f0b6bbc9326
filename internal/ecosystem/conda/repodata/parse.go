package repodata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxRepodataBytes bounds the size of a repodata.json that ParseReader reads (conda-forge's
// linux-64 is about 250 MB uncompressed in 2025).
const MaxRepodataBytes = 2 << 30

// secondsLimit is the largest timestamp conda reads as seconds rather than milliseconds
// (the last second of the year 9999).
const secondsLimit = 253402300799

// ParseReader reads a whole repodata.json from r (at most MaxRepodataBytes) and parses
// it; see Parse. source names the document in errors (its URL or path).
func ParseReader(r io.Reader, source string) (*Repodata, error) {
	data, err := ReadAll(r, source)
	if err != nil {
		return nil, err
	}
	return Parse(data, source)
}

// ReadAll reads a whole repodata.json from r, at most MaxRepodataBytes, in one allocation
// when r knows its size. source names the document in errors.
func ReadAll(r io.Reader, source string) ([]byte, error) {
	size := -1
	switch v := r.(type) {
	case interface{ Len() int }:
		size = v.Len()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= MaxRepodataBytes {
			size = int(fi.Size())
		}
	}
	var buf bytes.Buffer
	if size >= 0 {
		// One exact allocation instead of doubling: the peak stays near the document size.
		buf.Grow(size + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, MaxRepodataBytes+1))
	if err != nil {
		return nil, &ParseError{Source: source, Detail: fmt.Sprintf("reading failed after %d bytes", n), Err: err}
	}
	if n > MaxRepodataBytes {
		return nil, &ParseError{Source: source, Detail: fmt.Sprintf("larger than the limit of %d MiB", MaxRepodataBytes>>20)}
	}
	return buf.Bytes(), nil
}

// Parse parses a repodata.json. source names the document in errors (its URL or path).
//
// The records' Raw fields are sub-slices of data, which the Repodata keeps alive: data
// must not be changed afterwards. Parsing is one pass over data: for 300,000 records
// (200 MB, conda-forge's linux-64 size) about 0.85 s, and the Repodata holds data plus
// about 600 bytes a record.
//
// Parse is strict, because policy decisions rest on what it decodes: the document must be
// valid UTF-8 JSON; each record must be an object whose filename is its name, version and
// build followed by ".tar.bz2" (in "packages") or ".conda" (in "packages.conda"); the
// fields vetted reads must have their documented types (depends a list of strings, md5 32
// and sha256 64 hex digits, build_number and size non-negative integers…) and appear once.
// Fields vetted does not read may hold anything and are kept as they are.
func Parse(data []byte, source string) (*Repodata, error) {
	return ParseReusing(data, source, nil)
}

// ParseReusing parses data as Parse does, with the same result, but a record whose JSON
// is byte for byte the JSON of prev's record of the same filename is not decoded again:
// its decoded fields are shared with prev's (only Raw points into data). A new version of
// a large channel, where few records change, is read in a fraction of the time and
// memory. prev may be nil.
func ParseReusing(data []byte, source string, prev *Repodata) (*Repodata, error) {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		line, col := lineCol(data, off)
		return nil, &ParseError{Source: source, Detail: fmt.Sprintf("invalid UTF-8 at line %d, column %d (byte %d); repodata.json is UTF-8 JSON", line, col, off)}
	}
	p := &parser{scanner: scanner{data: data}, source: source, intern: map[string]string{}, prev: prev}
	rd, err := p.repodata()
	if err != nil {
		return nil, p.wrap(err)
	}
	rd.document = data
	return rd, nil
}

type parser struct {
	scanner
	source string
	// where the parser is, for errors: a top-level key, and a filename within it.
	section, file string
	// intern shares the many equal strings of a repodata (depends, licenses, subdirs).
	intern map[string]string
	// prev is an earlier version of the document whose unchanged records are reused.
	prev *Repodata
}

// errField is an error about a field's content, wrapped with the parser's position.
type errField struct {
	field, msg string
}

func (e *errField) Error() string { return e.msg }

// where names the parser's position: `packages["x-1-0.tar.bz2"]`, `info`.
func (p *parser) where() string {
	switch {
	case p.section == "":
		return "the top-level object"
	case p.file != "":
		return p.section + "[" + quote(p.file) + "]"
	}
	return quote(p.section)
}

// wrap turns scanner and field errors into *ParseError.
func (p *parser) wrap(err error) error {
	var se *syntaxError
	var fe *errField
	switch {
	case errors.As(err, &se) && se.eof:
		return &ParseError{Source: p.source, Detail: fmt.Sprintf("the document ends early, after %d bytes, inside %s: it is truncated (an interrupted download?); fetch it again", len(p.data), p.where())}
	case errors.As(err, &se):
		line, col := lineCol(p.data, se.off)
		return &ParseError{Source: p.source, Detail: fmt.Sprintf("invalid JSON at line %d, column %d (byte %d), in %s: %s", line, col, se.off, p.where(), se.msg)}
	case errors.As(err, &fe) && fe.field == "":
		return &ParseError{Source: p.source, Detail: p.where() + ": " + fe.msg}
	case errors.As(err, &fe):
		return &ParseError{Source: p.source, Detail: fmt.Sprintf("%s: %q %s", p.where(), fe.field, fe.msg)}
	}
	return err
}

func (p *parser) internBytes(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	p.intern[s] = s
	return s
}

// typeError says that field holds a value of the wrong kind; c is the value's first byte.
func typeError(field, want string, c byte) error {
	return &errField{field: field, msg: "must be " + want + ", not " + describe(c)}
}

func (p *parser) repodata() (*Repodata, error) {
	// A conda-forge record takes about 800 bytes: sizing the maps once saves rehashing.
	hint := len(p.data) / 1600
	rd := &Repodata{Packages: make(map[string]*Record, hint), PackagesConda: make(map[string]*Record, hint)}
	b, err := p.peek()
	if err != nil {
		return nil, err
	}
	if b != '{' {
		return nil, &errField{msg: "a repodata.json is a JSON object, not " + describe(b)}
	}
	more, err := p.openObject()
	seen := map[string]bool{}
	for ; more && err == nil; more, err = p.more('}') {
		p.section, p.file = "", ""
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		key := string(k)
		if seen[key] {
			return nil, &errField{msg: fmt.Sprintf("the key %s appears twice", quote(key))}
		}
		seen[key] = true
		p.section = key
		switch key {
		case "info":
			err = p.info(&rd.Info)
		case "packages":
			err = p.packages(rd.Packages, ExtTarBz2)
		case "packages.conda":
			err = p.packages(rd.PackagesConda, ExtConda)
		case "removed":
			rd.Removed, err = p.stringList("")
		case "repodata_version":
			var n int64
			n, err = p.integer("", math.MaxInt32)
			rd.RepodataVersion = int(n)
		default:
			var raw []byte
			if raw, err = p.value(1); err == nil {
				if rd.Extra == nil {
					rd.Extra = map[string]json.RawMessage{}
				}
				rd.Extra[key] = raw
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	p.section = ""
	return rd, p.end()
}

func (p *parser) info(info *Info) error {
	if null, err := p.null(); null || err != nil {
		return err
	}
	p.space()
	start := p.pos
	more, err := p.openObject()
	for ; more && err == nil; more, err = p.more('}') {
		k, err := p.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "subdir":
			info.Subdir, err = p.stringField("subdir")
		case "base_url":
			info.BaseURL, err = p.stringField("base_url")
		default:
			err = p.skip(2)
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	info.Raw = p.data[start:p.pos:p.pos]
	return nil
}

func (p *parser) packages(m map[string]*Record, ext string) error {
	if null, err := p.null(); null || err != nil {
		return err
	}
	b, err := p.peek()
	if err != nil {
		return err
	}
	if b != '{' {
		return &errField{msg: "must be an object of filename → record, not " + describe(b)}
	}
	more, err := p.openObject()
	for ; more && err == nil; more, err = p.more('}') {
		k, err := p.key()
		if err != nil {
			return err
		}
		filename := string(k)
		p.file = filename
		if _, dup := m[filename]; dup {
			return &errField{msg: "appears twice"}
		}
		if !strings.HasSuffix(filename, ext) {
			switch {
			case strings.HasSuffix(filename, ExtConda):
				return &errField{msg: `a .conda file belongs in "packages.conda"`}
			case strings.HasSuffix(filename, ExtTarBz2):
				return &errField{msg: `a .tar.bz2 file belongs in "packages"`}
			}
			return &errField{msg: `not a package filename: conda package files end in .tar.bz2 (in "packages") or .conda (in "packages.conda")`}
		}
		if rec, err := p.reuse(filename, ext); rec != nil || err != nil {
			if err != nil {
				return err
			}
			m[filename] = rec
			continue
		}
		rec, err := p.record()
		if err != nil {
			return err
		}
		if err := checkFilename(filename, ext, &rec); err != nil {
			return err
		}
		m[filename] = &rec
	}
	p.file = ""
	return err
}

// reuse returns a copy of prev's record of filename when the next value is the same JSON
// (then it was checked when prev was parsed), with Raw pointing into the new document;
// otherwise nil, with the position unchanged.
func (p *parser) reuse(filename, ext string) (*Record, error) {
	if p.prev == nil {
		return nil, nil
	}
	m := p.prev.Packages
	if ext == ExtConda {
		m = p.prev.PackagesConda
	}
	old := m[filename]
	if old == nil || old.Raw == nil {
		return nil, nil
	}
	mark := p.pos
	raw, err := p.value(2)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(raw, old.Raw) {
		p.pos = mark
		return nil, nil
	}
	rec := *old
	rec.Raw = raw
	return &rec, nil
}

// Record fields, as bits of a "seen" mask.
const (
	fName = iota
	fVersion
	fBuild
	fBuildNumber
	fDepends
	fConstrains
	fLicense
	fLicenseFamily
	fMD5
	fSHA256
	fSize
	fSubdir
	fNoarch
	fTimestamp
	fTrackFeatures
	fFeatures
	fUnknown = -1
)

var fieldNames = [...]string{
	fName: "name", fVersion: "version", fBuild: "build", fBuildNumber: "build_number",
	fDepends: "depends", fConstrains: "constrains", fLicense: "license",
	fLicenseFamily: "license_family", fMD5: "md5", fSHA256: "sha256", fSize: "size",
	fSubdir: "subdir", fNoarch: "noarch", fTimestamp: "timestamp",
	fTrackFeatures: "track_features", fFeatures: "features",
}

func fieldIndex(k []byte) int {
	switch string(k) {
	case "name":
		return fName
	case "version":
		return fVersion
	case "build":
		return fBuild
	case "build_number":
		return fBuildNumber
	case "depends":
		return fDepends
	case "constrains":
		return fConstrains
	case "license":
		return fLicense
	case "license_family":
		return fLicenseFamily
	case "md5":
		return fMD5
	case "sha256":
		return fSHA256
	case "size":
		return fSize
	case "subdir":
		return fSubdir
	case "noarch":
		return fNoarch
	case "timestamp":
		return fTimestamp
	case "track_features":
		return fTrackFeatures
	case "features":
		return fFeatures
	}
	return fUnknown
}

// record reads one record object.
func (p *parser) record() (Record, error) {
	var rec Record
	b, err := p.peek()
	if err != nil {
		return rec, err
	}
	if b != '{' {
		return rec, &errField{msg: "a record must be an object, not " + describe(b)}
	}
	start := p.pos
	var seen uint32
	more, err := p.openObject()
	for ; more && err == nil; more, err = p.more('}') {
		k, err := p.key()
		if err != nil {
			return rec, err
		}
		f := fieldIndex(k)
		if f == fUnknown {
			if err := p.skip(2); err != nil {
				return rec, err
			}
			continue
		}
		name := fieldNames[f]
		if seen&(1<<f) != 0 {
			return rec, &errField{field: name, msg: "appears twice; tools disagree on which one counts"}
		}
		seen |= 1 << f
		switch f {
		case fName:
			rec.Name, err = p.requiredString(name)
		case fVersion:
			rec.Version, err = p.requiredString(name)
		case fBuild:
			rec.Build, err = p.requiredString(name)
		case fBuildNumber:
			var n int64
			n, err = p.integer(name, math.MaxInt32)
			rec.BuildNumber = int(n)
		case fDepends:
			rec.Depends, err = p.stringList(name)
		case fConstrains:
			rec.Constrains, err = p.stringList(name)
		case fLicense:
			rec.License, err = p.stringField(name)
		case fLicenseFamily:
			rec.LicenseFamily, err = p.stringField(name)
		case fMD5:
			rec.MD5, err = p.hexField(name, 32)
		case fSHA256:
			rec.SHA256, err = p.hexField(name, 64)
		case fSize:
			rec.Size, err = p.integer(name, math.MaxInt64)
		case fSubdir:
			rec.Subdir, err = p.stringField(name)
		case fNoarch:
			rec.Noarch, err = p.noarch(name)
		case fTimestamp:
			rec.Timestamp, err = p.timestamp(name)
		case fTrackFeatures:
			rec.TrackFeatures, err = p.features(name)
		case fFeatures:
			rec.Features, err = p.features(name)
		}
		if err != nil {
			return rec, err
		}
	}
	if err != nil {
		return rec, err
	}
	rec.Raw = p.data[start:p.pos:p.pos]
	for _, f := range [...]int{fName, fVersion, fBuild} {
		if seen&(1<<f) == 0 {
			return rec, &errField{msg: "the record has no " + quote(fieldNames[f]) + "; every record names its package, version and build"}
		}
	}
	return rec, nil
}

// checkFilename checks that a record's filename is name-version-build.ext.
func checkFilename(filename, ext string, rec *Record) error {
	n, v, b := len(rec.Name), len(rec.Version), len(rec.Build)
	if len(filename) == n+v+b+2+len(ext) &&
		filename[:n] == rec.Name && filename[n] == '-' &&
		filename[n+1:n+1+v] == rec.Version && filename[n+1+v] == '-' &&
		filename[n+2+v:n+2+v+b] == rec.Build {
		return nil
	}
	return &errField{msg: fmt.Sprintf("the record says name %s, version %s and build %s, so the file would be %s; a filename that does not match its record is refused", quote(rec.Name), quote(rec.Version), quote(rec.Build), quote(rec.Filename(ext)))}
}

// stringField reads a string or null ("").
func (p *parser) stringField(field string) (string, error) {
	b, err := p.peek()
	if err != nil {
		return "", err
	}
	switch b {
	case '"':
		s, err := p.str()
		if err != nil {
			return "", err
		}
		return p.internBytes(s), nil
	case 'n':
		return "", p.literal("null")
	}
	return "", typeError(field, "a string", b)
}

// requiredString reads a non-empty string without "-" (name may have one).
func (p *parser) requiredString(field string) (string, error) {
	b, err := p.peek()
	if err != nil {
		return "", err
	}
	if b != '"' {
		return "", typeError(field, "a string", b)
	}
	s, err := p.str()
	if err != nil {
		return "", err
	}
	if len(s) == 0 {
		return "", &errField{field: field, msg: "must not be empty"}
	}
	if field != "name" && bytes.IndexByte(s, '-') >= 0 {
		return "", &errField{field: field, msg: fmt.Sprintf("is %s, but a conda %s never contains \"-\"", quote(string(s)), field)}
	}
	if field == "build" {
		return string(s), nil // mostly unique: not worth interning
	}
	return p.internBytes(s), nil
}

// hexField reads a hex digest of n digits (or null), in lower case.
func (p *parser) hexField(field string, n int) (string, error) {
	b, err := p.peek()
	if err != nil {
		return "", err
	}
	switch b {
	case 'n':
		return "", p.literal("null")
	case '"':
	default:
		return "", typeError(field, "a string", b)
	}
	s, err := p.str()
	if err != nil {
		return "", err
	}
	if len(s) != n || !isHex(s) {
		return "", &errField{field: field, msg: fmt.Sprintf("must be %d hex digits, not %s", n, quote(string(s)))}
	}
	return strings.ToLower(string(s)), nil
}

func isHex(s []byte) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// stringList reads a list of strings, or null (nil).
func (p *parser) stringList(field string) ([]string, error) {
	b, err := p.peek()
	if err != nil {
		return nil, err
	}
	switch b {
	case 'n':
		return nil, p.literal("null")
	case '[':
	default:
		return nil, typeError(field, "a list of strings", b)
	}
	var tmp [32]string
	list := tmp[:0]
	more, err := p.openList()
	for ; more && err == nil; more, err = p.more(']') {
		c, err := p.peek()
		if err != nil {
			return nil, err
		}
		if c != '"' {
			return nil, &errField{field: field, msg: "must be a list of strings, but holds " + describe(c)}
		}
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		list = append(list, p.internBytes(s))
	}
	if err != nil {
		return nil, err
	}
	return append(make([]string, 0, len(list)), list...), nil
}

// integer reads a non-negative integer no larger than max, or null (0).
func (p *parser) integer(field string, max int64) (int64, error) {
	b, err := p.peek()
	if err != nil {
		return 0, err
	}
	if b == 'n' {
		return 0, p.literal("null")
	}
	if b != '-' && (b < '0' || b > '9') {
		return 0, typeError(field, "an integer", b)
	}
	lit, isInt, err := p.number()
	if err != nil {
		return 0, err
	}
	n, ok := parseUint(lit)
	if !isInt || !ok || n > max {
		return 0, &errField{field: field, msg: fmt.Sprintf("must be an integer from 0 to %d, not %s", max, lit)}
	}
	return n, nil
}

// parseUint parses a decimal literal without sign that fits an int64.
func parseUint(lit []byte) (int64, bool) {
	if len(lit) == 0 || len(lit) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range lit {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return int64(n), n <= math.MaxInt64
}

// timestamp reads a build time in seconds or milliseconds, integer or not, and returns
// milliseconds.
func (p *parser) timestamp(field string) (int64, error) {
	b, err := p.peek()
	if err != nil {
		return 0, err
	}
	if b == 'n' {
		return 0, p.literal("null")
	}
	if b != '-' && (b < '0' || b > '9') {
		return 0, typeError(field, "a number", b)
	}
	lit, isInt, err := p.number()
	if err != nil {
		return 0, err
	}
	n, ok := parseUint(lit)
	if !isInt || !ok {
		f, err := strconv.ParseFloat(string(lit), 64)
		if err != nil || f < 0 || f >= math.MaxInt64/1000 {
			return 0, &errField{field: field, msg: fmt.Sprintf("must be a time in milliseconds since 1970, not %s", lit)}
		}
		n = int64(f)
	}
	if n <= secondsLimit {
		n *= 1000
	}
	return n, nil
}

// noarch reads "python", "generic", another string, true ("generic"), false or null ("").
func (p *parser) noarch(field string) (string, error) {
	b, err := p.peek()
	if err != nil {
		return "", err
	}
	switch b {
	case 't':
		return "generic", p.literal("true")
	case 'f':
		return "", p.literal("false")
	}
	s, err := p.stringField(field)
	if _, ok := err.(*errField); ok {
		return "", typeError(field, `"python", "generic" or a boolean`, b)
	}
	return s, err
}

// features reads a feature string, a list of them (joined with spaces) or null.
func (p *parser) features(field string) (string, error) {
	b, err := p.peek()
	if err != nil {
		return "", err
	}
	if b != '[' {
		return p.stringField(field)
	}
	list, err := p.stringList(field)
	return p.internBytes([]byte(strings.Join(list, " "))), err
}

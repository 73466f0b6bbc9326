package repodata

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, name string) *Repodata {
	t.Helper()
	rd, err := Parse(readTestdata(t, name), name)
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

func TestParseCondaForge(t *testing.T) {
	rd := mustParse(t, "conda-forge-linux-64.json")
	if rd.Info.Subdir != "linux-64" || rd.Info.BaseURL != "" || rd.RepodataVersion != 1 {
		t.Errorf("info %+v, version %d", rd.Info, rd.RepodataVersion)
	}
	if len(rd.Packages) != 4 || len(rd.PackagesConda) != 5 || rd.Len() != 9 {
		t.Errorf("%d .tar.bz2 and %d .conda records", len(rd.Packages), len(rd.PackagesConda))
	}
	if want := []string{"zlib-1.2.11-h36c2ea0_1013.tar.bz2", "requests-2.0.0-py_0.tar.bz2"}; !reflect.DeepEqual(rd.Removed, want) {
		t.Errorf("removed %q", rd.Removed)
	}
	got, ok := rd.Lookup("python-3.12.7-hc5c86c4_0_cpython.conda")
	if !ok {
		t.Fatal("python record missing")
	}
	want := Record{
		Name: "python", Version: "3.12.7", Build: "hc5c86c4_0_cpython", BuildNumber: 0,
		Depends:    got.Depends, // checked below
		Constrains: []string{"python_abi 3.12.* *_cp312"},
		License:    "Python-2.0",
		MD5:        got.MD5, SHA256: "76cd8fa2bd0ec7ec7aaed7fc9be4c0f6e0bcb0b7e5e2b6d1cc4a92c2a1ab68d2",
		Size: 31574780, Subdir: "linux-64", Timestamp: 1728057586000, Raw: got.Raw,
	}
	if got.SHA256 != want.SHA256 {
		// The fixture's digests are illustrative: take the one it has, check its shape.
		want.SHA256 = got.SHA256
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("python record\n got %+v\nwant %+v", got, want)
	}
	if len(got.Depends) != 17 || got.Depends[0] != "__glibc >=2.17,<3.0.a0" || got.Depends[16] != "xz >=5.2.6,<6.0a0" {
		t.Errorf("depends %q", got.Depends)
	}
	if len(got.MD5) != 32 || len(got.SHA256) != 64 {
		t.Errorf("digests %q %q", got.MD5, got.SHA256)
	}
	blas, _ := rd.Lookup("blas-1.1-openblas.tar.bz2")
	if blas.Features != "blas_openblas" || blas.TrackFeatures != "blas_openblas" || blas.LicenseFamily != "" {
		t.Errorf("blas %+v", blas)
	}
	// Equal strings are shared (interned), not copied per record.
	z1, _ := rd.Lookup("zlib-1.3.1-hb9d3cd8_2.conda")
	z2, _ := rd.Lookup("zlib-1.2.13-h4ab18f5_6.conda")
	if z1.License != "Zlib" || z1.LicenseFamily != "Other" || z2.Name != "zlib" {
		t.Errorf("zlib %+v / %+v", z1, z2)
	}
	if got := z1.Time().Format("2006-01-02"); got != "2024-10-03" {
		t.Errorf("zlib time %s", got)
	}
}

func TestParseLegacyRecords(t *testing.T) {
	rd := mustParse(t, "legacy-records.json")
	futures, _ := rd.Lookup("futures-3.0.5-py27_0.tar.bz2")
	if futures.Timestamp != 1464393600000 {
		t.Errorf("a timestamp in seconds is not converted: %d", futures.Timestamp)
	}
	if futures.MD5 != "6f4b0ccd2e6da5d4ce2b8c1f8b4c9a0e" || futures.License != "" || futures.SHA256 != "" {
		t.Errorf("futures %+v", futures)
	}
	yaml, _ := rd.Lookup("pyyaml-3.11-py27_1.tar.bz2")
	if yaml.Noarch != "generic" || yaml.Timestamp != 1464393600123 || yaml.TrackFeatures != "nomkl debug" || yaml.Subdir != "" || yaml.Constrains != nil {
		t.Errorf("pyyaml %+v", yaml)
	}
	if rd.Removed != nil || rd.Info.Subdir != "linux-64" {
		t.Errorf("removed %q, info %+v", rd.Removed, rd.Info)
	}
	if string(rd.Extra["signatures"]) != `{"futures-3.0.5-py27_0.tar.bz2": {"deadbeef": {"signature": "abc"}}}` {
		t.Errorf("signatures %s", rd.Extra["signatures"])
	}
	// Raw is the record byte for byte, spaces and escapes included.
	data := readTestdata(t, "legacy-records.json")
	if !bytes.Contains(data, yaml.Raw) || !bytes.HasPrefix(yaml.Raw, []byte("{\n    \"build\" : \"py27_1\"")) || !bytes.HasSuffix(yaml.Raw, []byte("null, {}]}\n}")) {
		t.Errorf("raw %s", yaml.Raw)
	}
}

func TestParseBaseURL(t *testing.T) {
	rd := mustParse(t, "repodata-v2-base-url.json")
	if rd.Info.BaseURL != "https://packages.example.org/conda-forge/noarch/" || rd.Info.Subdir != "noarch" || rd.RepodataVersion != 2 {
		t.Errorf("info %+v version %d", rd.Info, rd.RepodataVersion)
	}
	rich, _ := rd.Lookup("rich-13.7.1-pyhd8ed1ab_0.conda")
	if rich.Noarch != "python" || rich.Subdir != "noarch" {
		t.Errorf("rich %+v", rich)
	}
}

func TestParseErrors(t *testing.T) {
	rec := func(fields string) string {
		return `{"packages":{"foo-1.0-0.tar.bz2":{"name":"foo","version":"1.0","build":"0"` + fields + `}}}`
	}
	const src = "https://conda.example/c/linux-64/repodata.json"
	for _, tc := range []struct{ name, in, want string }{
		{"version not a string", `{"packages":{"foo-1.0-0.tar.bz2":{"name":"foo","version":1.0,"build":"0"}}}`,
			`parse https://conda.example/c/linux-64/repodata.json: packages["foo-1.0-0.tar.bz2"]: "version" must be a string, not a number`},
		{"truncated", `{"packages":{"foo-1.0-0.tar.bz2":{"name":"foo","vers`,
			`the document ends early, after 52 bytes, inside packages["foo-1.0-0.tar.bz2"]: it is truncated (an interrupted download?); fetch it again`},
		{"empty", ``, `the document ends early, after 0 bytes, inside the top-level object`},
		{"not an object", `[]`, `a repodata.json is a JSON object, not a list`},
		{"trailing data", `{} {}`, `invalid JSON at line 1, column 4 (byte 3), in the top-level object: more data (an object) after the end of the document`},
		{"syntax", "{\n\"packages\": {\"a\" 1}}", `invalid JSON at line 2, column 18 (byte 19), in "packages": expected ':' after an object key, found a number`},
		{"invalid utf-8", "{\"removed\":[\"\xff\"]}", `invalid UTF-8 at line 1, column 14 (byte 13)`},
		{"control character", "{\"removed\":[\"a\tb\"]}", `control character 0x09 in a string`},
		{"bad escape", `{"removed":["a\qb"]}`, `invalid escape "\\q"`},
		{"deep", strings.Repeat(`{"x":`, 600) + `1` + strings.Repeat(`}`, 600), `nested more than 512 levels deep`},
		{"conda in packages", `{"packages":{"foo-1.0-0.conda":{}}}`, `packages["foo-1.0-0.conda"]: a .conda file belongs in "packages.conda"`},
		{"tar.bz2 in packages.conda", `{"packages.conda":{"foo-1.0-0.tar.bz2":{}}}`, `a .tar.bz2 file belongs in "packages"`},
		{"not a package file", `{"packages":{"foo-1.0-0.zip":{}}}`, `not a package filename`},
		{"record not an object", `{"packages":{"foo-1.0-0.tar.bz2":[]}}`, `a record must be an object, not a list`},
		{"packages not an object", `{"packages":[]}`, `"packages": must be an object of filename → record, not a list`},
		{"filename mismatch", `{"packages":{"foo-1.0-0.tar.bz2":{"name":"bar","version":"1.0","build":"0"}}}`,
			`packages["foo-1.0-0.tar.bz2"]: the record says name "bar", version "1.0" and build "0", so the file would be "bar-1.0-0.tar.bz2"`},
		{"missing name", `{"packages":{"foo-1.0-0.tar.bz2":{"version":"1.0","build":"0"}}}`, `the record has no "name"`},
		{"empty build", `{"packages":{"foo-1.0-.tar.bz2":{"name":"foo","version":"1.0","build":""}}}`, `"build" must not be empty`},
		{"dash in version", `{"packages":{"foo-1-0-0.tar.bz2":{"name":"foo","version":"1-0","build":"0"}}}`, `"version" is "1-0", but a conda version never contains "-"`},
		{"duplicate field", rec(`,"name":"foo"`), `"name" appears twice`},
		{"duplicate file", `{"packages":{"foo-1.0-0.tar.bz2":{"name":"foo","version":"1.0","build":"0"},"foo-1.0-0.tar.bz2":{}}}`, `packages["foo-1.0-0.tar.bz2"]: appears twice`},
		{"duplicate top-level key", `{"removed":[],"removed":[]}`, `the key "removed" appears twice`},
		{"depends not a list", rec(`,"depends":"python"`), `"depends" must be a list of strings, not a string`},
		{"depends holds a number", rec(`,"depends":["a",1]`), `"depends" must be a list of strings, but holds a number`},
		{"short md5", rec(`,"md5":"abc"`), `"md5" must be 32 hex digits, not "abc"`},
		{"sha256 not hex", rec(`,"sha256":"` + strings.Repeat("g", 64) + `"`), `"sha256" must be 64 hex digits`},
		{"negative size", rec(`,"size":-1`), `"size" must be an integer from 0 to 9223372036854775807, not -1`},
		{"fractional build number", rec(`,"build_number":1.5`), `"build_number" must be an integer`},
		{"huge size", rec(`,"size":99999999999999999999`), `"size" must be an integer`},
		{"timestamp string", rec(`,"timestamp":"2024"`), `"timestamp" must be a number, not a string`},
		{"noarch number", rec(`,"noarch":1`), `"noarch" must be "python", "generic" or a boolean, not a number`},
		{"license list", rec(`,"license":["MIT"]`), `"license" must be a string, not a list`},
		{"removed not strings", `{"removed":[1]}`, `"removed": must be a list of strings, but holds a number`},
		{"repodata_version string", `{"repodata_version":"2"}`, `"repodata_version": must be an integer, not a string`},
		{"info base_url number", `{"info":{"base_url":1}}`, `"info": "base_url" must be a string, not a number`},
		{"bad literal", `{"x":tru}`, `invalid literal; expected "true"`},
		{"bad number", `{"x":01}`, `expected ',' or '}', found a number`},
		{"lone minus", `{"x":-}`, `invalid number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in), src)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "parse "+src+": ") {
				t.Errorf("got  %v\nwant …%s…", err, tc.want)
			}
		})
	}
}

// Every proper prefix of a document is reported as truncated, never parsed.
func TestParseTruncated(t *testing.T) {
	for _, name := range []string{"conda-forge-linux-64.json", "legacy-records.json", "repodata-v2-base-url.json"} {
		data := readTestdata(t, name)
		end := bytes.LastIndexByte(data, '}')
		for i := range end {
			_, err := Parse(data[:i], name)
			if err == nil || !strings.Contains(err.Error(), "ends early") {
				t.Fatalf("%s cut at %d: %v", name, i, err)
			}
		}
	}
}

func TestParseReader(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "conda-forge-linux-64.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := ParseReader(f, "file")
	if err != nil || rd.Len() != 9 {
		t.Fatalf("%v, %v", rd, err)
	}
	_, err = ParseReader(strings.NewReader(`{"packages":`), "stream")
	if err == nil || !strings.Contains(err.Error(), "parse stream: the document ends early") {
		t.Errorf("got %v", err)
	}
}

func TestSplitFilename(t *testing.T) {
	for _, tc := range []struct{ in, name, version, build, ext string }{
		{"zlib-1.3.1-hb9d3cd8_2.conda", "zlib", "1.3.1", "hb9d3cd8_2", ".conda"},
		{"ld_impl_linux-64-2.43-h712a8e2_2.conda", "ld_impl_linux-64", "2.43", "h712a8e2_2", ".conda"},
		{"_libgcc_mutex-0.1-conda_forge.tar.bz2", "_libgcc_mutex", "0.1", "conda_forge", ".tar.bz2"},
		{"foo-1.0.tar.bz2", "", "", "", ""},
		{"-1.0-0.conda", "", "", "", ""},
		{"foo--0.conda", "", "", "", ""},
		{"foo-1.0-.conda", "", "", "", ""},
		{"foo-1.0-0.whl", "", "", "", ""},
	} {
		name, version, build, ext, ok := SplitFilename(tc.in)
		if ok != (tc.name != "") || name != tc.name || version != tc.version || build != tc.build || ext != tc.ext {
			t.Errorf("SplitFilename(%q) = %q %q %q %q %v", tc.in, name, version, build, ext, ok)
		}
	}
}

// referenceRecord decodes a record with encoding/json, independently of the scanner, with
// the same conversions Parse documents.
func referenceRecord(t testing.TB, raw []byte) Record {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("encoding/json rejects a record Parse accepted: %v\n%s", err, raw)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	list := func(k string) []string {
		l, ok := m[k].([]any)
		if !ok {
			return nil
		}
		out := []string{}
		for _, e := range l {
			out = append(out, e.(string))
		}
		return out
	}
	num := func(k string) int64 {
		n, _ := m[k].(json.Number)
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil && n != "" {
			f, _ := strconv.ParseFloat(string(n), 64)
			i = int64(f)
		}
		return i
	}
	features := func(k string) string {
		if l := list(k); l != nil {
			return strings.Join(l, " ")
		}
		return str(k)
	}
	r := Record{
		Name: str("name"), Version: str("version"), Build: str("build"),
		BuildNumber: int(num("build_number")), Depends: list("depends"), Constrains: list("constrains"),
		License: str("license"), LicenseFamily: str("license_family"),
		MD5: strings.ToLower(str("md5")), SHA256: strings.ToLower(str("sha256")),
		Size: num("size"), Subdir: str("subdir"), Noarch: str("noarch"), Timestamp: num("timestamp"),
		TrackFeatures: features("track_features"), Features: features("features"),
	}
	if m["noarch"] == true {
		r.Noarch = "generic"
	}
	if r.Timestamp <= secondsLimit {
		r.Timestamp *= 1000
	}
	return r
}

func checkAgainstReference(t testing.TB, rd *Repodata) {
	t.Helper()
	for _, m := range []map[string]*Record{rd.Packages, rd.PackagesConda} {
		for fn, rec := range m {
			ref := referenceRecord(t, rec.Raw)
			got := *rec
			got.Raw = nil
			if !reflect.DeepEqual(got, ref) {
				t.Fatalf("%s: Parse and encoding/json disagree\nParse %+v\njson  %+v", fn, got, ref)
			}
		}
	}
}

func TestParseAgreesWithEncodingJSON(t *testing.T) {
	for _, name := range []string{"conda-forge-linux-64.json", "legacy-records.json", "repodata-v2-base-url.json"} {
		checkAgainstReference(t, mustParse(t, name))
	}
	rd, err := Parse(synthRepodata(2000), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstReference(t, rd)
}

func TestParseStrings(t *testing.T) {
	// Escapes decode as encoding/json decodes them, lone surrogates included.
	for _, s := range []string{`a\"b\\c\/d\b\f\n\r\t`, `\u00e9\u2013`, `\ud83d\ude00`, `\ud800`, `\udc00x`, `\ud800\u0041`, `\uD83D\uDE00`, ``} {
		doc := `{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","license":"` + s + `"}}}`
		rd, err := Parse([]byte(doc), "t")
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		var want string
		if err := json.Unmarshal([]byte(`"`+s+`"`), &want); err != nil {
			t.Fatal(err)
		}
		if got := rd.Packages["a-1-0.tar.bz2"].License; got != want {
			t.Errorf("%s: got %q, want %q", s, got, want)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	for _, tc := range []struct {
		lit  string
		want int64
	}{
		{"0", 0}, {"1700000000", 1700000000000}, {"1700000000000", 1700000000000},
		{"1.7e12", 1700000000000}, {"253402300799", 253402300799000}, {"253402300800", 253402300800},
		{"1464393600.5", 1464393600000},
	} {
		doc := `{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","timestamp":` + tc.lit + `}}}`
		rd, err := Parse([]byte(doc), "t")
		if err != nil {
			t.Fatalf("%s: %v", tc.lit, err)
		}
		if got := rd.Packages["a-1-0.tar.bz2"].Timestamp; got != tc.want {
			t.Errorf("timestamp %s: got %d, want %d", tc.lit, got, tc.want)
		}
	}
	doc := `{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","size":` + strconv.FormatInt(math.MaxInt64, 10) + `}}}`
	if rd, err := Parse([]byte(doc), "t"); err != nil || rd.Packages["a-1-0.tar.bz2"].Size != math.MaxInt64 {
		t.Errorf("max size: %v", err)
	}
}

// TestParseReusing: parsing a new version of a document with the previous one gives what
// Parse gives, and unchanged records share their decoded fields with the previous version.
func TestParseReusing(t *testing.T) {
	v1 := synthRepodata(300)
	prev, err := Parse(v1, "v1")
	if err != nil {
		t.Fatal(err)
	}
	var changed string
	for fn := range prev.PackagesConda {
		changed = fn
		break
	}
	old := prev.PackagesConda[changed].Raw
	v2 := bytes.Replace(v1, old, bytes.Replace(old, []byte(`"size": `), []byte(`"size": 9`), 1), 1)
	for _, c := range []struct {
		name     string
		doc      []byte
		unshared int // records not reused
	}{{"same", bytes.Clone(v1), 0}, {"one changed", v2, 1}, {"other", synthRepodata(310), -1}} {
		want, err := Parse(c.doc, "doc")
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseReusing(c.doc, "doc", prev)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(recordsOf(got), recordsOf(want)) || !reflect.DeepEqual(got.Removed, want.Removed) || !reflect.DeepEqual(got.Info, want.Info) {
			t.Fatalf("%s: ParseReusing differs from Parse", c.name)
		}
		if !bytes.Equal(got.Document(), c.doc) {
			t.Errorf("%s: Document() is not the parsed bytes", c.name)
		}
		unshared := 0
		for fn, rec := range got.PackagesConda {
			if start := uintptr(unsafe.Pointer(&c.doc[0])); uintptr(unsafe.Pointer(&rec.Raw[0])) < start || uintptr(unsafe.Pointer(&rec.Raw[0])) >= start+uintptr(len(c.doc)) {
				t.Fatalf("%s: %s: Raw does not point into the new document", c.name, fn)
			}
			if o := prev.PackagesConda[fn]; o == nil || len(rec.Depends) == 0 || &rec.Depends[0] != &o.Depends[0] {
				unshared++
			}
		}
		if c.unshared >= 0 && unshared != c.unshared {
			t.Errorf("%s: %d records decoded again, want %d", c.name, unshared, c.unshared)
		}
	}
}

// recordsOf returns the records by filename as values, for comparison.
func recordsOf(rd *Repodata) map[string]Record {
	out := map[string]Record{}
	for _, m := range []map[string]*Record{rd.Packages, rd.PackagesConda} {
		for fn, rec := range m {
			out[fn] = *rec
		}
	}
	return out
}

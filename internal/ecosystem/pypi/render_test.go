package pypi

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestRenderGolden(t *testing.T) {
	p, err := ParseProjectJSON(readTestdata(t, "project-sampleproject.json"), samplePageURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		got  []byte
	}{
		{"render-sampleproject.html", RenderProjectHTML(p)},
		{"render-sampleproject.json", RenderProjectJSON(p)},
	} {
		if *update {
			if err := os.WriteFile("testdata/"+tc.file, tc.got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want := readTestdata(t, tc.file); !bytes.Equal(tc.got, want) {
			t.Errorf("%s differs from the golden file; run with -update and review the diff.\ngot:\n%s", tc.file, tc.got)
		}
	}
}

func TestRenderListsRoundTrip(t *testing.T) {
	l := &ProjectList{Meta: Meta{APIVersion: APIVersion, LastSerial: 42}, Projects: []ProjectRef{{"Django"}, {"ruamel.yaml"}, {"a"}}}
	h := RenderProjectListHTML(l)
	if !bytes.Contains(h, []byte(`<a href="ruamel-yaml/">ruamel.yaml</a>`)) || !bytes.Contains(h, []byte(`content="1.1"`)) {
		t.Errorf("HTML:\n%s", h)
	}
	got, err := ParseProjectListHTML(h, "https://x/simple/")
	if err != nil || !reflect.DeepEqual(got, l) {
		t.Errorf("HTML round trip: %+v, %v", got, err)
	}
	j := RenderProjectListJSON(l)
	if want := `{"meta":{"_last-serial":42,"api-version":"1.1"},"projects":[{"name":"Django"},{"name":"ruamel.yaml"},{"name":"a"}]}`; string(j) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", j, want)
	}
	got, err = ParseProjectListJSON(j, "https://x/simple/")
	if err != nil || !reflect.DeepEqual(got, l) {
		t.Errorf("JSON round trip: %+v, %v", got, err)
	}
	if j := RenderProjectListJSON(&ProjectList{}); string(j) != `{"meta":{"api-version":"1.1"},"projects":[]}` {
		t.Errorf("empty list: %s", j)
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "\x00\x01\x1f\x7f",
		"tab\tnl\ncr\r", "\u2028\u2029", "é中文😀", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate", "\ufffd"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		cases = append(cases, randString(r, 20, true))
	}
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendHTMLEscapedMatchesHTMLEscapeString(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		s := randString(r, 20, true)
		if got := appendHTMLEscaped(nil, s); string(got) != html.EscapeString(s) {
			t.Errorf("appendHTMLEscaped(%q) = %q, want %q", s, got, html.EscapeString(s))
		}
	}
}

// TestRenderProjectJSONMatchesEncodingJSON checks the hand-written renderer byte for byte
// against encoding/json rendering the same document as maps (which sorts keys, as the
// renderer does).
func TestRenderProjectJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		p := randProject(r, false)
		got := RenderProjectJSON(p)
		want, err := json.Marshal(referenceJSON(p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("project %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
}

func referenceJSON(p *Project) map[string]any {
	files := []any{}
	for _, f := range p.Files {
		m := map[string]any{"filename": f.Filename, "url": f.URL, "hashes": map[string]string{}}
		if f.Hashes != nil {
			m["hashes"] = f.Hashes
		}
		if f.RequiresPython != "" {
			m["requires-python"] = f.RequiresPython
		}
		if f.Size >= 0 {
			m["size"] = f.Size
		}
		if f.UploadTime != "" {
			m["upload-time"] = f.UploadTime
		}
		switch {
		case !f.Yanked:
			m["yanked"] = false
		case f.YankedReason == "":
			m["yanked"] = true
		default:
			m["yanked"] = f.YankedReason
		}
		if f.CoreMetadata != nil {
			var v any = true
			if len(f.CoreMetadata) > 0 {
				v = f.CoreMetadata
			}
			m["core-metadata"], m["dist-info-metadata"] = v, v
		}
		files = append(files, m)
	}
	meta := map[string]any{"api-version": APIVersion}
	if p.Meta.LastSerial != 0 {
		meta["_last-serial"] = p.Meta.LastSerial
	}
	versions := []string{}
	versions = append(versions, p.Versions...)
	return map[string]any{"files": files, "meta": meta, "name": p.Name, "versions": versions}
}

func TestRoundTripJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 500 {
		p := randProject(r, false)
		got, err := ParseProjectJSON(RenderProjectJSON(p), "https://idx.example/simple/"+p.Name+"/")
		if err != nil {
			t.Fatalf("project %d: %v\n%s", i, err, RenderProjectJSON(p))
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("project %d:\ngot  %+v\nwant %+v", i, got, p)
		}
	}
}

func TestRoundTripHTML(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 500 {
		p := randProject(r, true)
		got, err := ParseProjectHTML(RenderProjectHTML(p), "https://idx.example/simple/"+p.Name+"/")
		if err != nil {
			t.Fatalf("project %d: %v\n%s", i, err, RenderProjectHTML(p))
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("project %d:\ngot  %+v\nwant %+v\n%s", i, got, p, RenderProjectHTML(p))
		}
	}
}

func TestRoundTripStored(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 300 {
		p := randProject(r, false)
		if i%7 == 0 {
			p.Files, p.Versions = []File{}, []string{} // empty, not nil, must survive too
		}
		b, err := EncodePage(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodePage(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("project %d:\ngot  %+v\nwant %+v", i, got, p)
		}
	}
	l := &ProjectList{Meta: Meta{APIVersion: "1.0", LastSerial: 3}, Projects: []ProjectRef{{"A.b"}, {"c"}}}
	b, err := EncodeProjectList(l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeProjectList(b)
	if err != nil || !reflect.DeepEqual(got, l) {
		t.Errorf("list: %+v, %v", got, err)
	}
}

func TestDecodePageErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"format":2,"name":"x"}`, "format 2 is not supported"},
		{`{"format":1,"name":"x","extra":1}`, `unknown field "extra"`},
		{`{"format":1} {}`, "trailing data"},
		{`[`, "not a page written by EncodePage"},
	} {
		if _, err := DecodePage([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodePage(%s) = %v, want an error containing %q", tc.body, err, tc.want)
		}
	}
	if _, err := DecodeProjectList([]byte(`{"format":0}`)); err == nil {
		t.Error("DecodeProjectList accepted format 0")
	}
}

// randProject returns a random project in the canonical form the parsers produce. With
// forHTML, it holds only what HTML carries: at most one hash per file and per metadata
// file, no sizes or upload times, versions derived from the filenames, and filenames
// that are the last segment of their URL.
func randProject(r *rand.Rand, forHTML bool) *Project {
	p := &Project{Name: randName(r), Meta: Meta{APIVersion: APIVersion}}
	if r.IntN(2) == 0 {
		p.Meta.LastSerial = r.Int64N(1 << 40)
	}
	seen := map[string]bool{}
	for n := r.IntN(12); len(p.Files) < n; {
		f := File{Size: -1}
		if forHTML || r.IntN(3) > 0 {
			f.Filename = randDistFilename(r, p.Name)
		} else {
			f.Filename = randString(r, 30, false)
			if !SafeFilename(f.Filename) {
				continue
			}
		}
		if seen[f.Filename] {
			continue
		}
		seen[f.Filename] = true
		u := "https://files.example/packages/" + randHex(r, 4) + "/" + url.PathEscape(f.Filename)
		if r.IntN(4) == 0 {
			u += "?token=" + randHex(r, 6)
		}
		pu, _ := url.Parse(u)
		f.URL = pu.String()
		f.Hashes = randHashes(r, forHTML)
		if r.IntN(3) == 0 {
			f.RequiresPython = strings.TrimSpace(randString(r, 12, false))
		}
		if r.IntN(4) == 0 {
			f.Yanked = true
			if r.IntN(2) == 0 {
				f.YankedReason = randString(r, 20, false)
				if !forHTML && f.YankedReason == "" {
					f.YankedReason = "x"
				}
			}
		}
		if r.IntN(2) == 0 {
			f.CoreMetadata = randHashes(r, forHTML)
			if f.CoreMetadata == nil {
				f.CoreMetadata = map[string]string{}
			}
		}
		if !forHTML {
			if r.IntN(2) == 0 {
				f.Size = r.Int64N(1 << 33)
			}
			if r.IntN(2) == 0 {
				f.UploadTime = "2024-01-02T03:04:05.123456Z"
			}
		}
		p.Files = append(p.Files, f)
	}
	if forHTML {
		p.Versions = deriveVersions(p.Name, p.Files)
	} else {
		for range r.IntN(5) {
			p.Versions = append(p.Versions, randString(r, 8, false))
		}
	}
	return p
}

func randName(r *rand.Rand) string {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for i := range 1 + r.IntN(12) {
		if i > 0 && r.IntN(5) == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alnum[r.IntN(len(alnum))])
	}
	return b.String()
}

func randDistFilename(r *rand.Rand, project string) string {
	name := project
	if r.IntN(2) == 0 {
		name = strings.ReplaceAll(name, "-", "_")
	}
	v := fmt.Sprintf("%d.%d", r.IntN(5), r.IntN(20))
	if r.IntN(4) == 0 {
		v += "+local.1"
	}
	switch r.IntN(4) {
	case 0:
		return name + "-" + v + ".tar.gz"
	case 1:
		return name + "-" + v + ".zip"
	case 2:
		return strings.ReplaceAll(name, "-", "_") + "-" + v + "-py3-none-any.whl"
	}
	return strings.ReplaceAll(name, "-", "_") + "-" + v + "-cp312-cp312-manylinux_2_17_x86_64.whl"
}

func randHashes(r *rand.Rand, single bool) map[string]string {
	algs := []string{"sha256", "sha512", "md5", "blake2b_256", "sha1"}
	n := r.IntN(3)
	if single && n > 1 {
		n = 1
	}
	if n == 0 {
		return nil
	}
	h := map[string]string{}
	for range n {
		h[algs[r.IntN(len(algs))]] = randHex(r, 1+r.IntN(32))
	}
	return h
}

func randHex(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[r.IntN(16)]
	}
	return string(b)
}

// randString returns a string mixing ASCII, markup characters, control characters and
// non-ASCII runes; with invalid, also invalid UTF-8.
func randString(r *rand.Rand, max int, invalid bool) string {
	pieces := []string{"a", "Z", "0", " ", "<", ">", "&", `"`, "'", `\`, "/", "=", "#", "\t", "\n", "\x01", "é", "中", "😀", "\u2028", "\u2029", "&amp;", "&lt;", "-", ".", "_"}
	var b strings.Builder
	for range r.IntN(max + 1) {
		if invalid && r.IntN(30) == 0 {
			b.WriteByte(0x80 + byte(r.IntN(0x80)))
			continue
		}
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	s := b.String()
	if !invalid && !utf8.ValidString(s) {
		panic("invalid")
	}
	return s
}

func benchProject(n int) *Project {
	p := &Project{Name: "numpy", Meta: Meta{APIVersion: APIVersion, LastSerial: 23491720}}
	for i := range n {
		fn := fmt.Sprintf("numpy-1.%d.%d-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", i/20, i%20)
		f := File{
			Filename:       fn,
			URL:            "https://vetted.example/pypi/main/files/" + strings.Repeat("ab", 32) + "/" + fn,
			Hashes:         map[string]string{"sha256": strings.Repeat("0123456789abcdef", 4)},
			RequiresPython: ">=3.9",
			Size:           18_300_000 + int64(i),
			UploadTime:     "2024-02-06T00:26:44.295133Z",
		}
		if i%3 == 0 {
			f.CoreMetadata = map[string]string{"sha256": strings.Repeat("fedcba9876543210", 4)}
		}
		if i%50 == 0 {
			f.Yanked, f.YankedReason = true, "broken <wheel> & bad metadata"
		}
		p.Files = append(p.Files, f)
		if i%20 == 0 {
			p.Versions = append(p.Versions, fmt.Sprintf("1.%d", i/20))
		}
	}
	return p
}

func BenchmarkRenderProjectJSON(b *testing.B) {
	p := benchProject(2000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(RenderProjectJSON(p))
	}
	b.SetBytes(int64(n))
}

func BenchmarkRenderProjectHTML(b *testing.B) {
	p := benchProject(2000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(RenderProjectHTML(p))
	}
	b.SetBytes(int64(n))
}

// BenchmarkRenderProjectJSONEncodingJSON is the reflection-based alternative the
// hand-written renderer replaces, for comparison.
func BenchmarkRenderProjectJSONEncodingJSON(b *testing.B) {
	p := benchProject(2000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(referenceJSON(p)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseProjectJSON(b *testing.B) {
	body := RenderProjectJSON(benchProject(2000))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseProjectJSON(body, "https://pypi.org/simple/numpy/"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseProjectHTML(b *testing.B) {
	body := RenderProjectHTML(benchProject(2000))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseProjectHTML(body, "https://pypi.org/simple/numpy/"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePage(b *testing.B) {
	body, err := EncodePage(benchProject(2000))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePage(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendProjectJSON renders into a reused buffer, as a caller with a buffer pool
// would: the cost of rendering alone, without allocating the output.
func BenchmarkAppendProjectJSON(b *testing.B) {
	p := benchProject(2000)
	buf := RenderProjectJSON(p)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendProjectJSON(buf[:0], p)
	}
}

func BenchmarkAppendProjectHTML(b *testing.B) {
	p := benchProject(2000)
	buf := RenderProjectHTML(p)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendProjectHTML(buf[:0], p)
	}
}

package pypi

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const samplePageURL = "https://pypi.org/simple/sampleproject/"

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func findFile(t *testing.T, p *Project, filename string) File {
	t.Helper()
	for _, f := range p.Files {
		if f.Filename == filename {
			return f
		}
	}
	t.Fatalf("no file %q on the page", filename)
	return File{}
}

func TestParseProjectHTMLPyPI(t *testing.T) {
	p, err := ParseProjectHTML(readTestdata(t, "project-sampleproject.html"), samplePageURL)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "sampleproject" || p.Meta != (Meta{APIVersion: "1.3", LastSerial: 23491720}) || len(p.Files) != 12 {
		t.Fatalf("got name %q, meta %+v, %d files", p.Name, p.Meta, len(p.Files))
	}
	if want := []string{"1.2.0", "1.3.0", "1.3.1", "2.0.0", "3.0.0", "4.0.0"}; !reflect.DeepEqual(p.Versions, want) {
		t.Errorf("versions = %q, want %q", p.Versions, want)
	}
	f := findFile(t, p, "sampleproject-1.3.0-py2.py3-none-any.whl")
	want := File{
		Filename:       "sampleproject-1.3.0-py2.py3-none-any.whl",
		URL:            "https://files.pythonhosted.org/packages/35/b9/dcc9f32ffae64880767afc9a99e8643caac6cc1a5425443654f3d0c6/sampleproject-1.3.0-py2.py3-none-any.whl",
		Hashes:         map[string]string{"sha256": "1d9641567baa2179f020967a65d7a20af3dc6fb8037314aa6b81fa348e9e95df"},
		RequiresPython: ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, <4",
		Yanked:         true,
		YankedReason:   "broken metadata, use 1.3.1",
		CoreMetadata:   map[string]string{"sha256": "cb0d18a6a1a4f2edb555e96c6bf1f0079407c392bee4591a6adb6a11a4269517"},
		Size:           -1,
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	if f := findFile(t, p, "sampleproject-2.0.0-py3-none-any.whl"); !f.Yanked || f.YankedReason != "" {
		t.Errorf("2.0.0 wheel: yanked %v %q, want yanked without reason", f.Yanked, f.YankedReason)
	}
	if f := findFile(t, p, "sampleproject-1.2.0.tar.gz"); f.Yanked || f.CoreMetadata != nil || f.RequiresPython != "" {
		t.Errorf("1.2.0 sdist: %+v, want no yank, metadata or requires-python", f)
	}
}

// The HTML and JSON fixtures describe the same page: both parsers must agree on
// everything HTML can carry.
func TestParseProjectHTMLAndJSONAgree(t *testing.T) {
	ph, err := ParseProjectHTML(readTestdata(t, "project-sampleproject.html"), samplePageURL)
	if err != nil {
		t.Fatal(err)
	}
	pj, err := ParseProjectJSON(readTestdata(t, "project-sampleproject.json"), samplePageURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(pj.Files) != len(ph.Files) {
		t.Fatalf("JSON has %d files, HTML %d", len(pj.Files), len(ph.Files))
	}
	for i := range pj.Files {
		fj := pj.Files[i]
		if fj.Size <= 0 || fj.UploadTime == "" {
			t.Errorf("JSON file %s: size %d, upload-time %q", fj.Filename, fj.Size, fj.UploadTime)
		}
		fj.Size, fj.UploadTime = -1, ""
		if !reflect.DeepEqual(fj, ph.Files[i]) {
			t.Errorf("file %d:\nJSON %+v\nHTML %+v", i, fj, ph.Files[i])
		}
	}
	if !reflect.DeepEqual(pj.Versions, ph.Versions) || pj.Name != ph.Name || pj.Meta != ph.Meta {
		t.Errorf("JSON %q %+v %q, HTML %q %+v %q", pj.Name, pj.Meta, pj.Versions, ph.Name, ph.Meta, ph.Versions)
	}
}

func TestParseProjectJSONPyPI(t *testing.T) {
	p, err := ParseProjectJSON(readTestdata(t, "project-sampleproject.json"), samplePageURL)
	if err != nil {
		t.Fatal(err)
	}
	f := findFile(t, p, "sampleproject-4.0.0-py3-none-any.whl")
	if f.Size != 4648 || f.UploadTime != "2024-04-22T14:58:33.474618Z" || f.RequiresPython != ">=3.8" || f.CoreMetadata["sha256"] == "" {
		t.Errorf("4.0.0 wheel: %+v", f)
	}
	if f := findFile(t, p, "sampleproject-1.2.0.tar.gz"); f.RequiresPython != "" || f.CoreMetadata != nil || f.Yanked {
		t.Errorf("1.2.0 sdist: %+v (requires-python null, core-metadata false, yanked false)", f)
	}
}

func TestParseProjectHTMLTolerant(t *testing.T) {
	body := readTestdata(t, "project-tolerant.html")
	p, err := ParseProjectHTML(body, "https://pkgs.example/simple/foo-bar/")
	if err != nil {
		t.Fatal(err)
	}
	want := &Project{
		Name: "foo-bar",
		Meta: Meta{APIVersion: "1.0"},
		Files: []File{{
			Filename:       "foo_bar-1.0-py3-none-any.whl",
			URL:            "https://pkgs.example/packages/foo_bar-1.0-py3-none-any.whl",
			Hashes:         map[string]string{"sha256": "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
			RequiresPython: ">=3.8",
			Size:           -1,
		}, {
			Filename: "Foo.Bar-1.0.tar.gz",
			URL:      "https://pkgs.example/packages/Foo.Bar-1.0.tar.gz",
			Hashes:   map[string]string{"md5": "0123456789abcdef0123456789abcdef"},
			Yanked:   true,
			Size:     -1,
		}, {
			Filename:     "foo_bar-1.1-py3-none-any.whl",
			URL:          "https://pkgs.example/other/path/foo_bar-1.1-py3-none-any.whl?token=a&b=c",
			Hashes:       map[string]string{"sha256": "1111111111111111111111111111111111111111111111111111111111111111"},
			Yanked:       true,
			YankedReason: `see "issue 12" & 13`,
			CoreMetadata: map[string]string{},
			Size:         -1,
		}, {
			Filename:     "foo-bar-2.0+local.zip",
			URL:          "https://mirror.example/foo-bar-2.0%2Blocal.zip",
			CoreMetadata: map[string]string{"sha256": "2222222222222222222222222222222222222222222222222222222222222222"},
			Size:         -1,
		}},
		Versions: []string{"1.0", "1.1", "2.0+local"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
	// Without a page URL, the name comes from the title and relative links stay relative.
	p, err = ParseProjectHTML(body, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "foo-bar" || p.Files[0].URL != "foo_bar-1.0-py3-none-any.whl" {
		t.Errorf("without a page URL: name %q, first URL %q", p.Name, p.Files[0].URL)
	}
}

func TestParseProjectListHTML(t *testing.T) {
	l, err := ParseProjectListHTML(readTestdata(t, "root-pypi.html"), "https://pypi.org/simple/")
	if err != nil {
		t.Fatal(err)
	}
	want := &ProjectList{
		Meta: Meta{APIVersion: "1.3", LastSerial: 23491755},
		Projects: []ProjectRef{{"0"}, {"0-._.-._.-._.-._.-._.-._.-0"}, {"Django"}, {"python-dateutil"},
			{"requests"}, {"ruamel.yaml"}, {"sampleproject"}, {"zope.interface"}},
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("got  %+v\nwant %+v", l, want)
	}
	lj, err := ParseProjectListJSON(readTestdata(t, "root-pypi.json"), "https://pypi.org/simple/")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lj, want) {
		t.Errorf("JSON: got  %+v\nwant %+v", lj, want)
	}
}

func TestParseProjectListHTMLSkipsNonProjects(t *testing.T) {
	body := `<html><body><a href="../">../</a><a href="/simple/Foo/"></a><a href="/simple/foo/">foo</a>` +
		`<a href="/simple/bar/">bar &amp; baz</a><a href="x/"><b>Qux</b></a></body></html>`
	l, err := ParseProjectListHTML([]byte(body), "https://x/simple/")
	if err != nil {
		t.Fatal(err)
	}
	if want := []ProjectRef{{"Foo"}, {"Qux"}}; !reflect.DeepEqual(l.Projects, want) {
		t.Errorf("got %+v, want %+v", l.Projects, want)
	}
}

func TestParseProjectErrors(t *testing.T) {
	const u = "https://x/simple/foo/"
	for _, tc := range []struct {
		name string
		html bool
		body string
		want string
	}{
		{"not JSON", false, `<html>`, "is not a JSON object"},
		{"bad JSON", false, `{"files": [}`, "invalid JSON at byte"},
		{"files not an array", false, `{"name":"foo","files":{}}`, `"files" must be an array of objects`},
		{"hashes not an object", false,
			`{"meta":{"api-version":"1.1"},"name":"foo","files":[` +
				`{"filename":"foo-0.1.whl","url":"a","hashes":{}},{"filename":"foo-0.2.whl","url":"b","hashes":{}},` +
				`{"filename":"foo-1.0.whl","url":"c","hashes":"sha256=00"}]}`,
			`parse https://x/simple/foo/: file 3 ("foo-1.0.whl"): "hashes" must be an object`},
		{"hash not hex", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","hashes":{"sha256":"xyz"}}]}`, `file 1 ("foo-1.0.tar.gz"): "hashes" entry "sha256": "xyz" is not a hex digest`},
		{"missing filename", false, `{"name":"foo","files":[{"url":"a"}]}`, `file 1: "filename" must be a string`},
		{"unsafe filename", false, `{"name":"foo","files":[{"filename":"../foo-1.0.tar.gz","url":"a"}]}`, "not a safe filename"},
		{"missing url", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz"}]}`, `"url" must be a non-empty string`},
		{"bad url", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"http://[::1"}]}`, `"url" "http://[::1" is not a URL`},
		{"bad yanked", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","yanked":1}]}`, `"yanked" must be a boolean or a string`},
		{"bad core-metadata", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","core-metadata":"yes"}]}`, `"core-metadata" must be a boolean or an object`},
		{"bad size", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","size":-2}]}`, `"size" must be a non-negative integer`},
		{"fractional size", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","size":1.5}]}`, `"size" must be a non-negative integer`},
		{"bad upload-time", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","upload-time":5}]}`, `"upload-time" must be a string`},
		{"bad requires-python", false, `{"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"a","requires-python":[]}]}`, `"requires-python" must be a string`},
		{"bad versions", false, `{"name":"foo","versions":"1.0"}`, `"versions" must be an array of strings`},
		{"bad name", false, `{"name":"../foo"}`, `"name" "../foo" is not a valid project name`},
		{"bad meta", false, `{"meta":[],"name":"foo"}`, `"meta" must be an object`},
		{"bad serial", false, `{"meta":{"api-version":"1.0","_last-serial":"7"},"name":"foo"}`, `"_last-serial" must be a non-negative integer`},
		{"JSON API version 2", false, `{"meta":{"api-version":"2.0"},"name":"foo"}`, `repository API version "2.0" is not supported`},
		{"HTML API version 2", true, `<meta name="pypi:repository-version" content="2.0">`, `repository API version "2.0" is not supported`},
		{"HTML unsafe filename", true, `<a href="/x/a%5Cb.tar.gz">x</a>`, `link 1: href "/x/a%5Cb.tar.gz" names the file "a\\b.tar.gz", which is not a safe filename`},
		{"HTML bad href", true, `<a href="x">x</a><a href="http://[::1">y</a>`, `link 2: href "http://[::1" is not a URL`},
		{"HTML bad base", true, `<base href="http://[::1"><a href="x">x</a>`, `<base href="http://[::1"> is not a URL`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.html {
				_, err = ParseProjectHTML([]byte(tc.body), u)
			} else {
				_, err = ParseProjectJSON([]byte(tc.body), u)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "parse "+u+": ") {
				t.Errorf("error %q does not name the page", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

func TestParseProjectNameUnknown(t *testing.T) {
	_, err := ParseProjectHTML([]byte(`<a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a>`), "https://x/")
	if err == nil || !strings.Contains(err.Error(), "cannot tell the project name") {
		t.Errorf("got %v", err)
	}
}

func TestParseProjectJSONDetails(t *testing.T) {
	body := `{"meta":{"api-version":"1.0"},"name":"Foo.Bar","files":[
	{"filename":"foo_bar-1.0.tar.gz","url":"../../files/foo_bar-1.0.tar.gz#sha256=AA","hashes":{},"yanked":"","dist-info-metadata":{"SHA256":"BB"}},
	{"filename":"foo_bar-1.0.tar.gz","url":"dup","hashes":{}},
	{"filename":"foo_bar-2.0-py3-none-any.whl","url":"https://f/foo_bar-2.0-py3-none-any.whl","hashes":{"sha256":"cc","md5":"dd"},
	 "yanked":true,"core-metadata":true,"dist-info-metadata":{"sha256":"ee"},"size":0,"unknown":{"x":[1,2]}},
	{"filename":"foo_bar-3.0.exe","url":"x","data-dist-info-metadata":{"sha256":"ff"},"requires-python":null,"upload-time":null,"size":null}
	]}`
	p, err := ParseProjectJSON([]byte(body), "https://idx/simple/foo-bar/")
	if err != nil {
		t.Fatal(err)
	}
	want := &Project{
		Name: "foo-bar",
		Meta: Meta{APIVersion: "1.0"},
		Files: []File{{
			Filename:     "foo_bar-1.0.tar.gz",
			URL:          "https://idx/files/foo_bar-1.0.tar.gz",
			Hashes:       map[string]string{"sha256": "aa"},
			CoreMetadata: map[string]string{"sha256": "bb"},
			Size:         -1,
		}, {
			Filename:     "foo_bar-2.0-py3-none-any.whl",
			URL:          "https://f/foo_bar-2.0-py3-none-any.whl",
			Hashes:       map[string]string{"sha256": "cc", "md5": "dd"},
			Yanked:       true,
			CoreMetadata: map[string]string{},
			Size:         0,
		}, {
			Filename:     "foo_bar-3.0.exe",
			URL:          "https://idx/simple/foo-bar/x",
			CoreMetadata: map[string]string{"sha256": "ff"},
			Size:         -1,
		}},
		Versions: []string{"1.0", "2.0"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
}

func TestParseProjectTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates MaxPageBytes")
	}
	big := make([]byte, MaxPageBytes+1)
	if _, err := ParseProjectHTML(big, "https://x/simple/foo/"); err == nil || !strings.Contains(err.Error(), "MiB limit") {
		t.Errorf("got %v", err)
	}
}

func TestHTMLTokenizerOddities(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string // filenames
	}{
		{"unterminated tag", `<a href="foo-1.0.tar.gz">x</a><a href="foo-2.0.tar.gz"`, []string{"foo-1.0.tar.gz"}},
		{"unterminated quote", `<a href="foo-1.0.tar.gz">x</a><a href="foo-2.0.tar.gz>x</a>`, []string{"foo-1.0.tar.gz"}},
		{"unterminated comment", `<a href="foo-1.0.tar.gz">x</a><!-- <a href="foo-2.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
		{"gt inside quotes", `<a data-requires-python=">=3" href="foo-1.0.tar.gz">x</a>`, []string{"foo-1.0.tar.gz"}},
		{"attributes without spaces", `<a href="foo-1.0.tar.gz"data-yanked>x</a>`, []string{"foo-1.0.tar.gz"}},
		{"self-closing and slashes", `<a/href="foo-1.0.tar.gz"/>`, []string{"foo-1.0.tar.gz"}},
		{"duplicate attribute keeps the first", `<a href="foo-1.0.tar.gz" href="foo-2.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
		{"stray less-than", `< a href="foo-2.0.tar.gz"> 1 < 2 <a href="foo-1.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
		{"style is raw text", `<style><a href="foo-2.0.tar.gz"></STYLE ><a href="foo-1.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
		{"unterminated script", `<a href="foo-1.0.tar.gz"><script><a href="foo-2.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
		{"CDATA and doctype", `<!DOCTYPE html><![CDATA[x]]><?xml version="1.0"?><a href='foo-1.0.tar.gz'>`, []string{"foo-1.0.tar.gz"}},
		{"empty href", `<a href="">x</a><a href= >y</a><a href="foo-1.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
		{"end tag garbage", `</ a></><a href="foo-1.0.tar.gz">`, []string{"foo-1.0.tar.gz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseProjectHTML([]byte(tc.body), "https://x/simple/foo/")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range p.Files {
				got = append(got, f.Filename)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("files %q, want %q", got, tc.want)
			}
		})
	}
}

// Hostile pages must cost time linear in their size: each of these is about 1 MB and
// parses in milliseconds; a quadratic step would take minutes.
func TestParseHostileHTMLIsLinear(t *testing.T) {
	for _, body := range []string{
		"<a " + strings.Repeat("x ", 500_000) + "href=foo-1.0.tar.gz>",
		"<a " + strings.Repeat("href=x ", 150_000) + ">",
		strings.Repeat("<a href=foo-1.0.tar.gz>", 50_000),
		strings.Repeat(`<a href="foo-1.0.tar.gz" data-yanked=`, 25_000),
		strings.Repeat("<title>", 150_000),
		strings.Repeat("<script>", 150_000),
		strings.Repeat("</", 500_000),
		strings.Repeat("<!", 500_000),
		strings.Repeat("<a", 500_000),
		strings.Repeat("<a href=", 125_000),
	} {
		start := time.Now()
		ParseProjectHTML([]byte(body), "https://x/simple/foo/")
		ParseProjectListHTML([]byte(body), "https://x/simple/")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%.20q…: %v", body, d)
		}
	}
}

func TestDerivedVersionsArePEP440OrderedAndDistinct(t *testing.T) {
	var body strings.Builder
	for _, fn := range []string{"foo-2.0.tar.gz", "foo-1.0.0-py3-none-any.whl", "foo-1.0.tar.gz", "foo-10.0.zip",
		"foo-1.0rc1.tar.gz", "foo-1.0.post1.tar.gz", "foo-1.0-1.tar.gz", "foo-legacy_x.tar.gz", "foo-1.0.exe", "bar-3.0.tar.gz"} {
		body.WriteString(`<a href="` + fn + `">` + fn + "</a>\n")
	}
	p, err := ParseProjectHTML([]byte(body.String()), "https://x/simple/foo/")
	if err != nil {
		t.Fatal(err)
	}
	// "1.0.0" and "1.0" are one version (spelled as first seen), and so are "1.0.post1"
	// and "1.0-1"; "legacy_x" is not PEP 440 and sorts first; the .exe and the file of
	// another project give no version.
	want := []string{"legacy_x", "1.0rc1", "1.0.0", "1.0.post1", "2.0", "10.0"}
	if !reflect.DeepEqual(p.Versions, want) {
		t.Errorf("versions %q, want %q", p.Versions, want)
	}
}

func TestParseProjectHTMLInvalidUTF8(t *testing.T) {
	p, err := ParseProjectHTML([]byte("<a href=\"foo-1.0.tar.gz\" data-requires-python=\">=3\xff\" data-yanked=\"bad \xc3\">"), "https://x/simple/foo/")
	if err != nil {
		t.Fatal(err)
	}
	if f := p.Files[0]; f.RequiresPython != ">=3\uFFFD" || f.YankedReason != "bad \uFFFD" {
		t.Errorf("got %q %q, want U+FFFD for invalid bytes", f.RequiresPython, f.YankedReason)
	}
}

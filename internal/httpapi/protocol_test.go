package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	typeJSON  = "application/vnd.pypi.simple.v1+json"
	typeHTML  = "application/vnd.pypi.simple.v1+html"
	pipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
)

// TestContentNegotiation: PEP 691 negotiation on Accept (with q-values), the ?format=
// override, and 406 when nothing offered is acceptable, on the project list and on a
// project page. The body is in the format the Content-Type says.
func TestContentNegotiation(t *testing.T) {
	in := start(t, fixture(), options{})
	cases := []struct {
		name   string
		accept string
		query  string
		want   string // Content-Type; "" for 406
	}{
		{"no Accept", "", "", "text/html; charset=utf-8"},
		{"text/html", "text/html", "", "text/html; charset=utf-8"},
		{"v1 JSON", typeJSON, "", typeJSON},
		{"v1 HTML", typeHTML, "", typeHTML},
		{"latest JSON", "application/vnd.pypi.simple.latest+json", "", typeJSON},
		{"latest HTML", "application/vnd.pypi.simple.latest+html", "", typeHTML},
		{"pip's Accept", pipAccept, "", typeJSON},
		{"q-values prefer HTML", typeJSON + ";q=0.2, " + typeHTML + ";q=0.9", "", typeHTML},
		{"q-values prefer JSON", "text/html;q=0.5, " + typeJSON + ";q=0.6", "", typeJSON},
		{"q-values with spaces", typeHTML + " ; q=0.3 , " + typeJSON + " ; q=0.4", "", typeJSON},
		{"media types are case-insensitive", "Application/Vnd.PyPI.Simple.V1+JSON", "", typeJSON},
		{"any type", "*/*", "", "text/html; charset=utf-8"},
		{"a named type beats a weaker wildcard", "*/*;q=0.1, " + typeJSON, "", typeJSON},
		{"unsupported type only", "application/xml", "", ""},
		{"unsupported types only", "application/xml, image/png;q=0.9", "", ""},
		{"the only offer refused with q=0", typeJSON + ";q=0", "", ""},
		{"format=json beats Accept", "text/html", "format=json", typeJSON},
		{"format=html", typeJSON, "format=html", typeHTML},
		{"format as a full media type", typeJSON, "format=" + url.QueryEscape(typeHTML), typeHTML},
		{"format as the latest alias", "", "format=" + url.QueryEscape("application/vnd.pypi.simple.latest+json"), typeJSON},
		{"format=text/html", typeJSON, "format=" + url.QueryEscape("text/html"), "text/html; charset=utf-8"},
		{"unsupported format", typeJSON, "format=xml", ""},
	}
	for _, path := range []string{"/pypi/open/simple/alpha/", "/pypi/open/simple/"} {
		for _, tc := range cases {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				target := path
				if tc.query != "" {
					target += "?" + tc.query
				}
				r := in.get(target, "Accept", tc.accept)
				if tc.want == "" {
					wantStatus(t, "negotiation", r, http.StatusNotAcceptable)
					for _, offer := range []string{typeJSON, typeHTML, "text/html"} {
						if !strings.Contains(string(r.body), offer) {
							t.Errorf("the 406 does not list %s: %q", offer, r.body)
						}
					}
					return
				}
				wantStatus(t, "negotiation", r, http.StatusOK)
				if ct := r.Header.Get("Content-Type"); ct != tc.want {
					t.Errorf("Content-Type %q, want %q", ct, tc.want)
				}
				isJSON := json.Valid(r.body)
				if isJSON != (tc.want == typeJSON) {
					t.Errorf("Content-Type %q but the body is %.60q", tc.want, r.body)
				}
				if !isJSON && !bytes.HasPrefix(r.body, []byte("<!DOCTYPE html>")) {
					t.Errorf("an HTML answer does not start with a doctype: %.60q", r.body)
				}
				if v := r.Header.Get("Vary"); !strings.Contains(v, "Accept") {
					t.Errorf("Vary %q does not name Accept", v)
				}
			})
		}
	}
}

// TestPageValidatorsCompressionAndHEAD: index pages carry an ETag per representation,
// answer If-None-Match with 304, revalidate against upstream (a new file changes the
// ETag), compress with gzip when asked (the same bytes once decompressed), and answer HEAD
// with the headers of GET.
func TestPageValidatorsCompressionAndHEAD(t *testing.T) {
	in := start(t, fixture(), options{})
	const page = "/pypi/gov/simple/alpha/"
	plain := in.get(page, "Accept", typeJSON)
	wantStatus(t, "page", plain, http.StatusOK)
	etag := plain.Header.Get("ETag")
	if !regexp.MustCompile(`^"[^"]+"$`).MatchString(etag) {
		t.Fatalf("ETag %q is not a quoted strong tag", etag)
	}
	for _, want := range []string{"Accept", "Accept-Encoding"} {
		if !strings.Contains(plain.Header.Get("Vary"), want) {
			t.Errorf("Vary %q does not name %s", plain.Header.Get("Vary"), want)
		}
	}
	if plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("Content-Encoding %q without Accept-Encoding", plain.Header.Get("Content-Encoding"))
	}
	if cc := plain.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=0") && !strings.Contains(cc, "no-cache") {
		t.Errorf("Cache-Control %q lets caches reuse a page without revalidating (policy changes would go unseen)", cc)
	}
	html := in.get(page, "Accept", typeHTML)
	if html.Header.Get("ETag") == etag {
		t.Errorf("the JSON and HTML pages share the ETag %s", etag)
	}

	zipped := in.get(page, "Accept", typeJSON, "Accept-Encoding", "gzip, deflate, br")
	wantStatus(t, "gzip page", zipped, http.StatusOK)
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", zipped.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, plain.body) {
		t.Errorf("the decompressed page differs from the plain one:\n%s\n%s", unzipped, plain.body)
	}
	zetag := zipped.Header.Get("ETag")
	if zetag == etag || zetag == "" {
		t.Errorf("the gzip ETag %q must differ from the plain one %q", zetag, etag)
	}
	if r := in.get(page, "Accept", typeJSON, "Accept-Encoding", "gzip;q=0"); r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.body, plain.body) {
		t.Errorf("gzip;q=0 got Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}

	conditional := []struct {
		name   string
		header []string
		want   int
	}{
		{"same ETag", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"weak form of the ETag", []string{"If-None-Match", "W/" + etag}, http.StatusNotModified},
		{"one of a list", []string{"If-None-Match", `"nope", ` + etag}, http.StatusNotModified},
		{"star", []string{"If-None-Match", "*"}, http.StatusNotModified},
		{"other ETag", []string{"If-None-Match", `"nope"`}, http.StatusOK},
		{"the HTML ETag for JSON", []string{"If-None-Match", html.Header.Get("ETag")}, http.StatusOK},
		{"the plain ETag for gzip", []string{"If-None-Match", etag, "Accept-Encoding", "gzip"}, http.StatusOK},
		{"the gzip ETag for gzip", []string{"If-None-Match", zetag, "Accept-Encoding", "gzip"}, http.StatusNotModified},
	}
	for _, tc := range conditional {
		t.Run(tc.name, func(t *testing.T) {
			r := in.get(page, append([]string{"Accept", typeJSON}, tc.header...)...)
			wantStatus(t, "conditional GET", r, tc.want)
			if tc.want == http.StatusNotModified {
				if len(r.body) != 0 {
					t.Errorf("304 with a body: %q", r.body)
				}
				if r.Header.Get("ETag") == "" {
					t.Errorf("304 without the ETag")
				}
			}
		})
	}

	for _, tc := range []struct {
		name     string
		encoding string
		want     []byte
	}{{"plain", "", plain.body}, {"gzip", "gzip", zipped.body}} {
		t.Run("HEAD "+tc.name, func(t *testing.T) {
			r := in.do(http.MethodHead, page, "Accept", typeJSON, "Accept-Encoding", tc.encoding)
			wantStatus(t, "HEAD", r, http.StatusOK)
			if len(r.body) != 0 {
				t.Errorf("HEAD answered a body of %d bytes", len(r.body))
			}
			if r.ContentLength != int64(len(tc.want)) {
				t.Errorf("HEAD Content-Length %d, GET sends %d bytes", r.ContentLength, len(tc.want))
			}
			if r.Header.Get("ETag") == "" || r.Header.Get("Content-Type") != typeJSON {
				t.Errorf("HEAD headers: %v", r.Header)
			}
		})
	}

	// A new upstream release changes the page, and so its ETag: the old one no longer
	// matches.
	in.ix.AddWheel(project("alpha", "1.5"))
	r := in.get(page, "Accept", typeJSON, "If-None-Match", etag)
	wantStatus(t, "page after a new release", r, http.StatusOK)
	if !bytes.Contains(r.body, []byte("alpha-1.5-py3-none-any.whl")) || r.Header.Get("ETag") == etag {
		t.Errorf("the new release is not seen: ETag %s, body %s", r.Header.Get("ETag"), r.body)
	}
}

// TestRedirectsToNormalisedNames: other spellings of a project name, and the name without
// its trailing slash, redirect (301) to the normalised page, keeping the query.
func TestRedirectsToNormalisedNames(t *testing.T) {
	in := start(t, fixture(), options{})
	cases := []struct{ path, want string }{
		{"/pypi/open/simple/Gamma_Util/", "/pypi/open/simple/gamma-util/"},
		{"/pypi/open/simple/gamma.util", "/pypi/open/simple/gamma-util/"},
		{"/pypi/open/simple/gamma.util/", "/pypi/open/simple/gamma-util/"},
		{"/pypi/open/simple/gamma-util", "/pypi/open/simple/gamma-util/"},
		{"/pypi/open/simple/GAMMA__-.util/", "/pypi/open/simple/gamma-util/"},
		{"/pypi/gov/simple/Gamma_Util/?format=json", "/pypi/gov/simple/gamma-util/?format=json"},
		{"/pypi/gov/simple/gamma.util?format=json&x=1", "/pypi/gov/simple/gamma-util/?format=json&x=1"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := in.get(tc.path)
			wantStatus(t, "redirect", r, http.StatusMovedPermanently)
			if loc := r.Header.Get("Location"); loc != tc.want {
				t.Fatalf("Location %q, want %q", loc, tc.want)
			}
			page := in.get(tc.want)
			wantStatus(t, "redirected page", page, http.StatusOK)
			if !bytes.Contains(page.body, []byte("gamma_util-0.1.tar.gz")) {
				t.Errorf("the page does not list the sdist: %s", page.body)
			}
			if strings.Contains(tc.want, "format=json") && page.Header.Get("Content-Type") != typeJSON {
				t.Errorf("the query was lost: Content-Type %q", page.Header.Get("Content-Type"))
			}
		})
	}
}

// jsonProject is a PEP 691 project page, decoded loosely so that types can be checked.
type jsonProject struct {
	Meta     map[string]any `json:"meta"`
	Name     string         `json:"name"`
	Versions []string       `json:"versions"`
	Files    []struct {
		Filename         string            `json:"filename"`
		URL              string            `json:"url"`
		Hashes           map[string]string `json:"hashes"`
		RequiresPython   *string           `json:"requires-python"`
		Size             *int64            `json:"size"`
		UploadTime       *string           `json:"upload-time"`
		Yanked           any               `json:"yanked"`
		CoreMetadata     any               `json:"core-metadata"`
		DistInfoMetadata any               `json:"dist-info-metadata"`
	} `json:"files"`
}

// TestJSONPageFields: the PEP 691 page holds the allowed files only, the PEP 700
// versions (allowed ones only), size and upload-time, PEP 592 yanked, and PEP 658/714
// core metadata; its file URLs lead to the right bytes.
func TestJSONPageFields(t *testing.T) {
	in := start(t, fixture(), options{format: "json"})
	cases := []struct {
		repo         string
		wantVersions []string
		wantFiles    []string
	}{
		{"gov", []string{"1.0", "1.1", "1.2"}, []string{"alpha-1.0-py3-none-any.whl", "alpha-1.1-py3-none-any.whl", "alpha-1.1.tar.gz", "alpha-1.2-py3-none-any.whl"}},
		{"open", []string{"1.0", "1.1", "1.2", "2.0"}, []string{"alpha-1.0-py3-none-any.whl", "alpha-1.1-py3-none-any.whl", "alpha-1.1.tar.gz", "alpha-1.2-py3-none-any.whl", "alpha-2.0-py3-none-any.whl"}},
	}
	for _, tc := range cases {
		t.Run(tc.repo, func(t *testing.T) {
			pageURL := "/pypi/" + tc.repo + "/simple/alpha/"
			r := in.get(pageURL, "Accept", typeJSON)
			wantStatus(t, "page", r, http.StatusOK)
			var p jsonProject
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatalf("%v\n%s", err, r.body)
			}
			if p.Meta["api-version"] != "1.1" || p.Name != "alpha" {
				t.Errorf("meta %v, name %q", p.Meta, p.Name)
			}
			if !slices.Equal(p.Versions, tc.wantVersions) {
				t.Errorf("versions %q, want %q", p.Versions, tc.wantVersions)
			}
			var names []string
			for _, f := range p.Files {
				names = append(names, f.Filename)
				version := strings.Split(f.Filename, "-")[1]
				version = strings.TrimSuffix(version, ".tar.gz")
				data := wheelOf("alpha", version)
				if strings.HasSuffix(f.Filename, ".tar.gz") {
					data = sdistOf("alpha", version)
				}
				if f.Size == nil || *f.Size != int64(len(data)) {
					t.Errorf("%s: size %v, want %d", f.Filename, f.Size, len(data))
				}
				if f.UploadTime == nil || *f.UploadTime != "2024-01-02T03:04:05.000000Z" {
					t.Errorf("%s: upload-time %v", f.Filename, f.UploadTime)
				}
				if f.Hashes["sha256"] != sha(data) {
					t.Errorf("%s: hashes %v, want sha256 %s", f.Filename, f.Hashes, sha(data))
				}
				wantYanked := any(false)
				if version == "1.2" {
					wantYanked = "broken build"
				}
				if f.Yanked != wantYanked {
					t.Errorf("%s: yanked %#v, want %#v", f.Filename, f.Yanked, wantYanked)
				}
				wantRP := ""
				if version == "2.0" {
					wantRP = ">=3.8,<4"
				}
				if (f.RequiresPython == nil && wantRP != "") || (f.RequiresPython != nil && *f.RequiresPython != wantRP) {
					t.Errorf("%s: requires-python %v, want %q", f.Filename, f.RequiresPython, wantRP)
				}
				var wantMeta any
				if strings.HasSuffix(f.Filename, ".whl") {
					wantMeta = map[string]any{"sha256": sha(metadataOf("alpha", version))}
				}
				if fmt.Sprint(f.CoreMetadata) != fmt.Sprint(wantMeta) || fmt.Sprint(f.DistInfoMetadata) != fmt.Sprint(wantMeta) {
					t.Errorf("%s: core-metadata %v, dist-info-metadata %v, want %v", f.Filename, f.CoreMetadata, f.DistInfoMetadata, wantMeta)
				}
				// The URL is vetted's, relative to the page, and gives the right bytes.
				u, err := url.Parse(in.srv.URL + pageURL)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := u.Parse(f.URL)
				if err != nil || ref.Host != u.Host {
					t.Fatalf("%s: url %q does not point at vetted (%v)", f.Filename, f.URL, err)
				}
				got := in.get(ref.RequestURI())
				wantStatus(t, "file "+ref.RequestURI(), got, http.StatusOK)
				if !bytes.Equal(got.body, data) {
					t.Errorf("%s: its url served other bytes", f.Filename)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, tc.wantFiles) {
				t.Errorf("files %q, want %q", names, tc.wantFiles)
			}
		})
	}
}

var anchorRE = regexp.MustCompile(`<a href="([^"]*)"([^>]*)>([^<]*)</a>`)

// TestHTMLPageAttributes: the PEP 503 page carries the hash fragment, data-requires-python
// (HTML-escaped), data-yanked, and data-core-metadata with data-dist-info-metadata ("true"
// when vetted extracts the metadata itself), for allowed files only.
func TestHTMLPageAttributes(t *testing.T) {
	in := start(t, fixture(), options{format: "html"})
	anchors := func(path string) map[string]string {
		t.Helper()
		r := in.get(path, "Accept", typeHTML)
		wantStatus(t, path, r, http.StatusOK)
		out := map[string]string{}
		for _, m := range anchorRE.FindAllStringSubmatch(string(r.body), -1) {
			out[m[3]] = m[1] + m[2]
		}
		return out
	}
	open := anchors("/pypi/open/simple/alpha/")
	nometa := anchors("/pypi/open/simple/nometa/")
	gov := anchors("/pypi/gov/simple/alpha/")
	m1 := sha(metadataOf("alpha", "1.0"))
	cases := []struct {
		name    string
		anchors map[string]string
		file    string
		want    []string // substrings of the anchor's href and attributes
		wantNot []string
	}{
		{"hash fragment", open, "alpha-1.0-py3-none-any.whl", []string{`../../files/alpha/alpha-1.0-py3-none-any.whl#sha256=` + sha(wheelOf("alpha", "1.0"))}, []string{"data-yanked", "data-requires-python"}},
		{"requires-python escaped", open, "alpha-2.0-py3-none-any.whl", []string{`data-requires-python="&gt;=3.8,&lt;4"`}, []string{">=3.8"}},
		{"yanked with reason", open, "alpha-1.2-py3-none-any.whl", []string{`data-yanked="broken build"`}, nil},
		{"core metadata from upstream", open, "alpha-1.0-py3-none-any.whl", []string{`data-core-metadata="sha256=` + m1 + `"`, `data-dist-info-metadata="sha256=` + m1 + `"`}, nil},
		{"sdist has no core metadata", open, "alpha-1.1.tar.gz", []string{"#sha256="}, []string{"data-core-metadata", "data-dist-info-metadata"}},
		{"core metadata vetted extracts", nometa, "nometa-1.0-py3-none-any.whl", []string{`data-core-metadata="true"`, `data-dist-info-metadata="true"`}, nil},
		{"governed page keeps allowed files", gov, "alpha-1.2-py3-none-any.whl", []string{`data-yanked="broken build"`}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := tc.anchors[tc.file]
			if !ok {
				t.Fatalf("no anchor for %s", tc.file)
			}
			for _, w := range tc.want {
				if !strings.Contains(a, w) {
					t.Errorf("anchor %s lacks %s", a, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(a, w) {
					t.Errorf("anchor %s has %s", a, w)
				}
			}
		})
	}
	if _, ok := gov["alpha-2.0-py3-none-any.whl"]; ok {
		t.Errorf("the governed page lists the blocked alpha 2.0")
	}
	if len(gov) != 4 || len(open) != 5 {
		t.Errorf("governed page has %d files (want 4), open page %d (want 5)", len(gov), len(open))
	}
}

// TestCoreMetadataFile: <wheel>.metadata serves the upstream's metadata file (verified,
// without downloading the wheel), or, when the upstream has none, the METADATA extracted
// from the wheel; an sdist has none.
func TestCoreMetadataFile(t *testing.T) {
	cases := []struct {
		name       string
		format     string
		path       string
		want       []byte
		status     int
		fetched    string // upstream path that must have been fetched once
		notFetched string // upstream path that must not have been fetched
	}{
		{"from upstream (JSON index)", "json", "/pypi/open/files/alpha/alpha-1.0-py3-none-any.whl.metadata", metadataOf("alpha", "1.0"), 200, "/files/alpha-1.0-py3-none-any.whl.metadata", "/files/alpha-1.0-py3-none-any.whl"},
		{"from upstream (HTML index)", "html", "/pypi/gov/files/beta/beta-1.0-py3-none-any.whl.metadata", metadataOf("beta", "1.0"), 200, "/files/beta-1.0-py3-none-any.whl.metadata", "/files/beta-1.0-py3-none-any.whl"},
		{"extracted from the wheel", "json", "/pypi/open/files/nometa/nometa-1.0-py3-none-any.whl.metadata", metadataOf("nometa", "1.0"), 200, "/files/nometa-1.0-py3-none-any.whl", "/files/nometa-1.0-py3-none-any.whl.metadata"},
		{"extracted, HTML index", "html", "/pypi/gov/files/nometa/nometa-1.0-py3-none-any.whl.metadata", metadataOf("nometa", "1.0"), 200, "/files/nometa-1.0-py3-none-any.whl", "/files/nometa-1.0-py3-none-any.whl.metadata"},
		{"sdist", "json", "/pypi/open/files/alpha/alpha-1.1.tar.gz.metadata", nil, 404, "", "/files/alpha-1.1.tar.gz"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, fixture(), options{format: tc.format})
			for i := range 2 { // the second answer comes from the cache
				r := in.get(tc.path)
				wantStatus(t, tc.path, r, tc.status)
				if tc.status == 200 && !bytes.Equal(r.body, tc.want) {
					t.Fatalf("request %d: got %q, want %q", i+1, r.body, tc.want)
				}
			}
			if tc.status == 200 {
				h := in.do(http.MethodHead, tc.path)
				wantStatus(t, "HEAD", h, 200)
				if h.ContentLength != int64(len(tc.want)) || len(h.body) != 0 {
					t.Errorf("HEAD: Content-Length %d, body %d bytes", h.ContentLength, len(h.body))
				}
			}
			if tc.fetched != "" {
				if n := in.ix.Requests(tc.fetched); n != 1 {
					t.Errorf("upstream %s fetched %d times, want once", tc.fetched, n)
				}
			}
			if n := in.ix.Requests(tc.notFetched); n != 0 {
				t.Errorf("upstream %s fetched %d times, want never", tc.notFetched, n)
			}
		})
	}
}

// TestFileRangeAndConditional: files answer Range requests (also the first request,
// before the file is cached), If-None-Match on their digest ETag, and HEAD.
func TestFileRangeAndConditional(t *testing.T) {
	in := start(t, fixture(), options{})
	const path = "/pypi/gov/files/alpha/alpha-1.1-py3-none-any.whl"
	data := wheelOf("alpha", "1.1")
	n := len(data)
	etag := `"` + sha(data) + `"`
	cases := []struct {
		name   string
		header []string
		status int
		want   []byte
		crange string
	}{
		{"first request is a range", []string{"Range", "bytes=10-19"}, 206, data[10:20], fmt.Sprintf("bytes 10-19/%d", n)},
		{"whole file", nil, 200, data, ""},
		{"suffix range", []string{"Range", "bytes=-5"}, 206, data[n-5:], fmt.Sprintf("bytes %d-%d/%d", n-5, n-1, n)},
		{"open range", []string{"Range", fmt.Sprintf("bytes=%d-", n-3)}, 206, data[n-3:], fmt.Sprintf("bytes %d-%d/%d", n-3, n-1, n)},
		{"unsatisfiable range", []string{"Range", fmt.Sprintf("bytes=%d-", n+10)}, 416, nil, fmt.Sprintf("bytes */%d", n)},
		{"If-None-Match with the digest", []string{"If-None-Match", etag}, 304, nil, ""},
		{"If-None-Match with another digest", []string{"If-None-Match", `"` + sha(nil) + `"`}, 200, data, ""},
		{"If-Range with the digest", []string{"Range", "bytes=0-3", "If-Range", etag}, 206, data[:4], fmt.Sprintf("bytes 0-3/%d", n)},
		{"If-Range with another digest", []string{"Range", "bytes=0-3", "If-Range", `"x"`}, 200, data, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := in.get(path, tc.header...)
			wantStatus(t, tc.name, r, tc.status)
			if tc.want != nil && !bytes.Equal(r.body, tc.want) {
				t.Errorf("got %d bytes, want %d: %q vs %q", len(r.body), len(tc.want), truncate(string(r.body), 40), truncate(string(tc.want), 40))
			}
			if tc.status == 304 && len(r.body) != 0 {
				t.Errorf("304 with a body")
			}
			if cr := r.Header.Get("Content-Range"); cr != tc.crange {
				t.Errorf("Content-Range %q, want %q", cr, tc.crange)
			}
			if tc.status < 300 && r.Header.Get("ETag") != etag {
				t.Errorf("ETag %q, want %q", r.Header.Get("ETag"), etag)
			}
		})
	}
	h := in.do(http.MethodHead, path)
	wantStatus(t, "HEAD", h, 200)
	if h.ContentLength != int64(n) || len(h.body) != 0 || h.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("HEAD: Content-Length %d (want %d), body %d bytes, Accept-Ranges %q", h.ContentLength, n, len(h.body), h.Header.Get("Accept-Ranges"))
	}
	if got := in.ix.Requests("/files/alpha-1.1-py3-none-any.whl"); got != 1 {
		t.Errorf("upstream served the file %d times, want once", got)
	}
}

// TestBlockedFile: a blocked file is refused with 403, the reason in the status line
// (pip prints it) and in the body, with the newest allowed version; upstream is never
// asked for it, whatever the spelling of the project in the URL.
func TestBlockedFile(t *testing.T) {
	// The upstream redirects other spellings of a name, as pypi.org does: a request that
	// slipped past the policy would be served.
	in := start(t, fixture(), options{wrap: redirectLikePyPI})
	cases := []struct {
		name   string
		method string
		path   string
	}{
		{"wheel", "GET", "/pypi/gov/files/alpha/alpha-2.0-py3-none-any.whl"},
		{"its metadata", "GET", "/pypi/gov/files/alpha/alpha-2.0-py3-none-any.whl.metadata"},
		{"HEAD", "HEAD", "/pypi/gov/files/alpha/alpha-2.0-py3-none-any.whl"},
		{"project spelled in capitals", "GET", "/pypi/gov/files/Alpha/alpha-2.0-py3-none-any.whl"},
		{"project spelled in capitals, metadata", "GET", "/pypi/gov/files/ALPHA/alpha-2.0-py3-none-any.whl.metadata"},
		{"filename spelled in capitals", "GET", "/pypi/gov/files/alpha/Alpha-2.0-py3-none-any.whl"},
		{"version spelled differently", "GET", "/pypi/gov/files/alpha/alpha-2.0.0-py3-none-any.whl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := in.do(tc.method, tc.path)
			wantStatus(t, tc.path, r, http.StatusForbidden)
			if !strings.Contains(r.Status, "blocked by") || !strings.Contains(r.Status, blockReason) {
				t.Errorf("the status line %q does not carry the reason", r.Status)
			}
			if tc.method == "GET" {
				for _, want := range []string{"blocked by", blockReason, "newest allowed version: 1.1"} {
					if !strings.Contains(string(r.body), want) {
						t.Errorf("the body does not say %q: %q", want, r.body)
					}
				}
			} else if len(r.body) != 0 {
				t.Errorf("HEAD answered a body: %q", r.body)
			}
			if n := in.ix.Requests("/files/alpha-2.0-py3-none-any.whl") + in.ix.Requests("/files/alpha-2.0-py3-none-any.whl.metadata"); n != 0 {
				t.Errorf("upstream was asked for the blocked file %d times", n)
			}
		})
	}
	// Without the policy the same file is served.
	r := in.get("/pypi/open/files/alpha/alpha-2.0-py3-none-any.whl")
	wantStatus(t, "unblocked", r, http.StatusOK)
	if !bytes.Equal(r.body, wheelOf("alpha", "2.0")) {
		t.Errorf("wrong bytes for the unblocked file")
	}
}

// TestDecisionsAPI: GET /api/v1/repositories/<repo>/decisions/<project>/<version> explains
// the decision as JSON; errors are JSON too.
func TestDecisionsAPI(t *testing.T) {
	in := start(t, fixture(), options{})
	type decision struct {
		Repository    string   `json:"repository"`
		Project       string   `json:"project"`
		Version       string   `json:"version"`
		Listed        bool     `json:"listed_upstream"`
		Files         []string `json:"files"`
		NewestAllowed string   `json:"newest_allowed"`
		Decision      struct {
			Verdict string `json:"verdict"`
			Policy  string `json:"policy"`
			Reasons []struct {
				Rule, Verdict, Message, Remedy string
			} `json:"reasons"`
		} `json:"decision"`
		Error  string `json:"error"`
		Status int    `json:"status"`
	}
	cases := []struct {
		name    string
		path    string
		status  int
		verdict string
		check   func(t *testing.T, d decision)
	}{
		{"blocked", "gov/decisions/alpha/2.0", 200, "block", func(t *testing.T, d decision) {
			if d.Repository != "gov" || d.Project != "alpha" || d.Version != "2.0" || !d.Listed || d.NewestAllowed != "1.1" {
				t.Errorf("%+v", d)
			}
			if !slices.Equal(d.Files, []string{"alpha-2.0-py3-none-any.whl"}) {
				t.Errorf("files %q", d.Files)
			}
			if len(d.Decision.Reasons) != 1 || !strings.Contains(d.Decision.Reasons[0].Message, blockReason) || d.Decision.Reasons[0].Remedy == "" || d.Decision.Policy != "no-alpha-2" {
				t.Errorf("reasons %+v", d.Decision)
			}
		}},
		{"allowed", "gov/decisions/alpha/1.1", 200, "allow", func(t *testing.T, d decision) {
			if !d.Listed || !slices.Equal(d.Files, []string{"alpha-1.1-py3-none-any.whl", "alpha-1.1.tar.gz"}) {
				t.Errorf("%+v", d)
			}
		}},
		{"unnormalised name and version", "gov/decisions/Alpha/2.0.0", 200, "block", func(t *testing.T, d decision) {
			if d.Project != "alpha" || !d.Listed {
				t.Errorf("%+v", d)
			}
		}},
		{"not listed upstream", "gov/decisions/alpha/9.9", 200, "block", func(t *testing.T, d decision) {
			if d.Listed || len(d.Files) != 0 {
				t.Errorf("%+v", d)
			}
		}},
		{"no policy", "open/decisions/alpha/2.0", 200, "allow", nil},
		{"unknown repository", "nope/decisions/alpha/1.0", 404, "", func(t *testing.T, d decision) {
			if !strings.Contains(d.Error, `"nope"`) || d.Status != 404 {
				t.Errorf("%+v", d)
			}
		}},
		{"invalid project", "gov/decisions/-alpha-/1.0", 400, "", func(t *testing.T, d decision) {
			if !strings.Contains(d.Error, "-alpha-") || d.Status != 400 {
				t.Errorf("%+v", d)
			}
		}},
		{"invalid version", "gov/decisions/alpha/1.0%20or%201", 400, "", func(t *testing.T, d decision) {
			if !strings.Contains(d.Error, "1.0 or 1") || d.Status != 400 {
				t.Errorf("%+v", d)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := in.get("/api/v1/repositories/" + tc.path)
			wantStatus(t, tc.path, r, tc.status)
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var d decision
			if err := json.Unmarshal(r.body, &d); err != nil {
				t.Fatalf("%v: %s", err, r.body)
			}
			if d.Decision.Verdict != tc.verdict {
				t.Errorf("verdict %q, want %q", d.Decision.Verdict, tc.verdict)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

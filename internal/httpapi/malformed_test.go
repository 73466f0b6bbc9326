package httpapi_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"vetted/internal/ecosystem/pypi/pypitest"
)

// zipOf builds a zip archive of name → content.
func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMalformedUpstream: pages and wheels that do not follow their format are answered
// with a 502 that names the upstream URL and says what is wrong (in a bounded message),
// nothing panics, and the other projects keep being served.
func TestMalformedUpstream(t *testing.T) {
	const jsonType = "application/vnd.pypi.simple.v1+json"
	huge := strings.Repeat("ab", 1<<20) // 2 MiB of hex digits
	sdist := sdistOf("hugehash", "1.0")

	// Pages the wrapped upstream serves instead of the fake index's, by path.
	type page struct{ contentType, body string }
	pages := map[string]page{
		"/simple/octet/":     {"application/octet-stream", "\x00\x01\x02binary noise"},
		"/simple/login/":     {"text/plain", "<html><title>Sign in</title><form action=/login></form></html>"},
		"/simple/badlink/":   {"text/html", `<html><body><a href="http://[::1/badlink-1.0.tar.gz">badlink-1.0.tar.gz</a></body></html>`},
		"/simple/unsafe/":    {"text/html", `<a href="..\..\unsafe-1.0.tar.gz">x</a>`},
		"/simple/apiv9/":     {"text/html", `<meta name="pypi:repository-version" content="9.0"><a href="apiv9-1.0.tar.gz">x</a>`},
		"/simple/truncated/": {jsonType, `{"meta": {"api-version": "1.1"}, "name": "truncated", "files": [{"filename": "truncated-1.0.tar.gz", "url`},
		"/simple/filesstr/":  {jsonType, `{"meta": {"api-version": "1.1"}, "name": "filesstr", "files": "many"}`},
		"/simple/sizestr/":   {jsonType, `{"meta": {"api-version": "1.1"}, "name": "sizestr", "files": [{"filename": "sizestr-1.0.tar.gz", "url": "x.tar.gz", "hashes": {}, "size": "big"}]}`},
		"/simple/hashlist/":  {jsonType, `{"meta": {"api-version": "1.1"}, "name": "hashlist", "files": [{"filename": "hashlist-1.0.tar.gz", "url": "x.tar.gz", "hashes": ["sha256"]}]}`},
		"/simple/metanum/":   {jsonType, `{"meta": 1.1, "name": "metanum", "files": []}`},
		"/simple/bighref/":   {"text/html", `<a href="` + strings.Repeat(`..\`, 700_000) + `bighref-1.0.tar.gz">x</a>`},
		"/simple/hugehash/":  {"text/html", `<a href="../../files/hugehash-1.0.tar.gz#sha256=` + huge + `">hugehash-1.0.tar.gz</a>`},
		"/simple/shorthash/": {jsonType, `{"meta": {"api-version": "1.1"}, "name": "shorthash", "files": [{"filename": "shorthash-1.0.tar.gz", "url": "../../files/shorthash-1.0.tar.gz", "hashes": {"sha256": "abcd"}}]}`},
	}
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p, ok := pages[r.URL.Path]; ok {
				w.Header().Set("Content-Type", p.contentType)
				w.Write([]byte(p.body))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	ix := fixture()
	ix.Add(pypitest.File{Project: "unlisted", Filename: "hugehash-1.0.tar.gz", Data: sdist})
	ix.Add(pypitest.File{Project: "unlisted", Filename: "shorthash-1.0.tar.gz", Data: sdist})
	badWheel := func(name string, data []byte) {
		ix.Add(pypitest.File{Project: name, Filename: name + "-1.0-py3-none-any.whl", Data: data})
	}
	badWheel("nometadata", zipOf(t, "nometadata/__init__.py", "", "nometadata-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n"))
	badWheel("garbagemeta", zipOf(t, "garbagemeta/__init__.py", "", "garbagemeta-1.0.dist-info/METADATA", "this is not core metadata\x00\xff\n"))
	badWheel("wrongdir", zipOf(t, "other-2.0.dist-info/METADATA", string(metadataOf("other", "2.0"))))
	badWheel("notazip", []byte("PK\x03\x04 not really a zip"))
	in := start(t, ix, options{wrap: wrap})

	cases := []struct {
		name string
		path string // asked of vetted
		url  string // the upstream URL the error must name (after in.up.URL)
		what string // what the error must say is wrong
	}{
		{"binary served as application/octet-stream", "/pypi/open/simple/octet/", "/simple/octet/", "application/octet-stream"},
		{"HTML served as text/plain", "/pypi/open/simple/login/", "/simple/login/", "text/plain"},
		{"HTML link that is not a URL", "/pypi/open/simple/badlink/", "/simple/badlink/", "is not a URL"},
		{"HTML link to an unsafe filename", "/pypi/gov/simple/unsafe/", "/simple/unsafe/", "not a safe filename"},
		{"HTML of an unsupported API version", "/pypi/open/simple/apiv9/?format=json", "/simple/apiv9/", `"9.0"`},
		{"truncated JSON", "/pypi/open/simple/truncated/", "/simple/truncated/", "invalid JSON"},
		{"JSON files is a string", "/pypi/open/simple/filesstr/", "/simple/filesstr/", `"files"`},
		{"JSON size is a string", "/pypi/open/simple/sizestr/", "/simple/sizestr/", `"size"`},
		{"JSON hashes is a list", "/pypi/open/simple/hashlist/", "/simple/hashlist/", `"hashes"`},
		{"JSON meta is a number", "/pypi/open/simple/metanum/", "/simple/metanum/", `meta`},
		{"file of a malformed page", "/pypi/open/files/truncated/truncated-1.0.tar.gz", "/simple/truncated/", "invalid JSON"},
		{"decision on a malformed page", "/api/v1/repositories/open/decisions/badlink/1.0", "", ""},
		{"enormous href", "/pypi/open/simple/bighref/", "/simple/bighref/", "not a safe filename"},
		{"enormous sha256 in the link", "/pypi/open/files/hugehash/hugehash-1.0.tar.gz", "/files/hugehash-1.0.tar.gz", "not 64 hex digits"},
		{"short sha256 in JSON", "/pypi/open/files/shorthash/shorthash-1.0.tar.gz", "/files/shorthash-1.0.tar.gz", "not 64 hex digits"},
		{"wheel without METADATA", "/pypi/open/files/nometadata/nometadata-1.0-py3-none-any.whl.metadata", "/files/nometadata-1.0-py3-none-any.whl", "dist-info"},
		{"wheel with malformed METADATA", "/pypi/gov/files/garbagemeta/garbagemeta-1.0-py3-none-any.whl.metadata", "/files/garbagemeta-1.0-py3-none-any.whl", "Metadata-Version"},
		{"wheel whose .dist-info names another project", "/pypi/open/files/wrongdir/wrongdir-1.0-py3-none-any.whl.metadata", "/files/wrongdir-1.0-py3-none-any.whl", "does not match the filename"},
		{"wheel that is not a zip", "/pypi/open/files/notazip/notazip-1.0-py3-none-any.whl.metadata", "/files/notazip-1.0-py3-none-any.whl", "zip"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := in.get(tc.path)
			if tc.url == "" {
				// The decision needs no upstream: it is given, with a warning naming it.
				wantStatus(t, tc.path, r, http.StatusOK)
				if !strings.Contains(string(r.body), `"warning": "upstream not consulted: upstream `+in.up.URL+"/simple/badlink/") {
					t.Errorf("the decision does not warn about the upstream page:\n%s", r.body)
				}
			} else {
				wantStatus(t, tc.path, r, http.StatusBadGateway)
				body := string(r.body)
				if !strings.Contains(body, in.up.URL+tc.url) {
					t.Errorf("the 502 does not name the upstream URL %s:\n%s", in.up.URL+tc.url, truncate(body, 1000))
				}
				if !strings.Contains(body, tc.what) {
					t.Errorf("the 502 does not say %q:\n%s", tc.what, truncate(body, 1000))
				}
				if strings.Contains(body, "unreachable") || strings.Contains(body, "internal error") {
					t.Errorf("the 502 blames the wrong thing:\n%s", truncate(body, 1000))
				}
				if len(body) > 2048 {
					t.Errorf("the error is %d bytes long; a message must stay readable whatever upstream sent", len(body))
				}
			}
			// The server keeps serving the other projects.
			ok := in.get("/pypi/open/simple/alpha/")
			wantStatus(t, "alpha after "+tc.name, ok, http.StatusOK)
			file := in.get("/pypi/open/files/alpha/alpha-1.0-py3-none-any.whl.metadata")
			wantStatus(t, "alpha metadata after "+tc.name, file, http.StatusOK)
		})
	}

	// The wheels whose metadata is broken are themselves served: their bytes verify.
	r := in.get("/pypi/open/files/nometadata/nometadata-1.0-py3-none-any.whl")
	wantStatus(t, "wheel without METADATA", r, http.StatusOK)
	// Nothing broken was kept in the blob store as metadata: only good blobs exist.
	stored, temp := in.blobFiles()
	if len(temp) != 0 {
		t.Errorf("temp files left behind: %v", keys(temp))
	}
	for p, b := range stored {
		if bytes.HasPrefix(b, []byte("this is not core metadata")) {
			t.Errorf("malformed metadata stored at %s", p)
		}
	}
}

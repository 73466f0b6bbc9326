package httpapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathTraversalAndBadNames sends hostile repository names, project names, filenames
// and versions as raw request lines (no client cleans or re-escapes them). Each must be
// answered 400 or 404, never with a file from outside the data directory, never 200 or
// 500, and never with a redirect that cleans the path for the client.
func TestPathTraversalAndBadNames(t *testing.T) {
	// The local repository's folder holds a real wheel; a secret sits next to the folder
	// and another next to the data directory (see start).
	folder := filepath.Join(t.TempDir(), "wheels")
	if err := os.MkdirAll(folder, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "alpha-1.0-py3-none-any.whl"), wheelOf("alpha", "1.0"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(folder), "secret.txt"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	in := start(t, fixture(), options{folder: folder})
	long := strings.Repeat("a", 4000)

	cases := []struct{ name, target string }{
		// Filenames.
		{"dot-dot segments in the file path", "/pypi/open/files/alpha/../../../secret.txt"},
		{"dot-dot segments in the local folder's file path", "/pypi/local/files/alpha/../../secret.txt"},
		{"escaped dot-dot segments", "/pypi/open/files/alpha/%2e%2e/%2e%2e/%2e%2e/secret.txt"},
		{"escaped dot-dot filename", "/pypi/open/files/alpha/%2e%2e"},
		{"escaped slashes in the filename", "/pypi/open/files/alpha/..%2F..%2F..%2Fsecret.txt"},
		{"escaped slashes in a local filename", "/pypi/local/files/alpha/..%2F..%2Fsecret.txt"},
		{"absolute filename", "/pypi/open/files/alpha/%2Fetc%2Fpasswd"},
		{"absolute local filename", "/pypi/local/files/alpha/%2Fetc%2Fpasswd"},
		{"empty segment before an absolute path", "/pypi/open/files/alpha//etc/passwd"},
		{"NUL in the filename", "/pypi/open/files/alpha/alpha-1.0-py3-none-any.whl%00.txt"},
		{"backslashes in the filename", "/pypi/local/files/alpha/..%5C..%5Csecret.txt"},
		{"raw backslashes in the filename", `/pypi/open/files/alpha/..\..\secret.txt`},
		{"leading dot", "/pypi/open/files/alpha/.alpha-1.0-py3-none-any.whl"},
		{"very long filename", "/pypi/open/files/alpha/alpha-1.0-" + long + ".whl"},
		{"very long metadata filename", "/pypi/local/files/alpha/" + long + ".metadata"},
		// Project names.
		{"dot-dot project in the file path", "/pypi/open/files/%2e%2e/alpha-1.0-py3-none-any.whl"},
		{"escaped slashes in the project of a file", "/pypi/local/files/..%2F..%2Fwheels/alpha-1.0-py3-none-any.whl"},
		{"dot-dot project page", "/pypi/open/simple/%2e%2e/"},
		{"dot-dot project page, raw", "/pypi/open/simple/../../secret.txt/"},
		{"escaped slashes in a project page", "/pypi/open/simple/..%2F..%2Fsecret.txt/"},
		{"escaped slashes in a local project page", "/pypi/local/simple/..%2F..%2Fsecret.txt/"},
		{"NUL in a project name", "/pypi/open/simple/alpha%00/"},
		{"backslash in a project name", "/pypi/open/simple/a%5Cb/"},
		{"backslash in a project name without slash", "/pypi/open/simple/a%5Cb"},
		{"absolute project name", "/pypi/open/simple/%2Fetc%2Fpasswd/"},
		{"very long project name", "/pypi/open/simple/" + long + "/"},
		{"very long project name of a file", "/pypi/open/files/" + long + "/x.whl"},
		// Repository names.
		{"dot-dot repository", "/pypi/%2e%2e/simple/"},
		{"dot-dot repository, raw", "/pypi/../simple/"},
		{"escaped slashes in the repository", "/pypi/open%2F..%2F../simple/"},
		{"absolute repository", "/pypi/%2Ftmp/simple/"},
		{"NUL in the repository", "/pypi/open%00/simple/alpha/"},
		{"backslash in the repository", "/pypi/..%5Copen/files/alpha/alpha-1.0-py3-none-any.whl"},
		{"very long repository", "/pypi/" + long + "/simple/"},
		{"dot segment", "/pypi/./open/simple/alpha/"},
		{"double slash", "/pypi//open/simple/alpha/"},
		// The decisions API.
		{"escaped slashes in a decision's project", "/api/v1/repositories/gov/decisions/..%2F..%2Fsecret.txt/1.0"},
		{"escaped slashes in a decision's version", "/api/v1/repositories/gov/decisions/alpha/..%2F..%2Fsecret.txt"},
		{"dot-dot version", "/api/v1/repositories/gov/decisions/alpha/%2e%2e"},
		{"NUL in a version", "/api/v1/repositories/gov/decisions/alpha/1.0%00"},
		{"dot-dot repository of a decision", "/api/v1/repositories/%2e%2e/decisions/alpha/1.0"},
		{"very long version", "/api/v1/repositories/gov/decisions/alpha/" + long},
	}
	for _, tc := range cases {
		for _, method := range []string{"GET", "HEAD"} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				r, err := in.raw(method, tc.target)
				if err != nil {
					t.Fatalf("%s %s: %v", method, truncate(tc.target, 120), err)
				}
				if r.StatusCode != 400 && r.StatusCode != 404 {
					t.Errorf("%s %s: got %s (Location %q), want 400 or 404", method, truncate(tc.target, 120), r, r.Header.Get("Location"))
				}
				if strings.Contains(string(r.body), "TOP-SECRET") {
					t.Errorf("%s %s served the secret file", method, truncate(tc.target, 120))
				}
			})
		}
	}

	// The valid spellings of the same requests work, so the statuses above are the
	// names' doing.
	for _, target := range []string{
		"/pypi/open/files/alpha/alpha-1.0-py3-none-any.whl",
		"/pypi/local/files/alpha/alpha-1.0-py3-none-any.whl",
		"/pypi/local/simple/alpha/",
		"/api/v1/repositories/gov/decisions/alpha/1.0",
	} {
		r, err := in.raw("GET", target)
		if err != nil || r.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", target, r, err)
		}
	}
}

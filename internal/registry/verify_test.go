package registry_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"vetted/internal/blob"
	"vetted/internal/registry"
)

// TestFetchVerifiesEveryDigest: a file is stored only when every digest the index gives
// (and its size) match the bytes; otherwise the error says which digest, what was
// expected and what was received, and nothing is stored.
func TestFetchVerifiesEveryDigest(t *testing.T) {
	const filename = "alpha-1.0-py3-none-any.whl"
	data := project("alpha", "1.0").Wheel()
	hexOf := func(sum []byte) string { return hex.EncodeToString(sum) }
	s512 := sha512.Sum512(data)
	m5 := md5.Sum(data)
	other := []byte("other bytes")
	o512 := sha512.Sum512(other)
	o5 := md5.Sum(other)

	cases := []struct {
		name   string
		hashes map[string]string
		size   int64 // -1: not given
		// For a refusal: the digest algorithm named, and the expected and received values.
		algo, expected, got string
		bad                 bool // refused as an unusable index rather than a mismatch
	}{
		{name: "right sha256", hashes: map[string]string{"sha256": sha(data)}, size: int64(len(data))},
		{name: "right sha256 in capitals", hashes: map[string]string{"sha256": strings.ToUpper(sha(data))}, size: -1},
		{name: "right sha512 only", hashes: map[string]string{"sha512": hexOf(s512[:])}, size: -1},
		{name: "right sha256, md5 and sha512", hashes: map[string]string{"sha256": sha(data), "md5": hexOf(m5[:]), "sha512": hexOf(s512[:])}, size: int64(len(data))},
		{name: "unknown algorithm beside sha256", hashes: map[string]string{"sha256": sha(data), "blake3": "00"}, size: -1},
		{name: "no digest", hashes: map[string]string{}, size: -1},
		{name: "wrong sha256", hashes: map[string]string{"sha256": sha(other)}, size: -1, algo: "sha256", expected: sha(other), got: sha(data)},
		{name: "wrong sha512 only", hashes: map[string]string{"sha512": hexOf(o512[:])}, size: -1, algo: "sha512", expected: hexOf(o512[:]), got: hexOf(s512[:])},
		{name: "wrong md5 beside a right sha256", hashes: map[string]string{"sha256": sha(data), "md5": hexOf(o5[:])}, size: -1, algo: "md5", expected: hexOf(o5[:]), got: hexOf(m5[:])},
		{name: "wrong size", hashes: map[string]string{"sha256": sha(data)}, size: int64(len(data)) + 1, algo: "size", expected: "", got: ""},
		{name: "sha256 of the wrong length", hashes: map[string]string{"sha256": sha(data)[:40]}, size: -1, bad: true},
		{name: "md5 of the wrong length", hashes: map[string]string{"sha256": sha(data), "md5": strings.Repeat("ab", 15)}, size: -1, bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := map[string]any{"filename": filename, "url": "../../files/" + filename, "hashes": tc.hashes}
			if tc.size >= 0 {
				file["size"] = tc.size
			}
			page, err := json.Marshal(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": "alpha", "files": []any{file}})
			if err != nil {
				t.Fatal(err)
			}
			wrap := func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/simple/alpha/" {
						w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
						w.Write(page)
						return
					}
					h.ServeHTTP(w, r)
				})
			}
			e := newEnv(t, fixture(), options{wrap: wrap})
			got, err := e.file("open", "alpha", filename)
			refused := tc.algo != "" || tc.bad
			if !refused {
				if err != nil {
					t.Fatalf("refused the right bytes: %v", err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("served other bytes")
				}
				if _, err := e.blobs.Stat(context.Background(), sha(data)); err != nil {
					t.Fatalf("the verified file is not stored: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("served %d bytes that do not match the index", len(got))
			}
			var ve *registry.VerifyError
			var be *registry.BadUpstreamError
			switch {
			case tc.bad:
				if !errors.As(err, &be) || !strings.Contains(be.URL, e.up.URL+"/files/"+filename) {
					t.Fatalf("got %T %v, want a BadUpstreamError naming the file URL", err, err)
				}
				if len(err.Error()) > 1000 {
					t.Errorf("message of %d bytes", len(err.Error()))
				}
			case !errors.As(err, &ve):
				t.Fatalf("got %T %v, want a VerifyError", err, err)
			default:
				if ve.Filename != filename || ve.Algo != tc.algo || !strings.HasSuffix(ve.URL, "/files/"+filename) {
					t.Errorf("VerifyError %+v", ve)
				}
				if tc.expected != "" && (!strings.EqualFold(ve.Expected, tc.expected) || ve.Got != tc.got) {
					t.Errorf("expected %s received %s, want %s and %s", ve.Expected, ve.Got, tc.expected, tc.got)
				}
				for _, want := range []string{filename, ve.Expected, ve.Got, "nothing was stored"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("message %q does not say %q", err, want)
					}
				}
			}
			if _, err := e.blobs.Stat(context.Background(), sha(data)); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("the refused bytes are in the blob store (Stat: %v)", err)
			}
			if n := len(e.blobContents()); n != 0 {
				t.Errorf("%d files left in the blob store", n)
			}
			// Nothing was recorded either: asking again asks upstream again.
			before := e.ix.Requests("/files/" + filename)
			e.file("open", "alpha", filename)
			if tc.algo != "" && e.ix.Requests("/files/"+filename) != before+1 {
				t.Errorf("a refused file was not fetched again")
			}
		})
	}
}

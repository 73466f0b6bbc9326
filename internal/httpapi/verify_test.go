package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"vetted/internal/ecosystem/pypi/pypitest"
)

// corrupted is what pypitest serves for a File with Corrupt set.
func corrupted(data []byte) []byte {
	return append([]byte("corrupted!"), data[10:]...)
}

// TestCorruptUpstreamFileIsRefused: bytes that do not match the digest the index gave are
// answered with 502 naming the file and both digests, are never stored, and a later
// request succeeds once upstream serves the right bytes.
func TestCorruptUpstreamFileIsRefused(t *testing.T) {
	alphaMeta := metadataOf("alpha", "1.0")
	evilMeta := append(append([]byte(nil), alphaMeta...), "Requires-Dist: evil\n"...)
	cases := []struct {
		name     string
		path     string
		filename string
		ttl      time.Duration
		// before runs against a healthy upstream (to cache the index), then break and
		// fix change the upstream.
		before   string
		break_   func(*pypitest.File)
		fix      func(*pypitest.File)
		target   string // file that break_ and fix change
		want     []byte // the right bytes
		received []byte // the bytes upstream sends while broken
	}{
		{
			name:     "wheel",
			path:     "/pypi/open/files/alpha/alpha-1.0-py3-none-any.whl",
			filename: "alpha-1.0-py3-none-any.whl",
			break_:   func(f *pypitest.File) { f.Corrupt = true },
			fix:      func(f *pypitest.File) { f.Corrupt = false },
			target:   "alpha-1.0-py3-none-any.whl",
			want:     wheelOf("alpha", "1.0"),
			received: corrupted(wheelOf("alpha", "1.0")),
		},
		{
			name:     "sdist",
			path:     "/pypi/gov/files/alpha/alpha-1.1.tar.gz",
			filename: "alpha-1.1.tar.gz",
			break_:   func(f *pypitest.File) { f.Corrupt = true },
			fix:      func(f *pypitest.File) { f.Corrupt = false },
			target:   "alpha-1.1.tar.gz",
			want:     sdistOf("alpha", "1.1"),
			received: corrupted(sdistOf("alpha", "1.1")),
		},
		{
			// The index was cached while the metadata file had other bytes.
			name:     "core metadata changed after the index was cached",
			path:     "/pypi/open/files/alpha/alpha-1.0-py3-none-any.whl.metadata",
			filename: "alpha-1.0-py3-none-any.whl.metadata",
			ttl:      time.Hour,
			before:   "/pypi/open/simple/alpha/",
			break_:   func(f *pypitest.File) { f.Metadata = evilMeta },
			fix:      func(f *pypitest.File) { f.Metadata = alphaMeta },
			target:   "alpha-1.0-py3-none-any.whl",
			want:     alphaMeta,
			received: evilMeta,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, fixture(), options{ttl: tc.ttl})
			if tc.before != "" {
				wantStatus(t, "before", in.get(tc.before), http.StatusOK)
			}
			storedBefore, _ := in.blobFiles()
			in.ix.Update(tc.target, tc.break_)

			r := in.get(tc.path)
			wantStatus(t, "corrupt download", r, http.StatusBadGateway)
			for _, want := range []string{tc.filename, sha(tc.want), sha(tc.received)} {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("502 body does not name %q:\n%s", want, r.body)
				}
			}
			stored, temp := in.blobFiles()
			if len(temp) != 0 {
				t.Errorf("temp files left behind: %v", keys(temp))
			}
			for p, b := range stored {
				if bytes.Equal(b, tc.received) {
					t.Errorf("the corrupt bytes were stored at %s", p)
				}
				if _, ok := storedBefore[p]; !ok {
					t.Errorf("a new blob %s was stored although verification failed", p)
				}
			}

			in.ix.Update(tc.target, tc.fix)
			r = in.get(tc.path)
			wantStatus(t, "download after upstream was fixed", r, http.StatusOK)
			if !bytes.Equal(r.body, tc.want) {
				t.Fatalf("served %d bytes (sha256 %s), want the right %d bytes (sha256 %s)", len(r.body), sha(r.body), len(tc.want), sha(tc.want))
			}
			stored, _ = in.blobFiles()
			found := false
			for _, b := range stored {
				found = found || bytes.Equal(b, tc.want)
			}
			if !found {
				t.Errorf("the verified bytes are not in the blob store")
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

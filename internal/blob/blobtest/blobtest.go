package blobtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"vetted/internal/blob"
)

// Run runs the conformance suite against the Store implementation made by newStore,
// which must return a new, empty store for each call (and arrange its cleanup with
// t.Cleanup). Each subtest gets its own store and stores content no other subtest uses.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"PutOpenStatDelete", testPutOpenStatDelete},
		{"CommitWithoutExpectedDigest", testCommitWithoutExpected},
		{"MissingBlob", testMissing},
		{"NotVisibleBeforeCommit", testNotVisibleBeforeCommit},
		{"RangeBySeek", testRangeBySeek},
		{"HTTPRangeRequest", testHTTPRange},
		{"MismatchStoresNothing", testMismatch},
		{"AbortStoresNothing", testAbort},
		{"AbortAfterCommitDoesNothing", testAbortAfterCommit},
		{"WriterEndsAtCommit", testWriterEnds},
		{"IdempotentCommit", testIdempotent},
		{"ConcurrentWritersSameBlob", testConcurrentSame},
		{"ConcurrentWritersDifferentBlobs", testConcurrentDifferent},
		{"InvalidDigestsRejected", testInvalidDigests},
		{"EmptyBlob", testEmpty},
		{"LargeBlob", testLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

func testPutOpenStatDelete(t *testing.T, s blob.Store) {
	ctx := t.Context()
	data := content(t.Name(), 1000)
	d := digestOf(data)

	info := put(t, s, data)
	if info.SHA256 != d || info.Size != int64(len(data)) {
		t.Errorf("Commit = %+v, want SHA256 %s, Size %d", info, d, len(data))
	}
	if info.ModTime.IsZero() {
		t.Errorf("Commit returned a zero ModTime")
	}

	st, err := s.Stat(ctx, d)
	if err != nil {
		t.Fatalf("Stat after Commit: %v", err)
	}
	if st.SHA256 != d || st.Size != int64(len(data)) || st.ModTime.IsZero() {
		t.Errorf("Stat = %+v, want SHA256 %s, Size %d, a ModTime", st, d, len(data))
	}

	rc, oi, err := s.Open(ctx, d)
	if err != nil {
		t.Fatalf("Open after Commit: %v", err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("read blob: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("Open read %d bytes, not the %d committed", len(got), len(data))
	}
	if oi.SHA256 != d || oi.Size != int64(len(data)) {
		t.Errorf("Open Info = %+v, want SHA256 %s, Size %d", oi, d, len(data))
	}

	if err := s.Delete(ctx, d); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, d)
	if err := s.Delete(ctx, d); err != nil {
		t.Errorf("Delete of a deleted blob = %v, want nil", err)
	}
}

func testCommitWithoutExpected(t *testing.T, s blob.Store) {
	data := content(t.Name(), 333)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 100)
	info, err := w.Commit(t.Context(), "")
	if err != nil {
		t.Fatalf("Commit without an expected digest: %v", err)
	}
	if want := digestOf(data); info.SHA256 != want || info.Size != int64(len(data)) {
		t.Errorf("Commit = %+v, want SHA256 %s, Size %d", info, want, len(data))
	}
	if got := read(t, s, info.SHA256); !bytes.Equal(got, data) {
		t.Errorf("stored bytes differ from those written")
	}
}

func testMissing(t *testing.T, s blob.Store) {
	d := digestOf(content(t.Name(), 10))
	wantNotFound(t, s, d)
	if err := s.Delete(t.Context(), d); err != nil {
		t.Errorf("Delete of a missing blob = %v, want nil", err)
	}
}

func testNotVisibleBeforeCommit(t *testing.T, s blob.Store) {
	data := content(t.Name(), 4096)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 1000)
	wantNotFound(t, s, digestOf(data))
	if _, err := w.Commit(t.Context(), digestOf(data)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if _, err := s.Stat(t.Context(), digestOf(data)); err != nil {
		t.Errorf("Stat after Commit: %v", err)
	}
}

func testRangeBySeek(t *testing.T, s blob.Store) {
	data := content(t.Name(), 64<<10)
	d := put(t, s, data).SHA256
	rc, _, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()

	n := int64(len(data))
	tests := []struct {
		name   string
		offset int64
		whence int
		want   int64 // absolute position
		length int
	}{
		{"start", 0, io.SeekStart, 0, 10},
		{"middle", 30000, io.SeekStart, 30000, 1234},
		{"relative forward", 100, io.SeekCurrent, 31334, 50},
		{"relative back", -1000, io.SeekCurrent, 30384, 7},
		{"from end", -16, io.SeekEnd, n - 16, 16},
		{"last byte", n - 1, io.SeekStart, n - 1, 1},
	}
	for _, tc := range tests {
		pos, err := rc.Seek(tc.offset, tc.whence)
		if err != nil {
			t.Fatalf("%s: Seek(%d, %d): %v", tc.name, tc.offset, tc.whence, err)
		}
		if pos != tc.want {
			t.Fatalf("%s: Seek(%d, %d) = %d, want %d", tc.name, tc.offset, tc.whence, pos, tc.want)
		}
		buf := make([]byte, tc.length)
		if _, err := io.ReadFull(rc, buf); err != nil {
			t.Fatalf("%s: read %d bytes at %d: %v", tc.name, tc.length, pos, err)
		}
		if !bytes.Equal(buf, data[pos:pos+int64(tc.length)]) {
			t.Errorf("%s: bytes at %d differ from those written", tc.name, pos)
		}
	}
	if _, err := rc.Seek(0, io.SeekEnd); err != nil {
		t.Fatalf("Seek to end: %v", err)
	}
	if k, err := rc.Read(make([]byte, 1)); k != 0 || err != io.EOF {
		t.Errorf("Read at end = %d, %v; want 0, io.EOF", k, err)
	}
}

// testHTTPRange serves the blob as net/http does for a download with a Range header.
func testHTTPRange(t *testing.T, s blob.Store) {
	data := content(t.Name(), 10000)
	d := put(t, s, data).SHA256
	tests := []struct {
		name, header string
		want         []byte
	}{
		{"first bytes", "bytes=0-99", data[:100]},
		{"middle", "bytes=5000-5999", data[5000:6000]},
		{"suffix", "bytes=-10", data[len(data)-10:]},
		{"open ended", "bytes=9990-", data[9990:]},
	}
	for _, tc := range tests {
		rc, info, err := s.Open(t.Context(), d)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		req := httptest.NewRequest(http.MethodGet, "/files/"+d, nil)
		req.Header.Set("Range", tc.header)
		rec := httptest.NewRecorder()
		http.ServeContent(rec, req, "blob", info.ModTime, rc)
		rc.Close()
		if rec.Code != http.StatusPartialContent {
			t.Errorf("%s: Range %q: status %d, want 206", tc.name, tc.header, rec.Code)
			continue
		}
		if !bytes.Equal(rec.Body.Bytes(), tc.want) {
			t.Errorf("%s: Range %q: got %d bytes, want %d (or different bytes)", tc.name, tc.header, rec.Body.Len(), len(tc.want))
		}
	}
}

func testMismatch(t *testing.T, s blob.Store) {
	data := content(t.Name(), 2000)
	wrong := digestOf(content(t.Name()+" other", 2000))
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 512)
	_, err = w.Commit(t.Context(), wrong)
	var mm *blob.DigestMismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("Commit with the wrong digest = %v, want a *blob.DigestMismatchError", err)
	}
	if mm.Expected != wrong || mm.Got != digestOf(data) || mm.Size != int64(len(data)) {
		t.Errorf("DigestMismatchError = %+v, want Expected %s, Got %s, Size %d", mm, wrong, digestOf(data), len(data))
	}
	wantNotFound(t, s, digestOf(data))
	wantNotFound(t, s, wrong)
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after a failed Commit = %v, want nil", err)
	}
}

func testAbort(t *testing.T, s blob.Store) {
	data := content(t.Name(), 3000)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 1024)
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	wantNotFound(t, s, digestOf(data))
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort = %v, want nil", err)
	}
	if _, err := w.Commit(t.Context(), digestOf(data)); err == nil {
		t.Errorf("Commit after Abort succeeded, want an error")
	}
	wantNotFound(t, s, digestOf(data))
}

func testAbortAfterCommit(t *testing.T, s blob.Store) {
	data := content(t.Name(), 100)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 100)
	if _, err := w.Commit(t.Context(), digestOf(data)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v, want nil", err)
	}
	if got := read(t, s, digestOf(data)); !bytes.Equal(got, data) {
		t.Errorf("Abort after Commit changed the stored blob")
	}
}

func testWriterEnds(t *testing.T, s blob.Store) {
	data := content(t.Name(), 100)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 100)
	if _, err := w.Commit(t.Context(), ""); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Errorf("Write after Commit succeeded, want an error")
	}
	if _, err := w.Commit(t.Context(), ""); err == nil {
		t.Errorf("second Commit succeeded, want an error")
	}
	if got := read(t, s, digestOf(data)); !bytes.Equal(got, data) {
		t.Errorf("stored blob changed after its Writer ended")
	}
}

func testIdempotent(t *testing.T, s blob.Store) {
	data := content(t.Name(), 5000)
	first := put(t, s, data)
	second := put(t, s, data)
	if first.SHA256 != second.SHA256 || first.Size != second.Size {
		t.Errorf("second Commit of the same bytes = %+v, first = %+v", second, first)
	}
	if got := read(t, s, first.SHA256); !bytes.Equal(got, data) {
		t.Errorf("stored bytes differ after a second Commit")
	}
	if err := s.Delete(t.Context(), first.SHA256); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, first.SHA256)
}

func testConcurrentSame(t *testing.T, s blob.Store) {
	const writers = 16
	data := content(t.Name(), 256<<10)
	d := digestOf(data)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			w, err := s.Create(t.Context())
			if err != nil {
				t.Errorf("writer %d: Create: %v", i, err)
				return
			}
			for rest := data; len(rest) > 0; {
				k := min(len(rest), 4096+i)
				if _, err := w.Write(rest[:k]); err != nil {
					t.Errorf("writer %d: Write: %v", i, err)
					w.Abort()
					return
				}
				rest = rest[k:]
			}
			expect := d
			if i%2 == 1 {
				expect = "" // some writers trust the content
			}
			info, err := w.Commit(t.Context(), expect)
			if err != nil {
				t.Errorf("writer %d: Commit: %v", i, err)
				return
			}
			if info.SHA256 != d || info.Size != int64(len(data)) {
				t.Errorf("writer %d: Commit = %+v, want SHA256 %s, Size %d", i, info, d, len(data))
			}
		})
	}
	// Readers race the writers: they must see either nothing or the whole blob.
	for range 4 {
		wg.Go(func() {
			for range 20 {
				rc, _, err := s.Open(t.Context(), d)
				if errors.Is(err, blob.ErrNotFound) {
					continue
				}
				if err != nil {
					t.Errorf("Open during writes: %v", err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("Open during writes read %d bytes (err %v), want the whole %d-byte blob", len(got), err, len(data))
					return
				}
			}
		})
	}
	wg.Wait()
	if got := read(t, s, d); !bytes.Equal(got, data) {
		t.Errorf("stored bytes differ after concurrent commits")
	}
}

func testConcurrentDifferent(t *testing.T, s blob.Store) {
	const writers = 16
	blobs := make([][]byte, writers)
	for i := range blobs {
		blobs[i] = content(t.Name()+string(rune('a'+i)), 10000+i*1000)
	}
	var wg sync.WaitGroup
	for i, data := range blobs {
		wg.Go(func() {
			w, err := s.Create(t.Context())
			if err != nil {
				t.Errorf("writer %d: Create: %v", i, err)
				return
			}
			if _, err := w.Write(data); err != nil {
				t.Errorf("writer %d: Write: %v", i, err)
				w.Abort()
				return
			}
			if _, err := w.Commit(t.Context(), digestOf(data)); err != nil {
				t.Errorf("writer %d: Commit: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i, data := range blobs {
		if got := read(t, s, digestOf(data)); !bytes.Equal(got, data) {
			t.Errorf("blob %d: stored bytes differ from those written", i)
		}
	}
}

func testInvalidDigests(t *testing.T, s blob.Store) {
	hex64 := digestOf(content(t.Name(), 10))
	tests := []struct{ name, digest string }{
		{"empty", ""},
		{"short", hex64[:10]},
		{"63 digits", hex64[:63]},
		{"65 digits", hex64 + "0"},
		{"upper case", strings.ToUpper(hex64)},
		{"not hex", "g" + hex64[1:]},
		{"algorithm prefix", "sha256:" + hex64},
		{"path traversal", strings.Repeat("../", 21) + "a"},
		{"path separator", hex64[:30] + "/" + hex64[31:]},
		{"NUL byte", hex64[:63] + "\x00"},
	}
	ctx := t.Context()
	for _, tc := range tests {
		if _, _, err := s.Open(ctx, tc.digest); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s: Open(%q) = %v, want an invalid-digest error", tc.name, tc.digest, err)
		}
		if _, err := s.Stat(ctx, tc.digest); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s: Stat(%q) = %v, want an invalid-digest error", tc.name, tc.digest, err)
		}
		if err := s.Delete(ctx, tc.digest); err == nil {
			t.Errorf("%s: Delete(%q) = nil, want an invalid-digest error", tc.name, tc.digest)
		}
		if tc.digest == "" {
			continue // Commit(ctx, "") means no expectation
		}
		data := content(t.Name()+tc.name, 100)
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		mustWrite(t, w, data, 100)
		if _, err := w.Commit(ctx, tc.digest); err == nil {
			t.Errorf("%s: Commit(%q) succeeded, want an invalid-digest error", tc.name, tc.digest)
		}
		w.Abort()
		wantNotFound(t, s, digestOf(data))
	}
}

func testEmpty(t *testing.T, s blob.Store) {
	const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	info, err := w.Commit(t.Context(), emptySHA256)
	if err != nil {
		t.Fatalf("Commit of an empty blob: %v", err)
	}
	if info.SHA256 != emptySHA256 || info.Size != 0 {
		t.Errorf("Commit = %+v, want SHA256 %s, Size 0", info, emptySHA256)
	}
	if st, err := s.Stat(t.Context(), emptySHA256); err != nil || st.Size != 0 {
		t.Errorf("Stat = %+v, %v; want Size 0", st, err)
	}
	if got := read(t, s, emptySHA256); len(got) != 0 {
		t.Errorf("empty blob read back %d bytes", len(got))
	}
}

func testLarge(t *testing.T, s blob.Store) {
	data := content(t.Name(), 5<<20)
	d := digestOf(data)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 32<<10+7) // odd chunks, as from a network read
	info, err := w.Commit(t.Context(), d)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("Commit Size = %d, want %d", info.Size, len(data))
	}
	rc, oi, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	if oi.Size != int64(len(data)) {
		t.Errorf("Open Size = %d, want %d", oi.Size, len(data))
	}
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatalf("read blob: %v", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != d {
		t.Errorf("read back bytes hashing to %s, want %s", got, d)
	}
	if _, err := rc.Seek(-100, io.SeekEnd); err != nil {
		t.Fatalf("Seek near the end: %v", err)
	}
	tail, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(tail, data[len(data)-100:]) {
		t.Errorf("last 100 bytes differ (err %v)", err)
	}
}

// content returns n pseudo-random bytes determined by seed, so that each test stores
// bytes no other test stores.
func content(seed string, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8(sha256.Sum256([]byte(seed))).Read(b)
	return b
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// mustWrite writes data to w in chunks of at most chunk bytes.
func mustWrite(t *testing.T, w blob.Writer, data []byte, chunk int) {
	t.Helper()
	for len(data) > 0 {
		k := min(len(data), chunk)
		n, err := w.Write(data[:k])
		if err != nil {
			w.Abort()
			t.Fatalf("Write: %v", err)
		}
		if n != k {
			w.Abort()
			t.Fatalf("Write wrote %d bytes of %d without an error", n, k)
		}
		data = data[k:]
	}
}

// put stores data, expecting its digest, and returns the Commit result.
func put(t *testing.T, s blob.Store, data []byte) blob.Info {
	t.Helper()
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mustWrite(t, w, data, 64<<10)
	info, err := w.Commit(t.Context(), digestOf(data))
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return info
}

func read(t *testing.T, s blob.Store, d string) []byte {
	t.Helper()
	rc, _, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open(%s): %v", d, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", d, err)
	}
	return b
}

// wantNotFound checks that Stat and Open report blob.ErrNotFound for d.
func wantNotFound(t *testing.T, s blob.Store, d string) {
	t.Helper()
	if info, err := s.Stat(t.Context(), d); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(%s) = %+v, %v; want blob.ErrNotFound", d, info, err)
	}
	rc, _, err := s.Open(t.Context(), d)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open(%s) error = %v, want blob.ErrNotFound", d, err)
	}
}

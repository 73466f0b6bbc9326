package fs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/internal/blob"
	"vetted/internal/blob/blobtest"
	"vetted/internal/blob/fs"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return newStore(t, t.TempDir())
	})
}

func newStore(t *testing.T, dir string) *fs.Store {
	t.Helper()
	s, err := fs.New(dir)
	if err != nil {
		t.Fatalf("New(%s): %v", dir, err)
	}
	return s
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func put(t *testing.T, s *fs.Store, data []byte) blob.Info {
	t.Helper()
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	info, err := w.Commit(t.Context(), digestOf(data))
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return info
}

// wantEmptyDir checks that dir holds no entries.
func wantEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	for _, e := range entries {
		t.Errorf("%s holds %s, want it empty", dir, e.Name())
	}
}

func TestLayout(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	data := []byte("hello, layout")
	d := put(t, s, data).SHA256
	got, err := os.ReadFile(filepath.Join(dir, "sha256", d[:2], d[2:4], d))
	if err != nil {
		t.Fatalf("blob not at sha256/%s/%s/%s: %v", d[:2], d[2:4], d, err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("file holds %q, want %q", got, data)
	}
	wantEmptyDir(t, filepath.Join(dir, "tmp"))
}

func TestOpenReturnsFile(t *testing.T) {
	s := newStore(t, t.TempDir())
	d := put(t, s, []byte("sendfile me")).SHA256
	rc, _, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	if _, ok := rc.(*os.File); !ok {
		t.Errorf("Open returned a %T, want an *os.File (for sendfile)", rc)
	}
}

func TestNoTempFileLeft(t *testing.T) {
	tests := []struct {
		name string
		end  func(ctx context.Context, w blob.Writer, data []byte) error
	}{
		{"commit", func(ctx context.Context, w blob.Writer, data []byte) error {
			_, err := w.Commit(ctx, digestOf(data))
			return err
		}},
		{"mismatch", func(ctx context.Context, w blob.Writer, data []byte) error {
			_, err := w.Commit(ctx, digestOf([]byte("something else")))
			var mm *blob.DigestMismatchError
			if !errors.As(err, &mm) {
				return errors.New("no DigestMismatchError")
			}
			return nil
		}},
		{"invalid expected digest", func(ctx context.Context, w blob.Writer, data []byte) error {
			if _, err := w.Commit(ctx, "nope"); err == nil {
				return errors.New("Commit succeeded")
			}
			return nil
		}},
		{"abort", func(ctx context.Context, w blob.Writer, data []byte) error {
			return w.Abort()
		}},
		{"cancelled commit", func(ctx context.Context, w blob.Writer, data []byte) error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := w.Commit(ctx, digestOf(data)); !errors.Is(err, context.Canceled) {
				return errors.New("Commit with a cancelled context did not fail with context.Canceled")
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := newStore(t, dir)
			data := []byte("bytes for " + tc.name)
			w, err := s.Create(t.Context())
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if _, err := w.Write(data); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(entries) != 1 {
				t.Errorf("tmp holds %d files during a write, want 1", len(entries))
			}
			if err := tc.end(t.Context(), w, data); err != nil {
				t.Fatal(err)
			}
			wantEmptyDir(t, filepath.Join(dir, "tmp"))
		})
	}
}

func TestCancelledContextStopsWrite(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	ctx, cancel := context.WithCancel(t.Context())
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := w.Write([]byte("before")); err != nil {
		t.Fatalf("Write before cancel: %v", err)
	}
	cancel()
	if _, err := w.Write([]byte("after")); !errors.Is(err, context.Canceled) {
		t.Errorf("Write after cancel = %v, want context.Canceled", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	wantEmptyDir(t, filepath.Join(dir, "tmp"))
	if _, err := s.Create(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestPlantedTempFileNotVisible checks that files in tmp/, whatever their name, never
// become blobs, and that a write never reuses one.
func TestPlantedTempFileNotVisible(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	planted := []byte("planted, not committed")
	d := digestOf(planted)
	names := []string{d, "blob-" + d[:26], "blob-planted"}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, "tmp", name), planted, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Stat(t.Context(), d); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat of a planted temp file's digest = %v, want blob.ErrNotFound", err)
	}

	// Writes alongside the planted files commit their own bytes only.
	for i := range 20 {
		data := []byte(strings.Repeat("x", i))
		if got := put(t, s, data); got.SHA256 != digestOf(data) {
			t.Fatalf("Commit stored %s, want %s", got.SHA256, digestOf(data))
		}
	}
	if _, err := s.Stat(t.Context(), d); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat of a planted temp file's digest after writes = %v, want blob.ErrNotFound", err)
	}
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(dir, "tmp", name))
		if err != nil || !bytes.Equal(got, planted) {
			t.Errorf("planted %s was changed or removed (err %v)", name, err)
		}
	}

	// Reopening the store keeps young temp files: they may belong to a running write.
	s = newStore(t, dir)
	if _, err := s.Stat(t.Context(), d); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat after reopening = %v, want blob.ErrNotFound", err)
	}
}

func TestNewRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	newStore(t, dir)
	tmp := filepath.Join(dir, "tmp")
	old := time.Now().Add(-2 * time.Hour)
	files := []struct {
		name     string
		mtime    time.Time
		wantKept bool
	}{
		{"blob-stale", old, false},
		{"blob-fresh", time.Now(), true},
		{"notes.txt", old, true}, // not ours
	}
	for _, f := range files {
		p := filepath.Join(tmp, f.name)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
			t.Fatal(err)
		}
	}
	newStore(t, dir)
	for _, f := range files {
		_, err := os.Stat(filepath.Join(tmp, f.name))
		if kept := err == nil; kept != f.wantKept {
			t.Errorf("%s (modified %s ago): kept = %v, want %v", f.name, time.Since(f.mtime).Round(time.Minute), kept, f.wantKept)
		}
	}
}

// TestCommitRepairsDamagedBlob checks that a blob whose file was truncated (a disk
// fault, a careless copy) is replaced by the next Commit of its bytes.
func TestCommitRepairsDamagedBlob(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	data := bytes.Repeat([]byte("0123456789"), 1000)
	d := put(t, s, data).SHA256
	if err := os.Truncate(filepath.Join(dir, "sha256", d[:2], d[2:4], d), 10); err != nil {
		t.Fatal(err)
	}
	put(t, s, data)
	rc, info, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if info.Size != int64(len(data)) || !bytes.Equal(got, data) {
		t.Errorf("after recommit the blob has %d bytes, want the %d written", len(got), len(data))
	}
}

func TestInvalidDigestError(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	// A file the traversal would reach if digests were used as paths unchecked.
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"../../../secret", "../secret", strings.Repeat("A", 64)} {
		_, err := s.Stat(t.Context(), d)
		if err == nil || !strings.Contains(err.Error(), "invalid digest") {
			t.Errorf("Stat(%q) = %v, want an error saying the digest is invalid", d, err)
		}
		if err := s.Delete(t.Context(), d); err == nil {
			t.Errorf("Delete(%q) succeeded", d)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "secret")); err != nil {
		t.Errorf("file outside the blob tree was touched: %v", err)
	}
}

func TestNewRejectsEmptyDir(t *testing.T) {
	if _, err := fs.New(""); err == nil {
		t.Errorf("New(\"\") succeeded, want an error")
	}
}

func TestNewRejectsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.New(p); err == nil {
		t.Errorf("New on a regular file succeeded, want an error")
	}
}

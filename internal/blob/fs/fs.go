package fs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"vetted/internal/blob"
)

// staleTempAge is how old a temp file must be before New removes it. No write is
// expected to take that long; anything older was left behind by a crash.
const staleTempAge = time.Hour

// tempPrefix starts the name of every temp file, so New only removes files it made.
const tempPrefix = "blob-"

// Store is a blob.Store on the local disk. Its directory is laid out as:
//
//	<dir>/
//	├── sha256/
//	│   └── ab/                    first two hex digits of the digest
//	│       └── cd/                next two hex digits
//	│           └── abcd0123…ef    the full 64-digit digest: the blob's bytes, never rewritten
//	└── tmp/
//	    └── blob-<random>          a write in progress (same filesystem, so rename is atomic)
//
// A write goes to a new file in tmp/, is hashed as it is written, fsynced, then renamed
// to its final name under sha256/ and the directory fsynced. A crash therefore leaves
// at most a temp file behind (removed by New once it is an hour old), never a partial
// blob under its final name. The two directory levels keep each directory small
// (65,536 leaves at most) however many blobs there are.
//
// A Store is safe for concurrent use; a Writer is not.
type Store struct {
	blobs string // <dir>/sha256
	tmp   string // <dir>/tmp
}

var _ blob.Store = (*Store)(nil)

// New returns a Store keeping its blobs under dir, creating the directory if needed and
// removing temp files more than an hour old.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("blob/fs: no directory given: set the blob directory (for example <data dir>/blobs)")
	}
	dir = filepath.Clean(dir)
	s := &Store{
		blobs: filepath.Join(dir, "sha256"),
		tmp:   filepath.Join(dir, "tmp"),
	}
	for _, d := range []string{s.blobs, s.tmp} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			return nil, fmt.Errorf("blob/fs: create blob directory: %w (check that %s is a writable directory)", err, dir)
		}
	}
	if err := s.removeStaleTemps(time.Now().Add(-staleTempAge)); err != nil {
		return nil, err
	}
	return s, nil
}

// removeStaleTemps removes the temp files last modified before cutoff.
func (s *Store) removeStaleTemps(cutoff time.Time) error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return fmt.Errorf("blob/fs: list temp files: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		fi, err := e.Info()
		if err != nil || !fi.ModTime().Before(cutoff) {
			continue // gone already, or possibly still being written
		}
		if err := os.Remove(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("blob/fs: remove stale temp files (delete them by hand if they persist): %w", err)
	}
	return nil
}

// path returns the final name of the blob with digest d, which must be valid.
func (s *Store) path(d string) string {
	return filepath.Join(s.blobs, d[0:2], d[2:4], d)
}

// invalidDigest is the error for a digest argument that is not lower-case hex SHA-256.
// It is checked before any path is built, so no argument can name a file outside the
// store's directory.
func invalidDigest(op, d string) error {
	if len(d) > 80 {
		d = d[:80] + "…"
	}
	return fmt.Errorf("blob/fs: %s: invalid digest %q: want a SHA-256 as 64 lower-case hex digits", op, d)
}

// Create starts a new blob in a temp file. ctx also governs the Writer's Writes.
func (s *Store) Create(ctx context.Context) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("blob/fs: create: %w", err)
	}
	f, err := createTemp(s.tmp)
	if err != nil {
		return nil, fmt.Errorf("blob/fs: create temp file: %w", err)
	}
	return &writer{s: s, ctx: ctx, f: f, name: f.Name(), h: sha256.New()}, nil
}

// createTemp creates a new, empty file with a random name in dir. O_EXCL guarantees the
// file is ours: a file already at that name is never reused.
func createTemp(dir string) (*os.File, error) {
	for range 10 {
		name := filepath.Join(dir, tempPrefix+rand.Text())
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no unused temp file name in %s", dir)
}

// Open returns the blob's content as an *os.File, so that net/http can serve it with
// sendfile and Range requests.
func (s *Store) Open(ctx context.Context, d string) (io.ReadSeekCloser, blob.Info, error) {
	if !blob.ValidDigest(d) {
		return nil, blob.Info{}, invalidDigest("open", d)
	}
	if err := ctx.Err(); err != nil {
		return nil, blob.Info{}, fmt.Errorf("blob/fs: open %s: %w", d, err)
	}
	f, err := os.Open(s.path(d))
	if errors.Is(err, os.ErrNotExist) {
		return nil, blob.Info{}, fmt.Errorf("blob/fs: open %s: %w", d, blob.ErrNotFound)
	}
	if err != nil {
		return nil, blob.Info{}, fmt.Errorf("blob/fs: open %s: %w", d, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, blob.Info{}, fmt.Errorf("blob/fs: open %s: %w", d, err)
	}
	return f, blob.Info{SHA256: d, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Stat reports the blob's size and commit time, or blob.ErrNotFound.
func (s *Store) Stat(ctx context.Context, d string) (blob.Info, error) {
	if !blob.ValidDigest(d) {
		return blob.Info{}, invalidDigest("stat", d)
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: stat %s: %w", d, err)
	}
	fi, err := os.Stat(s.path(d))
	if errors.Is(err, os.ErrNotExist) {
		return blob.Info{}, fmt.Errorf("blob/fs: stat %s: %w", d, blob.ErrNotFound)
	}
	if err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: stat %s: %w", d, err)
	}
	return blob.Info{SHA256: d, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Delete removes the blob. Readers that already opened it keep reading the old bytes.
// The emptied ab/cd directories are kept: they are few, and removing them would race
// with a concurrent Commit into them.
func (s *Store) Delete(ctx context.Context, d string) error {
	if !blob.ValidDigest(d) {
		return invalidDigest("delete", d)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob/fs: delete %s: %w", d, err)
	}
	if err := os.Remove(s.path(d)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob/fs: delete %s: %w", d, err)
	}
	return nil
}

// writer is a blob being written to a temp file.
type writer struct {
	s *Store
	// ctx is Create's context. The Writer interface has no context of its own, so the
	// one the write began with is kept to stop long writes when it is cancelled.
	ctx  context.Context
	f    *os.File // nil once closed
	name string   // temp file path
	h    hash.Hash
	size int64
	done bool // Commit or Abort was called
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blob/fs: write after commit or abort")
	}
	if err := w.ctx.Err(); err != nil {
		return 0, fmt.Errorf("blob/fs: write: %w", err)
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("blob/fs: write temp file: %w", err)
	}
	return n, nil
}

// Commit makes the blob visible under its digest. Commit ends the Writer whatever
// its outcome: on any error the temp file is removed and nothing is stored.
//
// A cancelled ctx stops Commit before the blob is made visible. A caller that must
// finish storing a blob after its client hung up passes context.WithoutCancel.
func (w *writer) Commit(ctx context.Context, expected string) (blob.Info, error) {
	if w.done {
		return blob.Info{}, errors.New("blob/fs: commit: writer already committed or aborted")
	}
	w.done = true
	info, err := w.commit(ctx, expected)
	if err != nil {
		if derr := w.discard(); derr != nil {
			err = errors.Join(err, derr)
		}
		return blob.Info{}, err
	}
	return info, nil
}

func (w *writer) commit(ctx context.Context, expected string) (blob.Info, error) {
	if expected != "" && !blob.ValidDigest(expected) {
		return blob.Info{}, invalidDigest("commit", expected)
	}
	got := hex.EncodeToString(w.h.Sum(nil))
	if expected != "" && expected != got {
		return blob.Info{}, fmt.Errorf("blob/fs: commit: %w", &blob.DigestMismatchError{Expected: expected, Got: got, Size: w.size})
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: %w", got, err)
	}
	if err := w.f.Sync(); err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: sync temp file: %w", got, err)
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: close temp file: %w", got, err)
	}

	final := w.s.path(got)
	// The same bytes may be stored already (idempotent commit, or a concurrent writer
	// won the race). Keep them, and their commit time, unless their size shows damage.
	if info, ok := w.existing(final, got); ok {
		w.removeTemp()
		return info, nil
	}
	if err := mkdirSynced(filepath.Dir(final)); err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: %w", got, err)
	}
	if err := os.Rename(w.name, final); err != nil {
		// On some systems renaming over a file that is open fails; if the blob is
		// there now, a concurrent writer stored it.
		if info, ok := w.existing(final, got); ok {
			w.removeTemp()
			return info, nil
		}
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: %w", got, err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: %w", got, err)
	}
	fi, err := os.Stat(final)
	if err != nil {
		return blob.Info{}, fmt.Errorf("blob/fs: commit %s: %w", got, err)
	}
	return blob.Info{SHA256: got, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// removeTemp removes the closed temp file of a blob that is stored already. The blob is
// safe, so a failure is not the caller's problem: New removes the file within the hour.
func (w *writer) removeTemp() {
	_ = os.Remove(w.name)
}

// existing reports the blob already stored at final, if it has the size written.
func (w *writer) existing(final, d string) (blob.Info, bool) {
	fi, err := os.Stat(final)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != w.size {
		return blob.Info{}, false
	}
	return blob.Info{SHA256: d, Size: fi.Size(), ModTime: fi.ModTime()}, true
}

// Abort discards the bytes written. It does nothing after Commit or a previous Abort.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return w.discard()
}

// discard closes and removes the temp file.
func (w *writer) discard() error {
	var errs []error
	if w.f != nil {
		errs = append(errs, w.f.Close())
		w.f = nil
	}
	if err := os.Remove(w.name); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("blob/fs: discard temp file: %w", err)
	}
	return nil
}

// mkdirSynced creates dir (<dir>/sha256/ab/cd) and its parent ab if missing, fsyncing
// the parent of each directory it creates so the new entries survive a crash.
func mkdirSynced(dir string) error {
	for _, d := range []string{filepath.Dir(dir), dir} {
		err := os.Mkdir(d, 0o777)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// syncDir fsyncs a directory, making the renames and creations in it durable.
// Windows cannot open a directory for fsync, so it is skipped there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

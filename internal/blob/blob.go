// Package blob stores artefact bytes by their SHA-256 digest.
//
// A Store never exposes a partially written blob: bytes go to a Writer, which hashes
// them as they arrive, and only Commit makes them visible under their digest. Commit
// refuses (and discards everything) when the digest differs from the one expected.
//
// Implementations: fs (local disk). Every implementation passes blobtest.Run.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrNotFound is returned by Open and Stat when no blob has the digest.
var ErrNotFound = errors.New("blob not found")

// DigestMismatchError is returned by Writer.Commit when the bytes written do not hash to
// the expected digest. Nothing is stored.
type DigestMismatchError struct {
	Expected string // hex SHA-256 the caller expected
	Got      string // hex SHA-256 of the bytes received
	Size     int64  // bytes received
}

func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("sha256 mismatch: expected %s, received %s (%d bytes)", e.Expected, e.Got, e.Size)
}

// Info describes a stored blob.
type Info struct {
	SHA256  string    // lower-case hex
	Size    int64     // bytes
	ModTime time.Time // when the blob was committed
}

// Store is a content-addressed blob store. Digests are lower-case hex SHA-256.
type Store interface {
	// Create starts a new blob. The caller must call Commit or Abort.
	Create(ctx context.Context) (Writer, error)
	// Open returns the blob's content. The reader supports Seek so that HTTP Range
	// requests can be served; the local implementation returns an *os.File.
	Open(ctx context.Context, sha256 string) (io.ReadSeekCloser, Info, error)
	// Stat reports whether the blob exists, and its size.
	Stat(ctx context.Context, sha256 string) (Info, error)
	// Delete removes the blob. Deleting a missing blob is not an error.
	Delete(ctx context.Context, sha256 string) error
}

// Writer receives a blob's bytes and hashes them as they arrive.
type Writer interface {
	io.Writer
	// Commit makes the blob visible under its digest. If expectedSHA256 is not empty
	// and differs from the digest of the bytes written, Commit discards the bytes and
	// returns a *DigestMismatchError. Committing bytes that are already stored is not
	// an error.
	Commit(ctx context.Context, expectedSHA256 string) (Info, error)
	// Abort discards the bytes written. Calling Abort after Commit does nothing.
	Abort() error
}

// ValidDigest reports whether s is a lower-case hex SHA-256 digest.
func ValidDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

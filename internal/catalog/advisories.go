package catalog

import (
	"context"
	"time"
)

// Advisory is a stored vulnerability record, in the vuln package's encoding.
type Advisory struct {
	ID        string
	Modified  time.Time
	Withdrawn time.Time // zero when the record is not withdrawn
	Source    string    // the feed it came from (a URL or a path)
	Digest    string    // hex SHA-256 of Body: an import skips records whose digest is unchanged
	Body      []byte    // encoded by the vuln package
	Packages  []PackageRef
}

// PackageRef names a package an advisory concerns.
type PackageRef struct {
	Ecosystem string // as OSV spells it: "PyPI", "CRAN", or vetted's "conda"
	Name      string // normalised for the ecosystem
}

// FeedImport records one import of a feed.
type FeedImport struct {
	ID         int64
	Source     string
	StartedAt  time.Time
	FinishedAt time.Time
	Added      int
	Changed    int
	Unchanged  int
	Withdrawn  int // records that are withdrawn in this import (new or changed)
	Skipped    int // malformed records, listed in Problems
	Problems   []string
}

// Advisories stores vulnerability records.
type Advisories interface {
	// AdvisoryDigests returns the digest of every stored advisory, by id.
	AdvisoryDigests(ctx context.Context) (map[string]string, error)
	// ImportAdvisories inserts or replaces the records and stores the import's record,
	// all in one transaction: either everything is visible afterwards, or nothing. It
	// returns the import with its ID set. A record with an empty ID, ecosystem or name
	// fails the whole import. The advisory ID is the key: a record of the same ID from
	// another feed replaces it. Records are never deleted; withdrawal retires them.
	ImportAdvisories(ctx context.Context, imp FeedImport, recs []Advisory) (FeedImport, error)
	// ScanAdvisories calls fn for every stored advisory, in id order, stopping at the
	// first error fn returns.
	ScanAdvisories(ctx context.Context, fn func(Advisory) error) error
	// GetAdvisory returns one advisory, or ErrNotFound.
	GetAdvisory(ctx context.Context, id string) (Advisory, error)
	// ListImports returns the most recent imports first, at most limit (> 0) of them.
	ListImports(ctx context.Context, limit int) ([]FeedImport, error)
}

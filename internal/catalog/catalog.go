// Package catalog stores what vetted knows about repositories: cached upstream index
// documents and the files it has fetched (with their provenance).
//
// It knows nothing of HTTP or of any ecosystem's formats: index documents are stored as
// opaque bytes that the ecosystem package encodes and decodes.
//
// Implementations: sqlite (embedded default). Every implementation passes catalogtest.Run.
package catalog

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when the requested row does not exist.
var ErrNotFound = errors.New("not found in catalog")

// Page is a cached upstream index document (a project list or a project page) in the
// ecosystem's own normalised encoding, with the validators needed for a conditional GET.
type Page struct {
	Repo         string    // repository name
	Key          string    // "" for the project list, else the normalised project name
	Body         []byte    // encoded by the ecosystem package
	ETag         string    // upstream ETag, if any
	LastModified string    // upstream Last-Modified, if any
	FetchedAt    time.Time // last time upstream confirmed this body (200 or 304)
}

// File records an artefact that vetted fetched and verified, and where it came from.
type File struct {
	Repo        string
	Project     string // normalised project name
	Version     string
	Filename    string
	SHA256      string // hex digest of the bytes in the blob store
	Size        int64
	UpstreamURL string    // where the bytes came from
	FetchedAt   time.Time // when they were verified and stored
	// MetadataSHA256 is the digest of the file's core metadata blob (PEP 658), or "".
	MetadataSHA256 string
}

// Store is the metadata store.
type Store interface {
	// GetPage returns the cached page, or ErrNotFound.
	GetPage(ctx context.Context, repo, key string) (Page, error)
	// PutPage inserts or replaces a page.
	PutPage(ctx context.Context, p Page) error
	// PutPages inserts or replaces pages in one transaction: all of them or none.
	PutPages(ctx context.Context, ps []Page) error
	// DeletePages removes a repository's pages of those keys; missing keys are ignored.
	DeletePages(ctx context.Context, repo string, keys []string) error
	// ListPageKeys returns the keys of a repository's cached pages, in key order.
	ListPageKeys(ctx context.Context, repo string) ([]string, error)
	// ListDocumentKeys returns the keys without a '/', in key order: a repository's
	// documents, not the parts kept under them ("<document>/…", a conda subdir's shards),
	// which can be hundreds of thousands.
	ListDocumentKeys(ctx context.Context, repo string) ([]string, error)
	// TouchPage records that upstream confirmed the cached page (HTTP 304) at t.
	// It returns ErrNotFound when there is no such page.
	TouchPage(ctx context.Context, repo, key string, t time.Time) error

	// GetFile returns the record of a fetched file, or ErrNotFound.
	GetFile(ctx context.Context, repo, filename string) (File, error)
	// PutFile inserts or replaces a file record.
	PutFile(ctx context.Context, f File) error
	// ListFiles returns the fetched files of a project, ordered by filename.
	ListFiles(ctx context.Context, repo, project string) ([]File, error)

	Advisories
	Triages
	Decisions
	ExceptionUses

	// Ping checks that the store is reachable (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

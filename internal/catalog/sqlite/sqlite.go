package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"vetted/internal/catalog"
)

// busyTimeout is how long a connection waits for another one's lock (another process
// opening the same file, or a checkpoint) before failing with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a catalog.Store in one SQLite database file. It is safe for concurrent use.
//
// Writes go through a pool of one connection, so they queue in Go rather than contend
// for SQLite's single write lock; its transactions begin IMMEDIATE, taking the lock up
// front. Reads go through a separate read-only pool and, in WAL mode, never wait for a
// writer.
type Store struct {
	write *sql.DB
	read  *sql.DB
}

var _ catalog.Store = (*Store)(nil)

// Open opens (creating if needed) the catalog database at path, a file path, and
// applies any pending schema migrations. The directory must exist.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("catalog: open %q: want the path of a database file (for example <data dir>/catalog.db); in-memory databases and URIs are not supported", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	if fi, err := os.Stat(filepath.Dir(abs)); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("catalog: open %s: directory %s does not exist: create it, or point the catalog at another path", path, filepath.Dir(abs))
	}

	common := []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"synchronous(NORMAL)", // with WAL: durable across crashes of the process, and fast
	}
	write, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": slices.Concat(common, []string{"journal_mode(WAL)"}),
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := pingWrite(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}

	// The read pool opens after the migrations, so it never sees an old schema.
	read, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": slices.Concat(common, []string{"query_only(1)"}),
	}))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	readers := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	return &Store{write: write, read: read}, nil
}

// pingWrite opens the write connection, which puts the database in WAL mode. SQLite
// answers SQLITE_BUSY at once, without waiting busy_timeout, when several processes
// switch a new database's journal mode together (each would deadlock on the other), so a
// busy answer is retried for a while.
func pingWrite(ctx context.Context, write *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := write.PingContext(ctx)
		var se *msqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// dsn returns the modernc.org/sqlite data source name for the database file at the
// absolute path, as an SQLite URI so that any character may appear in the path.
func dsn(path string, params url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/…
	}
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	return "file://" + p + "?" + params.Encode()
}

// migrate brings the schema up to date with the migrations embedded in the binary.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// p.Close would close db, which the Store keeps.
	current, latest, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return fmt.Errorf("schema version %d is newer than this vetted knows (%d): a newer vetted wrote this catalog; run that version, or restore a backup taken before the upgrade", current, latest)
	}
	for attempt := 1; ; attempt++ {
		_, err := p.Up(ctx)
		if err == nil {
			return nil
		}
		// Another process opening the same new catalog may have applied the migration
		// first (goose has no lock for SQLite). Each migration is one transaction, so
		// if the schema is now current, it is complete.
		if now, _, verr := p.GetVersions(ctx); verr == nil && now == latest {
			return nil
		}
		if attempt == 3 || ctx.Err() != nil {
			return fmt.Errorf("migrate schema from version %d to %d: %w", current, latest, err)
		}
	}
}

// The times that fit in int64 Unix nanoseconds: the years 1678 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// encodeTime stores t as UTC Unix nanoseconds, the zero time as NULL.
func encodeTime(t time.Time) (sql.NullInt64, error) {
	if t.IsZero() {
		return sql.NullInt64{}, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return sql.NullInt64{}, fmt.Errorf("time %s is outside the years 1678 to 2262 that the catalog can store", t.Format(time.RFC3339Nano))
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}, nil
}

// decodeTime is the inverse of encodeTime; the time returned is in UTC.
func decodeTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// GetPage returns the cached page, or catalog.ErrNotFound.
func (s *Store) GetPage(ctx context.Context, repo, key string) (catalog.Page, error) {
	p := catalog.Page{Repo: repo, Key: key}
	var fetched sql.NullInt64
	err := s.read.QueryRowContext(ctx,
		`SELECT body, etag, last_modified, fetched_at FROM pages WHERE repo = ? AND key = ?`,
		repo, key,
	).Scan(&p.Body, &p.ETag, &p.LastModified, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Page{}, fmt.Errorf("catalog: get page %s/%s: %w", repo, key, catalog.ErrNotFound)
	}
	if err != nil {
		return catalog.Page{}, fmt.Errorf("catalog: get page %s/%s: %w", repo, key, err)
	}
	p.FetchedAt = decodeTime(fetched)
	return p, nil
}

// ListPageKeys returns the keys of a repository's cached pages, in key order.
func (s *Store) ListPageKeys(ctx context.Context, repo string) ([]string, error) {
	return s.listKeys(ctx, repo, `SELECT key FROM pages WHERE repo = ? ORDER BY key`)
}

// ListDocumentKeys returns the keys of a repository's pages that have no '/', in key order.
func (s *Store) ListDocumentKeys(ctx context.Context, repo string) ([]string, error) {
	return s.listKeys(ctx, repo, `SELECT key FROM pages WHERE repo = ? AND instr(key, '/') = 0 ORDER BY key`)
}

func (s *Store) listKeys(ctx context.Context, repo, query string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, query, repo)
	if err != nil {
		return nil, fmt.Errorf("catalog: list pages of %s: %w", repo, err)
	}
	defer rows.Close()
	keys := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("catalog: list pages of %s: %w", repo, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// PutPage inserts or replaces a page.
func (s *Store) PutPage(ctx context.Context, p catalog.Page) error {
	return s.PutPages(ctx, []catalog.Page{p})
}

// PutPages inserts or replaces pages in one transaction.
func (s *Store) PutPages(ctx context.Context, ps []catalog.Page) error {
	if len(ps) == 0 {
		return nil
	}
	what := ps[0].Repo + "/" + ps[0].Key
	if len(ps) > 1 {
		what = fmt.Sprintf("%s and %d more", what, len(ps)-1)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("catalog: put page %s: %w", what, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO pages (repo, key, body, etag, last_modified, fetched_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, key) DO UPDATE SET
			body = excluded.body,
			etag = excluded.etag,
			last_modified = excluded.last_modified,
			fetched_at = excluded.fetched_at`)
	if err != nil {
		return fmt.Errorf("catalog: put page %s: %w", what, err)
	}
	defer stmt.Close()
	for _, p := range ps {
		fetched, err := encodeTime(p.FetchedAt)
		if err != nil {
			return fmt.Errorf("catalog: put page %s/%s: fetched at: %w", p.Repo, p.Key, err)
		}
		body := p.Body
		if body == nil {
			body = []byte{} // the driver binds a nil slice as NULL
		}
		if _, err := stmt.ExecContext(ctx, p.Repo, p.Key, body, p.ETag, p.LastModified, fetched); err != nil {
			return fmt.Errorf("catalog: put page %s/%s: %w", p.Repo, p.Key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: put page %s: %w", what, err)
	}
	return nil
}

// DeletePages removes a repository's pages of those keys, in one transaction.
func (s *Store) DeletePages(ctx context.Context, repo string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("catalog: delete pages of %s: %w", repo, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `DELETE FROM pages WHERE repo = ? AND key = ?`)
	if err != nil {
		return fmt.Errorf("catalog: delete pages of %s: %w", repo, err)
	}
	defer stmt.Close()
	for _, k := range keys {
		if _, err := stmt.ExecContext(ctx, repo, k); err != nil {
			return fmt.Errorf("catalog: delete page %s/%s: %w", repo, k, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: delete pages of %s: %w", repo, err)
	}
	return nil
}

// TouchPage records that upstream confirmed the cached page at t, or returns
// catalog.ErrNotFound.
func (s *Store) TouchPage(ctx context.Context, repo, key string, t time.Time) error {
	fetched, err := encodeTime(t)
	if err != nil {
		return fmt.Errorf("catalog: touch page %s/%s: %w", repo, key, err)
	}
	res, err := s.write.ExecContext(ctx,
		`UPDATE pages SET fetched_at = ? WHERE repo = ? AND key = ?`,
		fetched, repo, key)
	if err != nil {
		return fmt.Errorf("catalog: touch page %s/%s: %w", repo, key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("catalog: touch page %s/%s: %w", repo, key, err)
	}
	if n == 0 {
		return fmt.Errorf("catalog: touch page %s/%s: %w", repo, key, catalog.ErrNotFound)
	}
	return nil
}

const fileColumns = `repo, filename, project, version, sha256, size, upstream_url, fetched_at, metadata_sha256`

// scanFile reads a row of fileColumns.
func scanFile(row interface{ Scan(...any) error }) (catalog.File, error) {
	var f catalog.File
	var fetched sql.NullInt64
	err := row.Scan(&f.Repo, &f.Filename, &f.Project, &f.Version, &f.SHA256, &f.Size,
		&f.UpstreamURL, &fetched, &f.MetadataSHA256)
	f.FetchedAt = decodeTime(fetched)
	return f, err
}

// GetFile returns the record of a fetched file, or catalog.ErrNotFound.
func (s *Store) GetFile(ctx context.Context, repo, filename string) (catalog.File, error) {
	f, err := scanFile(s.read.QueryRowContext(ctx,
		`SELECT `+fileColumns+` FROM files WHERE repo = ? AND filename = ?`, repo, filename))
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.File{}, fmt.Errorf("catalog: get file %s/%s: %w", repo, filename, catalog.ErrNotFound)
	}
	if err != nil {
		return catalog.File{}, fmt.Errorf("catalog: get file %s/%s: %w", repo, filename, err)
	}
	return f, nil
}

// PutFile inserts or replaces a file record.
func (s *Store) PutFile(ctx context.Context, f catalog.File) error {
	fetched, err := encodeTime(f.FetchedAt)
	if err != nil {
		return fmt.Errorf("catalog: put file %s/%s: fetched at: %w", f.Repo, f.Filename, err)
	}
	_, err = s.write.ExecContext(ctx, `
		INSERT INTO files (`+fileColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, filename) DO UPDATE SET
			project = excluded.project,
			version = excluded.version,
			sha256 = excluded.sha256,
			size = excluded.size,
			upstream_url = excluded.upstream_url,
			fetched_at = excluded.fetched_at,
			metadata_sha256 = excluded.metadata_sha256`,
		f.Repo, f.Filename, f.Project, f.Version, f.SHA256, f.Size, f.UpstreamURL, fetched, f.MetadataSHA256)
	if err != nil {
		return fmt.Errorf("catalog: put file %s/%s: %w", f.Repo, f.Filename, err)
	}
	return nil
}

// ListFiles returns the fetched files of a project, ordered by filename (byte-wise).
// A project with no files gives an empty list, not an error.
func (s *Store) ListFiles(ctx context.Context, repo, project string) ([]catalog.File, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+fileColumns+` FROM files WHERE repo = ? AND project = ? ORDER BY filename`,
		repo, project)
	if err != nil {
		return nil, fmt.Errorf("catalog: list files of %s/%s: %w", repo, project, err)
	}
	defer rows.Close()
	files := []catalog.File{}
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog: list files of %s/%s: %w", repo, project, err)
		}
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: list files of %s/%s: %w", repo, project, err)
	}
	return files, nil
}

// Ping checks that both connection pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("catalog: ping (write): %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("catalog: ping (read): %w", err)
	}
	return nil
}

// Close closes both connection pools. The last connection to close checkpoints the
// write-ahead log into the database file.
func (s *Store) Close() error {
	if err := errors.Join(s.read.Close(), s.write.Close()); err != nil {
		return fmt.Errorf("catalog: close: %w", err)
	}
	return nil
}

// Package sqlite is the embedded implementation of catalog.Store: one SQLite database
// file in WAL mode, opened with the pure-Go driver modernc.org/sqlite, its schema
// versioned by goose migrations embedded from migrations/ and applied at Open.
//
// It owns the SQL, the schema and the connection pools (a single-connection write
// pool, since SQLite has one writer at a time, and a read-only pool for readers).
//
// It imports the standard library, vetted/internal/catalog, modernc.org/sqlite and
// github.com/pressly/goose/v3. It must not import HTTP handlers, services, ecosystem
// packages or any other store: rows hold opaque bytes and plain strings.
package sqlite

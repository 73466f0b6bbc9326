// Package sqlite is the embedded implementation of catalog.Store, and of
// catalog.Advisories, catalog.Triages and catalog.Decisions: one SQLite database file
// in WAL mode, opened with the pure-Go driver modernc.org/sqlite, its schema versioned
// by goose migrations embedded from migrations/ and applied at Open.
//
// Bulk writes (a feed import, a batch of decisions) are one transaction each, with
// statements prepared once and run per row: on this code's reference machine a
// 20,000-record import (2 KB each) takes about half a second, and 100,000 decisions
// with their events about a second (see bench_test.go).
//
// It owns the SQL, the schema and the connection pools (a single-connection write
// pool, since SQLite has one writer at a time, and a read-only pool for readers).
//
// It imports the standard library, vetted/internal/catalog, modernc.org/sqlite and
// github.com/pressly/goose/v3. It must not import HTTP handlers, services, ecosystem
// packages or any other store: rows hold opaque bytes and plain strings.
package sqlite

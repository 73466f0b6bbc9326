package sqlite

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestMigrationsDownAndUp checks that every migration's Down undoes its Up: the schema
// goes down to nothing and back up again.
func TestMigrationsDownAndUp(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithLogger(goose.NopLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(t.Context(), 0); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	var tables int
	if err := s.write.QueryRowContext(t.Context(),
		`SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("after migrating down, %d tables and indexes remain", tables)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
}

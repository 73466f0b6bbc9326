package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func TestPragmas(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		db     string
		pragma string
		want   string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "foreign_keys", "1"},
		{"write", "synchronous", "1"}, // NORMAL
		{"write", "busy_timeout", "5000"},
		{"write", "query_only", "0"},
		{"read", "journal_mode", "wal"},
		{"read", "foreign_keys", "1"},
		{"read", "synchronous", "1"},
		{"read", "busy_timeout", "5000"},
		{"read", "query_only", "1"},
	}
	for _, tc := range tests {
		db := map[string]*sql.DB{"write": s.write, "read": s.read}[tc.db]
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("%s pool: PRAGMA %s: %v", tc.db, tc.pragma, err)
		}
		if strings.ToLower(got) != tc.want {
			t.Errorf("%s pool: PRAGMA %s = %s, want %s", tc.db, tc.pragma, got, tc.want)
		}
	}
	if _, err := s.read.ExecContext(t.Context(), "DELETE FROM pages"); err == nil {
		t.Errorf("the read pool accepted a write")
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	for range 2 { // the second Open finds nothing to migrate
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		var version int64
		if err := s.read.QueryRowContext(t.Context(), "SELECT max(version_id) FROM goose_db_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if version != 3 {
			t.Errorf("schema version = %d, want 3", version)
		}
		s.Close()
	}
}

// TestNewerSchemaRejected checks that a catalog migrated by a newer vetted is refused
// with advice, rather than used with a schema this binary does not know.
func TestNewerSchemaRejected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(t.Context(), "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, 1)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a catalog at a newer schema version succeeded")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %q, want it to say the schema is newer", err)
	}
}

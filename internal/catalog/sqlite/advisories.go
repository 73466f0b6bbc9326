package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"vetted/internal/catalog"
)

var _ catalog.Advisories = (*Store)(nil)

// AdvisoryDigests returns the digest of every stored advisory, by id.
func (s *Store) AdvisoryDigests(ctx context.Context) (map[string]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, digest FROM advisories`)
	if err != nil {
		return nil, fmt.Errorf("catalog: advisory digests: %w", err)
	}
	defer rows.Close()
	digests := make(map[string]string)
	for rows.Next() {
		var id, digest string
		if err := rows.Scan(&id, &digest); err != nil {
			return nil, fmt.Errorf("catalog: advisory digests: %w", err)
		}
		digests[id] = digest
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: advisory digests: %w", err)
	}
	return digests, nil
}

// ImportAdvisories inserts or replaces the records, and records the import, in one
// write transaction: readers see all of it or none of it. A replaced advisory's
// packages are replaced too; a record's duplicate packages are stored once.
//
// imp.ID is ignored: the store numbers imports in increasing order, never reusing a
// number, and returns imp with its ID set. Of records with the same ID, the last wins.
// A record with an empty ID, or a package with an empty ecosystem or name, fails the
// whole import, as does a context cancelled before the commit. Records absent from
// recs are left as they are: nothing is deleted.
func (s *Store) ImportAdvisories(ctx context.Context, imp catalog.FeedImport, recs []catalog.Advisory) (catalog.FeedImport, error) {
	id, err := s.importAdvisories(ctx, imp, recs)
	if err != nil {
		return catalog.FeedImport{}, fmt.Errorf("catalog: import %d advisories from %s: %w", len(recs), imp.Source, err)
	}
	imp.ID = id
	return imp, nil
}

func (s *Store) importAdvisories(ctx context.Context, imp catalog.FeedImport, recs []catalog.Advisory) (int64, error) {
	started, err := encodeTime(imp.StartedAt)
	if err != nil {
		return 0, fmt.Errorf("started at: %w", err)
	}
	finished, err := encodeTime(imp.FinishedAt)
	if err != nil {
		return 0, fmt.Errorf("finished at: %w", err)
	}
	problems, err := encodeProblems(imp.Problems)
	if err != nil {
		return 0, err
	}

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() // after Commit, a no-op

	// Prepared once, run for every record: parsing each statement 20,000 times
	// would cost more than the inserts.
	upsert, err := tx.PrepareContext(ctx, `
		INSERT INTO advisories (id, modified, withdrawn, source, digest, body)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			modified = excluded.modified,
			withdrawn = excluded.withdrawn,
			source = excluded.source,
			digest = excluded.digest,
			body = excluded.body`)
	if err != nil {
		return 0, err
	}
	defer upsert.Close()
	clearPackages, err := tx.PrepareContext(ctx, `DELETE FROM advisory_packages WHERE advisory_id = ?`)
	if err != nil {
		return 0, err
	}
	defer clearPackages.Close()
	addPackage, err := tx.PrepareContext(ctx, `
		INSERT INTO advisory_packages (advisory_id, ecosystem, name) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer addPackage.Close()

	// The statements of each record run under a context that is never cancelled, and
	// the loop checks ctx itself: handing the driver a cancellable context costs it a
	// watcher per statement, a tenth of the import. A cancelled ctx still stops the
	// import before its next record, and database/sql rolls the transaction back.
	rowCtx := context.WithoutCancel(ctx)
	for i, a := range recs {
		err := ctx.Err()
		if err == nil {
			err = importAdvisory(rowCtx, upsert, clearPackages, addPackage, a)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The transaction may have been rolled back under the statement, which
			// then reports only that: say why.
			return 0, fmt.Errorf("stopped at record %d: %w", i, ctxErr)
		}
		if err != nil {
			return 0, fmt.Errorf("record %d (%q): %w", i, a.ID, err)
		}
	}

	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO feed_imports (source, started_at, finished_at, added, changed, unchanged, withdrawn, skipped, problems)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		imp.Source, started, finished, imp.Added, imp.Changed, imp.Unchanged, imp.Withdrawn, imp.Skipped, problems,
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record the import: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return id, nil
}

// importAdvisory writes one record with the transaction's prepared statements.
func importAdvisory(ctx context.Context, upsert, clearPackages, addPackage *sql.Stmt, a catalog.Advisory) error {
	if a.ID == "" {
		return errors.New("empty advisory id: every record needs one")
	}
	modified, err := encodeTime(a.Modified)
	if err != nil {
		return fmt.Errorf("modified: %w", err)
	}
	withdrawn, err := encodeTime(a.Withdrawn)
	if err != nil {
		return fmt.Errorf("withdrawn: %w", err)
	}
	body := a.Body
	if body == nil {
		body = []byte{} // the driver binds a nil slice as NULL
	}
	if _, err := upsert.ExecContext(ctx, a.ID, modified, withdrawn, a.Source, a.Digest, body); err != nil {
		return err
	}
	if _, err := clearPackages.ExecContext(ctx, a.ID); err != nil {
		return fmt.Errorf("replace packages: %w", err)
	}
	for _, p := range a.Packages {
		if p.Ecosystem == "" || p.Name == "" {
			return fmt.Errorf("package %q in ecosystem %q: both the ecosystem and the name must be set", p.Name, p.Ecosystem)
		}
		if _, err := addPackage.ExecContext(ctx, a.ID, p.Ecosystem, p.Name); err != nil {
			return fmt.Errorf("package %s/%s: %w", p.Ecosystem, p.Name, err)
		}
	}
	return nil
}

const advisoryColumns = `id, modified, withdrawn, source, digest, body`

// scanAdvisory reads a row of advisoryColumns, without its packages.
func scanAdvisory(row interface{ Scan(...any) error }) (catalog.Advisory, error) {
	var a catalog.Advisory
	var modified, withdrawn sql.NullInt64
	err := row.Scan(&a.ID, &modified, &withdrawn, &a.Source, &a.Digest, &a.Body)
	a.Modified = decodeTime(modified)
	a.Withdrawn = decodeTime(withdrawn)
	return a, err
}

// ScanAdvisories calls fn for every stored advisory in id order (byte-wise), each with
// its packages ordered by ecosystem then name, stopping at the first error fn returns,
// which it returns as is.
//
// It reads one snapshot, row by row, from a read transaction held open until it
// returns: fn sees no import half-done, and may take its time and use the Store
// (through another connection), but should not hold on for minutes, since the
// write-ahead log cannot be checkpointed past an open reader.
func (s *Store) ScanAdvisories(ctx context.Context, fn func(catalog.Advisory) error) error {
	var fnErr error
	err := s.scanAdvisories(ctx, func(a catalog.Advisory) error {
		fnErr = fn(a)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("catalog: scan advisories: %w", err)
	}
	return nil
}

func (s *Store) scanAdvisories(ctx context.Context, fn func(catalog.Advisory) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Two cursors over one snapshot, both in id order, merged as they go: the
	// advisories, and the package rows (read from the primary key's index).
	advisories, err := tx.QueryContext(ctx, `SELECT `+advisoryColumns+` FROM advisories ORDER BY id`)
	if err != nil {
		return err
	}
	defer advisories.Close()
	packages, err := tx.QueryContext(ctx,
		`SELECT advisory_id, ecosystem, name FROM advisory_packages ORDER BY advisory_id, ecosystem, name`)
	if err != nil {
		return err
	}
	defer packages.Close()

	var (
		pending    catalog.PackageRef // the package row read ahead, of pendingFor
		pendingFor string
		havePkg    = packages.Next()
	)
	if havePkg {
		if err := packages.Scan(&pendingFor, &pending.Ecosystem, &pending.Name); err != nil {
			return err
		}
	}
	for advisories.Next() {
		a, err := scanAdvisory(advisories)
		if err != nil {
			return err
		}
		// Both cursors sort byte-wise, as Go compares strings. Package rows of no
		// advisory (the foreign key forbids them) are passed over.
		for havePkg && pendingFor <= a.ID {
			if pendingFor == a.ID {
				a.Packages = append(a.Packages, pending)
			}
			if havePkg = packages.Next(); havePkg {
				if err := packages.Scan(&pendingFor, &pending.Ecosystem, &pending.Name); err != nil {
					return err
				}
			}
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := advisories.Err(); err != nil {
		return err
	}
	return packages.Err()
}

// GetAdvisory returns one advisory, its packages ordered by ecosystem then name, or
// catalog.ErrNotFound.
func (s *Store) GetAdvisory(ctx context.Context, id string) (catalog.Advisory, error) {
	a, err := s.getAdvisory(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Advisory{}, fmt.Errorf("catalog: get advisory %s: %w", id, catalog.ErrNotFound)
	}
	if err != nil {
		return catalog.Advisory{}, fmt.Errorf("catalog: get advisory %s: %w", id, err)
	}
	return a, nil
}

func (s *Store) getAdvisory(ctx context.Context, id string) (catalog.Advisory, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return catalog.Advisory{}, err
	}
	defer tx.Rollback()
	a, err := scanAdvisory(tx.QueryRowContext(ctx, `SELECT `+advisoryColumns+` FROM advisories WHERE id = ?`, id))
	if err != nil {
		return catalog.Advisory{}, err
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT ecosystem, name FROM advisory_packages WHERE advisory_id = ? ORDER BY ecosystem, name`, id)
	if err != nil {
		return catalog.Advisory{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var p catalog.PackageRef
		if err := rows.Scan(&p.Ecosystem, &p.Name); err != nil {
			return catalog.Advisory{}, err
		}
		a.Packages = append(a.Packages, p)
	}
	return a, rows.Err()
}

// ListImports returns the most recent imports first (in decreasing ID order, the
// order they were stored in), at most limit of them; limit must be positive.
func (s *Store) ListImports(ctx context.Context, limit int) ([]catalog.FeedImport, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("catalog: list imports: limit %d: want a positive number of imports", limit)
	}
	rows, err := s.read.QueryContext(ctx, `
		SELECT id, source, started_at, finished_at, added, changed, unchanged, withdrawn, skipped, problems
		FROM feed_imports ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("catalog: list imports: %w", err)
	}
	defer rows.Close()
	imports := []catalog.FeedImport{}
	for rows.Next() {
		var (
			imp               catalog.FeedImport
			started, finished sql.NullInt64
			problems          string
		)
		err := rows.Scan(&imp.ID, &imp.Source, &started, &finished,
			&imp.Added, &imp.Changed, &imp.Unchanged, &imp.Withdrawn, &imp.Skipped, &problems)
		if err != nil {
			return nil, fmt.Errorf("catalog: list imports: %w", err)
		}
		imp.StartedAt = decodeTime(started)
		imp.FinishedAt = decodeTime(finished)
		if imp.Problems, err = decodeProblems(problems); err != nil {
			return nil, fmt.Errorf("catalog: list imports: import %d: %w", imp.ID, err)
		}
		imports = append(imports, imp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: list imports: %w", err)
	}
	return imports, nil
}

// encodeProblems stores an import's problems as a JSON array of strings.
func encodeProblems(problems []string) (string, error) {
	if len(problems) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(problems)
	if err != nil {
		return "", fmt.Errorf("problems: %w", err)
	}
	return string(b), nil
}

// decodeProblems is the inverse of encodeProblems; no problems decode as nil.
func decodeProblems(s string) ([]string, error) {
	var problems []string
	if err := json.Unmarshal([]byte(s), &problems); err != nil {
		return nil, fmt.Errorf("problems: %w", err)
	}
	if len(problems) == 0 {
		return nil, nil
	}
	return problems, nil
}

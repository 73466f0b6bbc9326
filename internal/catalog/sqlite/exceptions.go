package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"vetted/internal/catalog"
)

var _ catalog.ExceptionUses = (*Store)(nil)

// PutExceptionUses records exceptions in one write transaction: a new key as given, a
// known one keeping the earlier first_seen and the later last_lifted.
func (s *Store) PutExceptionUses(ctx context.Context, us []catalog.ExceptionUse) error {
	if err := s.putExceptionUses(ctx, us); err != nil {
		return fmt.Errorf("catalog: record %d exception uses: %w", len(us), err)
	}
	return nil
}

func (s *Store) putExceptionUses(ctx context.Context, us []catalog.ExceptionUse) error {
	if len(us) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	upsert, err := tx.PrepareContext(ctx, `
		INSERT INTO exception_uses (key, first_seen, last_lifted) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET
			first_seen = min(first_seen, excluded.first_seen),
			last_lifted = CASE
				WHEN excluded.last_lifted IS NULL THEN last_lifted
				WHEN last_lifted IS NULL OR excluded.last_lifted > last_lifted THEN excluded.last_lifted
				ELSE last_lifted
			END`)
	if err != nil {
		return err
	}
	defer upsert.Close()
	for _, u := range us {
		if u.Key == "" || u.FirstSeen.IsZero() {
			return fmt.Errorf("exception %q: a key and the time it was first seen are required", u.Key)
		}
		first, err := encodeTime(u.FirstSeen)
		if err != nil {
			return fmt.Errorf("exception %s: first seen: %w", u.Key, err)
		}
		lifted, err := encodeTime(u.LastLifted)
		if err != nil {
			return fmt.Errorf("exception %s: last lifted: %w", u.Key, err)
		}
		if _, err := upsert.ExecContext(ctx, u.Key, first, lifted); err != nil {
			return fmt.Errorf("exception %s: %w", u.Key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ListExceptionUses returns every record, in key order.
func (s *Store) ListExceptionUses(ctx context.Context) ([]catalog.ExceptionUse, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT key, first_seen, last_lifted FROM exception_uses ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("catalog: list exception uses: %w", err)
	}
	defer rows.Close()
	list := []catalog.ExceptionUse{}
	for rows.Next() {
		var u catalog.ExceptionUse
		var first, lifted sql.NullInt64
		if err := rows.Scan(&u.Key, &first, &lifted); err != nil {
			return nil, fmt.Errorf("catalog: list exception uses: %w", err)
		}
		u.FirstSeen, u.LastLifted = decodeTime(first), decodeTime(lifted)
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: list exception uses: %w", err)
	}
	return list, nil
}

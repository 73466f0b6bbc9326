package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"vetted/internal/catalog"
)

var _ catalog.Triages = (*Store)(nil)

// The values Triage.Status and Triage.Justification may take (OpenVEX); the schema
// checks the statuses too.
var (
	triageStatuses = []string{"affected", "not_affected", "fixed", "under_investigation"}
	justifications = []string{
		"component_not_present",
		"vulnerable_code_not_present",
		"vulnerable_code_not_in_execute_path",
		"vulnerable_code_cannot_be_controlled_by_adversary",
		"inline_mitigations_already_exist",
	}
)

// validTriage says what is wrong with t, if anything, and how to put it right.
func validTriage(t catalog.Triage) error {
	switch {
	case t.AdvisoryID == "":
		return errors.New("no advisory id: say which advisory the triage is about")
	case t.Ecosystem == "" || t.Project == "":
		return fmt.Errorf("project %q in ecosystem %q: both must be set", t.Project, t.Ecosystem)
	case !slices.Contains(triageStatuses, t.Status):
		return fmt.Errorf("status %q: want one of %q", t.Status, triageStatuses)
	case t.Justification != "" && t.Status != "not_affected":
		return fmt.Errorf("justification %q with status %q: a justification explains only not_affected; drop it, or change the status", t.Justification, t.Status)
	case t.Justification != "" && !slices.Contains(justifications, t.Justification):
		return fmt.Errorf("justification %q: want one of %q, or none", t.Justification, justifications)
	}
	return nil
}

const triageColumns = `id, advisory_id, ecosystem, project, versions, status, justification, owner, note, expires, created_at, updated_at`

// scanTriage reads a row of triageColumns.
func scanTriage(row interface{ Scan(...any) error }) (catalog.Triage, error) {
	var t catalog.Triage
	var expires, created, updated sql.NullInt64
	err := row.Scan(&t.ID, &t.AdvisoryID, &t.Ecosystem, &t.Project, &t.Versions, &t.Status,
		&t.Justification, &t.Owner, &t.Note, &expires, &created, &updated)
	t.Expires = decodeTime(expires)
	t.CreatedAt = decodeTime(created)
	t.UpdatedAt = decodeTime(updated)
	return t, err
}

// PutTriage inserts (ID 0) or updates a triage record and returns it as stored, its
// times in UTC. Updating a missing ID returns catalog.ErrNotFound.
//
// It rejects a record without an advisory id, ecosystem or project, a Status that is
// not one of affected, not_affected, fixed or under_investigation, and a Justification
// that is not one of the five OpenVEX justifications, or is given with a status other
// than not_affected. A not_affected record without a justification is accepted.
//
// The caller's times are stored as given. Where UpdatedAt is zero, the store sets it
// to the current time; where CreatedAt is zero, an insert sets it to the same time and
// an update keeps the stored one.
func (s *Store) PutTriage(ctx context.Context, t catalog.Triage) (catalog.Triage, error) {
	stored, err := s.putTriage(ctx, t)
	if err != nil {
		return catalog.Triage{}, fmt.Errorf("catalog: put triage %d (%s for %s/%s): %w",
			t.ID, t.AdvisoryID, t.Ecosystem, t.Project, err)
	}
	return stored, nil
}

func (s *Store) putTriage(ctx context.Context, t catalog.Triage) (catalog.Triage, error) {
	if err := validTriage(t); err != nil {
		return catalog.Triage{}, err
	}
	now := time.Now().UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = now
	}
	if t.CreatedAt.IsZero() && t.ID == 0 {
		t.CreatedAt = t.UpdatedAt
	}
	expires, err := encodeTime(t.Expires)
	if err != nil {
		return catalog.Triage{}, fmt.Errorf("expires: %w", err)
	}
	created, err := encodeTime(t.CreatedAt) // NULL on an update: keep the stored time
	if err != nil {
		return catalog.Triage{}, fmt.Errorf("created at: %w", err)
	}
	updated, err := encodeTime(t.UpdatedAt)
	if err != nil {
		return catalog.Triage{}, fmt.Errorf("updated at: %w", err)
	}

	var row *sql.Row
	if t.ID == 0 {
		row = s.write.QueryRowContext(ctx, `
			INSERT INTO triage (advisory_id, ecosystem, project, versions, status, justification, owner, note, expires, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING `+triageColumns,
			t.AdvisoryID, t.Ecosystem, t.Project, t.Versions, t.Status, t.Justification, t.Owner, t.Note,
			expires, created, updated)
	} else {
		row = s.write.QueryRowContext(ctx, `
			UPDATE triage SET
				advisory_id = ?, ecosystem = ?, project = ?, versions = ?, status = ?,
				justification = ?, owner = ?, note = ?, expires = ?,
				created_at = coalesce(?, created_at), updated_at = ?
			WHERE id = ?
			RETURNING `+triageColumns,
			t.AdvisoryID, t.Ecosystem, t.Project, t.Versions, t.Status, t.Justification, t.Owner, t.Note,
			expires, created, updated, t.ID)
	}
	stored, err := scanTriage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Triage{}, catalog.ErrNotFound
	}
	if err != nil {
		return catalog.Triage{}, err
	}
	return stored, nil
}

// DeleteTriage removes a record; a missing ID returns catalog.ErrNotFound.
func (s *Store) DeleteTriage(ctx context.Context, id int64) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM triage WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("catalog: delete triage %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("catalog: delete triage %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("catalog: delete triage %d: %w", id, catalog.ErrNotFound)
	}
	return nil
}

// ListTriage returns every record, in ID order (the order they were inserted).
func (s *Store) ListTriage(ctx context.Context) ([]catalog.Triage, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+triageColumns+` FROM triage ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("catalog: list triage: %w", err)
	}
	defer rows.Close()
	list := []catalog.Triage{}
	for rows.Next() {
		t, err := scanTriage(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog: list triage: %w", err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: list triage: %w", err)
	}
	return list, nil
}

package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"vetted/internal/catalog"
)

var _ catalog.Decisions = (*Store)(nil)

// verdicts are the values Decision.Verdict and DecisionEvent.To may take; the schema
// checks them too.
var verdicts = []string{"allow", "warn", "block"}

// PutDecisions inserts or replaces decisions and appends events, in one write
// transaction: readers see all of it or none of it. Events are numbered in the order
// given, after every event stored before; their ID fields are ignored.
//
// It rejects a verdict (a decision's, or an event's To) other than allow, warn or
// block, and an event's From other than those or "".
func (s *Store) PutDecisions(ctx context.Context, ds []catalog.Decision, events []catalog.DecisionEvent) error {
	if err := s.putDecisions(ctx, ds, events); err != nil {
		return fmt.Errorf("catalog: put %d decisions and %d events: %w", len(ds), len(events), err)
	}
	return nil
}

func (s *Store) putDecisions(ctx context.Context, ds []catalog.Decision, events []catalog.DecisionEvent) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	// As in ImportAdvisories: the rows' statements get a context the driver need not
	// watch, and the loops check ctx.
	rowCtx := context.WithoutCancel(ctx)

	if len(ds) > 0 {
		upsert, err := tx.PrepareContext(ctx, `
			INSERT INTO decisions (repo, project, version, verdict, summary, revision, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (repo, project, version) DO UPDATE SET
				verdict = excluded.verdict,
				summary = excluded.summary,
				revision = excluded.revision,
				decided_at = excluded.decided_at`)
		if err != nil {
			return err
		}
		defer upsert.Close()
		for i, d := range ds {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("stopped at decision %d: %w", i, err)
			}
			if !slices.Contains(verdicts, d.Verdict) {
				return fmt.Errorf("decision on %s/%s %s: verdict %q: want one of %q", d.Repo, d.Project, d.Version, d.Verdict, verdicts)
			}
			decided, err := encodeTime(d.DecidedAt)
			if err != nil {
				return fmt.Errorf("decision on %s/%s %s: decided at: %w", d.Repo, d.Project, d.Version, err)
			}
			if _, err := upsert.ExecContext(rowCtx, d.Repo, d.Project, d.Version, d.Verdict, d.Summary, d.Revision, decided); err != nil {
				return fmt.Errorf("decision on %s/%s %s: %w", d.Repo, d.Project, d.Version, cmp.Or(ctx.Err(), err))
			}
		}
	}

	if len(events) > 0 {
		add, err := tx.PrepareContext(ctx, `
			INSERT INTO decision_events (time, repo, project, version, from_verdict, to_verdict, cause, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer add.Close()
		for i, e := range events {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("stopped at event %d: %w", i, err)
			}
			if !slices.Contains(verdicts, e.To) || (e.From != "" && !slices.Contains(verdicts, e.From)) {
				return fmt.Errorf("event on %s/%s %s: verdict %q to %q: want %q, or \"\" before the first", e.Repo, e.Project, e.Version, e.From, e.To, verdicts)
			}
			at, err := encodeTime(e.Time)
			if err != nil {
				return fmt.Errorf("event on %s/%s %s: time: %w", e.Repo, e.Project, e.Version, err)
			}
			if _, err := add.ExecContext(rowCtx, at, e.Repo, e.Project, e.Version, e.From, e.To, e.Cause, e.Detail); err != nil {
				return fmt.Errorf("event on %s/%s %s: %w", e.Repo, e.Project, e.Version, cmp.Or(ctx.Err(), err))
			}
		}
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

const decisionColumns = `repo, project, version, verdict, summary, revision, decided_at`

// ListDecisions returns the stored decisions of a repository's project ("" for every
// project of the repository), ordered by project then version, both byte-wise (not in
// the ecosystem's version order, which the catalog does not know).
func (s *Store) ListDecisions(ctx context.Context, repo, project string) ([]catalog.Decision, error) {
	var (
		rows *sql.Rows
		err  error
	)
	if project == "" {
		rows, err = s.read.QueryContext(ctx,
			`SELECT `+decisionColumns+` FROM decisions WHERE repo = ? ORDER BY project, version`, repo)
	} else {
		rows, err = s.read.QueryContext(ctx,
			`SELECT `+decisionColumns+` FROM decisions WHERE repo = ? AND project = ? ORDER BY version`, repo, project)
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: list decisions of %s/%s: %w", repo, project, err)
	}
	defer rows.Close()
	list := []catalog.Decision{}
	for rows.Next() {
		var d catalog.Decision
		var decided sql.NullInt64
		if err := rows.Scan(&d.Repo, &d.Project, &d.Version, &d.Verdict, &d.Summary, &d.Revision, &decided); err != nil {
			return nil, fmt.Errorf("catalog: list decisions of %s/%s: %w", repo, project, err)
		}
		d.DecidedAt = decodeTime(decided)
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: list decisions of %s/%s: %w", repo, project, err)
	}
	return list, nil
}

// ListEvents returns events with ID > afterID, oldest (lowest ID) first, at most limit
// of them; limit must be positive.
func (s *Store) ListEvents(ctx context.Context, afterID int64, limit int) ([]catalog.DecisionEvent, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("catalog: list events after %d: limit %d: want a positive number of events", afterID, limit)
	}
	rows, err := s.read.QueryContext(ctx, `
		SELECT id, time, repo, project, version, from_verdict, to_verdict, cause, detail
		FROM decision_events WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("catalog: list events after %d: %w", afterID, err)
	}
	defer rows.Close()
	list := []catalog.DecisionEvent{}
	for rows.Next() {
		var e catalog.DecisionEvent
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Repo, &e.Project, &e.Version, &e.From, &e.To, &e.Cause, &e.Detail); err != nil {
			return nil, fmt.Errorf("catalog: list events after %d: %w", afterID, err)
		}
		e.Time = decodeTime(at)
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: list events after %d: %w", afterID, err)
	}
	return list, nil
}

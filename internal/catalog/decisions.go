package catalog

import (
	"context"
	"time"
)

// Decision is the last verdict vetted reached on a release it has cached, so that a
// change of facts can tell which releases became blocked or allowed.
type Decision struct {
	Repo      string
	Project   string // normalised
	Version   string
	Verdict   string // allow, warn or block
	Summary   string // one line: the deciding reason
	Revision  string // policy revision and facts generation it was decided under
	DecidedAt time.Time
}

// DecisionEvent records that a release's verdict changed, and why.
type DecisionEvent struct {
	ID      int64
	Time    time.Time
	Repo    string
	Project string
	Version string
	From    string // previous verdict ("" when first decided)
	To      string
	Cause   string // what changed: "feed import 12", "triage 4", "policy default revision abc"
	Detail  string // the new decision's summary
}

// Decisions stores decisions and their change events.
type Decisions interface {
	// PutDecisions inserts or replaces decisions and appends events, in one transaction.
	PutDecisions(ctx context.Context, ds []Decision, events []DecisionEvent) error
	// ListDecisions returns the stored decisions of a repository's project ("" for
	// every project of the repository), ordered by project then version.
	ListDecisions(ctx context.Context, repo, project string) ([]Decision, error)
	// ListEvents returns events with ID > afterID, oldest first, at most limit (> 0).
	// IDs increase in commit order, so the last ID seen is a safe cursor.
	ListEvents(ctx context.Context, afterID int64, limit int) ([]DecisionEvent, error)
}

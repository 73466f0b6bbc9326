package catalog

import (
	"context"
	"time"
)

// Triage is a person's assessment of an advisory for a project's versions (VEX).
type Triage struct {
	ID         int64
	AdvisoryID string
	Ecosystem  string
	Project    string // normalised
	Versions   string // constraint in the ecosystem's syntax; "" means every version
	// Status is affected, not_affected, fixed or under_investigation.
	Status string
	// Justification is the OpenVEX justification when Status is not_affected
	// (component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path,
	// vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist).
	Justification string
	Owner         string
	Note          string
	Expires       time.Time // zero: never
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Triages stores triage records.
type Triages interface {
	// PutTriage inserts (ID 0) or updates a triage record and returns it as stored.
	// Updating a missing ID returns ErrNotFound. The store rejects an unknown status, a
	// justification other than OpenVEX's five or on a status other than not_affected,
	// and an empty advisory, ecosystem or project (the registry checks these first, with
	// messages for people). Zero times are set to now; an update keeps CreatedAt.
	PutTriage(ctx context.Context, t Triage) (Triage, error)
	// DeleteTriage removes a record; a missing ID returns ErrNotFound.
	DeleteTriage(ctx context.Context, id int64) error
	// ListTriage returns every record, in ID order.
	ListTriage(ctx context.Context) ([]Triage, error)
}

package catalog

import (
	"context"
	"time"
)

// ExceptionUse is what vetted has recorded of a policy exception, so that reports can
// name the exceptions that no decision needs.
type ExceptionUse struct {
	Key        string    // the exception's content, hashed (policy.ExceptionSpec.Key)
	FirstSeen  time.Time // when a server first ran with it
	LastLifted time.Time // when it last changed a decision; zero: never
}

// ExceptionUses stores ExceptionUse records.
type ExceptionUses interface {
	// PutExceptionUses records exceptions in one transaction. A new key is stored as
	// given; a known one keeps the earlier FirstSeen and the later LastLifted, so
	// servers may report in any order.
	PutExceptionUses(ctx context.Context, us []ExceptionUse) error
	// ListExceptionUses returns every record, in key order.
	ListExceptionUses(ctx context.Context) ([]ExceptionUse, error)
}

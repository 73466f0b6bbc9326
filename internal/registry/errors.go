package registry

import (
	"errors"
	"fmt"

	"vetted/internal/policy"
)

// ErrNotFound: the repository, project or file does not exist (or is not visible).
var ErrNotFound = errors.New("not found")

// ErrInvalid: the request names something that cannot exist (bad name, unsafe filename).
var ErrInvalid = errors.New("invalid request")

// BlockedError is returned when policy refuses a version.
type BlockedError struct {
	Repo     string
	Project  string
	Version  string
	Filename string
	Decision policy.Decision
	// NewestAllowed is the newest version of the project the policy allows, or "".
	NewestAllowed string
}

func (e *BlockedError) Error() string {
	msg := e.Decision.Summary()
	if e.NewestAllowed != "" {
		msg += fmt.Sprintf("; newest allowed version: %s", e.NewestAllowed)
	} else {
		msg += "; no version of this project is allowed"
	}
	for _, r := range e.Decision.Reasons {
		if r.Verdict == policy.Block && r.Remedy != "" {
			msg += "; " + r.Remedy
			break
		}
	}
	return msg
}

// VerifyError is returned when upstream bytes do not match the digest its index gave.
// Nothing was stored.
type VerifyError struct {
	Filename string
	URL      string
	Algo     string
	Expected string
	Got      string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("%s from %s failed verification: expected %s %s, received %s; nothing was stored (the upstream file or its index is corrupt; retry later or ask the upstream's maintainers)",
		e.Filename, e.URL, e.Algo, e.Expected, e.Got)
}

// BadUpstreamError is returned when upstream answered, but with something vetted cannot
// use: a page that is not a simple index or does not follow its format, a digest that is
// not a digest, a wheel without readable core metadata. Nothing was stored.
type BadUpstreamError struct {
	URL string // what was fetched
	Err error  // what is wrong with it
}

func (e *BadUpstreamError) Error() string {
	return fmt.Sprintf("upstream %s sent something vetted cannot use: %v; nothing was stored (check that the repository's upstream is a Python package index, or ask its maintainers)", e.URL, e.Err)
}

func (e *BadUpstreamError) Unwrap() error { return e.Err }

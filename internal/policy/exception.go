package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"vetted/internal/ecosystem"
)

// ExceptionSpec declares an exception: versions of a project that a kind of rule does not
// block, for a reason, with an owner who answers for it, until it expires.
type ExceptionSpec struct {
	Project  string    // name or glob
	Versions string    // constraint; "" for every version
	Rule     string    // the kind of rule it lifts: block, max-cvss, max-severity, licenses, allowlist-only; "" for any but malicious
	Owner    string    // who answers for it
	Reason   string    // why
	Expires  time.Time // when it stops applying (required)
}

// Key identifies the exception by its content, the same in every process and across
// restarts, so that what is recorded of its use follows it (and a changed exception is
// a new one).
func (es ExceptionSpec) Key() string {
	sum := sha256.Sum256([]byte(strings.Join([]string{es.Project, es.Versions, es.Rule, es.Owner, es.Reason, es.Expires.UTC().Format(time.RFC3339)}, "\x00")))
	return hex.EncodeToString(sum[:8])
}

type exception struct {
	ExceptionSpec
	glob     string
	versions ecosystem.Constraint
	lifted   atomic.Int64 // Unix nanoseconds of the latest decision it changed; 0: none
}

// noteLifted records that the exception changed a decision made at now.
func (e *exception) noteLifted(now time.Time) {
	if now.IsZero() {
		now = time.Now()
	}
	n := now.UnixNano()
	for {
		old := e.lifted.Load()
		if old >= n || e.lifted.CompareAndSwap(old, n) {
			return
		}
	}
}

// ruleKinds are the kinds of rule an exception can lift. Malicious packages never have
// exceptions.
var ruleKinds = map[string]bool{"": true, "block": true, "max-cvss": true, "max-severity": true, "licenses": true, "allowlist-only": true}

func compileException(policyName string, n int, es ExceptionSpec, eco ecosystem.Ecosystem) (*exception, error) {
	where := fmt.Sprintf("policy %q exception %d", policyName, n)
	switch {
	case es.Project == "":
		return nil, fmt.Errorf("%s: project is empty", where)
	case !ruleKinds[es.Rule]:
		return nil, fmt.Errorf("%s: rule %q is not one of block, max-cvss, max-severity, licenses, allowlist-only", where, es.Rule)
	case strings.TrimSpace(es.Owner) == "":
		return nil, fmt.Errorf("%s: owner is required: who answers for this exception", where)
	case strings.TrimSpace(es.Reason) == "":
		return nil, fmt.Errorf("%s: reason is required", where)
	case es.Expires.IsZero():
		return nil, fmt.Errorf("%s: expires is required: exceptions are reviewed, not forgotten", where)
	}
	ex := &exception{ExceptionSpec: es, glob: normalizeGlob(es.Project, eco)}
	if _, err := path.Match(ex.glob, ""); err != nil {
		return nil, fmt.Errorf("%s: project %q is not a valid glob: %v", where, es.Project, err)
	}
	if strings.TrimSpace(es.Versions) != "" {
		c, err := eco.ParseConstraint(es.Versions)
		if err != nil {
			return nil, fmt.Errorf("%s: versions: %w", where, err)
		}
		ex.versions = c
	}
	return ex, nil
}

// lifts reports whether the exception applies to a rule of that kind for these facts.
func (e *exception) lifts(kind string, f Facts) bool {
	if kind == "malicious" || (e.Rule != "" && e.Rule != kind) {
		return false
	}
	if !f.Now.IsZero() && !f.Now.Before(e.Expires) {
		return false
	}
	if ok, _ := path.Match(e.glob, f.Project); !ok {
		return false
	}
	return e.versions == nil || e.versions.Contains(f.Version)
}

func (e *exception) reason(kind string, f Facts, lifted Reason) Reason {
	return Reason{
		Rule:     lifted.Rule,
		Verdict:  Allow,
		Message:  fmt.Sprintf("%s %s would be %s by %s, but an exception owned by %s allows it until %s: %s", f.Project, f.Version, verbed(lifted.Verdict), lifted.Rule, e.Owner, e.Expires.UTC().Format("2006-01-02"), e.Reason),
		Evidence: lifted.Message,
	}
}

func verbed(v Verdict) string {
	if v == Warn {
		return "warned about"
	}
	return "blocked"
}

// Exceptions returns the policy's exceptions, for reports (expired ones included).
func (p *Policy) Exceptions() []ExceptionSpec {
	out := make([]ExceptionSpec, len(p.exceptions))
	for i, e := range p.exceptions {
		out[i] = e.ExceptionSpec
	}
	return out
}

// ExceptionUse is when an exception last changed a decision of this policy.
type ExceptionUse struct {
	Spec       ExceptionSpec
	LastLifted time.Time // zero: not since the policy was compiled
}

// ExceptionUses returns, for each exception, when it last lifted a rule in a decision
// this policy made (in this process).
func (p *Policy) ExceptionUses() []ExceptionUse {
	out := make([]ExceptionUse, len(p.exceptions))
	for i, e := range p.exceptions {
		out[i].Spec = e.ExceptionSpec
		if n := e.lifted.Load(); n != 0 {
			out[i].LastLifted = time.Unix(0, n).UTC()
		}
	}
	return out
}

// HasExceptions reports whether the policy has exceptions at all (expired ones
// included): without any, ActiveExceptions is 0 at any time.
func (p *Policy) HasExceptions() bool { return len(p.exceptions) > 0 }

// ActiveExceptions counts the exceptions still in force at now; it changes when one
// expires, so callers can key cached decisions by it.
func (p *Policy) ActiveExceptions(now time.Time) int {
	n := 0
	for _, e := range p.exceptions {
		if now.Before(e.Expires) {
			n++
		}
	}
	return n
}

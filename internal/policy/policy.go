package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	"vetted/internal/ecosystem"
	"vetted/internal/license"
)

// Verdict is the outcome of a decision, ordered by severity.
type Verdict int

const (
	Allow Verdict = iota // served
	Warn                 // served, with a reason recorded
	Block                // hidden from indexes, refused at download
)

func (v Verdict) String() string {
	switch v {
	case Allow:
		return "allow"
	case Warn:
		return "warn"
	case Block:
		return "block"
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// MarshalText encodes the verdict by name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Facts is what is known of one package version when it is decided. It grows with the
// rules: advisories, licence, release time and health signals come next.
type Facts struct {
	Project string // normalised name
	Version string
	// Vulnerabilities are the advisories that affect this version (deduplicated by
	// alias), with scores and triage.
	Vulnerabilities []Vulnerability
	// License is the version's licence; nil when vetted does not know it.
	License *License
	// Now is when the decision is made, for exceptions' expiry (zero: they never expire).
	Now time.Time
}

// Reason explains one rule's contribution to a decision.
type Reason struct {
	Rule     string  `json:"rule"`     // which rule: `policy "default" rule 1 (block alpha >=2.0)`
	Verdict  Verdict `json:"verdict"`  // what the rule said
	Message  string  `json:"message"`  // one line for people
	Evidence string  `json:"evidence"` // what matched (version and constraint, advisory id and score, …)
	Remedy   string  `json:"remedy"`   // what the person can do next
}

// Decision is the verdict on one version, with its reasons.
type Decision struct {
	Verdict  Verdict  `json:"verdict"`
	Reasons  []Reason `json:"reasons"`
	Policy   string   `json:"policy"`   // policy name
	Revision string   `json:"revision"` // the policy's revision: decisions of different revisions differ
}

// Allowed reports whether the version may be served.
func (d Decision) Allowed() bool { return d.Verdict != Block }

// Summary is the decision in one line: the first blocking reason, else the verdict.
func (d Decision) Summary() string {
	for _, r := range d.Reasons {
		if r.Verdict == d.Verdict {
			return r.Message
		}
	}
	return d.Verdict.String()
}

// Mode says what happens to a version that no rule matches.
type Mode string

const (
	ModeDefault       Mode = "default"        // allowed
	ModeAllowlistOnly Mode = "allowlist-only" // blocked: only what an allow rule names exists
)

// Action is what a name/version rule does when it matches.
type Action string

const (
	ActionAllow       Action = "allow"
	ActionBlock       Action = "block"
	ActionMaxCVSS     Action = "max-cvss"     // block at or above a CVSS base score
	ActionMaxSeverity Action = "max-severity" // block at or above a severity rating
	ActionLicenses    Action = "licenses"     // block licences not allowed
)

// Spec declares a policy; Compile checks it and makes it ready to evaluate.
type Spec struct {
	Name       string
	Mode       Mode
	Rules      []RuleSpec
	Exceptions []ExceptionSpec
	// LicenseTable classifies licences for licence rules (nil: the built-in table).
	LicenseTable *license.Table `json:"-"`
}

// RuleSpec declares one rule.
type RuleSpec struct {
	Action   Action
	Project  string // allow, block: name or glob over normalised names
	Versions string // allow, block: constraint in the ecosystem's syntax; empty: every version
	Reason   string // allow, block: shown to people when the rule blocks

	MaxCVSS     float64 // max-cvss: versions affected by an advisory scoring at least this are blocked
	MaxSeverity string  // max-severity: low, medium, high or critical; that rating and above are blocked
	Unscored    string  // max-cvss, max-severity: block, warn (default) or allow advisories without a score

	LicenseAllow []string // licenses: SPDX ids or categories allowed (empty: all not denied)
	LicenseDeny  []string // licenses: SPDX ids or categories denied
	Unknown      string   // licenses: block, warn (default) or allow licences not mapped to SPDX
}

// Policy is a compiled, immutable policy.
type Policy struct {
	name       string
	mode       Mode
	rules      []rule
	exceptions []*exception
	revision   string
}

// rule is one compiled rule. Rules to come (CVSS thresholds, licences, release age) are
// further implementations.
type rule interface {
	// evaluate returns whether the rule matches the facts and, if so, its reason.
	evaluate(f Facts) (Reason, bool)
	// kind names the kind of rule, for exceptions: block, allow, max-cvss, max-severity,
	// licenses, malicious.
	kind() string
}

// Compile checks spec against the ecosystem's name and version syntax. Errors name the
// rule and what is wrong with it.
func Compile(spec Spec, eco ecosystem.Ecosystem) (*Policy, error) {
	if spec.Mode == "" {
		spec.Mode = ModeDefault
	}
	if spec.Mode != ModeDefault && spec.Mode != ModeAllowlistOnly {
		return nil, fmt.Errorf("policy %q: mode %q is not one of default, allowlist-only", spec.Name, spec.Mode)
	}
	p := &Policy{name: spec.Name, mode: spec.Mode, rules: []rule{maliciousRule{spec.Name}}}
	for i, rs := range spec.Rules {
		var (
			r   rule
			err error
		)
		switch rs.Action {
		case ActionMaxCVSS, ActionMaxSeverity:
			r, err = compileVulnRule(spec.Name, i+1, rs)
		case ActionLicenses:
			r, err = compileLicenseRule(spec.Name, i+1, rs, spec.LicenseTable)
		default:
			r, err = compileNameRule(spec.Name, i+1, rs, eco)
		}
		if err != nil {
			return nil, err
		}
		p.rules = append(p.rules, r)
	}
	for i, es := range spec.Exceptions {
		ex, err := compileException(spec.Name, i+1, es, eco)
		if err != nil {
			return nil, err
		}
		p.exceptions = append(p.exceptions, ex)
	}
	// The revision is derived from the declaration, so that restarting with the same
	// policy keeps cached decisions and rendered indexes valid.
	canon, _ := json.Marshal(struct {
		Eco  string
		Spec Spec
	}{eco.Name(), spec})
	sum := sha256.Sum256(canon)
	p.revision = hex.EncodeToString(sum[:8])
	return p, nil
}

// Name is the policy's name.
func (p *Policy) Name() string { return p.name }

// Revision identifies the policy's content.
func (p *Policy) Revision() string { return p.revision }

// Evaluate decides one version. Rules are tried in order and the first that matches
// decides; when none matches, the mode decides.
func (p *Policy) Evaluate(f Facts) Decision {
	d := Decision{Verdict: Allow, Policy: p.name, Revision: p.revision}
	for _, r := range p.rules {
		reason, ok := r.evaluate(f)
		if !ok {
			continue
		}
		if reason.Verdict != Allow {
			if ex := p.exceptionFor(r.kind(), f); ex != nil {
				ex.noteLifted(f.Now)
				d.Reasons = append(d.Reasons, ex.reason(r.kind(), f, reason))
				continue // lifted: the next rules still apply
			}
		}
		d.Reasons = append(d.Reasons, reason)
		if reason.Verdict == Warn {
			d.Verdict = Warn
			continue // a warning is recorded, and the next rules still apply
		}
		if reason.Verdict == Block {
			d.Verdict = Block
		}
		return d
	}
	if p.mode == ModeAllowlistOnly {
		reason := Reason{
			Rule:     fmt.Sprintf("policy %q mode allowlist-only", p.name),
			Verdict:  Block,
			Message:  fmt.Sprintf("%s %s is not on the allowlist of policy %q", f.Project, f.Version, p.name),
			Evidence: "no allow rule matches this project and version",
			Remedy:   "ask a repository administrator to add an allow rule for it",
		}
		if ex := p.exceptionFor("allowlist-only", f); ex != nil {
			ex.noteLifted(f.Now)
			d.Reasons = append(d.Reasons, ex.reason("allowlist-only", f, reason))
			return d
		}
		d.Verdict = Block
		d.Reasons = append(d.Reasons, reason)
	}
	return d
}

// exceptionFor returns the first exception that lifts a rule of that kind, or nil.
func (p *Policy) exceptionFor(kind string, f Facts) *exception {
	for _, e := range p.exceptions {
		if e.lifts(kind, f) {
			return e
		}
	}
	return nil
}

// nameRule allows or blocks by project glob and version constraint.
type nameRule struct {
	label    string
	action   Action
	glob     string
	literal  bool                 // glob has no special character: compared as a string
	versions ecosystem.Constraint // nil: every version
	reason   string
}

// matches reports whether the rule's glob matches a (normalised) project name.
func (r *nameRule) matches(project string) bool {
	if r.literal {
		return r.glob == project // most rules name one project: no pattern matching
	}
	ok, _ := path.Match(r.glob, project)
	return ok
}

func compileNameRule(policyName string, n int, rs RuleSpec, eco ecosystem.Ecosystem) (*nameRule, error) {
	where := fmt.Sprintf("policy %q rule %d", policyName, n)
	if rs.Action != ActionAllow && rs.Action != ActionBlock {
		return nil, fmt.Errorf("%s: action %q is not allow, block, max-cvss or max-severity", where, rs.Action)
	}
	if rs.Project == "" {
		return nil, fmt.Errorf("%s: project is empty; use \"*\" for every project", where)
	}
	glob := normalizeGlob(rs.Project, eco)
	if _, err := path.Match(glob, ""); err != nil {
		return nil, fmt.Errorf("%s: project %q is not a valid glob: %v", where, rs.Project, err)
	}
	r := &nameRule{action: rs.Action, glob: glob, literal: !strings.ContainsAny(glob, `*?[\`), reason: rs.Reason}
	desc := string(rs.Action) + " " + glob
	if strings.TrimSpace(rs.Versions) != "" {
		c, err := eco.ParseConstraint(rs.Versions)
		if err != nil {
			return nil, fmt.Errorf("%s: versions: %w", where, err)
		}
		r.versions = c
		desc += " " + c.String()
	}
	r.label = fmt.Sprintf("%s (%s)", where, desc)
	return r, nil
}

// normalizeGlob normalises the literal parts of a project glob the way names are
// normalised, leaving the glob's special characters alone.
func normalizeGlob(glob string, eco ecosystem.Ecosystem) string {
	var b strings.Builder
	lit := func(s string) {
		if s != "" {
			b.WriteString(eco.NormalizeName(s))
		}
	}
	start := 0
	inClass := false
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch {
		case inClass:
			if c == ']' {
				b.WriteString(strings.ToLower(glob[start : i+1]))
				start, inClass = i+1, false
			}
		case c == '*' || c == '?' || c == '[':
			lit(glob[start:i])
			start = i
			if c == '[' {
				inClass = true
				continue
			}
			b.WriteByte(c)
			start = i + 1
		}
	}
	if inClass {
		b.WriteString(glob[start:]) // left unbalanced: path.Match reports it
	} else {
		lit(glob[start:])
	}
	return b.String()
}

func (r *nameRule) kind() string { return string(r.action) }

func (r *nameRule) evaluate(f Facts) (Reason, bool) {
	if !r.matches(f.Project) {
		return Reason{}, false
	}
	if r.versions != nil && !r.versions.Contains(f.Version) {
		return Reason{}, false
	}
	evidence := fmt.Sprintf("project %s matches %q", f.Project, r.glob)
	if r.versions != nil {
		evidence += fmt.Sprintf(", version %s matches %q", f.Version, r.versions.String())
	}
	if r.action == ActionAllow {
		return Reason{Rule: r.label, Verdict: Allow, Message: fmt.Sprintf("%s %s is allowed by %s", f.Project, f.Version, r.label), Evidence: evidence}, true
	}
	msg := fmt.Sprintf("%s %s is blocked by %s", f.Project, f.Version, r.label)
	if r.reason != "" {
		msg += ": " + r.reason
	}
	return Reason{
		Rule:     r.label,
		Verdict:  Block,
		Message:  msg,
		Evidence: evidence,
		Remedy:   "use an allowed version, or ask a repository administrator for an exception",
	}, true
}

// NeedsLicense reports whether a rule decides on licences, so that the caller knows to
// gather them (for PyPI, from core metadata).
func (p *Policy) NeedsLicense() bool {
	for _, r := range p.rules {
		if _, ok := r.(*licenseRule); ok {
			return true
		}
	}
	return false
}

// ProjectVisible reports whether any version of a project might be allowed, judging by
// its name alone. Project lists leave out the projects for which it is false.
func (p *Policy) ProjectVisible(project string) bool {
	for _, r := range p.rules {
		nr, ok := r.(*nameRule)
		if !ok {
			continue // rules on other facts concern versions, not whole projects
		}
		if !nr.matches(project) {
			continue
		}
		if nr.action == ActionAllow {
			return true
		}
		if nr.versions == nil {
			return false // every version is blocked
		}
		// Versions outside the constraint go on to the next rules.
	}
	return p.mode != ModeAllowlistOnly
}

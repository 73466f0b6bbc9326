package policy

import (
	"fmt"
	"strings"
	"sync"

	"vetted/internal/license"
)

// License is a version's licence: the text its metadata declares and its SPDX form.
type License struct {
	Declared   string `json:"declared"`
	Expression string `json:"expression"` // SPDX, or NOASSERTION
	Category   string `json:"category"`
}

// known reports whether the declaration could be mapped to SPDX.
func (l *License) known() bool { return l.Expression != "" && l.Expression != license.NOASSERTION }

var defaultTable = sync.OnceValues(license.DefaultTable)

// licenseRule blocks versions whose licence is not allowed: allow and deny hold SPDX ids
// or categories (permissive, weak-copyleft, strong-copyleft, network-copyleft,
// public-domain, proprietary, unknown); OR alternatives let the least restrictive allowed
// one decide, AND terms must all be allowed.
type licenseRule struct {
	label       string
	allow, deny []string
	unknown     Verdict
	table       *license.Table
}

func compileLicenseRule(policyName string, n int, rs RuleSpec, table *license.Table) (*licenseRule, error) {
	where := fmt.Sprintf("policy %q rule %d", policyName, n)
	if table == nil {
		var err error
		if table, err = defaultTable(); err != nil {
			return nil, fmt.Errorf("%s: licence table: %w", where, err)
		}
	}
	if err := license.ValidateRule(append(append([]string(nil), rs.LicenseAllow...), rs.LicenseDeny...)); err != nil {
		return nil, fmt.Errorf("%s: licenses: %w", where, err)
	}
	r := &licenseRule{allow: rs.LicenseAllow, deny: rs.LicenseDeny, unknown: Warn, table: table}
	switch rs.Unknown {
	case "", "warn":
	case "block":
		r.unknown = Block
	case "allow":
		r.unknown = Allow
	default:
		return nil, fmt.Errorf("%s: licenses.unknown %q is not one of block, warn, allow", where, rs.Unknown)
	}
	var parts []string
	if len(r.allow) > 0 {
		parts = append(parts, "allow "+strings.Join(r.allow, ", "))
	}
	if len(r.deny) > 0 {
		parts = append(parts, "deny "+strings.Join(r.deny, ", "))
	}
	r.label = fmt.Sprintf("%s (licenses: %s)", where, strings.Join(parts, "; "))
	return r, nil
}

func (*licenseRule) kind() string { return "licenses" }

func (r *licenseRule) evaluate(f Facts) (Reason, bool) {
	l := f.License
	if l == nil {
		return Reason{}, false // the licence is not known to vetted for this ecosystem yet
	}
	evidence := fmt.Sprintf("declared %q", l.Declared)
	if !l.known() {
		if r.unknown == Allow {
			return Reason{}, false
		}
		return Reason{
			Rule: r.label, Verdict: r.unknown,
			Message:  fmt.Sprintf("%s %s declares a licence vetted cannot map to SPDX (%q) (policy: %s unknown licences)", f.Project, f.Version, l.Declared, r.unknown),
			Evidence: evidence,
			Remedy:   "check the package's licence by hand, and ask for an exception if it is acceptable",
		}, true
	}
	ok, clause := license.Allowed(l.Expression, r.allow, r.deny, r.table)
	if ok {
		return Reason{}, false
	}
	return Reason{
		Rule: r.label, Verdict: Block,
		Message:  fmt.Sprintf("%s %s is blocked by %s: licence %s (%s): %s is not allowed", f.Project, f.Version, r.label, l.Expression, l.Category, clause),
		Evidence: evidence,
		Remedy:   "use a version or a package under an allowed licence, or ask for an exception",
	}, true
}

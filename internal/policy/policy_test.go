package policy_test

import (
	"strings"
	"testing"
	"time"

	"vetted/internal/ecosystem/pypi"
	"vetted/internal/policy"
)

func compile(t *testing.T, mode policy.Mode, rules ...policy.RuleSpec) *policy.Policy {
	t.Helper()
	p, err := policy.Compile(policy.Spec{Name: "test", Mode: mode, Rules: rules}, pypi.Ecosystem{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func block(project, versions string) policy.RuleSpec {
	return policy.RuleSpec{Action: policy.ActionBlock, Project: project, Versions: versions}
}

func allow(project, versions string) policy.RuleSpec {
	return policy.RuleSpec{Action: policy.ActionAllow, Project: project, Versions: versions}
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name    string
		mode    policy.Mode
		rules   []policy.RuleSpec
		project string
		version string
		want    policy.Verdict
		rule    string // substring of the deciding rule's label
	}{
		{"no rules allow", "", nil, "alpha", "2.0", policy.Allow, ""},
		{"block by range", "", []policy.RuleSpec{block("alpha", ">=2.0")}, "alpha", "2.0", policy.Block, "rule 1 (block alpha >=2.0)"},
		{"outside range", "", []policy.RuleSpec{block("alpha", ">=2.0")}, "alpha", "1.1", policy.Allow, ""},
		{"pre-release inside range", "", []policy.RuleSpec{block("alpha", ">=2.0")}, "alpha", "2.1rc1", policy.Block, "rule 1"},
		{"pre-release of the bound", "", []policy.RuleSpec{block("alpha", ">=2.0")}, "alpha", "2.0rc1", policy.Allow, ""},
		{"post-release", "", []policy.RuleSpec{block("alpha", "==2.0")}, "alpha", "2.0.post1", policy.Allow, ""},
		{"wildcard", "", []policy.RuleSpec{block("alpha", "==1.*")}, "alpha", "1.9.3", policy.Block, "rule 1"},
		{"whole project", "", []policy.RuleSpec{block("evil", "")}, "evil", "0.1", policy.Block, "rule 1 (block evil)"},
		{"glob", "", []policy.RuleSpec{block("django-*", "")}, "django-extensions", "3.0", policy.Block, "rule 1"},
		{"glob normalised", "", []policy.RuleSpec{block("Django_*", "")}, "django-extensions", "3.0", policy.Block, "rule 1"},
		{"glob no match", "", []policy.RuleSpec{block("django-*", "")}, "django", "5.0", policy.Allow, ""},
		{"name normalised", "", []policy.RuleSpec{block("Gamma.Util", "")}, "gamma-util", "1", policy.Block, "rule 1"},
		{"first match wins: allow before block", "", []policy.RuleSpec{allow("alpha", "==2.0.1"), block("alpha", ">=2.0")}, "alpha", "2.0.1", policy.Allow, ""},
		{"first match wins: block before allow", "", []policy.RuleSpec{block("alpha", ">=2.0"), allow("alpha", "")}, "alpha", "2.0.1", policy.Block, "rule 1"},
		{"allowlist listed", policy.ModeAllowlistOnly, []policy.RuleSpec{allow("numpy", ">=1.26")}, "numpy", "1.26.4", policy.Allow, ""},
		{"allowlist old version", policy.ModeAllowlistOnly, []policy.RuleSpec{allow("numpy", ">=1.26")}, "numpy", "1.25.0", policy.Block, "allowlist-only"},
		{"allowlist unlisted", policy.ModeAllowlistOnly, []policy.RuleSpec{allow("numpy", "")}, "pandas", "2.0", policy.Block, "allowlist-only"},
		{"unparsable version and a range", "", []policy.RuleSpec{block("alpha", ">=2.0")}, "alpha", "not-a-version", policy.Allow, ""},
		{"epoch", "", []policy.RuleSpec{block("alpha", "<1!0")}, "alpha", "2024.1", policy.Block, "rule 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := compile(t, c.mode, c.rules...).Evaluate(policy.Facts{Project: c.project, Version: c.version})
			if d.Verdict != c.want {
				t.Fatalf("verdict %s, want %s (%+v)", d.Verdict, c.want, d)
			}
			if c.rule != "" && (len(d.Reasons) == 0 || !strings.Contains(d.Reasons[len(d.Reasons)-1].Rule, c.rule)) {
				t.Fatalf("reasons %+v, want rule containing %q", d.Reasons, c.rule)
			}
			if d.Verdict == policy.Block && (d.Summary() == "" || d.Reasons[len(d.Reasons)-1].Remedy == "") {
				t.Fatalf("a block must say why and what to do: %+v", d)
			}
		})
	}
}

func TestBlockMessageCarriesReason(t *testing.T) {
	p := compile(t, "", policy.RuleSpec{Action: policy.ActionBlock, Project: "alpha", Versions: ">=2", Reason: "ticket DS-1"})
	d := p.Evaluate(policy.Facts{Project: "alpha", Version: "2.0"})
	want := `alpha 2.0 is blocked by policy "test" rule 1 (block alpha >=2): ticket DS-1`
	if d.Summary() != want {
		t.Fatalf("summary %q, want %q", d.Summary(), want)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name string
		spec policy.Spec
		want string
	}{
		{"bad specifier", policy.Spec{Name: "p", Rules: []policy.RuleSpec{block("alpha", ">>2")}}, `policy "p" rule 1: versions:`},
		{"bad glob", policy.Spec{Name: "p", Rules: []policy.RuleSpec{block("[a", "")}}, `not a valid glob`},
		{"empty project", policy.Spec{Name: "p", Rules: []policy.RuleSpec{block("", "")}}, `project is empty`},
		{"bad mode", policy.Spec{Name: "p", Mode: "strict"}, `mode "strict"`},
		{"bad action", policy.Spec{Name: "p", Rules: []policy.RuleSpec{{Action: "deny", Project: "x"}}}, `action "deny"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := policy.Compile(c.spec, pypi.Ecosystem{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestRevisionIsStableAndSensitive(t *testing.T) {
	a := compile(t, "", block("alpha", ">=2.0"))
	b := compile(t, "", block("alpha", ">=2.0"))
	c := compile(t, "", block("alpha", ">=2.1"))
	if a.Revision() != b.Revision() || a.Revision() == c.Revision() {
		t.Fatalf("revisions %s %s %s", a.Revision(), b.Revision(), c.Revision())
	}
}

func TestProjectVisible(t *testing.T) {
	cases := []struct {
		name    string
		mode    policy.Mode
		rules   []policy.RuleSpec
		project string
		want    bool
	}{
		{"default", "", nil, "x", true},
		{"blocked whole", "", []policy.RuleSpec{block("x", "")}, "x", false},
		{"blocked partly", "", []policy.RuleSpec{block("x", ">=2")}, "x", true},
		{"partly then whole", "", []policy.RuleSpec{block("x", ">=2"), block("x", "")}, "x", false},
		{"allowlist unlisted", policy.ModeAllowlistOnly, []policy.RuleSpec{allow("numpy", "")}, "x", false},
		{"allowlist listed partly", policy.ModeAllowlistOnly, []policy.RuleSpec{allow("numpy", ">=1.26")}, "numpy", true},
		{"allow before block", "", []policy.RuleSpec{allow("x", "==1.0"), block("*", "")}, "x", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := compile(t, c.mode, c.rules...).ProjectVisible(c.project); got != c.want {
				t.Fatalf("ProjectVisible = %v, want %v", got, c.want)
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	var rules []policy.RuleSpec
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "django-*"} {
		rules = append(rules, block(n, ">=2.0,<3"))
	}
	p, _ := policy.Compile(policy.Spec{Name: "bench", Rules: rules}, pypi.Ecosystem{})
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(policy.Facts{Project: "django-extensions", Version: "2.5.1"})
	}
}

func TestVulnerabilityRules(t *testing.T) {
	critical := policy.Vulnerability{ID: "GHSA-1", Aliases: []string{"CVE-2024-1"}, Scored: true, Score: 9.8, Severity: "critical", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", FixedIn: "2.0.1"}
	medium := policy.Vulnerability{ID: "PYSEC-2", Scored: true, Score: 5.3, Severity: "medium"}
	seven := policy.Vulnerability{ID: "PYSEC-7", Scored: true, Score: 7.0, Severity: "high"}
	unscored := policy.Vulnerability{ID: "PYSEC-3"}
	mal := policy.Vulnerability{ID: "MAL-2024-1", Malicious: true}
	cvss7 := policy.RuleSpec{Action: policy.ActionMaxCVSS, MaxCVSS: 7.0}
	high := policy.RuleSpec{Action: policy.ActionMaxSeverity, MaxSeverity: "high"}
	withTriage := func(v policy.Vulnerability, status string) policy.Vulnerability { v.Triage = status; return v }
	cases := []struct {
		name   string
		rules  []policy.RuleSpec
		vulns  []policy.Vulnerability
		want   policy.Verdict
		substr string
	}{
		{"no findings", []policy.RuleSpec{cvss7}, nil, policy.Allow, ""},
		{"above threshold", []policy.RuleSpec{cvss7}, []policy.Vulnerability{critical}, policy.Block, "GHSA-1 (CVE-2024-1) scores 9.8 critical"},
		{"at threshold blocks", []policy.RuleSpec{cvss7}, []policy.Vulnerability{seven}, policy.Block, "PYSEC-7 scores 7.0"},
		{"below threshold", []policy.RuleSpec{cvss7}, []policy.Vulnerability{medium}, policy.Allow, ""},
		{"not_affected triage", []policy.RuleSpec{cvss7}, []policy.Vulnerability{withTriage(critical, "not_affected")}, policy.Allow, ""},
		{"fixed triage", []policy.RuleSpec{cvss7}, []policy.Vulnerability{withTriage(critical, "fixed")}, policy.Allow, ""},
		{"under investigation still blocks", []policy.RuleSpec{cvss7}, []policy.Vulnerability{withTriage(critical, "under_investigation")}, policy.Block, "GHSA-1"},
		{"unscored warns by default", []policy.RuleSpec{cvss7}, []policy.Vulnerability{unscored}, policy.Warn, "unscored"},
		{"unscored block", []policy.RuleSpec{{Action: policy.ActionMaxCVSS, MaxCVSS: 7, Unscored: "block"}}, []policy.Vulnerability{unscored}, policy.Block, "PYSEC-3 has no CVSS score"},
		{"unscored allow", []policy.RuleSpec{{Action: policy.ActionMaxCVSS, MaxCVSS: 7, Unscored: "allow"}}, []policy.Vulnerability{unscored}, policy.Allow, ""},
		{"severity high blocks critical", []policy.RuleSpec{high}, []policy.Vulnerability{critical}, policy.Block, "max-severity high"},
		{"severity high passes medium", []policy.RuleSpec{high}, []policy.Vulnerability{medium}, policy.Allow, ""},
		{"allow rule is an exception", []policy.RuleSpec{allow("alpha", "==2.0"), cvss7}, []policy.Vulnerability{critical}, policy.Allow, ""},
		{"malicious always blocks", []policy.RuleSpec{allow("alpha", "")}, []policy.Vulnerability{mal}, policy.Block, "malicious"},
		{"malicious without rules", nil, []policy.Vulnerability{withTriage(mal, "not_affected")}, policy.Block, "MAL-2024-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := compile(t, "", c.rules...).Evaluate(policy.Facts{Project: "alpha", Version: "2.0", Vulnerabilities: c.vulns})
			if d.Verdict != c.want {
				t.Fatalf("verdict %s, want %s: %+v", d.Verdict, c.want, d)
			}
			if c.substr != "" && !strings.Contains(d.Summary(), c.substr) {
				t.Fatalf("summary %q lacks %q", d.Summary(), c.substr)
			}
		})
	}
	d := compile(t, "", cvss7).Evaluate(policy.Facts{Project: "alpha", Version: "2.0", Vulnerabilities: []policy.Vulnerability{critical}})
	if r := d.Reasons[0]; !strings.Contains(r.Remedy, "upgrade to 2.0.1") || !strings.Contains(r.Evidence, "CVSS:3.1/AV:N") {
		t.Fatalf("remedy %q evidence %q", r.Remedy, r.Evidence)
	}
}

func TestVulnerabilityRuleErrors(t *testing.T) {
	for _, rs := range []policy.RuleSpec{
		{Action: policy.ActionMaxCVSS, MaxCVSS: 10.5},
		{Action: policy.ActionMaxSeverity, MaxSeverity: "none"},
		{Action: policy.ActionMaxCVSS, MaxCVSS: 7, Unscored: "maybe"},
	} {
		if _, err := policy.Compile(policy.Spec{Name: "p", Rules: []policy.RuleSpec{rs}}, pypi.Ecosystem{}); err == nil {
			t.Errorf("%+v compiled", rs)
		}
	}
}

func TestLicenseRule(t *testing.T) {
	rule := func(allow, deny []string, unknown string) policy.RuleSpec {
		return policy.RuleSpec{Action: policy.ActionLicenses, LicenseAllow: allow, LicenseDeny: deny, Unknown: unknown}
	}
	lic := func(expr, cat string) *policy.License {
		return &policy.License{Declared: expr, Expression: expr, Category: cat}
	}
	cases := []struct {
		name   string
		rule   policy.RuleSpec
		lic    *policy.License
		want   policy.Verdict
		substr string
	}{
		{"not known to vetted", rule(nil, []string{"strong-copyleft"}, ""), nil, policy.Allow, ""},
		{"permissive passes", rule(nil, []string{"strong-copyleft"}, ""), lic("MIT", "permissive"), policy.Allow, ""},
		{"GPL denied", rule(nil, []string{"strong-copyleft"}, ""), lic("GPL-3.0-only", "strong-copyleft"), policy.Block, "GPL-3.0-only"},
		{"OR lets the user choose", rule(nil, []string{"strong-copyleft"}, ""), lic("MIT OR GPL-3.0-only", "permissive"), policy.Allow, ""},
		{"AND needs all", rule(nil, []string{"strong-copyleft"}, ""), lic("MIT AND GPL-3.0-only", "strong-copyleft"), policy.Block, "GPL-3.0-only"},
		{"allow list", rule([]string{"permissive"}, nil, ""), lic("LGPL-2.1-only", "weak-copyleft"), policy.Block, "LGPL-2.1-only"},
		{"unknown warns", rule(nil, []string{"strong-copyleft"}, ""), &policy.License{Declared: "Dual License", Expression: "NOASSERTION", Category: "unknown"}, policy.Warn, "Dual License"},
		{"unknown blocks", rule(nil, nil, "block"), &policy.License{Declared: "see LICENSE", Expression: "NOASSERTION", Category: "unknown"}, policy.Block, "see LICENSE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := compile(t, "", c.rule).Evaluate(policy.Facts{Project: "x", Version: "1.0", License: c.lic})
			if d.Verdict != c.want || (c.substr != "" && !strings.Contains(d.Summary(), c.substr)) {
				t.Fatalf("verdict %s (%q), want %s containing %q", d.Verdict, d.Summary(), c.want, c.substr)
			}
		})
	}
	if _, err := policy.Compile(policy.Spec{Name: "p", Rules: []policy.RuleSpec{rule(nil, []string{"not-a-licence-or-category"}, "")}}, pypi.Ecosystem{}); err == nil {
		t.Error("an unknown licence item compiled")
	}
}

func TestExceptions(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	critical := policy.Vulnerability{ID: "GHSA-1", Scored: true, Score: 9.8, Severity: "critical"}
	mal := policy.Vulnerability{ID: "MAL-1", Malicious: true}
	gpl := &policy.License{Declared: "GPLv3", Expression: "GPL-3.0-only", Category: "strong-copyleft"}
	exc := func(project, versions, rule string, expires time.Time) policy.ExceptionSpec {
		return policy.ExceptionSpec{Project: project, Versions: versions, Rule: rule, Owner: "sec@example.org", Reason: "ticket SEC-7", Expires: expires}
	}
	later, earlier := now.Add(24*time.Hour), now.Add(-time.Hour)
	rules := []policy.RuleSpec{
		block("alpha", ">=2.0"),
		{Action: policy.ActionMaxCVSS, MaxCVSS: 7},
		{Action: policy.ActionLicenses, LicenseDeny: []string{"strong-copyleft"}},
	}
	cases := []struct {
		name   string
		exc    policy.ExceptionSpec
		facts  policy.Facts
		want   policy.Verdict
		substr string
	}{
		{"lifts a block", exc("alpha", "==2.0", "block", later), policy.Facts{Project: "alpha", Version: "2.0"}, policy.Allow, "exception owned by sec@example.org"},
		{"other version stays blocked", exc("alpha", "==2.0", "block", later), policy.Facts{Project: "alpha", Version: "2.1"}, policy.Block, "rule 1"},
		{"expired", exc("alpha", "==2.0", "block", earlier), policy.Facts{Project: "alpha", Version: "2.0"}, policy.Block, "rule 1"},
		{"wrong kind", exc("alpha", "", "licenses", later), policy.Facts{Project: "alpha", Version: "2.0"}, policy.Block, "rule 1"},
		{"lifts a CVE and later rules still apply", exc("beta", "", "max-cvss", later), policy.Facts{Project: "beta", Version: "1.0", Vulnerabilities: []policy.Vulnerability{critical}, License: gpl}, policy.Block, "licenses"},
		{"lifts a licence", exc("beta", "", "licenses", later), policy.Facts{Project: "beta", Version: "1.0", License: gpl}, policy.Allow, "until 2026-11-27"},
		{"any kind", exc("beta", "", "", later), policy.Facts{Project: "beta", Version: "1.0", Vulnerabilities: []policy.Vulnerability{critical}, License: gpl}, policy.Allow, ""},
		{"never malicious", exc("beta", "", "", later), policy.Facts{Project: "beta", Version: "1.0", Vulnerabilities: []policy.Vulnerability{mal}}, policy.Block, "malicious"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.Compile(policy.Spec{Name: "p", Rules: rules, Exceptions: []policy.ExceptionSpec{c.exc}}, pypi.Ecosystem{})
			if err != nil {
				t.Fatal(err)
			}
			c.facts.Now = now
			d := p.Evaluate(c.facts)
			text := ""
			for _, r := range d.Reasons {
				text += r.Message + " | " + r.Rule + "\n"
			}
			if d.Verdict != c.want || (c.substr != "" && !strings.Contains(text, c.substr)) {
				t.Fatalf("verdict %s, want %s with %q in:\n%s", d.Verdict, c.want, c.substr, text)
			}
			// The exception's use is recorded exactly when it changed the decision.
			lifted := p.ExceptionUses()[0].LastLifted
			if applied := strings.Contains(text, "exception owned by"); applied != lifted.Equal(now) || (!applied && !lifted.IsZero()) {
				t.Errorf("exception applied: %v; its last use recorded as %v", applied, lifted)
			}
		})
	}
	for _, bad := range []policy.ExceptionSpec{
		{Project: "x", Owner: "o", Reason: "r"},                                    // no expiry
		{Project: "x", Reason: "r", Expires: later},                                // no owner
		{Project: "x", Owner: "o", Reason: "r", Expires: later, Rule: "malicious"}, // not exceptable
		{Project: "x", Owner: "o", Reason: "r", Expires: later, Versions: ">>1"},   // bad constraint
	} {
		if _, err := policy.Compile(policy.Spec{Name: "p", Exceptions: []policy.ExceptionSpec{bad}}, pypi.Ecosystem{}); err == nil {
			t.Errorf("exception %+v compiled", bad)
		}
	}
	p, _ := policy.Compile(policy.Spec{Name: "p", Exceptions: []policy.ExceptionSpec{exc("a", "", "", later), exc("b", "", "", earlier)}}, pypi.Ecosystem{})
	if n := p.ActiveExceptions(now); n != 1 {
		t.Errorf("active exceptions %d, want 1", n)
	}
}

// TestExceptionKey: an exception's key is stable and changes with any of its fields.
func TestExceptionKey(t *testing.T) {
	base := policy.ExceptionSpec{Project: "alpha", Versions: "==2.0", Rule: "block", Owner: "o", Reason: "r", Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	if base.Key() != base.Key() || len(base.Key()) != 16 {
		t.Fatalf("key %q", base.Key())
	}
	same := base
	same.Expires = base.Expires.In(time.FixedZone("x", 3600))
	if same.Key() != base.Key() {
		t.Errorf("the same instant in another zone has another key")
	}
	for _, change := range []func(*policy.ExceptionSpec){
		func(e *policy.ExceptionSpec) { e.Project = "beta" },
		func(e *policy.ExceptionSpec) { e.Versions = "" },
		func(e *policy.ExceptionSpec) { e.Rule = "" },
		func(e *policy.ExceptionSpec) { e.Owner = "p" },
		func(e *policy.ExceptionSpec) { e.Reason = "s" },
		func(e *policy.ExceptionSpec) { e.Expires = e.Expires.Add(time.Hour) },
		func(e *policy.ExceptionSpec) { e.Project, e.Versions = "alpha\x00==2.0", "" },
	} {
		e := base
		change(&e)
		if e.Key() == base.Key() {
			t.Errorf("%+v has the key of %+v", e, base)
		}
	}
}

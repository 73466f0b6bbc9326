package policy_test

import (
	"strings"
	"testing"

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

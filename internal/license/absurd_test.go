package license

import (
	"strings"
	"testing"
	"time"
)

// Hostile or broken declarations: every one must come back quickly as NOASSERTION with a
// reason, never panic, and keep the declared text verbatim.
func TestAbsurdInputs(t *testing.T) {
	n := New(mustDefault(t))
	deep := strings.Repeat("(", 10000) + "MIT" + strings.Repeat(")", 10000)
	for _, c := range []struct {
		name, in string
		reason   string // a substring of the reason
		all      bool   // the reason holds for every source (else for PyPIExpression)
	}{
		{name: "megabytes", in: strings.Repeat("MIT OR ", 300000) + "MIT", reason: "too long", all: true},
		{name: "megabyte of spaces then a word", in: strings.Repeat(" ", 1<<20) + "x" + strings.Repeat("y", 5000), reason: "too long", all: true},
		{name: "just over the limit", in: strings.Repeat("a", MaxDeclared+1), reason: "too long", all: true},
		{name: "deep parentheses", in: deep, reason: "too long", all: true},
		{name: "deep parentheses under the limit", in: strings.Repeat("(", 40) + "MIT" + strings.Repeat(")", 40), reason: "nested more than", all: true},
		{name: "unbalanced open", in: "(MIT OR Apache-2.0", reason: "unbalanced", all: true},
		{name: "unbalanced close", in: "MIT OR Apache-2.0))", reason: "unbalanced", all: true},
		{name: "only parentheses", in: "(((((", reason: "unbalanced", all: true},
		{name: "control characters only", in: "\x00\x01\x02\x1b[31m", reason: ""},
		{name: "NUL inside an id", in: "MI\x00T-ish", reason: ""},
		{name: "many terms", in: strings.TrimSuffix(strings.Repeat("MIT AND ", 400), " AND "), reason: "more than"},
		{name: "operators only", in: "AND OR WITH", reason: ""},
		{name: "invalid UTF-8", in: "\xff\xfe\xfd", reason: ""},
		{name: "emoji", in: "🦄 licence", reason: ""},
		{name: "empty", in: "", reason: "nothing declared", all: true},
		{name: "whitespace", in: " \t\n ", reason: "nothing declared", all: true},
		{name: "unknown id", in: "NotARealLicence-9.9", reason: "no SPDX identifier or alias"},
		{name: "unknown exception", in: "GPL-2.0-only WITH Not-an-exception", reason: ""},
		{name: "many alternatives", in: strings.TrimSuffix(strings.Repeat("foo or ", 40), " or "), reason: ""},
	} {
		for _, src := range []Source{PyPIExpression, PyPILicense, PyPIClassifier, CondaLicense, CondaLicenseFamily, CRANLicense} {
			start := time.Now()
			r := n.Normalize(c.in, src)
			if d := time.Since(start); d > 200*time.Millisecond {
				t.Errorf("%s (%s): took %v", c.name, src, d)
			}
			if r.Expression != NOASSERTION || r.Parsed || r.Category != Unknown {
				t.Errorf("%s (%s): got %s [%s], want NOASSERTION", c.name, src, r.Expression, r.Category)
			}
			if r.Reason == "" || (c.all || src == PyPIExpression) && !strings.Contains(r.Reason, c.reason) {
				t.Errorf("%s (%s): reason %q lacks %q", c.name, src, r.Reason, c.reason)
			}
			if r.Declared != c.in {
				t.Errorf("%s (%s): Declared is not the input", c.name, src)
			}
		}
	}
}

// Control and format characters are dropped, not fatal: the rest still maps, and the
// reason says characters were dropped.
func TestControlCharactersDropped(t *testing.T) {
	n := New(mustDefault(t))
	for _, in := range []string{"MIT\x00", "\u202eMIT", "M\u200bIT", "MIT\r", "Apache\t2.0"} {
		r := n.Normalize(in, PyPILicense)
		want := "MIT"
		if strings.HasPrefix(in, "Apache") {
			want = "Apache-2.0"
		}
		if r.Expression != want {
			t.Errorf("%q: got %s (%s), want %s", in, r.Expression, r.Reason, want)
		}
		if in != "MIT\r" && in != "Apache\t2.0" && !strings.Contains(r.Reason, "dropped") {
			t.Errorf("%q: reason %q does not say characters were dropped", in, r.Reason)
		}
	}
}

func TestInvalidSource(t *testing.T) {
	n := New(mustDefault(t))
	r := n.Normalize("MIT", Source(0))
	if r.Expression != NOASSERTION || !strings.Contains(r.Reason, "unknown source") {
		t.Errorf("got %+v", r)
	}
	for _, s := range []Source{PyPIExpression, PyPILicense, PyPIClassifier, CondaLicense, CondaLicenseFamily, CRANLicense} {
		back, err := ParseSource(s.String())
		if err != nil || back != s {
			t.Errorf("ParseSource(%q) = %v, %v", s, back, err)
		}
	}
	if _, err := ParseSource("npm"); err == nil {
		t.Error("ParseSource accepts npm")
	}
}

// Results handed out are copies: changing one does not change what the cache returns.
func TestResultsAreCopies(t *testing.T) {
	n := New(mustDefault(t))
	r := n.Normalize("MIT OR Apache-2.0", PyPIExpression)
	r.Licenses[0] = "GPL-3.0-only"
	if again := n.Normalize("MIT OR Apache-2.0", PyPIExpression); again.Licenses[0] != "MIT" {
		t.Errorf("cache was changed through a result: %v", again.Licenses)
	}
}

func TestCacheIsBounded(t *testing.T) {
	n := NewWithCacheSize(mustDefault(t), 64)
	for i := 0; i < 1000; i++ {
		n.Normalize(strings.Repeat("x", i%50)+"MIT", PyPILicense)
		n.Normalize("LicenseRef-"+strings.Repeat("a", i+1), PyPIExpression)
	}
	if got := len(n.cache.m); got > 64 {
		t.Errorf("cache holds %d entries, limit 64", got)
	}
	off := NewWithCacheSize(mustDefault(t), 0)
	off.Normalize("MIT", PyPILicense)
	if len(off.cache.m) != 0 {
		t.Error("a cache of size 0 stored a result")
	}
}

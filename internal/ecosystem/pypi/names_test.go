package pypi

import "testing"

func TestNormalizeName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"requests", "requests"},
		{"Django", "django"},
		{"ruamel.yaml", "ruamel-yaml"},
		{"zope.interface", "zope-interface"},
		{"Foo__Bar", "foo-bar"},
		{"foo-_.-bar", "foo-bar"},
		{"0-._.-._.-._.-._.-._.-._.-0", "0-0"},
		{"friendly-bard", "friendly-bard"},
		{"FRIENDLY-BARD", "friendly-bard"},
		{"Friendly-Bard", "friendly-bard"},
		{"friendly.bard", "friendly-bard"},
		{"friendly_bard", "friendly-bard"},
		{"friendly--bard", "friendly-bard"},
		{"FrIeNdLy-._.-bArD", "friendly-bard"},
		{"", ""},
	} {
		if got := NormalizeName(tc.in); got != tc.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := NormalizeName(tc.want); got != tc.want {
			t.Errorf("NormalizeName is not idempotent on %q: %q", tc.want, got)
		}
	}
}

func TestNormalizeNameDoesNotAllocateWhenNormal(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { NormalizeName("python-dateutil") }); n != 0 {
		t.Errorf("NormalizeName of a normal name allocates %v times", n)
	}
}

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"a", true},
		{"A1", true},
		{"requests", true},
		{"ruamel.yaml", true},
		{"foo_bar-baz.qux", true},
		{"0-._.-._.-0", true},
		{"", false},
		{"-foo", false},
		{"foo-", false},
		{".foo", false},
		{"foo_", false},
		{"foo bar", false},
		{"foo/bar", false},
		{"föö", false},
		{"foo+bar", false},
		{"../x", false},
	} {
		if got := ValidName(tc.in); got != tc.want {
			t.Errorf("ValidName(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

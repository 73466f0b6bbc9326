package vuln

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// loadTestdata parses every record under testdata/osv.
func loadTestdata(t testing.TB) map[string]*Advisory {
	t.Helper()
	out := map[string]*Advisory{}
	err := filepath.WalkDir("testdata/osv", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		a, err := ParseOSV(b, p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if out[a.ID] != nil {
			t.Errorf("%s: id %s twice", p, a.ID)
		}
		out[a.ID] = a
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseOSVFields(t *testing.T) {
	advs := loadTestdata(t)

	py := advs["PYSEC-2022-42969"]
	if py == nil {
		t.Fatal("PYSEC-2022-42969 missing")
	}
	if !slices.Equal(py.Aliases, []string{"CVE-2022-42969", "GHSA-w596-4wvx-j9j6"}) {
		t.Errorf("aliases = %v", py.Aliases)
	}
	if want := time.Date(2022, 11, 4, 11, 0, 0, 0, time.UTC); !py.Modified.Equal(want) || !py.Published.Equal(want) {
		t.Errorf("modified %v published %v, want %v", py.Modified, py.Published, want)
	}
	if len(py.Affected) != 1 || py.Affected[0].Ecosystem != "PyPI" || py.Affected[0].Name != "py" {
		t.Fatalf("affected = %+v", py.Affected)
	}
	af := py.Affected[0]
	if len(af.Ranges) != 1 || af.Ranges[0].Type != RangeEcosystem ||
		!slices.Equal(af.Ranges[0].Events, []Event{{Introduced: "0"}, {LastAffected: "1.11.0"}}) {
		t.Errorf("ranges = %+v", af.Ranges)
	}
	if len(af.Versions) != 65 || af.Versions[0] != "0.8.0-alpha2" {
		t.Errorf("versions: %d, first %q", len(af.Versions), af.Versions[0])
	}
	if len(py.References) != 5 || py.References[0] != "https://github.com/advisories/GHSA-w596-4wvx-j9j6" {
		t.Errorf("references = %v", py.References)
	}
	if py.IsWithdrawn() || py.Malicious {
		t.Errorf("withdrawn %v malicious %v", py.IsWithdrawn(), py.Malicious)
	}

	redis := advs["PYSEC-2023-73"]
	if !redis.IsWithdrawn() || !redis.Withdrawn.Equal(time.Date(2023, 6, 6, 10, 37, 0, 0, time.UTC)) {
		t.Errorf("PYSEC-2023-73 withdrawn = %v", redis.Withdrawn)
	}

	tf := advs["PYSEC-2021-412"]
	if r := tf.Affected[0].Ranges; len(r) != 2 || r[0].Type != RangeGit || r[0].Repo != "https://github.com/tensorflow/tensorflow" || r[1].Repo != "" {
		t.Errorf("tensorflow ranges = %+v", r)
	}

	// JSON record: unknown top-level field ignored, free-form objects with numbers.
	ghsa := advs["GHSA-hrfv-mqp8-q5rw"]
	if ghsa == nil || len(ghsa.Affected[0].Ranges) != 2 || ghsa.Severity[0].Type != "CVSS_V4" {
		t.Fatalf("GHSA record = %+v", ghsa)
	}

	// Severity types the protobuf enum lacks keep their names; per-package severity.
	test1 := advs["VETTED-TEST-1"]
	if !slices.Equal(test1.Severity, []Severity{{Type: "Ubuntu", Score: "medium"}}) {
		t.Errorf("severity = %+v", test1.Severity)
	}
	if test1.Affected[0].Severity[0].Type != "CVSS_V2" {
		t.Errorf("affected severity = %+v", test1.Affected[0].Severity)
	}
	if want := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC); !test1.Modified.Equal(want) {
		t.Errorf("nanosecond modified = %v", test1.Modified)
	}

	// YAML quirks: unquoted 1.10 stays "1.10" and an unquoted date in a version list
	// stays as written; timestamps and dates of the time fields; anchors.
	q := advs["VETTED-TEST-2"]
	if q == nil {
		t.Fatal("VETTED-TEST-2 missing")
	}
	if ev := q.Affected[0].Ranges[0].Events; ev[0].Introduced != "1.10" || ev[1].Fixed != "2.0" {
		t.Errorf("events = %+v, want introduced 1.10 fixed 2.0 as written", ev)
	}
	if !slices.Equal(q.Affected[0].Versions, []string{"1.10", "1.11", "0.9", "2021-01-01"}) {
		t.Errorf("versions = %v", q.Affected[0].Versions)
	}
	if !q.Modified.Equal(time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)) || !q.Published.Equal(time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("modified %v published %v", q.Modified, q.Published)
	}
	if q.Details != q.Summary || q.Summary == "" {
		t.Errorf("anchor not followed: summary %q details %q", q.Summary, q.Details)
	}

	// A zero modified time is present, so it parses.
	if m := advs["PYSEC-2024-55"]; m == nil || !m.Modified.Equal(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("PYSEC-2024-55 = %+v", m)
	}
}

func TestParseOSVScores(t *testing.T) {
	advs := loadTestdata(t)
	for _, tc := range []struct {
		id      string
		n       int
		base    float64
		version string
		ok      bool
	}{
		{"PYSEC-2023-221", 1, 7.5, "3.1", true},
		{"GHSA-hrfv-mqp8-q5rw", 1, 8.7, "4.0", true},
		// AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N by hand: exploitability
		// 8.22×0.55×0.77×0.62×0.62 = 1.338, impact 6.42×0.22 = 1.412,
		// roundup(2.750) = 2.8.
		{"PYSEC-2024-6", 1, 2.8, "3.1", true},
		{"VETTED-TEST-1", 1, 7.5, "2.0", true}, // the Ubuntu severity is not CVSS
		{"PYSEC-2022-42969", 0, 0, "", false},
	} {
		a := advs[tc.id]
		if got := len(a.Scores()); got != tc.n {
			t.Errorf("%s: %d scores, want %d", tc.id, got, tc.n)
		}
		s, ok := a.MaxScore()
		if ok != tc.ok || s.Base != tc.base || s.Version != tc.version {
			t.Errorf("%s: MaxScore = %v, %v; want %.1f (CVSS %s), %v", tc.id, s, ok, tc.base, tc.version, tc.ok)
		}
	}
	a := &Advisory{ID: "X", Severity: []Severity{
		{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
		{Type: "CVSS_V3", Score: "not a vector"},
		{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
	}}
	if n := len(a.Scores()); n != 2 {
		t.Errorf("%d scores, want 2 (invalid dropped, duplicate once)", n)
	}
	if s, _ := a.MaxScore(); s.Base != 9.8 {
		t.Errorf("MaxScore = %v, want 9.8", s)
	}
}

func TestParseOSVErrors(t *testing.T) {
	for _, tc := range []struct {
		file  string
		id    string
		field string
		want  []string
	}{
		{"missing-id.yaml", "", "id", []string{`missing: every OSV record has an "id"`}},
		{"missing-modified.json", "VETTED-BAD-1", "modified", []string{"missing", "RFC 3339"}},
		{"affected-without-package.yaml", "VETTED-BAD-2", "affected[1].package", []string{`"ecosystem"`, `"name"`}},
		{"unknown-range-type.json", "VETTED-BAD-3", "affected[0].ranges[1].type", []string{`unknown range type "DATE"`, "ECOSYSTEM, SEMVER and GIT"}},
		{"event-with-two-fields.yaml", "VETTED-BAD-4", "affected[0].ranges[0].events[0]", []string{"has introduced and fixed", "split it"}},
		{"range-without-introduced.yaml", "VETTED-BAD-5", "affected[0].ranges[0].events", []string{`no "introduced" event`}},
		{"empty-event.json", "VETTED-BAD-6", "affected[0].ranges[0].events[1]", []string{"has no version"}},
		{"range-without-events.yaml", "VETTED-BAD-7", "affected[0].ranges[0].events", []string{"empty"}},
		{"range-type-missing.yaml", "VETTED-BAD-12", "affected[0].ranges[0].type", []string{"missing"}},
		{"not-yaml.yaml", "", "", []string{"not a valid YAML document"}},
		{"not-json.json", "", "", []string{"not a valid OSV record (JSON)", "truncated"}},
		{"id-is-a-number.json", "", "", []string{"not a valid OSV record (JSON)", "id"}},
		{"bad-timestamp.yaml", "VETTED-BAD-10", "modified", []string{`"last tuesday" is not an RFC 3339 time`}},
		{"list-document.yaml", "", "", []string{"not a mapping"}},
		{"empty.yaml", "", "", []string{"empty"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			p := filepath.Join("testdata", "invalid", tc.file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseOSV(b, p)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *ParseError", err)
			}
			if pe.File != p || pe.ID != tc.id || pe.Field != tc.field {
				t.Errorf("file %q id %q field %q; want %q %q %q", pe.File, pe.ID, pe.Field, p, tc.id, tc.field)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "OSV record "+p) {
				t.Errorf("message does not start with the file: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			t.Log(msg)
		})
	}
}

func TestParseOSVLimits(t *testing.T) {
	big := make([]byte, MaxRecordSize+1)
	if _, err := ParseOSV(big, "big.json"); err == nil || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("oversized record: %v", err)
	}
	// An alias bomb is cut off, not expanded.
	var b strings.Builder
	b.WriteString("id: BOMB\nmodified: 2024-01-01T00:00:00Z\ndatabase_specific:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("  a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	if _, err := ParseOSV([]byte(b.String()), "bomb.yaml"); err == nil {
		t.Error("alias bomb accepted")
	}
	// Details are cut at MaxDetails, at a character boundary.
	rec := `{"id": "LONG-1", "modified": "2024-01-01T00:00:00Z", "details": "` + strings.Repeat("é", MaxDetails) + `"}`
	a, err := ParseOSV([]byte(rec), "long.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Details) > MaxDetails || !strings.HasSuffix(a.Details, "…") || !utf8.ValidString(a.Details) {
		t.Errorf("details: %d bytes, suffix %q", len(a.Details), a.Details[len(a.Details)-6:])
	}
	// Without a telling extension, the first byte decides; a BOM is skipped.
	if a, err := ParseOSV([]byte("\xef\xbb\xbf{\"id\": \"J-1\", \"modified\": \"2024-01-01T00:00:00Z\"}"), "record"); err != nil || a.ID != "J-1" {
		t.Errorf("sniffed JSON: %v, %v", a, err)
	}
	if a, err := ParseOSV([]byte("id: Y-1\nmodified: 2024-01-01T00:00:00Z\n"), ""); err != nil || a.ID != "Y-1" {
		t.Errorf("sniffed YAML: %v, %v", a, err)
	}
	if a, err := ParseOSV([]byte(`{"id": "MAL-2024-1", "modified": "2024-01-01T00:00:00Z"}`), "m.json"); err != nil || !a.Malicious {
		t.Errorf("MAL- record: %+v, %v", a, err)
	}
}

// FuzzParseOSV: ParseOSV never panics; what it accepts has an id and only known
// range types and well-formed events.
func FuzzParseOSV(f *testing.F) {
	for _, dir := range []string{"testdata/osv", "testdata/invalid"} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
					f.Add(b, filepath.Ext(p))
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		a, err := ParseOSV(data, "fuzz"+ext)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *ParseError", err)
			}
			return
		}
		if a.ID == "" {
			t.Fatal("accepted a record without an id")
		}
		for _, af := range a.Affected {
			if af.Ecosystem == "" || af.Name == "" {
				t.Fatal("accepted an affected entry without a package")
			}
			for _, r := range af.Ranges {
				if r.Type != RangeEcosystem && r.Type != RangeSemver && r.Type != RangeGit {
					t.Fatalf("accepted range type %q", r.Type)
				}
				for _, e := range r.Events {
					n := 0
					for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
						if v != "" {
							n++
						}
					}
					if n != 1 {
						t.Fatalf("accepted event %+v", e)
					}
				}
			}
		}
		a.Scores()
	})
}

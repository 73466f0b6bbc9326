package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/catalog/catalogtest"
)

func TestVulnerabilitiesConformance(t *testing.T) {
	catalogtest.RunVulnerabilities(t, func(t *testing.T) catalogtest.VulnStore {
		return open(t, filepath.Join(t.TempDir(), "catalog.db"))
	})
}

// countdownCtx reports itself cancelled from the nth call of Err on.
type countdownCtx struct {
	context.Context
	left atomic.Int64
	once sync.Once
	done chan struct{}
}

func countdown(n int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background(), done: make(chan struct{})}
	c.left.Store(n)
	return c
}

func (c *countdownCtx) Done() <-chan struct{} { return c.done }

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) >= 0 {
		return nil
	}
	c.once.Do(func() { close(c.done) })
	return context.Canceled
}

// TestImportCancelledMidway cancels an import partway through its records (the store
// checks its context before each one) and checks that it fails and leaves nothing.
func TestImportCancelledMidway(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	base := advisories(100, 0)
	if _, err := s.ImportAdvisories(t.Context(), catalog.FeedImport{Source: "base"}, base); err != nil {
		t.Fatal(err)
	}
	_, err := s.ImportAdvisories(countdown(1000), catalog.FeedImport{Source: "cancelled"}, advisories(5000, 1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ImportAdvisories cancelled midway = %v, want context.Canceled", err)
	}
	digests, err := s.AdvisoryDigests(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(digests) != len(base) {
		t.Errorf("after a cancelled import, %d advisories are stored, want the %d before it", len(digests), len(base))
	}
	for _, a := range base {
		if digests[a.ID] != a.Digest {
			t.Errorf("after a cancelled import, %s has digest %.12s, want %.12s", a.ID, digests[a.ID], a.Digest)
		}
	}
	imports, err := s.ListImports(t.Context(), 10)
	if err != nil || len(imports) != 1 || imports[0].Source != "base" {
		t.Errorf("ListImports after a cancelled import = %+v, %v; want the one before it", imports, err)
	}
}

func TestImportRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*catalog.Advisory)
		want   string
	}{
		{"empty id", func(a *catalog.Advisory) { a.ID = "" }, "empty advisory id"},
		{"empty package name", func(a *catalog.Advisory) { a.Packages = []catalog.PackageRef{{Ecosystem: "PyPI"}} }, "must be set"},
		{"empty ecosystem", func(a *catalog.Advisory) { a.Packages = []catalog.PackageRef{{Name: "requests"}} }, "must be set"},
		{"time out of range", func(a *catalog.Advisory) { a.Modified = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the years"},
	}
	for _, tc := range tests {
		s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
		recs := advisories(10, 1)
		tc.change(&recs[7])
		_, err := s.ImportAdvisories(t.Context(), catalog.FeedImport{Source: "feed"}, recs)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "record 7") {
			t.Errorf("%s: ImportAdvisories = %v, want an error about record 7 saying %q", tc.name, err, tc.want)
		}
		if digests, _ := s.AdvisoryDigests(t.Context()); len(digests) != 0 {
			t.Errorf("%s: a failed import left %d advisories", tc.name, len(digests))
		}
	}
}

// TestAdvisoryTimesExact checks that advisory, import, triage, decision and event times
// come back in UTC with every nanosecond, equal with ==.
func TestAdvisoryTimesExact(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	zone := time.FixedZone("X", -7*3600)
	a := advisories(1, 1)[0]
	a.Modified, a.Withdrawn = utc.In(zone), utc.Add(time.Nanosecond).In(zone)
	imp, err := s.ImportAdvisories(t.Context(), catalog.FeedImport{Source: "f", StartedAt: utc.In(zone)}, []catalog.Advisory{a})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAdvisory(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Modified != utc || got.Withdrawn != utc.Add(time.Nanosecond) {
		t.Errorf("GetAdvisory times = %#v, %#v; want %#v and 1ns later", got.Modified, got.Withdrawn, utc)
	}
	imports, err := s.ListImports(t.Context(), 1)
	if err != nil || len(imports) != 1 || imports[0].StartedAt != utc || !imports[0].FinishedAt.IsZero() || imports[0].ID != imp.ID {
		t.Errorf("ListImports = %+v, %v; want started at %v, never finished", imports, err, utc)
	}
	tr, err := s.PutTriage(t.Context(), catalog.Triage{AdvisoryID: a.ID, Ecosystem: "PyPI", Project: "p", Status: "affected",
		Expires: utc.In(zone), CreatedAt: utc.In(zone), UpdatedAt: utc.In(zone)})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Expires != utc || tr.CreatedAt != utc || tr.UpdatedAt != utc {
		t.Errorf("PutTriage times = %v, %v, %v; want %#v", tr.Expires, tr.CreatedAt, tr.UpdatedAt, utc)
	}
	d := catalog.Decision{Repo: "r", Project: "p", Version: "1", Verdict: "allow", DecidedAt: utc.In(zone)}
	if err := s.PutDecisions(t.Context(), []catalog.Decision{d}, []catalog.DecisionEvent{{Time: utc.In(zone), Repo: "r", Project: "p", Version: "1", To: "allow"}}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ListDecisions(t.Context(), "r", "")
	if err != nil || len(ds) != 1 || ds[0].DecidedAt != utc {
		t.Errorf("ListDecisions = %+v, %v; want decided at %#v", ds, err, utc)
	}
	events, err := s.ListEvents(t.Context(), 0, 1)
	if err != nil || len(events) != 1 || events[0].Time != utc {
		t.Errorf("ListEvents = %+v, %v; want at %#v", events, err, utc)
	}
}

func TestTriageRejects(t *testing.T) {
	valid := catalog.Triage{AdvisoryID: "PYSEC-1", Ecosystem: "PyPI", Project: "requests", Status: "not_affected",
		Justification: "component_not_present", Owner: "alice"}
	tests := []struct {
		name   string
		change func(*catalog.Triage)
		want   string
	}{
		{"unknown status", func(t *catalog.Triage) { t.Status = "wontfix" }, `status "wontfix": want one of`},
		{"no status", func(t *catalog.Triage) { t.Status = "" }, `status "": want one of`},
		{"justification of affected", func(t *catalog.Triage) { t.Status = "affected" }, "explains only not_affected"},
		{"unknown justification", func(t *catalog.Triage) { t.Justification = "not_my_problem" }, "want one of"},
		{"no advisory", func(t *catalog.Triage) { t.AdvisoryID = "" }, "no advisory id"},
		{"no project", func(t *catalog.Triage) { t.Project = "" }, "both must be set"},
		{"no ecosystem", func(t *catalog.Triage) { t.Ecosystem = "" }, "both must be set"},
		{"expiry out of range", func(t *catalog.Triage) { t.Expires = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the years"},
	}
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	stored, err := s.PutTriage(t.Context(), valid)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		for _, id := range []int64{0, stored.ID} { // insert and update
			tr := valid
			tr.ID = id
			tc.change(&tr)
			if _, err := s.PutTriage(t.Context(), tr); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s (ID %d): PutTriage = %v, want an error saying %q", tc.name, id, err, tc.want)
			}
		}
	}
	list, err := s.ListTriage(t.Context())
	if err != nil || len(list) != 1 || list[0] != stored {
		t.Errorf("ListTriage after rejected puts = %+v, %v; want only %+v", list, err, stored)
	}
	// not_affected without a justification is accepted.
	tr := valid
	tr.Justification = ""
	if _, err := s.PutTriage(t.Context(), tr); err != nil {
		t.Errorf("PutTriage of not_affected without a justification: %v", err)
	}
}

// TestTriageDefaultTimes checks the times the store sets: now, where the caller gives
// none, and on an update the stored CreatedAt.
func TestTriageDefaultTimes(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	before := time.Now()
	tr, err := s.PutTriage(t.Context(), catalog.Triage{AdvisoryID: "PYSEC-1", Ecosystem: "PyPI", Project: "p", Status: "fixed"})
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if tr.CreatedAt.Before(before.Truncate(0)) || tr.CreatedAt.After(after) || tr.UpdatedAt != tr.CreatedAt {
		t.Errorf("PutTriage without times set CreatedAt %v, UpdatedAt %v; want both the time of the call", tr.CreatedAt, tr.UpdatedAt)
	}
	if tr.CreatedAt.Location() != time.UTC {
		t.Errorf("PutTriage set times in %v, want UTC", tr.CreatedAt.Location())
	}
	created := tr.CreatedAt

	tr.CreatedAt, tr.UpdatedAt, tr.Note = time.Time{}, time.Time{}, "updated"
	time.Sleep(time.Millisecond)
	tr, err = s.PutTriage(t.Context(), tr)
	if err != nil {
		t.Fatal(err)
	}
	if tr.CreatedAt != created || !tr.UpdatedAt.After(created) || tr.Note != "updated" {
		t.Errorf("update without times gave CreatedAt %v, UpdatedAt %v; want CreatedAt kept (%v) and UpdatedAt later", tr.CreatedAt, tr.UpdatedAt, created)
	}

	tr.CreatedAt, tr.UpdatedAt = utc, utc.Add(time.Hour)
	if tr, err = s.PutTriage(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	if tr.CreatedAt != utc || tr.UpdatedAt != utc.Add(time.Hour) {
		t.Errorf("update with times gave CreatedAt %v, UpdatedAt %v; want the caller's", tr.CreatedAt, tr.UpdatedAt)
	}
}

// TestTriageIDsNotReused checks that a deleted record's ID is never given to another:
// a report or an event that names triage 4 must not come to mean a different one.
func TestTriageIDsNotReused(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	tr := catalog.Triage{AdvisoryID: "PYSEC-1", Ecosystem: "PyPI", Project: "p", Status: "fixed"}
	first, err := s.PutTriage(t.Context(), tr)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTriage(t.Context(), first.ID); err != nil {
		t.Fatal(err)
	}
	second, err := s.PutTriage(t.Context(), tr)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID <= first.ID {
		t.Errorf("after deleting triage %d, the next insert got ID %d", first.ID, second.ID)
	}
}

// TestPutDecisionsRejects checks that a bad verdict anywhere in a batch fails all of it.
func TestPutDecisionsRejects(t *testing.T) {
	ds, events := decisions(100, "allow")
	tests := []struct {
		name   string
		change func(ds []catalog.Decision, events []catalog.DecisionEvent)
		want   string
	}{
		{"decision verdict", func(ds []catalog.Decision, _ []catalog.DecisionEvent) { ds[50].Verdict = "deny" }, `verdict "deny"`},
		{"no verdict", func(ds []catalog.Decision, _ []catalog.DecisionEvent) { ds[99].Verdict = "" }, `verdict ""`},
		{"event to", func(_ []catalog.Decision, events []catalog.DecisionEvent) { events[50].To = "" }, `to ""`},
		{"event from", func(_ []catalog.Decision, events []catalog.DecisionEvent) { events[99].From = "Allow" }, `verdict "Allow"`},
	}
	for _, tc := range tests {
		s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
		ds, events := append([]catalog.Decision(nil), ds...), append([]catalog.DecisionEvent(nil), events...)
		tc.change(ds, events)
		err := s.PutDecisions(t.Context(), ds, events)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: PutDecisions = %v, want an error saying %q", tc.name, err, tc.want)
		}
		if got, _ := s.ListDecisions(t.Context(), "pypi", ""); len(got) != 0 {
			t.Errorf("%s: a failed PutDecisions left %d decisions", tc.name, len(got))
		}
		if got, _ := s.ListEvents(t.Context(), 0, 10); len(got) != 0 {
			t.Errorf("%s: a failed PutDecisions left %d events", tc.name, len(got))
		}
	}
}

func TestListLimitMustBePositive(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "catalog.db"))
	for _, limit := range []int{0, -1} {
		if _, err := s.ListImports(t.Context(), limit); err == nil || !strings.Contains(err.Error(), "positive") {
			t.Errorf("ListImports(%d) = %v, want an error asking for a positive limit", limit, err)
		}
		if _, err := s.ListEvents(t.Context(), 0, limit); err == nil || !strings.Contains(err.Error(), "positive") {
			t.Errorf("ListEvents(0, %d) = %v, want an error asking for a positive limit", limit, err)
		}
	}
}

func TestVulnerabilitiesPersistAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	s := open(t, path)
	recs := advisories(50, 1)
	if _, err := s.ImportAdvisories(t.Context(), catalog.FeedImport{Source: "f"}, recs); err != nil {
		t.Fatal(err)
	}
	ds, events := decisions(20, "warn")
	if err := s.PutDecisions(t.Context(), ds, events); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutTriage(t.Context(), catalog.Triage{AdvisoryID: "PYSEC-1", Ecosystem: "PyPI", Project: "p", Status: "fixed"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	got, err := s.GetAdvisory(t.Context(), recs[7].ID)
	if err != nil || got.Digest != recs[7].Digest || len(got.Packages) == 0 {
		t.Errorf("GetAdvisory after reopen = %+v, %v", got.Digest, err)
	}
	if got, err := s.ListDecisions(t.Context(), "pypi", ""); err != nil || len(got) != 20 {
		t.Errorf("ListDecisions after reopen gives %d, %v; want 20", len(got), err)
	}
	if got, err := s.ListEvents(t.Context(), 0, 100); err != nil || len(got) != 20 {
		t.Errorf("ListEvents after reopen gives %d, %v; want 20", len(got), err)
	}
	if got, err := s.ListTriage(t.Context()); err != nil || len(got) != 1 {
		t.Errorf("ListTriage after reopen gives %d, %v; want 1", len(got), err)
	}
}

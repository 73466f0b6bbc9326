package catalogtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"vetted/internal/catalog"
)

func sampleDecision(repo, project, version, verdict string) catalog.Decision {
	return catalog.Decision{
		Repo:      repo,
		Project:   project,
		Version:   version,
		Verdict:   verdict,
		Summary:   fmt.Sprintf("%s %s: PYSEC-2024-1 (CVSS 9.8); nearest allowed 2.31.0", project, version),
		Revision:  "policy 3f2a9c, facts 42",
		DecidedAt: when,
	}
}

func sampleEvent(d catalog.Decision, from, cause string) catalog.DecisionEvent {
	return catalog.DecisionEvent{
		Time: d.DecidedAt, Repo: d.Repo, Project: d.Project, Version: d.Version,
		From: from, To: d.Verdict, Cause: cause, Detail: d.Summary,
	}
}

func testDecisionsUpsert(t *testing.T, s VulnStore) {
	a := sampleDecision("pypi", "requests", "2.30.0", "allow")
	b := sampleDecision("pypi", "requests", "2.31.0", "block")
	mustPutDecisions(t, s, []catalog.Decision{a, b}, nil)

	a2 := a
	a2.Verdict, a2.Summary, a2.Revision = "block", "PYSEC-2024-9 (CVSS 7.5) affects 2.30.0", "policy 3f2a9c, facts 43"
	a2.DecidedAt = when.Add(time.Hour + time.Nanosecond)
	c := sampleDecision("pypi", "requests", "2.32.3", "warn")
	c.DecidedAt = time.Time{}
	mustPutDecisions(t, s, []catalog.Decision{a2, c}, nil)
	wantDecisions(t, s, "pypi", "requests", []catalog.Decision{a2, b, c})
}

func testListDecisions(t *testing.T, s VulnStore) {
	// Byte order: "1.10.0" before "1.9.0", as for file names.
	numpy := []catalog.Decision{
		sampleDecision("pypi", "numpy", "1.10.0", "block"),
		sampleDecision("pypi", "numpy", "1.26.4", "allow"),
		sampleDecision("pypi", "numpy", "1.9.0", "warn"),
		sampleDecision("pypi", "numpy", "2.0.0", "allow"),
	}
	others := []catalog.Decision{
		sampleDecision("pypi", "numpy-stubs", "1.0", "allow"),
		sampleDecision("pypi", "scipy", "1.13.1", "allow"),
	}
	elsewhere := sampleDecision("conda-forge", "numpy", "1.26.4", "block")
	mustPutDecisions(t, s, shuffled(slices.Concat(numpy, others, []catalog.Decision{elsewhere})), nil)

	wantDecisions(t, s, "pypi", "numpy", numpy)
	wantDecisions(t, s, "pypi", "", slices.Concat(numpy, others))
	wantDecisions(t, s, "conda-forge", "", []catalog.Decision{elsewhere})
	wantDecisions(t, s, "pypi", "absent", nil)
	wantDecisions(t, s, "absent", "", nil)
}

func testDecisionEventsAppended(t *testing.T, s VulnStore) {
	a := sampleDecision("pypi", "requests", "2.30.0", "allow")
	b := sampleDecision("pypi", "requests", "2.31.0", "block")
	want := []catalog.DecisionEvent{sampleEvent(a, "", "first request"), sampleEvent(b, "", "first request")}
	mustPutDecisions(t, s, []catalog.Decision{a, b}, want)

	a.Verdict, a.DecidedAt = "block", when.Add(time.Hour)
	more := []catalog.DecisionEvent{sampleEvent(a, "allow", "feed import 12")}
	more[0].Time = time.Time{}
	mustPutDecisions(t, s, []catalog.Decision{a}, more)
	want = append(want, more...)
	mustPutDecisions(t, s, nil, []catalog.DecisionEvent{sampleEvent(b, "block", "triage 4 (no decision stored)")})
	want = append(want, sampleEvent(b, "block", "triage 4 (no decision stored)"))

	got := mustListEvents(t, s, 0, 100)
	for i := range got {
		if i < len(want) {
			want[i].ID = got[i].ID
		}
		if got[i].ID <= 0 || (i > 0 && got[i].ID <= got[i-1].ID) {
			t.Errorf("event %d has ID %d: want positive IDs, increasing", i, got[i].ID)
		}
	}
	if !slices.EqualFunc(got, want, eventEqual) {
		t.Errorf("ListEvents =\n%+v\nwant\n%+v", got, want)
	}
}

func testListEventsAfterAndLimit(t *testing.T, s VulnStore) {
	var events []catalog.DecisionEvent
	for i := range 10 {
		events = append(events, sampleEvent(sampleDecision("pypi", "p", fmt.Sprint(i), "allow"), "", fmt.Sprintf("event %d", i)))
	}
	mustPutDecisions(t, s, nil, events)
	all := mustListEvents(t, s, 0, 100)
	if len(all) != len(events) {
		t.Fatalf("ListEvents gives %d events, want %d", len(all), len(events))
	}
	tests := []struct {
		after int64
		limit int
		want  []catalog.DecisionEvent
	}{
		{0, 1, all[:1]},
		{-1, 100, all},
		{all[2].ID, 3, all[3:6]},
		{all[8].ID, 5, all[9:]},
		{all[9].ID, 5, nil},
		{all[9].ID + 1000, 5, nil},
	}
	for _, tc := range tests {
		got := mustListEvents(t, s, tc.after, tc.limit)
		if !slices.EqualFunc(got, tc.want, eventEqual) {
			t.Errorf("ListEvents(%d, %d) =\n%+v\nwant\n%+v", tc.after, tc.limit, got, tc.want)
		}
	}
}

// testPutDecisionsCancelled checks that decisions and events are stored together or
// not at all, whenever the context is cancelled.
func testPutDecisionsCancelled(t *testing.T, s VulnStore) {
	batch := func(gen int) ([]catalog.Decision, []catalog.DecisionEvent) {
		var ds []catalog.Decision
		var events []catalog.DecisionEvent
		for i := range 1000 {
			d := sampleDecision("pypi", fmt.Sprintf("p%03d", i/10), fmt.Sprintf("1.%d", i%10), "allow")
			d.Revision = fmt.Sprint(gen)
			ds = append(ds, d)
			events = append(events, sampleEvent(d, "", fmt.Sprint(gen)))
		}
		return ds, events
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ds, events := batch(0)
	if err := s.PutDecisions(ctx, ds, events); err == nil {
		t.Errorf("PutDecisions with a cancelled context succeeded")
	}
	wantDecisions(t, s, "pypi", "", nil)
	if got := mustListEvents(t, s, 0, 10); len(got) != 0 {
		t.Errorf("ListEvents after PutDecisions with a cancelled context gives %d events", len(got))
	}

	var committed []catalog.Decision // the decisions of the last batch stored
	stored := 0                      // events
	for i, n := range []int64{1, 10, 100, 1000, 1 << 20} {
		ds, events := batch(i + 1)
		err := s.PutDecisions(tripAfter(t.Context(), n), ds, events)
		t.Logf("cancelled after %d checks of ctx.Err: %v", n, err)
		if err == nil {
			committed = ds
			stored += len(events)
		}
		wantDecisions(t, s, "pypi", "", committed)
		if got := mustListEvents(t, s, 0, 1<<20); len(got) != stored {
			t.Errorf("ListEvents gives %d events, want %d", len(got), stored)
		}
	}
}

func mustPutDecisions(t *testing.T, s VulnStore, ds []catalog.Decision, events []catalog.DecisionEvent) {
	t.Helper()
	if err := s.PutDecisions(t.Context(), ds, events); err != nil {
		t.Fatalf("PutDecisions(%d decisions, %d events): %v", len(ds), len(events), err)
	}
}

func mustListEvents(t *testing.T, s VulnStore, afterID int64, limit int) []catalog.DecisionEvent {
	t.Helper()
	got, err := s.ListEvents(t.Context(), afterID, limit)
	if err != nil {
		t.Fatalf("ListEvents(%d, %d): %v", afterID, limit, err)
	}
	return got
}

// wantDecisions checks that ListDecisions gives want, in that order.
func wantDecisions(t *testing.T, s VulnStore, repo, project string, want []catalog.Decision) {
	t.Helper()
	got, err := s.ListDecisions(t.Context(), repo, project)
	if err != nil {
		t.Fatalf("ListDecisions(%q, %q): %v", repo, project, err)
	}
	if !slices.EqualFunc(got, want, decisionEqual) {
		t.Errorf("ListDecisions(%q, %q) gives %d decisions:\n%+v\nwant %d:\n%+v", repo, project, len(got), got, len(want), want)
	}
}

// decisionEqual compares decisions, times as instants.
func decisionEqual(a, b catalog.Decision) bool {
	if !a.DecidedAt.Equal(b.DecidedAt) {
		return false
	}
	a.DecidedAt, b.DecidedAt = time.Time{}, time.Time{}
	return a == b
}

// eventEqual compares events, times as instants.
func eventEqual(a, b catalog.DecisionEvent) bool {
	if !a.Time.Equal(b.Time) {
		return false
	}
	a.Time, b.Time = time.Time{}, time.Time{}
	return a == b
}

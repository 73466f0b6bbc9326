package catalogtest

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"vetted/internal/catalog"
)

func sampleTriage(advisoryID, project string) catalog.Triage {
	return catalog.Triage{
		AdvisoryID:    advisoryID,
		Ecosystem:     "PyPI",
		Project:       project,
		Versions:      ">=2.0,<2.31.1",
		Status:        "not_affected",
		Justification: "vulnerable_code_not_in_execute_path",
		Owner:         "alice@example.org",
		Note:          "we never pass verify=False; see ticket SEC-12",
		Expires:       when.Add(90 * 24 * time.Hour),
		CreatedAt:     when,
		UpdatedAt:     when.Add(time.Nanosecond),
	}
}

func testTriageInsertAndList(t *testing.T, s VulnStore) {
	affected := sampleTriage("GHSA-9wx4-h78v-vm56", "jinja2")
	affected.Status, affected.Justification, affected.Expires, affected.Versions = "affected", "", time.Time{}, ""
	investigating := sampleTriage("CRAN-2024-0001", "readxl")
	investigating.Ecosystem, investigating.Status, investigating.Justification = "CRAN", "under_investigation", ""
	want := []catalog.Triage{sampleTriage("PYSEC-2023-74", "requests"), affected, investigating}
	for i := range want {
		got := mustPutTriage(t, s, want[i])
		if got.ID == 0 || (i > 0 && got.ID <= want[i-1].ID) {
			t.Errorf("PutTriage of record %d gave ID %d: want a new ID, greater than the last", i, got.ID)
		}
		want[i].ID = got.ID
		if !triageEqual(got, want[i]) {
			t.Errorf("PutTriage returned %+v, want %+v", got, want[i])
		}
	}
	wantTriage(t, s, want)
}

func testTriageUpdate(t *testing.T, s VulnStore) {
	a := mustPutTriage(t, s, sampleTriage("PYSEC-2023-74", "requests"))
	b := mustPutTriage(t, s, sampleTriage("PYSEC-2023-75", "urllib3"))

	a.Status, a.Justification = "fixed", ""
	a.Versions, a.Owner, a.Note = "<2.31.0", "bob@example.org", "fixed upstream in 2.31.0"
	a.Expires = time.Time{}
	a.UpdatedAt = when.Add(26 * time.Hour)
	got := mustPutTriage(t, s, a)
	if !triageEqual(got, a) {
		t.Errorf("PutTriage (update) returned %+v, want %+v", got, a)
	}
	wantTriage(t, s, []catalog.Triage{a, b})
}

func testTriageUpdateMissing(t *testing.T, s VulnStore) {
	kept := mustPutTriage(t, s, sampleTriage("PYSEC-2023-74", "requests"))
	for _, id := range []int64{kept.ID + 1000, -1} {
		missing := sampleTriage("PYSEC-2023-75", "urllib3")
		missing.ID = id
		if _, err := s.PutTriage(t.Context(), missing); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("PutTriage of missing ID %d = %v, want catalog.ErrNotFound", id, err)
		}
	}
	wantTriage(t, s, []catalog.Triage{kept})
}

func testTriageDelete(t *testing.T, s VulnStore) {
	a := mustPutTriage(t, s, sampleTriage("PYSEC-1", "a"))
	b := mustPutTriage(t, s, sampleTriage("PYSEC-2", "b"))
	c := mustPutTriage(t, s, sampleTriage("PYSEC-3", "c"))
	if err := s.DeleteTriage(t.Context(), b.ID); err != nil {
		t.Fatalf("DeleteTriage(%d): %v", b.ID, err)
	}
	wantTriage(t, s, []catalog.Triage{a, c})
	for _, id := range []int64{b.ID, c.ID + 1000} {
		if err := s.DeleteTriage(t.Context(), id); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("DeleteTriage of missing ID %d = %v, want catalog.ErrNotFound", id, err)
		}
	}
	b.ID = 0 // a deleted record cannot be updated, only put anew
	b = mustPutTriage(t, s, b)
	wantTriage(t, s, []catalog.Triage{a, c, b})
}

func testTriageEmpty(t *testing.T, s VulnStore) {
	list, err := s.ListTriage(t.Context())
	if err != nil || len(list) != 0 {
		t.Errorf("ListTriage of an empty store = %v, %v; want none, no error", list, err)
	}
}

func mustPutTriage(t *testing.T, s VulnStore, tr catalog.Triage) catalog.Triage {
	t.Helper()
	got, err := s.PutTriage(t.Context(), tr)
	if err != nil {
		t.Fatalf("PutTriage(%+v): %v", tr, err)
	}
	return got
}

// wantTriage checks that ListTriage gives want, in ID order.
func wantTriage(t *testing.T, s VulnStore, want []catalog.Triage) {
	t.Helper()
	got, err := s.ListTriage(t.Context())
	if err != nil {
		t.Fatalf("ListTriage: %v", err)
	}
	want = slices.SortedFunc(slices.Values(want), func(a, b catalog.Triage) int { return cmp.Compare(a.ID, b.ID) })
	if !slices.EqualFunc(got, want, triageEqual) {
		t.Errorf("ListTriage =\n%+v\nwant\n%+v", got, want)
	}
}

// triageEqual compares triage records, times as instants.
func triageEqual(a, b catalog.Triage) bool {
	if !a.Expires.Equal(b.Expires) || !a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	a.Expires, a.CreatedAt, a.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	b.Expires, b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	return a == b
}

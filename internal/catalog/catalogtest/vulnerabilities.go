package catalogtest

import (
	"testing"

	"vetted/internal/catalog"
)

// VulnStore is what RunVulnerabilities tests: the stores of vulnerability records,
// triage and decisions. (Once catalog.Store embeds them, Run can run these cases too,
// and VulnStore can go.)
type VulnStore interface {
	catalog.Advisories
	catalog.Triages
	catalog.Decisions
}

// RunVulnerabilities runs the conformance suite of catalog.Advisories, catalog.Triages
// and catalog.Decisions against the implementation made by newStore, which must return
// a new, empty store for each call and arrange for it to be closed with t.Cleanup.
func RunVulnerabilities(t *testing.T, newStore func(t *testing.T) VulnStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s VulnStore)
	}{
		{"AdvisoriesEmpty", testAdvisoriesEmpty},
		{"AdvisoryImportRoundTrip", testAdvisoryImportRoundTrip},
		{"AdvisoryReimportReplaces", testAdvisoryReimportReplaces},
		{"AdvisoryImportAtomicOnFailure", testAdvisoryImportAtomicOnFailure},
		{"AdvisoryImportCancelled", testAdvisoryImportCancelled},
		{"AdvisoryScanStopsAtError", testAdvisoryScanStopsAtError},
		{"AdvisoryScanCallsBack", testAdvisoryScanCallsBack},
		{"ImportsNewestFirst", testImportsNewestFirst},
		{"AdvisoryImportsWhileReading", testAdvisoryImportsWhileReading},
		{"TriageInsertAndList", testTriageInsertAndList},
		{"TriageUpdate", testTriageUpdate},
		{"TriageUpdateMissing", testTriageUpdateMissing},
		{"TriageDelete", testTriageDelete},
		{"TriageEmpty", testTriageEmpty},
		{"DecisionsUpsert", testDecisionsUpsert},
		{"ListDecisionsOrderedAndFiltered", testListDecisions},
		{"DecisionEventsAppended", testDecisionEventsAppended},
		{"ListEventsAfterAndLimit", testListEventsAfterAndLimit},
		{"PutDecisionsCancelled", testPutDecisionsCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

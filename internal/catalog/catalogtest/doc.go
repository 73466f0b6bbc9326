// Package catalogtest is the conformance suite that every catalog.Store implementation
// runs from its own tests:
//
//	func TestConformance(t *testing.T) {
//		catalogtest.Run(t, func(t *testing.T) catalog.Store { … a new, empty store … })
//	}
//
// The stores of vulnerability records, triage and decisions have their own suite,
// RunVulnerabilities, until catalog.Store embeds them.
//
// It owns the behaviour the catalog package documents, written down as tests. What only
// one backend can promise (persistence across Close and reopen, its schema, its
// pragmas) is tested in that backend's own tests.
//
// It imports only the standard library and vetted/internal/catalog, never an
// implementation, and it is imported only by tests.
package catalogtest

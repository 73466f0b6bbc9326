// Package blobtest is the conformance suite that every blob.Store implementation runs
// from its own tests:
//
//	func TestConformance(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) blob.Store { … a new, empty store … })
//	}
//
// It owns the behaviour the blob package documents, written down as tests; a backend
// that passes can be swapped for any other. It imports only the standard library
// (testing, net/http/httptest for Range requests) and vetted/internal/blob, never an
// implementation, and it is imported only by tests.
package blobtest

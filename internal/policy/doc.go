// Package policy decides whether a package version may be served: Evaluate(facts) returns
// a Decision (allow, warn or block, with the reasons a person can act on).
//
// Evaluation is pure: the same policy and the same facts give the same decision. Facts
// are gathered elsewhere (registry); ecosystem knowledge (name normalisation, version
// constraints) comes in through the ecosystem.Ecosystem interface. It must not import
// storage, HTTP or any ecosystem package.
package policy

// Package archtest holds one test: that vetted's dependencies point inward, as
// ARCHITECTURE.md draws them (cmd → app → httpapi → registry → policy, vuln, ecosystem;
// stores behind interfaces). It has no code of its own.
package archtest

package vuln

import (
	"slices"
	"strings"

	"vetted/internal/ecosystem"
)

// Scheme tells matching how to read one OSV ecosystem: its version ordering and its
// package-name normaliser.
type Scheme struct {
	// Versions orders the ecosystem's versions (pep440.Scheme for PyPI,
	// cran.Scheme for CRAN).
	Versions ecosystem.Versions
	// Normalize maps a package name to its canonical form (PEP 503 for PyPI); nil
	// compares names exactly as written (CRAN names are case-sensitive).
	Normalize func(name string) string
}

// SchemeOf returns the Scheme of an ecosystem.Ecosystem.
func SchemeOf(e ecosystem.Ecosystem) Scheme {
	return Scheme{Versions: e, Normalize: e.NormalizeName}
}

func (s Scheme) normalize(name string) string {
	if s.Normalize == nil {
		return name
	}
	return s.Normalize(name)
}

// Affects reports whether the advisory affects version of the package (eco, name), following the OSV schema's evaluation algorithm
// (https://ossf.github.io/osv-schema/#evaluation). vs orders the ecosystem's
// versions; normalize (nil: none) canonicalises package names. Assumptions:
//
//   - A withdrawn advisory affects nothing.
//   - Ecosystems compare exactly and case-sensitively, as OSV defines them ("PyPI",
//     "CRAN"; "pypi" is not PyPI). Package names compare after normalize, applied to
//     both the record's name and name.
//   - A version is affected when it is in an affected entry's versions list or in
//     one of its ranges (the ranges are OR'ed). A listed version matches when vs
//     orders it equal to version ("1.34" lists 1.34.0 for PEP 440).
//   - ECOSYSTEM and SEMVER ranges are both evaluated with vs, the ecosystem's own
//     ordering (as osv-scanner does: a SEMVER range of a PyPI package still names
//     PyPI versions). GIT ranges name commits and are ignored here; the versions list
//     that accompanies them is not.
//   - In a range, events are taken in version order; introduced "0" is before every
//     version. introduced is inclusive, fixed exclusive, last_affected inclusive;
//     when the range has limit events, only versions below one of them are affected
//     ("*" is infinity). At equal versions fixed and last_affected events come before
//     introduced ones, so that ranges written as adjacent pairs out of order join up
//     (PYSEC-2022-42972 lists [0.13.0, 0.14.0rc1) before [0.12.2, 0.13.0): 0.13.0
//     is affected).
//   - vs decides what versions it does not understand mean: ecosystem.Versions sorts
//     invalid versions before valid ones, so an unparseable version is affected by
//     ranges that start at "0" (every version) and by no other bound.
func Affects(a *Advisory, eco, name, version string, vs ecosystem.Versions, normalize func(string) string) bool {
	if a == nil || a.IsWithdrawn() {
		return false
	}
	s := Scheme{Versions: vs, Normalize: normalize}
	want := s.normalize(name)
	for i := range a.Affected {
		af := &a.Affected[i]
		if af.Ecosystem != eco || s.normalize(af.Name) != want {
			continue
		}
		if affectedIncludes(af, version, vs) {
			return true
		}
	}
	return false
}

func affectedIncludes(af *Affected, v string, vs ecosystem.Versions) bool {
	for _, lv := range af.Versions {
		if lv == v || vs.Compare(lv, v) == 0 {
			return true
		}
	}
	for i := range af.Ranges {
		if af.Ranges[i].Type != RangeGit && rangeIncludes(&af.Ranges[i], v, vs) {
			return true
		}
	}
	return false
}

// Event kinds in their order at equal versions: a range that ends at X and one that
// starts at X join up, whichever order the record lists them in.
const (
	kindFixed = iota
	kindLastAffected
	kindIntroduced
)

type timedEvent struct {
	kind    int
	version string
}

// isZero reports the "0" introduced event: before every version.
func isZero(e timedEvent) bool { return e.kind == kindIntroduced && e.version == "0" }

// isInfinity reports a limit that stands for infinity.
func isInfinity(limit string) bool { return strings.Contains(limit, "*") }

func rangeIncludes(r *Range, v string, vs ecosystem.Versions) bool {
	limited, below := false, false
	var events []timedEvent
	for _, e := range r.Events {
		switch {
		case e.Limit != "":
			limited = true
			below = below || isInfinity(e.Limit) || vs.Compare(v, e.Limit) < 0
		case e.Introduced != "":
			events = append(events, timedEvent{kindIntroduced, e.Introduced})
		case e.Fixed != "":
			events = append(events, timedEvent{kindFixed, e.Fixed})
		case e.LastAffected != "":
			events = append(events, timedEvent{kindLastAffected, e.LastAffected})
		}
	}
	if limited && !below {
		return false
	}
	slices.SortStableFunc(events, func(a, b timedEvent) int {
		switch za, zb := isZero(a), isZero(b); {
		case za && zb:
			return 0
		case za:
			return -1
		case zb:
			return 1
		}
		if c := vs.Compare(a.version, b.version); c != 0 {
			return c
		}
		return a.kind - b.kind
	})
	vulnerable := false
	for _, e := range events {
		switch e.kind {
		case kindIntroduced:
			if isZero(e) || vs.Compare(v, e.version) >= 0 {
				vulnerable = true
			}
		case kindFixed:
			if vs.Compare(v, e.version) >= 0 {
				vulnerable = false
			}
		case kindLastAffected:
			if vs.Compare(v, e.version) > 0 {
				vulnerable = false
			}
		}
	}
	return vulnerable
}

// NearestUnaffected returns the lowest of candidates above version (by vs) that no
// advisory in advs affects: the release to suggest instead. candidates are the
// project's versions, in any order; leave out what should not be suggested (yanked
// releases, pre-releases). ok is false when every candidate above version is
// affected, or there is none.
func NearestUnaffected(advs []*Advisory, eco, name, version string, candidates []string, vs ecosystem.Versions, normalize func(string) string) (string, bool) {
	return nearest(version, candidates, vs, func(c string) bool {
		for _, a := range advs {
			if Affects(a, eco, name, c, vs, normalize) {
				return true
			}
		}
		return false
	})
}

func nearest(version string, candidates []string, vs ecosystem.Versions, affected func(string) bool) (string, bool) {
	above := make([]string, 0, len(candidates))
	for _, c := range candidates {
		if vs.Compare(c, version) > 0 {
			above = append(above, c)
		}
	}
	slices.SortStableFunc(above, vs.Compare)
	for _, c := range above {
		if !affected(c) {
			return c, true
		}
	}
	return "", false
}

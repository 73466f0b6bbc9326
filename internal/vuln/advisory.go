package vuln

import (
	"strings"
	"time"

	"vetted/internal/vuln/cvss"
)

// Advisory is vetted's compact form of one OSV record: what policy, matching and
// display need, and nothing of the record's bytes. Field by field, with the part of
// the OSV schema (https://ossf.github.io/osv-schema/) it comes from:
type Advisory struct {
	// ID is the record's id ("PYSEC-2021-19", "GHSA-xxxx-xxxx-xxxx", "RSEC-2023-6",
	// "MAL-2024-1"). https://ossf.github.io/osv-schema/#id-modified-fields
	ID string
	// Aliases are ids of the same vulnerability in other databases (CVE, GHSA ...),
	// as the record lists them. https://ossf.github.io/osv-schema/#aliases-field
	Aliases []string
	// Upstream are ids of upstream vulnerabilities this record derives from (the R
	// advisory database lists its CVEs here, not in aliases). Not aliases: Dedup does
	// not merge on them. https://ossf.github.io/osv-schema/#upstream-field
	Upstream []string
	// Summary is the one-line summary; may be empty.
	// https://ossf.github.io/osv-schema/#summary-details-fields
	Summary string
	// Details is the CommonMark description, cut to at most MaxDetails bytes (at a
	// character boundary, ending in "…" when cut).
	// https://ossf.github.io/osv-schema/#summary-details-fields
	Details string
	// Published is when the record was first published; zero when it does not say.
	// https://ossf.github.io/osv-schema/#published-field
	Published time.Time
	// Modified is when the record last changed; every record has it.
	// https://ossf.github.io/osv-schema/#id-modified-fields
	Modified time.Time
	// Withdrawn is when the record was withdrawn; zero if it was not. A withdrawn
	// advisory affects nothing. https://ossf.github.io/osv-schema/#withdrawn-field
	Withdrawn time.Time
	// Severity is the record's top-level severity list.
	// https://ossf.github.io/osv-schema/#severity-field
	Severity []Severity
	// Affected lists the affected packages and their versions.
	// https://ossf.github.io/osv-schema/#affected-fields
	Affected []Affected
	// References are the URLs of the record's references, in order.
	// https://ossf.github.io/osv-schema/#references-field
	References []string
	// Malicious is true for reports of malicious packages: ids with the "MAL-" prefix
	// that OSV's malicious-packages database uses (any release of such a package is
	// suspect, whatever its score).
	Malicious bool
}

// MaxDetails bounds Advisory.Details: enough for a page of text, without holding
// the occasional many-kilobyte write-up of every record in memory.
const MaxDetails = 8 << 10

// Severity is one severity entry. https://ossf.github.io/osv-schema/#severity-field
type Severity struct {
	// Type is the scoring method as the record names it: "CVSS_V2", "CVSS_V3",
	// "CVSS_V4", "Ubuntu", or a type a newer schema defines.
	Type string
	// Score is the vector ("CVSS:3.1/AV:N/...") or, for other types, the rating.
	Score string
}

// Affected is one affected package with its versions.
// https://ossf.github.io/osv-schema/#affected-fields
type Affected struct {
	// Ecosystem is the OSV ecosystem, exactly as written ("PyPI", "CRAN"); it may
	// carry a ":suffix" for ecosystems that define one ("Debian:11").
	// https://ossf.github.io/osv-schema/#affectedpackage-field
	Ecosystem string
	// Name is the package name as written (not normalised).
	Name string
	// Ranges are the affected version ranges.
	// https://ossf.github.io/osv-schema/#affectedranges-field
	Ranges []Range
	// Versions lists affected versions explicitly.
	// https://ossf.github.io/osv-schema/#affectedversions-field
	Versions []string
	// Severity is a per-package severity, for records whose packages differ
	// (the record's top-level Severity is then empty).
	// https://ossf.github.io/osv-schema/#affectedseverity-field
	Severity []Severity
}

// Range types. https://ossf.github.io/osv-schema/#affectedrangestype-field
const (
	RangeEcosystem = "ECOSYSTEM"
	RangeSemver    = "SEMVER"
	RangeGit       = "GIT"
)

// Range is one range of affected versions.
// https://ossf.github.io/osv-schema/#affectedranges-field
type Range struct {
	// Type is RangeEcosystem, RangeSemver or RangeGit.
	Type string
	// Repo is the repository of a GIT range; empty otherwise.
	Repo string
	// Events is the range's timeline, in the record's order.
	Events []Event
}

// Event is one event of a range; exactly one field is set.
// https://ossf.github.io/osv-schema/#affectedrangesevents-fields
type Event struct {
	// Introduced is the first affected version; "0" means before every version.
	Introduced string
	// Fixed is the first version that is no longer affected (exclusive bound).
	Fixed string
	// LastAffected is the last affected version (inclusive bound).
	LastAffected string
	// Limit caps the range: only versions below it can be affected; "*" is infinity.
	Limit string
}

// IsWithdrawn reports whether the advisory was withdrawn.
func (a *Advisory) IsWithdrawn() bool { return !a.Withdrawn.IsZero() }

// IDs returns the advisory's id followed by its aliases.
func (a *Advisory) IDs() []string {
	return append([]string{a.ID}, a.Aliases...)
}

// Scores returns the advisory's valid CVSS scores: the top-level severities and
// every affected package's, in record order, each distinct vector once. Entries that
// are not CVSS (Ubuntu priorities) and vectors that do not parse are left out.
func (a *Advisory) Scores() []cvss.Score {
	var out []cvss.Score
	seen := map[string]bool{}
	add := func(sevs []Severity) {
		for _, s := range sevs {
			if !strings.HasPrefix(s.Type, "CVSS_") {
				continue
			}
			sc, err := cvss.Parse(s.Score)
			if err != nil || seen[sc.Vector] {
				continue
			}
			seen[sc.Vector] = true
			out = append(out, sc)
		}
	}
	add(a.Severity)
	for _, af := range a.Affected {
		add(af.Severity)
	}
	return out
}

// MaxScore returns the highest base score among the advisory's CVSS vectors; on a
// tie the newer CVSS version wins. ok is false when the advisory has no valid vector.
func (a *Advisory) MaxScore() (best cvss.Score, ok bool) {
	for _, s := range a.Scores() {
		if !ok || s.Base > best.Base || (s.Base == best.Base && s.Version > best.Version) {
			best, ok = s, true
		}
	}
	return best, ok
}

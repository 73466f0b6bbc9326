package nvd

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"vetted/internal/ecosystem"
	"vetted/internal/vuln"
)

// Ecosystem is the ecosystem of the advisories ToAdvisories makes. OSV defines no
// conda ecosystem; "conda" is vetted's name for it, and the scheme vuln.Index is given
// for it must use conda's version ordering.
const Ecosystem = "conda"

// MaxSummary bounds Advisory.Summary, which is cut from the description (NVD has
// no summary line).
const MaxSummary = 200

// DetailURL returns the address of the CVE's page on the NVD site.
func DetailURL(id string) string { return "https://nvd.nist.gov/vuln/detail/" + id }

// ToAdvisories turns CVEs into advisories for the conda packages of m: one advisory
// per CVE that has a vulnerable CPE match whose vendor:product m maps to a conda
// package, with one affected entry (ecosystem "conda") per such package. CVEs that
// match no package give nothing. Of CVEs sharing an id, the one modified last is
// used.
//
// The advisory:
//
//   - ID is the CVE id; Aliases and Upstream are empty (the record is the CVE).
//   - Summary is the first English description with white space collapsed, cut at a
//     word boundary to at most MaxSummary bytes ("…" marks a cut); Details is every
//     English description, cut to vuln.MaxDetails.
//   - Published and Modified are NVD's published and lastModified; a rejected CVE
//     is Withdrawn at its lastModified (so that it replaces an earlier import and
//     matches nothing).
//   - Severity holds one vector: the one BestScore picks, so that the advisory's
//     MaxScore is the CVE's BestScore (other sources' vectors, which MaxScore would
//     prefer when higher, are left out).
//   - References starts with the NVD page (DetailURL): the mark that the advisory
//     was derived from NVD. vuln.Advisory has no field that says where a record
//     came from.
//
// Each vulnerable match becomes, for each package its product maps to:
//
//   - criteria naming one release ("cpe:2.3:a:xmlsoft:libxml2:2.11.0:*:...") → that
//     version in Versions; an update component is appended to it
//     ("julia:1.7.0:beta1" → "1.7.0beta1"). Bounds given beside an exact version
//     are ignored: the exact version is the narrower statement.
//   - criteria with version "*" or "-" and bounds → one ECOSYSTEM range:
//     versionStartIncluding → introduced; versionEndExcluding → fixed;
//     versionEndIncluding → last_affected; no start bound → introduced "0"; no end
//     bound → open-ended.
//   - versionStartExcluding → introduced at that version. OSV has no exclusive lower
//     bound and the next release cannot be named without the package's release
//     list, so the start version itself is reported affected (a false positive on
//     one release rather than a missed range).
//   - criteria with version "*", "-" (NA) or a wildcard pattern ("1.2*") and no
//     bounds → introduced "0": every version.
//
// Matches with vulnerable false (platforms of "running on" configurations, and
// matches of negated nodes) are skipped. The vulnerable matches of an AND
// configuration are used as if unconditional: the package is reported whatever
// platform it runs on. The target_sw component is ignored. Range bounds are NVD's
// version strings; CheckRanges finds those the conda ordering cannot evaluate.
func ToAdvisories(cves []*CVE, m CPEMap) []*vuln.Advisory {
	byProduct := m.packagesByProduct()
	var out []*vuln.Advisory
	for _, c := range latest(cves) {
		affected := map[string]*affectedBuilder{}
		for i := range c.Matches {
			mt := &c.Matches[i]
			if !mt.Vulnerable {
				continue
			}
			for _, name := range byProduct[mt.Criteria.VendorProduct()] {
				b := affected[name]
				if b == nil {
					b = &affectedBuilder{af: vuln.Affected{Ecosystem: Ecosystem, Name: name}, seen: map[string]bool{}}
					affected[name] = b
				}
				b.add(mt)
			}
		}
		if len(affected) == 0 {
			continue
		}
		a := &vuln.Advisory{
			ID:         c.ID,
			Details:    cut(strings.Join(c.Descriptions, "\n\n"), vuln.MaxDetails, false),
			Published:  c.Published,
			Modified:   c.LastModified,
			References: append([]string{DetailURL(c.ID)}, without(c.References, DetailURL(c.ID))...),
		}
		if len(c.Descriptions) > 0 {
			a.Summary = cut(strings.Join(strings.Fields(c.Descriptions[0]), " "), MaxSummary, true)
		}
		if c.IsRejected() {
			a.Withdrawn = c.LastModified
		}
		if s, _, ok := c.BestScore(); ok {
			a.Severity = []vuln.Severity{{Type: severityType(s.Version), Score: s.Vector}}
		}
		for _, name := range slices.Sorted(maps.Keys(affected)) {
			a.Affected = append(a.Affected, affected[name].af)
		}
		out = append(out, a)
	}
	return out
}

type affectedBuilder struct {
	af   vuln.Affected
	seen map[string]bool // ranges and versions already added
}

func (b *affectedBuilder) add(m *CPEMatch) {
	if v, ok := m.Criteria.exactVersion(); ok {
		if !b.seen["v\x00"+v] {
			b.seen["v\x00"+v] = true
			b.af.Versions = append(b.af.Versions, v)
		}
		return
	}
	intro := "0"
	switch {
	case m.VersionStartIncluding != "":
		intro = m.VersionStartIncluding
	case m.VersionStartExcluding != "":
		intro = m.VersionStartExcluding // approximation: see ToAdvisories
	}
	events := []vuln.Event{{Introduced: intro}}
	switch {
	case m.VersionEndExcluding != "":
		events = append(events, vuln.Event{Fixed: m.VersionEndExcluding})
	case m.VersionEndIncluding != "":
		events = append(events, vuln.Event{LastAffected: m.VersionEndIncluding})
	}
	key := fmt.Sprintf("r\x00%q", events)
	if b.seen[key] {
		return
	}
	b.seen[key] = true
	b.af.Ranges = append(b.af.Ranges, vuln.Range{Type: vuln.RangeEcosystem, Events: events})
}

// severityType is the OSV severity type of a CVSS version.
func severityType(version string) string {
	switch version {
	case "2.0":
		return "CVSS_V2"
	case "4.0":
		return "CVSS_V4"
	}
	return "CVSS_V3"
}

// without returns list without s.
func without(list []string, s string) []string {
	var out []string
	for _, e := range list {
		if e != s {
			out = append(out, e)
		}
	}
	return out
}

// cut shortens s to at most max bytes, at a character boundary (and, with words, at
// the last space if there is one in the second half), ending in "…" when cut.
func cut(s string, max int, words bool) string {
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	const mark = "…"
	n := max - len(mark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	if words {
		if i := strings.LastIndexByte(s[:n], ' '); i > n/2 {
			n = i
		}
	}
	return strings.TrimRight(s[:n], " ,;:") + mark
}

// CheckRanges reports the ranges of eco's affected entries that vs cannot evaluate
// as written: a fixed version that vs does not order after the range's introduced
// version, or a last_affected version it orders before it. Such a range is empty or,
// for vuln.Index, affects everything from its introduced version up; the usual cause
// is a version spelling the ecosystem orders differently from upstream (conda
// orders openssl's 1.1.1t before 1.1.1, and an invalid version sorts before every
// valid one). Run it over ToAdvisories' output with the conda ordering and hold back
// or hand-correct what it reports. Withdrawn advisories and GIT ranges are skipped.
func CheckRanges(advs []*vuln.Advisory, eco string, vs ecosystem.Versions) []error {
	var problems []error
	for _, a := range advs {
		if a == nil || a.IsWithdrawn() {
			continue
		}
		for _, af := range a.Affected {
			if af.Ecosystem != eco {
				continue
			}
			for ri, r := range af.Ranges {
				if r.Type == vuln.RangeGit {
					continue
				}
				intro := ""
				for _, e := range r.Events {
					switch {
					case e.Introduced != "":
						intro = e.Introduced
					case intro == "" || intro == "0":
					case e.Fixed != "" && vs.Compare(e.Fixed, intro) <= 0:
						problems = append(problems, fmt.Errorf("advisory %s, %s package %s, range %d: fixed %q does not sort after introduced %q in %s's version order, so the range cannot be evaluated as meant; correct the range by hand (an override record) or map the versions to the ecosystem's spelling", a.ID, eco, af.Name, ri, e.Fixed, intro, eco))
					case e.LastAffected != "" && vs.Compare(e.LastAffected, intro) < 0:
						problems = append(problems, fmt.Errorf("advisory %s, %s package %s, range %d: last_affected %q sorts before introduced %q in %s's version order, so the range cannot be evaluated as meant; correct the range by hand (an override record) or map the versions to the ecosystem's spelling", a.ID, eco, af.Name, ri, e.LastAffected, intro, eco))
					}
				}
			}
		}
	}
	return problems
}

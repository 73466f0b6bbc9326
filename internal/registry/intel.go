package registry

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem"
	"vetted/internal/policy"
	"vetted/internal/vuln"
	"vetted/internal/vuln/cvss"
)

// Intel is the registry's view of vulnerability intelligence: the advisories in the
// catalog, indexed for matching, and the triage records. It is rebuilt by Reload after
// a feed import or a triage change, and its generation changes with it, so that cached
// decisions and rendered pages made under the old facts are recomputed.
type Intel struct {
	cat     VulnCatalog
	schemes map[string]vuln.Scheme // OSV ecosystem name → versions and names
	eco     map[string]ecosystem.Versions
	clock   func() time.Time

	mu         sync.RWMutex
	index      *vuln.Index
	digests    map[string]string          // advisory id → digest, to find what changed
	packages   map[string][]vuln.Affected // advisory id → its affected packages
	triage     []compiledTriage           // in ID order
	cveScores  map[string]cvss.Score      // scores of CVE records (from NVD), for aliases
	cross      []CrossMap
	gen        atomic.Uint64 // bumps (under mu) on every reload that changed something
	lastImport int64         // newest feed import seen
}

// VulnCatalog is the part of the catalog that holds vulnerability facts.
type VulnCatalog interface {
	catalog.Advisories
	catalog.Triages
	catalog.Decisions
}

type compiledTriage struct {
	catalog.Triage
	versions ecosystem.Constraint // nil: every version
}

// CrossMap makes the advisories of one ecosystem apply to packages of another: PyPI
// advisories to the conda packages that repackage the same Python project.
type CrossMap struct {
	From, To string // ecosystem of the package served, ecosystem of the advisories
	// Names maps a From name to its To name when they differ; "" means the package has
	// no counterpart. Names not listed map to themselves.
	Names map[string]string
}

func (c CrossMap) name(project string) (string, bool) {
	if n, ok := c.Names[project]; ok {
		return n, n != ""
	}
	return project, true
}

// SetCrossMaps sets which ecosystems' advisories also apply to which others.
func (in *Intel) SetCrossMaps(maps []CrossMap) {
	in.mu.Lock()
	in.cross = maps
	in.mu.Unlock()
}

// match returns the advisories that affect a version: its own ecosystem's, and those of
// the ecosystems that a cross map points to.
func (in *Intel) match(index *vuln.Index, cross []CrossMap, eco, project, version string) []*vuln.Advisory {
	out := index.Match(eco, project, version)
	for _, c := range cross {
		if c.From != eco {
			continue
		}
		if name, ok := c.name(project); ok {
			out = append(out, index.Match(c.To, name, version)...)
		}
	}
	return out
}

// NewIntel returns an empty Intel; call Reload to load the catalog.
func NewIntel(cat VulnCatalog, schemes map[string]vuln.Scheme, clock func() time.Time) *Intel {
	in := &Intel{cat: cat, schemes: schemes, clock: clock, index: vuln.NewIndex(nil, schemes), eco: map[string]ecosystem.Versions{}}
	for name, s := range schemes {
		in.eco[name] = s.Versions
	}
	return in
}

// Generation identifies the facts: it changes whenever advisories or triage change.
// It is read on every index request, so it is an atomic load rather than a read lock.
func (in *Intel) Generation() uint64 {
	return in.gen.Load()
}

// Changed lists packages whose facts may differ between two loads.
type Changed map[catalog.PackageRef]bool

// Reload reads advisories and triage from the catalog and returns the packages whose
// advisories changed (all of them on the first load). Triage changes are reported by
// the triage methods themselves.
func (in *Intel) Reload(ctx context.Context) (Changed, error) {
	var advs []*vuln.Advisory
	digests := map[string]string{}
	packages := map[string][]vuln.Affected{}
	cveScores := map[string]cvss.Score{}
	err := in.cat.ScanAdvisories(ctx, func(row catalog.Advisory) error {
		a, err := vuln.Decode(row.Body)
		if err != nil {
			return fmt.Errorf("advisory %s: %w", row.ID, err)
		}
		if strings.HasPrefix(a.ID, "CVE-") && !a.IsWithdrawn() {
			if s, ok := a.MaxScore(); ok {
				cveScores[a.ID] = s
			}
		}
		if len(a.Affected) > 0 {
			advs = append(advs, a) // score-only CVE records need not be indexed
		}
		digests[row.ID] = row.Digest
		packages[row.ID] = a.Affected
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load advisories: %w", err)
	}
	triage, err := in.loadTriage(ctx)
	if err != nil {
		return nil, err
	}
	imports, err := in.cat.ListImports(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("load feed imports: %w", err)
	}
	index := vuln.NewIndex(advs, in.schemes)

	in.mu.Lock()
	defer in.mu.Unlock()
	changed := Changed{}
	mark := func(afs []vuln.Affected) {
		for _, af := range afs {
			name := af.Name
			if s, ok := in.schemes[af.Ecosystem]; ok && s.Normalize != nil {
				name = s.Normalize(name)
			}
			changed[catalog.PackageRef{Ecosystem: af.Ecosystem, Name: name}] = true
		}
	}
	for id, d := range digests {
		if in.digests[id] != d {
			mark(packages[id])
			mark(in.packages[id])
		}
	}
	for id := range in.digests {
		if _, ok := digests[id]; !ok {
			mark(in.packages[id])
		}
	}
	// A changed advisory of one ecosystem changes the facts of the packages that a cross
	// map points at it from another.
	for ref := range changed {
		for _, c := range in.cross {
			if c.To != ref.Ecosystem {
				continue
			}
			if n, overridden := c.Names[ref.Name]; !overridden || n == ref.Name {
				changed[catalog.PackageRef{Ecosystem: c.From, Name: ref.Name}] = true
			}
			for from, to := range c.Names {
				if to == ref.Name {
					changed[catalog.PackageRef{Ecosystem: c.From, Name: from}] = true
				}
			}
		}
	}
	in.index, in.digests, in.packages, in.triage, in.cveScores = index, digests, packages, triage, cveScores
	if len(imports) > 0 {
		in.lastImport = imports[0].ID
	}
	if len(changed) > 0 {
		in.gen.Add(1)
	}
	return changed, nil
}

func (in *Intel) loadTriage(ctx context.Context) ([]compiledTriage, error) {
	rows, err := in.cat.ListTriage(ctx)
	if err != nil {
		return nil, fmt.Errorf("load triage: %w", err)
	}
	out := make([]compiledTriage, 0, len(rows))
	for _, t := range rows {
		ct := compiledTriage{Triage: t}
		if t.Versions != "" {
			vs, ok := in.eco[t.Ecosystem]
			if !ok {
				continue // an ecosystem this server does not serve
			}
			c, err := vs.ParseConstraint(t.Versions)
			if err != nil {
				continue // validated when stored; a bad row cannot stop the server
			}
			ct.versions = c
		}
		out = append(out, ct)
	}
	return out, nil
}

// ReloadTriage reloads only the triage records (after an edit) and bumps the generation.
func (in *Intel) ReloadTriage(ctx context.Context) error {
	triage, err := in.loadTriage(ctx)
	if err != nil {
		return err
	}
	in.mu.Lock()
	in.triage = triage
	in.gen.Add(1)
	in.mu.Unlock()
	return nil
}

// LastImport is the newest feed import the loaded facts include.
func (in *Intel) LastImport() int64 {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.lastImport
}

// Vulnerabilities returns the findings for one version: matching advisories, merged
// by alias, each with its score, the triage that applies and, when versions (the
// project's known versions) is given, the nearest later version no advisory affects.
func (in *Intel) Vulnerabilities(eco, project, version string, versions []string) []policy.Vulnerability {
	in.mu.RLock()
	index, triage, cveScores, cross := in.index, in.triage, in.cveScores, in.cross
	in.mu.RUnlock()
	matches := in.match(index, cross, eco, project, version)
	if len(matches) == 0 {
		return nil
	}
	matches = vuln.Dedup(matches)
	fixedIn, _ := index.NearestUnaffected(eco, project, version, versions)
	now := in.clock()
	out := make([]policy.Vulnerability, 0, len(matches))
	for _, a := range matches {
		v := policy.Vulnerability{ID: a.ID, Aliases: a.Aliases, Malicious: a.Malicious, FixedIn: fixedIn}
		in.score(&v, a, cveScores)
		if t := findTriage(triage, a, eco, project, version, now); t != nil {
			v.Triage = t.Status
		}
		out = append(out, v)
	}
	// Highest score first, so messages name the worst finding.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// findTriage returns the newest triage record that applies to the advisory (by any of
// its ids) for this version, skipping expired ones.
func findTriage(ts []compiledTriage, a *vuln.Advisory, eco, project, version string, now time.Time) *compiledTriage {
	ids := map[string]bool{}
	for _, id := range a.IDs() {
		ids[id] = true
	}
	for i := len(ts) - 1; i >= 0; i-- {
		t := &ts[i]
		if !ids[t.AdvisoryID] || t.Ecosystem != eco || t.Project != project {
			continue
		}
		if !t.Expires.IsZero() && !now.Before(t.Expires) {
			continue
		}
		if t.versions != nil && !t.versions.Contains(version) {
			continue
		}
		return t
	}
	return nil
}

// Finding is an advisory as the CLI and API show it.
type Finding struct {
	policy.Vulnerability
	Summary    string    `json:"summary,omitempty"`
	Modified   time.Time `json:"modified"`
	References []string  `json:"references,omitempty"`
}

// Findings lists the advisories of a package (version ""), or those that affect one
// version with the triage that applies to it. eco is the OSV ecosystem name.
func (in *Intel) Findings(eco, project, version string) []Finding {
	in.mu.RLock()
	index, triage, cveScores, cross := in.index, in.triage, in.cveScores, in.cross
	in.mu.RUnlock()
	if s, ok := in.schemes[eco]; ok && s.Normalize != nil {
		project = s.Normalize(project)
	}
	var advs []*vuln.Advisory
	if version != "" {
		advs = vuln.Dedup(in.match(index, cross, eco, project, version))
	} else {
		advs = index.Package(eco, project)
		for _, c := range cross {
			if name, ok := c.name(project); ok && c.From == eco {
				advs = append(advs, index.Package(c.To, name)...)
			}
		}
	}
	now := in.clock()
	out := make([]Finding, 0, len(advs))
	for _, a := range advs {
		f := Finding{Vulnerability: policy.Vulnerability{ID: a.ID, Aliases: a.Aliases, Malicious: a.Malicious}, Summary: summaryOf(a), Modified: a.Modified, References: a.References}
		in.score(&f.Vulnerability, a, cveScores)
		if version != "" {
			if t := findTriage(triage, a, eco, project, version, now); t != nil {
				f.Triage = t.Status
			}
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// summaryOf is the advisory's summary, or the first line of its details.
func summaryOf(a *vuln.Advisory) string {
	if a.Summary != "" {
		return a.Summary
	}
	line, _, _ := strings.Cut(strings.TrimSpace(a.Details), "\n")
	return line
}

// score sets a finding's score: the highest of the advisory's own vectors, or else the
// highest NVD score among its CVE aliases. The source of the score is kept.
func (in *Intel) score(v *policy.Vulnerability, a *vuln.Advisory, cveScores map[string]cvss.Score) {
	if s, ok := a.MaxScore(); ok {
		v.Scored, v.Score, v.Severity, v.Vector, v.Source = true, s.Base, s.Severity, s.Vector, a.ID
		return
	}
	for _, id := range a.IDs() {
		if s, ok := cveScores[id]; ok && (!v.Scored || s.Base > v.Score) {
			v.Scored, v.Score, v.Severity, v.Vector, v.Source = true, s.Base, s.Severity, s.Vector, "NVD "+id
		}
	}
}

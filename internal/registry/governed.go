package registry

import (
	"strconv"
	"sync/atomic"
	"time"

	"vetted/internal/license"
	"vetted/internal/policy"
)

// governed is what every repository decides with: its policy, the vulnerability facts
// and the licence normaliser, for one ecosystem. Repository types embed it.
type governed struct {
	eco      string // OSV ecosystem name of the repository's packages
	policy   *policy.Policy
	intel    *Intel              // nil: no vulnerability facts
	licenses *license.Normalizer // nil: no licence facts
	source   license.Source      // the field licences are declared in
	clock    func() time.Time    // for exceptions' expiry
	rev      atomic.Pointer[revCache]
}

// revCache is the revision string of one facts generation.
type revCache struct {
	gen        uint64
	exceptions int
	s          string
}

func (g *governed) factsGen() uint64 {
	if g.intel == nil {
		return 0
	}
	return g.intel.Generation()
}

// revision identifies the policy and the facts that decisions are made under; caches
// of rendered indexes are keyed by it.
func (g *governed) revision() string {
	gen, active := g.factsGen(), 0
	if g.policy.HasExceptions() { // reading the clock would cost more than the rest
		active = g.policy.ActiveExceptions(g.now())
	}
	if c := g.rev.Load(); c != nil && c.gen == gen && c.exceptions == active {
		return c.s // on every index request: no formatting while the facts stand
	}
	c := &revCache{gen: gen, exceptions: active, s: g.policy.Revision() + "/" + strconv.FormatUint(gen, 10) + "/" + strconv.Itoa(active)}
	g.rev.Store(c)
	return c.s
}

func (g *governed) now() time.Time {
	if g.clock == nil {
		return time.Now()
	}
	return g.clock()
}

// facts gathers what is known of one version. versions (the project's known versions,
// for remedies naming a fixed one) and licenseText (the declared licence, when the index
// carries it) may be empty.
func (g *governed) facts(project, version string, versions []string, licenseText ...string) policy.Facts {
	f := policy.Facts{Project: project, Version: version, Now: g.now()}
	if g.intel != nil {
		f.Vulnerabilities = g.intel.Vulnerabilities(g.eco, project, version, versions)
	}
	if len(licenseText) > 0 && g.licenses != nil {
		f.License = licenseFact(g.licenses.Normalize(licenseText[0], g.source))
	}
	return f
}

// licenseFact is a normalised licence as the policy sees it.
func licenseFact(res license.Result) *policy.License {
	return &policy.License{Declared: res.Declared, Expression: res.Expression, Category: string(res.Category)}
}

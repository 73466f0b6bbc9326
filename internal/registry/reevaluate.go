package registry

import (
	"context"
	"fmt"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/policy"
)

// Decisions of cached releases are stored so that a change of facts (a feed import, a
// triage edit, a new policy) can tell which releases became blocked or allowed. Index
// pages and downloads do not read them: they decide from the facts in memory, and
// their caches are keyed by the facts' generation.

// recordProject stores the decisions on every version of a freshly fetched project page.
// It records no events: a release seen for the first time did not change verdict.
func (s *PyPI) recordProject(ctx context.Context, r *pypiRepo, p *pypi.Project) {
	in := s.deps.Intel
	if in == nil || p == nil {
		return
	}
	stored, err := in.cat.ListDecisions(ctx, r.name, p.Name)
	if err != nil {
		s.deps.Log.Warn("catalog: could not read decisions", "repo", r.name, "project", p.Name, "err", err)
		return
	}
	prev := map[string]catalog.Decision{}
	for _, d := range stored {
		prev[d.Version] = d
	}
	versions := projectVersions(p)
	now := s.deps.Clock().UTC()
	rev := r.revision()
	var put []catalog.Decision
	var events []catalog.DecisionEvent
	for _, v := range versions {
		d := r.decide(p.Name, v, versions)
		row := catalog.Decision{Repo: r.name, Project: p.Name, Version: v, Verdict: d.Verdict.String(), Summary: d.Summary(), Revision: rev, DecidedAt: now}
		old, seen := prev[v]
		if seen && old.Verdict == row.Verdict && old.Summary == row.Summary {
			continue
		}
		put = append(put, row)
		if seen && old.Verdict != row.Verdict {
			events = append(events, catalog.DecisionEvent{Time: now, Repo: r.name, Project: p.Name, Version: v, From: old.Verdict, To: row.Verdict, Cause: "upstream page refreshed", Detail: row.Summary})
		}
	}
	if len(put) == 0 {
		return
	}
	if err := in.cat.PutDecisions(ctx, put, events); err != nil {
		s.deps.Log.Warn("catalog: could not store decisions", "repo", r.name, "project", p.Name, "err", err)
	}
}

// Reevaluation reports what a re-evaluation did.
type Reevaluation struct {
	Releases     int // decisions recomputed
	NewlyBlocked int
	NewlyAllowed int
	Duration     time.Duration
}

// Reevaluate recomputes the stored decisions of the packages in only (nil: every
// stored decision) in every PyPI repository, and stores what changed, with an event for
// each release whose verdict changed, naming cause.
func (s *PyPI) Reevaluate(ctx context.Context, only Changed, cause string) (Reevaluation, error) {
	start := time.Now()
	var res Reevaluation
	in := s.deps.Intel
	if in == nil {
		return res, nil
	}
	now := s.deps.Clock().UTC()
	for _, r := range s.repos {
		stored, err := in.cat.ListDecisions(ctx, r.name, "")
		if err != nil {
			return res, fmt.Errorf("re-evaluate %s: %w", r.name, err)
		}
		rev := r.revision()
		var put []catalog.Decision
		var events []catalog.DecisionEvent
		for i := 0; i < len(stored); {
			// ListDecisions orders by project: take one project's run at a time.
			j := i
			for j < len(stored) && stored[j].Project == stored[i].Project {
				j++
			}
			group := stored[i:j]
			i = j
			project := group[0].Project
			if only != nil && !only[catalog.PackageRef{Ecosystem: pypi.OSVEcosystem, Name: project}] {
				continue
			}
			versions := make([]string, len(group))
			for k, d := range group {
				versions[k] = d.Version
			}
			sortVersions(versions)
			for _, old := range group {
				d := r.decide(project, old.Version, versions)
				res.Releases++
				row := catalog.Decision{Repo: r.name, Project: project, Version: old.Version, Verdict: d.Verdict.String(), Summary: d.Summary(), Revision: rev, DecidedAt: now}
				if old.Verdict == row.Verdict && old.Summary == row.Summary && old.Revision == rev {
					continue
				}
				put = append(put, row)
				if old.Verdict == row.Verdict {
					continue
				}
				events = append(events, catalog.DecisionEvent{Time: now, Repo: r.name, Project: project, Version: old.Version, From: old.Verdict, To: row.Verdict, Cause: cause, Detail: row.Summary})
				switch {
				case d.Verdict == policy.Block:
					res.NewlyBlocked++
				case old.Verdict == policy.Block.String():
					res.NewlyAllowed++
				}
			}
		}
		if len(put) > 0 {
			if err := in.cat.PutDecisions(ctx, put, events); err != nil {
				return res, fmt.Errorf("re-evaluate %s: %w", r.name, err)
			}
		}
	}
	res.Duration = time.Since(start)
	return res, nil
}

// FactsChanged reloads the vulnerability facts and re-evaluates what they affect.
// cause names the change in the events ("feed import 12", "triage 4").
func (s *PyPI) FactsChanged(ctx context.Context, cause string) (Reevaluation, error) {
	in := s.deps.Intel
	if in == nil {
		return Reevaluation{}, nil
	}
	changed, err := in.Reload(ctx)
	if err != nil {
		return Reevaluation{}, err
	}
	if len(changed) == 0 {
		return Reevaluation{}, nil
	}
	return s.Reevaluate(ctx, changed, cause)
}

// TriageChanged reloads the triage records and re-evaluates the project they concern.
func (s *PyPI) TriageChanged(ctx context.Context, ecosystem, project, cause string) (Reevaluation, error) {
	in := s.deps.Intel
	if in == nil {
		return Reevaluation{}, nil
	}
	if err := in.ReloadTriage(ctx); err != nil {
		return Reevaluation{}, err
	}
	return s.Reevaluate(ctx, Changed{{Ecosystem: ecosystem, Name: project}: true}, cause)
}

// WatchFacts loads the facts, re-evaluates every stored decision once (the policy or
// the facts may have changed while the server was stopped), then polls the catalog for
// feed imports made by other processes (`vetted feeds import`) until ctx ends.
func (s *PyPI) WatchFacts(ctx context.Context, interval time.Duration) {
	in := s.deps.Intel
	if in == nil {
		return
	}
	if _, err := in.Reload(ctx); err != nil {
		s.deps.Log.Error("could not load vulnerability facts; serving without them until the next import", "err", err)
	}
	s.logReevaluation(s.Reevaluate(ctx, nil, "server start"))
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		imports, err := in.cat.ListImports(ctx, 1)
		if err != nil || len(imports) == 0 || imports[0].ID == in.LastImport() {
			continue
		}
		s.logReevaluation(s.FactsChanged(ctx, fmt.Sprintf("feed import %d (%s)", imports[0].ID, imports[0].Source)))
	}
}

func (s *PyPI) logReevaluation(res Reevaluation, err error) {
	if err != nil {
		s.deps.Log.Error("re-evaluation failed", "err", err)
		return
	}
	if res.Releases > 0 {
		s.deps.Log.Info("re-evaluated cached releases", "releases", res.Releases, "newly_blocked", res.NewlyBlocked, "newly_allowed", res.NewlyAllowed, "duration", res.Duration)
	}
}

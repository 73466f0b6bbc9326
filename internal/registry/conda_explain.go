package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"vetted/internal/ecosystem/conda"
	"vetted/internal/policy"
)

// Explain answers "why is this version of a conda package allowed or blocked?" (`vetted
// why` and the decisions API). The subdirs consulted are noarch and those vetted has
// cached; the decision itself needs no network.
func (s *Conda) Explain(ctx context.Context, repo, name, version string) (*Explanation, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if !condaName.MatchString(name) {
		return nil, fmt.Errorf("%q is not a conda package name: %w", name, ErrInvalid)
	}
	if _, err := conda.ParseVersion(version); err != nil {
		return nil, fmt.Errorf("version %q: %v: %w", version, err, ErrInvalid)
	}
	ex := &Explanation{Repository: repo, Project: name, Version: version}
	subdirs, err := s.knownSubdirs(ctx, r, name)
	if err != nil {
		return nil, err
	}
	var licenseText []string
	var versions []string
	var pruned string
	for _, subdir := range subdirs {
		st, warning, err := r.repodata.get(ctx, subdir)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				ex.Warning = strings.TrimSpace(fmt.Sprintf("%s %s: upstream not consulted: %v", ex.Warning, subdir, err))
			}
			continue
		}
		if warning != "" {
			ex.Warning = strings.TrimSpace(ex.Warning + " " + warning)
		}
		removed, _ := s.pruned(ctx, r, subdir, st.value, st.gen)
		for _, filename := range st.value.FilenamesOf(name) {
			rec, _ := st.value.Lookup(filename)
			if !slices.Contains(versions, rec.Version) {
				versions = append(versions, rec.Version)
			}
			if conda.Compare(rec.Version, version) != 0 {
				continue
			}
			ex.Listed = true
			ex.Files = append(ex.Files, subdir+"/"+filename)
			if licenseText == nil {
				licenseText = []string{rec.License}
			}
			if why := removed[filename]; why != "" && pruned == "" {
				pruned = why
			}
		}
		if best := r.newestAllowed(st.value, name); best != "" && (ex.NewestAllowed == "" || conda.Compare(best, ex.NewestAllowed) > 0) {
			ex.NewestAllowed = best
		}
	}
	slices.Sort(ex.Files)
	f := r.facts(name, version, versions, licenseText...)
	ex.Decision = r.policy.Evaluate(f)
	if pruned != "" && ex.Decision.Allowed() {
		ex.Decision = policy.Decision{Verdict: policy.Block, Policy: r.policy.Name(), Revision: r.policy.Revision(), Reasons: append(ex.Decision.Reasons, policy.Reason{
			Rule: "prune-dependents", Verdict: policy.Block, Message: pruned,
			Remedy: "allow a version of the dependency, or use another version of this package",
		})}
	}
	ex.setFacts(f)
	return ex, nil
}

// knownSubdirs lists noarch, the subdirs that channeldata.json says have the package,
// and those of the repository that vetted has cached.
func (s *Conda) knownSubdirs(ctx context.Context, r *condaRepo, name string) ([]string, error) {
	keys, err := s.deps.Catalog.ListDocumentKeys(ctx, r.name)
	if err != nil {
		return nil, err
	}
	if st, _, err := r.channeldata.get(ctx, channeldataKey); err == nil {
		if pkg, ok := st.value.Packages[name]; ok {
			keys = append(keys, pkg.Subdirs...)
		}
	}
	out := []string{"noarch"}
	for _, k := range keys {
		if subdirPattern.MatchString(k) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

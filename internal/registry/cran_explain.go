package registry

import (
	"context"
	"fmt"
	"slices"

	"vetted/internal/ecosystem/cran"
)

// Explain answers "why is this version of a CRAN package allowed or blocked?" (`vetted
// why` and the decisions API). The versions are those of the repository's index and, for
// a proxy, upstream's Archive/<pkg>/; the licence is the one vetted has read (the index,
// or an archived DESCRIPTION read for PACKAGES). The decision is the policy's, dependent
// pruning included, as a download of the version gets it; a mirror also needs the version
// synced (the explanation warns when it is not).
func (s *CRAN) Explain(ctx context.Context, repo, pkg, version string) (*Explanation, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if !cran.ValidName(pkg) {
		return nil, fmt.Errorf("%q is not an R package name (two or more letters, digits and dots, starting with a letter, not ending with a dot): %w", pkg, ErrInvalid)
	}
	if !cran.IsValid(version) {
		return nil, fmt.Errorf("version %q is not an R package version (such as 1.2.3 or 1.2-3): %w", version, ErrInvalid)
	}
	ex := &Explanation{Repository: repo, Project: pkg, Version: version}
	st, warning, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return nil, err
	}
	ex.Warning = warning
	var versions []string
	filename := cran.SourceFilename(pkg, version)
	for _, e := range st.value {
		if e.Package() != pkg {
			continue
		}
		versions = append(versions, e.Version())
		if e.Version() == version {
			ex.Listed = true
			ex.Files = append(ex.Files, "src/contrib/"+filename)
		}
	}
	if r.mirror != nil && !ex.Listed {
		ex.Warning = joinWarnings(ex.Warning, fmt.Sprintf("mirror %s does not hold %s %s: a download answers 404 until a sync selects it (its filter and the policy must allow it; `vetted mirror sync %s`)", repo, pkg, version, repo))
	}
	if !r.hosted && r.mirror == nil {
		// Older versions of a proxy's packages are in upstream's Archive/.
		if ast, _, err := r.archives.get(ctx, pkg); err != nil {
			ex.Warning = joinWarnings(ex.Warning, fmt.Sprintf("upstream's Archive/%s/ not consulted: %v", pkg, err))
		} else {
			for _, v := range ast.value {
				versions = append(versions, v)
				if v == version && !ex.Listed {
					ex.Listed = true
					ex.Files = append(ex.Files, "src/contrib/Archive/"+pkg+"/"+filename)
				}
			}
		}
	}
	slices.SortFunc(versions, cran.Compare)
	versions = slices.Compact(versions)
	f := r.facts(pkg, version, versions, s.knownLicense(ctx, r, pkg, version)...)
	ex.Decision = s.pruning(ctx, r, pkg, r.policy.Evaluate(f))
	ex.setFacts(f)
	ex.NewestAllowed = s.newestAllowed(ctx, r, pkg)
	return ex, nil
}

func joinWarnings(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

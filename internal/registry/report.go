package registry

import (
	"context"
	"fmt"
	"sort"

	"vetted/internal/ecosystem/conda/repodata"
	"vetted/internal/license"
	"vetted/internal/policy"
)

// LicenseRow is one version in a licence report.
type LicenseRow struct {
	Project    string `json:"project"`
	Version    string `json:"version"`
	Where      string `json:"where,omitempty"` // conda subdir
	Declared   string `json:"declared"`
	Expression string `json:"expression"`
	Category   string `json:"category"`
	Verdict    string `json:"verdict"`
	Reason     string `json:"reason,omitempty"`
}

func licenseRow(project, version, where string, lic *policy.License, d policy.Decision) LicenseRow {
	row := LicenseRow{Project: project, Version: version, Where: where, Verdict: d.Verdict.String()}
	if lic != nil {
		row.Declared, row.Expression, row.Category = lic.Declared, lic.Expression, lic.Category
	}
	if !d.Allowed() || d.Verdict == policy.Warn {
		row.Reason = d.Summary()
	}
	return row
}

func sortRows(rows []LicenseRow) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Where < b.Where
	})
}

// LicenseReport lists the licence of every version of the projects the repository has
// cached, read from core metadata (fetched when not cached yet).
func (s *PyPI) LicenseReport(ctx context.Context, repo string) ([]LicenseRow, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if r.licenses == nil {
		return nil, fmt.Errorf("licence facts are not enabled")
	}
	keys, err := s.deps.Catalog.ListPageKeys(ctx, repo)
	if err != nil {
		return nil, err
	}
	var rows []LicenseRow
	for _, key := range keys {
		if key == listKey {
			continue
		}
		st, _, err := r.projects.get(ctx, key)
		if err != nil {
			continue
		}
		versions := projectVersions(st.value)
		s.prefetchLicenses(ctx, r, st.value, versions)
		for _, v := range versions {
			r.mu.RLock()
			lic := r.licensesOf[key+"\x00"+v]
			r.mu.RUnlock()
			f := r.facts(key, v, versions)
			f.License = lic
			rows = append(rows, licenseRow(key, v, "", lic, r.policy.Evaluate(f)))
		}
	}
	sortRows(rows)
	return rows, nil
}

// LicenseReport lists the licence of every record of the subdirs the channel has cached.
func (s *Conda) LicenseReport(ctx context.Context, repo string) ([]LicenseRow, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	keys, err := s.deps.Catalog.ListDocumentKeys(ctx, repo)
	if err != nil {
		return nil, err
	}
	var rows []LicenseRow
	for _, subdir := range keys {
		if checkSubdir(subdir) != nil {
			continue // channeldata.json
		}
		st, _, err := r.repodata.get(ctx, subdir)
		if err != nil {
			continue
		}
		seen := map[[2]string]bool{}
		for _, m := range []map[string]*repodata.Record{st.value.Packages, st.value.PackagesConda} {
			for _, rec := range m {
				k := [2]string{rec.Name, rec.Version}
				if seen[k] {
					continue
				}
				seen[k] = true
				f := r.facts(rec.Name, rec.Version, nil, rec.License)
				rows = append(rows, licenseRow(rec.Name, rec.Version, subdir, f.License, r.policy.Evaluate(f)))
			}
		}
	}
	sortRows(rows)
	return rows, nil
}

// LicenseReport lists the licence of every package in the repository's index.
func (s *CRAN) LicenseReport(ctx context.Context, repo string) ([]LicenseRow, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	st, _, err := r.packages.get(ctx, packagesKey)
	if err != nil {
		return nil, err
	}
	var rows []LicenseRow
	for _, e := range st.value {
		f := r.facts(e.Package(), e.Version(), nil, e.Get("License"))
		rows = append(rows, licenseRow(e.Package(), e.Version(), "", f.License, r.policy.Evaluate(f)))
	}
	sortRows(rows)
	return rows, nil
}

// LicenseSummary counts a report's rows by category.
func LicenseSummary(rows []LicenseRow) map[string]int {
	out := map[string]int{}
	for _, c := range license.Categories() {
		out[string(c)] = 0
	}
	for _, r := range rows {
		cat := r.Category
		if cat == "" {
			cat = string(license.Unknown)
		}
		out[cat]++
	}
	return out
}

package repodata

// Current returns the content of a current_repodata.json for rd: for each package name,
// the records of its highest version among those keep accepts, every build of that version
// in both "packages" and "packages.conda". compare orders two conda versions (conda's
// VersionOrder: negative, zero or positive); versions it calls equal ("1.0" and "1.0.0")
// count as one. The result shares rd's records, info, removed list and unknown keys;
// render it with Render and a nil KeepFunc.
//
// This is the simple form of conda-index's rule. conda-index also adds, for each
// dependency of those records that the newest versions cannot satisfy, the newest
// records that do (and the previous version of packages with track_features). vetted does
// not: a client whose solve fails on current_repodata.json falls back to repodata.json
// (conda's repodata_fns), which has everything policy allows, so leaving those records
// out costs a second download, never a wrong environment.
func Current(rd *Repodata, keep KeepFunc, compare func(a, b string) int) *Repodata {
	type kept struct {
		filename string
		conda    bool
	}
	var all []kept
	best := map[string]string{} // name → highest version
	scan := func(m map[string]*Record, conda bool) {
		for filename, rec := range m {
			if keep != nil && !keep(filename, rec) {
				continue
			}
			all = append(all, kept{filename, conda})
			if v, ok := best[rec.Name]; !ok || compare(rec.Version, v) > 0 {
				best[rec.Name] = rec.Version
			}
		}
	}
	scan(rd.Packages, false)
	scan(rd.PackagesConda, true)
	out := &Repodata{
		Info:            rd.Info,
		Packages:        map[string]*Record{},
		PackagesConda:   map[string]*Record{},
		Removed:         rd.Removed,
		RepodataVersion: rd.RepodataVersion,
		Extra:           rd.Extra,
	}
	for _, k := range all {
		src, dst := rd.Packages, out.Packages
		if k.conda {
			src, dst = rd.PackagesConda, out.PackagesConda
		}
		if r := src[k.filename]; compare(r.Version, best[r.Name]) == 0 {
			dst[k.filename] = r
		}
	}
	return out
}

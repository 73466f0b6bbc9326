package feed

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/vuln"
	"vetted/internal/vuln/nvd"
)

// Importer imports feeds into a catalog.
type Importer struct {
	Store   catalog.Advisories
	Client  *http.Client           // for http(s) feeds
	Schemes map[string]vuln.Scheme // OSV ecosystem → name normaliser, for the package index
	Clock   func() time.Time
	// CPEMap names the conda packages of NVD's CPE products (nvd.DefaultCPEMap, merged
	// with the configuration's additions).
	CPEMap nvd.CPEMap
}

// maxProblems bounds the problems kept in an import's record; the count is exact.
const maxProblems = 1000

// Import reads the feed at location and stores what changed, in one transaction. The
// returned record has the counts; malformed records are in Problems (file: reason).
func (im *Importer) Import(ctx context.Context, location string, progress Progress) (catalog.FeedImport, error) {
	return im.ImportAs(ctx, location, location, progress)
}

// ImportAs is Import, recording the import under another source name (the URL that a
// downloaded feed came from).
func (im *Importer) ImportAs(ctx context.Context, location, source string, progress Progress) (catalog.FeedImport, error) {
	imp := catalog.FeedImport{Source: source, StartedAt: im.Clock().UTC()}
	digests, err := im.Store.AdvisoryDigests(ctx)
	if err != nil {
		return imp, fmt.Errorf("import %s: %w", location, err)
	}
	byID := map[string]catalog.Advisory{}
	from := map[string]string{} // id → the record file that gave it
	problem := func(format string, args ...any) {
		imp.Skipped++
		if len(imp.Problems) < maxProblems {
			imp.Problems = append(imp.Problems, fmt.Sprintf(format, args...))
		}
	}
	err = Read(ctx, im.Client, location, progress, func(r Record) error {
		if len(r.Data) > MaxRecordBytes {
			problem("%s: larger than %d MiB; skipped", r.Name, MaxRecordBytes>>20)
			return nil
		}
		var advs []*vuln.Advisory
		if looksNVD(r.Data) {
			list, probs, err := nvdAdvisories(r.Data, r.Name, im.CPEMap)
			if err != nil {
				problem("%v", err)
				return nil
			}
			for _, p := range probs {
				problem("%s", p)
			}
			advs = list
		} else {
			a, err := vuln.ParseOSV(r.Data, r.Name)
			if err != nil {
				problem("%v", err)
				return nil
			}
			advs = []*vuln.Advisory{a}
		}
		for _, a := range advs {
			if prev, dup := from[a.ID]; dup && prev != r.Name {
				problem("%s: %s is also defined in %s; the later file wins", r.Name, a.ID, prev)
			}
			body, digest, err := vuln.Encode(a)
			if err != nil {
				problem("%s: %v", r.Name, err)
				continue
			}
			from[a.ID] = r.Name
			byID[a.ID] = catalog.Advisory{
				ID: a.ID, Modified: a.Modified, Withdrawn: a.Withdrawn, Source: source,
				Digest: digest, Body: body, Packages: im.packages(a),
			}
		}
		return nil
	})
	if err != nil {
		return imp, fmt.Errorf("import %s: %w; nothing was changed", location, err)
	}
	var changed []catalog.Advisory
	for id, rec := range byID {
		old, known := digests[id]
		switch {
		case known && old == rec.Digest:
			imp.Unchanged++
			continue
		case known:
			imp.Changed++
		default:
			imp.Added++
		}
		if !rec.Withdrawn.IsZero() {
			imp.Withdrawn++
		}
		changed = append(changed, rec)
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].ID < changed[j].ID })
	imp.FinishedAt = im.Clock().UTC()
	stored, err := im.Store.ImportAdvisories(ctx, imp, changed)
	if err != nil {
		return imp, fmt.Errorf("import %s: %w; nothing was changed", location, err)
	}
	return stored, nil
}

// packages lists the packages an advisory concerns, with names normalised for their
// ecosystem, so that the catalog can find the advisories of a package.
func (im *Importer) packages(a *vuln.Advisory) []catalog.PackageRef {
	seen := map[catalog.PackageRef]bool{}
	var out []catalog.PackageRef
	for _, af := range a.Affected {
		name := af.Name
		if s, ok := im.Schemes[af.Ecosystem]; ok && s.Normalize != nil {
			name = s.Normalize(name)
		}
		ref := catalog.PackageRef{Ecosystem: af.Ecosystem, Name: name}
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

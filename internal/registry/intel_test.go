package registry_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/registry"
	"vetted/internal/vuln"
	"vetted/internal/vuln/feed"
)

// TestIntelScoresFromNVDAlias: an OSV record without a CVSS vector takes the NVD score
// of its CVE alias, and says so; triage applies by alias and stops when expired.
func TestIntelScoresFromNVDAlias(t *testing.T) {
	ctx := context.Background()
	cat, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "PYSEC-9.json"), []byte(`{"id": "PYSEC-9", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2023-0286"],
	  "affected": [{"package": {"ecosystem": "PyPI", "name": "alpha"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}`), 0o644)
	nvdRecord, err := os.ReadFile("../vuln/nvd/testdata/records/CVE-2023-0286.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "CVE-2023-0286.json"), nvdRecord, 0o644)
	schemes := map[string]vuln.Scheme{pypi.OSVEcosystem: vuln.SchemeOf(pypi.Ecosystem{})}
	im := &feed.Importer{Store: cat, Schemes: schemes, Clock: time.Now}
	if rec, err := im.Import(ctx, dir, nil); err != nil || rec.Added != 2 {
		t.Fatalf("import: %+v %v", rec, err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	in := registry.NewIntel(cat, schemes, func() time.Time { return now })
	if _, err := in.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	fs := in.Findings(pypi.OSVEcosystem, "Alpha", "1.0")
	if len(fs) != 1 || !fs[0].Scored || fs[0].Source != "NVD CVE-2023-0286" || fs[0].Score != 7.4 {
		t.Fatalf("findings: %+v", fs)
	}
	if fs := in.Findings(pypi.OSVEcosystem, "alpha", "2.0"); len(fs) != 0 {
		t.Fatalf("fixed version has findings: %+v", fs)
	}
	vs := in.Vulnerabilities(pypi.OSVEcosystem, "alpha", "1.0", []string{"1.0", "1.5", "2.0", "2.1"})
	if len(vs) != 1 || vs[0].FixedIn != "2.0" {
		t.Fatalf("vulnerabilities: %+v", vs)
	}

	// PyPI advisories apply to the conda package of the same project.
	in.SetCrossMaps([]registry.CrossMap{{From: "conda", To: pypi.OSVEcosystem, Names: map[string]string{"alpha-py": "alpha", "alpha": ""}}})
	if fs := in.Findings("conda", "alpha-py", "1.0"); len(fs) != 1 || fs[0].ID != "PYSEC-9" {
		t.Fatalf("conda alpha-py (maps to PyPI alpha): %+v", fs)
	}
	if fs := in.Findings("conda", "alpha", "1.0"); len(fs) != 0 {
		t.Fatalf("conda alpha has no PyPI counterpart, yet: %+v", fs)
	}
	in.SetCrossMaps(nil)

	// A triage recorded against the alias applies until it expires.
	if _, err := cat.PutTriage(ctx, catalog.Triage{AdvisoryID: "CVE-2023-0286", Ecosystem: pypi.OSVEcosystem, Project: "alpha", Versions: "<1.5",
		Status: "not_affected", Justification: "component_not_present", Owner: "sec", Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := in.ReloadTriage(ctx); err != nil {
		t.Fatal(err)
	}
	if vs := in.Vulnerabilities(pypi.OSVEcosystem, "alpha", "1.0", nil); vs[0].Triage != "not_affected" {
		t.Fatalf("triage not applied: %+v", vs)
	}
	if vs := in.Vulnerabilities(pypi.OSVEcosystem, "alpha", "1.6", nil); len(vs) != 1 || vs[0].Triage != "" {
		t.Fatalf("triage applied outside its versions: %+v", vs)
	}
	now = now.Add(2 * time.Hour)
	if vs := in.Vulnerabilities(pypi.OSVEcosystem, "alpha", "1.0", nil); vs[0].Triage != "" {
		t.Fatalf("expired triage still applies: %+v", vs)
	}
}

package nvd

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vetted/internal/vuln"
)

// nvdSample returns ../shared/data/advisories/nvd-sample from the module root (the
// directory holding go.mod, found by walking up from the test's working directory),
// or skips the test when it is absent, as it is in a user's clone.
func nvdSample(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory: cannot find ../shared/data")
		}
		dir = parent
	}
	sample := filepath.Join(dir, "..", "shared", "data", "advisories", "nvd-sample")
	if _, err := os.Stat(filepath.Join(sample, "index.json")); err != nil {
		t.Skipf("NVD sample not found at %s (it is in CI and next to a developer's checkout, not in a user's clone): %v", sample, err)
	}
	return sample
}

// sampleIndex is the part of nvd-sample/index.json the tests check against.
type sampleIndex struct {
	Records []struct {
		ID                string   `json:"id"`
		File              string   `json:"file"`
		Library           string   `json:"library"`
		VulnStatus        string   `json:"vulnStatus"`
		Published         string   `json:"published"`
		LastModified      string   `json:"lastModified"`
		Metrics           []string `json:"metrics"`
		HasConfigurations bool     `json:"has_configurations"`
		CPEVendorProducts []string `json:"cpe_vendor_products"`
	} `json:"records"`
}

// loadSample parses every record the sample's index lists; none may fail. The index
// was generated from the records, so each parsed record must agree with it.
func loadSample(t *testing.T) (sampleIndex, map[string]*CVE) {
	dir := nvdSample(t)
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx sampleIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "records", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(idx.Records) || len(files) == 0 {
		t.Fatalf("%d record files, %d in index.json", len(files), len(idx.Records))
	}
	cves := map[string]*CVE{}
	for _, rec := range idx.Records {
		p := filepath.Join(dir, filepath.FromSlash(rec.File))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCVE(data, p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		cves[c.ID] = c
	}
	return idx, cves
}

func TestSampleRecords(t *testing.T) {
	idx, cves := loadSample(t)
	keyVersion := map[string]string{"cvssMetricV2": "2.0", "cvssMetricV30": "3.0", "cvssMetricV31": "3.1", "cvssMetricV40": "4.0"}
	for _, rec := range idx.Records {
		c := cves[rec.ID]
		if c == nil {
			t.Errorf("%s: not parsed", rec.ID)
			continue
		}
		if c.Status != rec.VulnStatus {
			t.Errorf("%s: Status %q, index %q", rec.ID, c.Status, rec.VulnStatus)
		}
		for _, tm := range []struct {
			name  string
			got   time.Time
			index string
		}{{"Published", c.Published, rec.Published}, {"LastModified", c.LastModified, rec.LastModified}} {
			if want, err := time.Parse(nvdTime, tm.index); err != nil || !tm.got.Equal(want) {
				t.Errorf("%s: %s %v, index %s", rec.ID, tm.name, tm.got, tm.index)
			}
		}
		if len(c.Descriptions) == 0 {
			t.Errorf("%s: no English description", rec.ID)
		}
		// Metrics: the same versions as the index lists.
		var want, got []string
		for _, k := range rec.Metrics {
			want = append(want, keyVersion[k])
		}
		for _, m := range c.Metrics {
			if !slices.Contains(got, m.Version) {
				got = append(got, m.Version)
			}
			if m.Disagrees() {
				t.Logf("%s: %s %s metric from %s: NVD stored %.1f, vuln/cvss computes %.1f", rec.ID, m.Type, m.Version, m.Source, m.StoredBase, m.Score.Base)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: metric versions %v, index %v", rec.ID, got, want)
		}
		_, _, ok := c.BestScore()
		if ok != (len(rec.Metrics) > 0) {
			t.Errorf("%s: BestScore ok = %v with metrics %v", rec.ID, ok, rec.Metrics)
		}
		// Configurations: the same vendor:product set.
		if (len(c.Matches) > 0) != rec.HasConfigurations {
			t.Errorf("%s: %d matches, has_configurations %v", rec.ID, len(c.Matches), rec.HasConfigurations)
		}
		var products []string
		for _, m := range c.Matches {
			if p := m.Criteria.VendorProduct().String(); !slices.Contains(products, p) {
				products = append(products, p)
			}
		}
		slices.Sort(products)
		if !slices.Equal(products, rec.CPEVendorProducts) && !(len(products) == 0 && len(rec.CPEVendorProducts) == 0) {
			t.Errorf("%s: products %v, index %v", rec.ID, products, rec.CPEVendorProducts)
		}
	}
	// The three unanalysed records: no configurations; two have no metrics.
	for id, scored := range map[string]bool{"CVE-2023-3618": true, "CVE-2024-2398": false, "CVE-2024-25062": false} {
		c := cves[id]
		if c == nil {
			continue // reported above
		}
		if _, _, ok := c.BestScore(); len(c.Matches) != 0 || ok != scored {
			t.Errorf("%s: %d matches, scored %v", id, len(c.Matches), ok)
		}
	}
	var all []*CVE
	for _, id := range slices.Sorted(maps.Keys(cves)) {
		all = append(all, cves[id])
	}
	scores := Scores(all)
	if s, ok := scores["CVE-2023-3618"]; !ok || s.Base != 7.5 {
		t.Errorf("Scores[CVE-2023-3618] (a CNA's score only) = %v, %v", s, ok)
	}
	if _, ok := scores["CVE-2024-2398"]; ok {
		t.Error("Scores has an unscored record")
	}
}

// TestSampleAdvisories converts the whole sample with the default map and checks,
// for each library, which conda packages and versions are affected.
func TestSampleAdvisories(t *testing.T) {
	idx, cves := loadSample(t)
	var list []*CVE
	for _, rec := range idx.Records {
		if c := cves[rec.ID]; c != nil {
			list = append(list, c)
		}
	}
	advs := ToAdvisories(list, defaultMap(t))

	// Every analysed record of the sample names its library's product, which the
	// default map knows: each gives an advisory; the unanalysed ones give none.
	got := map[string][]string{}
	for _, a := range advs {
		for _, af := range a.Affected {
			got[a.ID] = append(got[a.ID], af.Name)
		}
	}
	want := map[string][]string{
		"CVE-2021-4048":  {"libopenblas", "openblas"},
		"CVE-2022-3857":  {"libpng"},
		"CVE-2022-3970":  {"libtiff"},
		"CVE-2022-40674": {"expat", "libexpat"},
		"CVE-2023-0286":  {"openssl"},
		"CVE-2023-38545": {"curl", "libcurl"},
		"CVE-2023-38546": {"curl", "libcurl"},
		"CVE-2023-39615": {"libxml2"},
		"CVE-2023-45853": {"libzlib", "zlib"},
		"CVE-2023-7104":  {"libsqlite", "sqlite"},
		"CVE-2024-45490": {"expat", "libexpat"},
		"CVE-2025-8176":  {"libtiff"},
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s: packages %v, want %v", id, got[id], w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: unexpected advisory for %v", id, got[id])
		}
	}
	for _, a := range advs {
		if len(a.Severity) != 1 || a.Summary == "" || a.References[0] != DetailURL(a.ID) || a.Modified.IsZero() {
			t.Errorf("%s: severity %v, summary %q, references %v", a.ID, a.Severity, a.Summary, a.References)
		}
	}

	// Only openssl's letter versions trouble the stand-in ordering.
	problems := CheckRanges(advs, "conda", condaStandIn["conda"].Versions)
	if len(problems) != 2 {
		t.Errorf("CheckRanges: %v", problems)
	}

	// Match the packages' versions, openssl's two letter-version ranges left out.
	for _, a := range advs {
		if a.ID == "CVE-2023-0286" {
			a.Affected[0].Ranges = a.Affected[0].Ranges[2:]
		}
	}
	index := vuln.NewIndex(advs, condaStandIn)
	for _, tc := range []struct {
		pkg, version string
		want         string // affecting advisories, space-separated
	}{
		{"openssl", "3.0.7", "CVE-2023-0286"},
		{"openssl", "3.0.8", ""},
		{"libcurl", "7.9.0", ""},
		{"libcurl", "7.9.1", "CVE-2023-38546"},
		{"libcurl", "7.68.0", "CVE-2023-38546"},
		{"libcurl", "8.3.0", "CVE-2023-38545 CVE-2023-38546"},
		{"curl", "8.3.0", "CVE-2023-38545 CVE-2023-38546"},
		{"libcurl", "8.4.0", ""},
		{"zlib", "1.2.13", "CVE-2023-45853"},
		{"zlib", "1.3", "CVE-2023-45853"},
		{"libzlib", "1.3.1", ""},
		{"libxml2", "2.10.4", ""},
		{"libxml2", "2.11.0", "CVE-2023-39615"},
		{"libxml2", "2.11.1", ""},
		{"sqlite", "3.43.0", "CVE-2023-7104"},
		{"libsqlite", "3.43.1", ""},
		{"libtiff", "4.4.0", "CVE-2022-3970 CVE-2025-8176"},
		{"libtiff", "4.5.0", "CVE-2025-8176"},
		{"libtiff", "4.7.0", "CVE-2025-8176"},
		{"libtiff", "4.7.1", ""},
		{"libpng", "1.6.37", ""},
		{"libpng", "1.6.38", "CVE-2022-3857"},
		{"libpng", "1.6.39", ""},
		{"expat", "2.4.8", "CVE-2022-40674 CVE-2024-45490"},
		{"libexpat", "2.5.0", "CVE-2024-45490"},
		{"expat", "2.6.3", ""},
		{"openblas", "0.3.17", "CVE-2021-4048"},
		{"libopenblas", "0.3.18", ""},
		{"lapack", "3.9.0", ""}, // lapack_project:lapack is not mapped
	} {
		var ids []string
		for _, a := range index.Match("conda", tc.pkg, tc.version) {
			ids = append(ids, a.ID)
		}
		if g := strings.Join(ids, " "); g != tc.want {
			t.Errorf("%s %s: affected by %q, want %q", tc.pkg, tc.version, g, tc.want)
		}
	}
}

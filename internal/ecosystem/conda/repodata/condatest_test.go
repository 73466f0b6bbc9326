package repodata

import (
	"encoding/json"
	"reflect"
	"testing"

	"vetted/internal/ecosystem/conda/condatest"
)

// A channel built by condatest (encoding/json, independent of this package) parses to the
// records it describes and renders back to the same JSON values.
func TestCondatestChannel(t *testing.T) {
	ch := condatest.NewChannel()
	pkgs := []condatest.Package{
		{Name: "tiny-util", Version: "1.0.2", Depends: []string{"python >=3.9"}, Noarch: "python", License: "MIT"},
		{Name: "tiny-util", Version: "1.1.0", Depends: []string{"python >=3.9"}, Noarch: "python", License: "MIT"},
		{Name: "libfoo", Version: "2.1", BuildNumber: 3, Depends: []string{"libgcc >=13"}, Constrains: []string{"foo-tools 2.1"}, License: "BSD-3-Clause", LicenseFamily: "BSD", TrackFeatures: "foo_debug"},
	}
	for _, p := range pkgs {
		ch.Add(p, condatest.ExtConda)
	}
	ch.Add(pkgs[0], condatest.ExtTarBz2)
	ch.Remove("noarch", pkgs[0].Filename(condatest.ExtTarBz2))
	for _, f := range ch.Files() {
		data := ch.Repodata(f.Subdir)
		rd, err := Parse(data, f.Subdir)
		if err != nil {
			t.Fatal(err)
		}
		rec, ok := rd.Lookup(f.Filename)
		if !ok {
			t.Fatalf("%s missing", f.Filename)
		}
		p := f.Package
		want := Record{
			Name: p.Name, Version: p.Version, Build: p.Build, BuildNumber: p.BuildNumber, Depends: p.Depends, Constrains: p.Constrains,
			License: p.License, LicenseFamily: p.LicenseFamily, MD5: f.Record["md5"].(string), SHA256: f.Record["sha256"].(string),
			Size: int64(len(f.Data)), Subdir: p.Subdir, Noarch: p.Noarch, Timestamp: p.Timestamp, TrackFeatures: p.TrackFeatures, Raw: rec.Raw,
		}
		if !reflect.DeepEqual(*rec, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", f.Filename, rec, want)
		}
		var up, ours any
		json.Unmarshal(data, &up)
		json.Unmarshal(render(t, rd, nil), &ours)
		if !reflect.DeepEqual(up, ours) {
			t.Errorf("%s: rendering changed the document", f.Subdir)
		}
	}
	rd, _ := Parse(ch.Repodata("noarch"), "noarch")
	if len(rd.Removed) != 1 || rd.Removed[0] != pkgs[0].Filename(condatest.ExtTarBz2) {
		t.Errorf("removed %q", rd.Removed)
	}
	cur := Current(rd, nil, numericCompare)
	if len(cur.PackagesConda) != 1 || cur.PackagesConda[pkgs[1].Filename(condatest.ExtConda)].Version != "1.1.0" {
		t.Errorf("current %v", cur.PackagesConda)
	}
}

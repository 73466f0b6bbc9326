package condapkg

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseIndexJSON(t *testing.T) {
	ix, err := ParseIndexJSON([]byte(`{
  "arch": "x86_64", "build": "h4ab18f5_1", "build_number": 1, "constrains": ["zlib 1.3.1 *_1"],
  "depends": ["libgcc-ng >=12"], "license": "Zlib", "license_family": "Other", "name": "libzlib",
  "platform": "linux", "subdir": "linux-64", "timestamp": 1716874185, "version": "1.3.1",
  "track_features": ["a", "b"], "features": null, "noarch": false, "extra": {"x": [1]}
}`), "index.json")
	if err != nil {
		t.Fatal(err)
	}
	want := IndexJSON{
		Name: "libzlib", Version: "1.3.1", Build: "h4ab18f5_1", BuildNumber: 1, Depends: []string{"libgcc-ng >=12"},
		Constrains: []string{"zlib 1.3.1 *_1"}, License: "Zlib", LicenseFamily: "Other", Subdir: "linux-64",
		Platform: "linux", Arch: "x86_64", Timestamp: 1716874185000, TrackFeatures: "a b", Raw: ix.Raw,
	}
	if !reflect.DeepEqual(*ix, want) {
		t.Errorf("got  %+v\nwant %+v", *ix, want)
	}
	ix, err = ParseIndexJSON([]byte(`{"name":"a","version":"1","build":"0","noarch":true,"arch":null,"license":null}`), "index.json")
	if err != nil || ix.Noarch != "generic" || ix.Arch != "" {
		t.Errorf("%+v %v", ix, err)
	}
}

func TestParseIndexJSONErrors(t *testing.T) {
	base := `"name":"a","version":"1","build":"0"`
	for _, tc := range []struct{ in, want string }{
		{`{"version":"1","build":"0"}`, `parse src: index.json has no "name"`},
		{`{"name":"","version":"1","build":"0"}`, `"name" must not be empty`},
		{`{"name":"a","version":1,"build":"0"}`, `index.json: "version" must be a string, not a number`},
		{`{"name":"a","version":"1-2","build":"0"}`, `"version" is "1-2", but a conda version never contains "-"`},
		{`{"name":"a","version":"1","build":"x-y"}`, `"build" is "x-y"`},
		{`{` + base + `,"build_number":-1}`, `"build_number" must be a non-negative integer, not a negative number`},
		{`{` + base + `,"build_number":1.5}`, `"build_number" must be a non-negative integer, not a non-integer number`},
		{`{` + base + `,"depends":"python"}`, `"depends" must be a list of strings, not a string`},
		{`{` + base + `,"constrains":[1]}`, `"constrains" must be a list of strings, not a list`},
		{`{` + base + `,"noarch":1}`, `"noarch" must be "python", "generic" or a boolean, not a number`},
		{`{` + base + `,"timestamp":"now"}`, `"timestamp" must be a time in milliseconds since 1970, not a string`},
		{`{` + base + `,"track_features":{}}`, `"track_features" must be a string or a list of strings, not an object`},
		{`{` + base + `,"license":["MIT"]}`, `"license" must be a string, not a list`},
		{`[]`, `index.json must be a JSON object`},
		{`null`, `index.json must be a JSON object`},
		{`{"name":`, `index.json is not valid JSON`},
		{"{\"name\":\"\xff\"}", `index.json is not valid UTF-8`},
		{`{"name":"a"}` + strings.Repeat(" ", MaxIndexBytes), `more than the limit`},
	} {
		_, err := ParseIndexJSON([]byte(tc.in), "src")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.60s: got %v, want …%s…", tc.in, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ix := &IndexJSON{Name: "ld_impl_linux-64", Version: "2.43", Build: "h712a8e2_2"}
	for _, tc := range []struct{ filename, want string }{
		{"ld_impl_linux-64-2.43-h712a8e2_2.conda", ""},
		{"ld_impl_linux-64-2.43-h712a8e2_2.tar.bz2", ""},
		{"ld_impl_linux-32-2.43-h712a8e2_2.conda", `parse package "ld_impl_linux-32-2.43-h712a8e2_2.conda": index.json says name "ld_impl_linux-64" but the filename says "ld_impl_linux-32"`},
		{"ld_impl_linux-64-2.44-h712a8e2_2.conda", `index.json says version "2.43" but the filename says "2.44"`},
		{"ld_impl_linux-64-2.43-h712a8e2_3.conda", `index.json says build "h712a8e2_2" but the filename says "h712a8e2_3"`},
		{"ld_impl_linux64.conda", `not a conda package filename`},
		{"ld_impl_linux-64-2.43-h712a8e2_2.whl", `not a conda package filename`},
	} {
		err := ix.Validate(tc.filename)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.filename, err, tc.want)
		}
	}
}

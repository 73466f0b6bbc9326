package repodata

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestChanneldata(t *testing.T) {
	data := readTestdata(t, "channeldata.json")
	cd, err := ParseChanneldata(data, "channeldata.json")
	if err != nil {
		t.Fatal(err)
	}
	py := cd.Packages["python"]
	if cd.Version != 1 || len(cd.Packages) != 3 || len(cd.Subdirs) != 5 ||
		py.Version != "3.12.7" || py.License != "Python-2.0" || py.Home != "https://www.python.org/" ||
		py.Summary != "General purpose programming language" || py.Timestamp != 1728057586000 ||
		!reflect.DeepEqual(py.Subdirs, []string{"linux-64", "osx-64", "osx-arm64", "win-64"}) {
		t.Errorf("parsed %+v\npython %+v", cd, py)
	}

	// Rendering everything gives the same JSON values.
	var b bytes.Buffer
	if err := RenderChanneldata(&b, cd, nil); err != nil {
		t.Fatal(err)
	}
	var up, ours any
	json.Unmarshal(data, &up)
	json.Unmarshal(b.Bytes(), &ours)
	if !reflect.DeepEqual(up, ours) {
		t.Errorf("render changed channeldata:\n%s", b.Bytes())
	}

	// Filtered: zlib dropped, python's newest allowed version shown.
	b.Reset()
	err = RenderChanneldata(&b, cd, func(name string, pkg *ChannelPackage) bool {
		if name == "python" {
			pkg.Version = "3.12.6"
			pkg.Subdirs = []string{"win-64", "linux-64"}
		}
		return name != "zlib"
	})
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseChanneldata(b.Bytes(), "rendered")
	if err != nil {
		t.Fatal(err)
	}
	py2 := again.Packages["python"]
	if len(again.Packages) != 2 || py2.Version != "3.12.6" || !reflect.DeepEqual(py2.Subdirs, []string{"linux-64", "win-64"}) || py2.Home != py.Home {
		t.Errorf("filtered %+v", again)
	}
	if !strings.Contains(b.String(), `"run_exports":{"3.12.7":{"weak":["python_abi 3.12.* *_cp312"]}}`) {
		t.Errorf("unknown fields lost:\n%s", b.Bytes())
	}
	if cd.Packages["python"].Version != "3.12.7" {
		t.Error("the keep function changed the Channeldata")
	}
}

func TestChanneldataErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"packages":{"a":{"version":1}}}`, `parse cd: packages["a"]: "version" must be a string`},
		{`{"packages":{"a":[]}}`, `packages["a"]: an entry must be an object`},
		{`{"packages":{"a":{"subdirs":"linux-64"}}}`, `"subdirs" must be a list of strings`},
		{`{"packages":{"a":{"timestamp":"x"}}}`, `"timestamp" must be a time`},
		{`{"subdirs":{}}`, `"subdirs": has the wrong type`},
		{`{"packages":{"a":`, `invalid JSON (a truncated download?)`},
		{`[]`, `a channeldata.json is a JSON object`},
	} {
		_, err := ParseChanneldata([]byte(tc.in), "cd")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want …%s…", tc.in, err, tc.want)
		}
	}
}

package repodata

import (
	"bytes"
	"compress/bzip2"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func render(t testing.TB, rd *Repodata, keep KeepFunc) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, rd, keep); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Fatalf("Render wrote invalid JSON:\n%s", b.Bytes())
	}
	return b.Bytes()
}

// equalRepodata compares two parsed documents, records' raw bytes included.
func equalRepodata(t testing.TB, a, b *Repodata) {
	t.Helper()
	if a.Info.Subdir != b.Info.Subdir || a.Info.BaseURL != b.Info.BaseURL || a.RepodataVersion != b.RepodataVersion ||
		!slices.Equal(a.Removed, b.Removed) || len(a.Extra) != len(b.Extra) {
		t.Fatalf("documents differ:\n%+v\n%+v", a, b)
	}
	for k, v := range a.Extra {
		if !bytes.Equal(v, b.Extra[k]) {
			t.Fatalf("Extra[%q] differs: %s / %s", k, v, b.Extra[k])
		}
	}
	for i, pair := range [][2]map[string]*Record{{a.Packages, b.Packages}, {a.PackagesConda, b.PackagesConda}} {
		if len(pair[0]) != len(pair[1]) {
			t.Fatalf("map %d: %d records, then %d", i, len(pair[0]), len(pair[1]))
		}
		for fn, ra := range pair[0] {
			rb, ok := pair[1][fn]
			if !ok {
				t.Fatalf("%s lost", fn)
			}
			if !bytes.Equal(ra.Raw, rb.Raw) {
				t.Fatalf("%s: raw bytes differ:\n%s\n%s", fn, ra.Raw, rb.Raw)
			}
			if !reflect.DeepEqual(ra, rb) {
				t.Fatalf("%s: records differ:\n%+v\n%+v", fn, ra, rb)
			}
		}
	}
}

func TestRenderRoundTrip(t *testing.T) {
	for _, name := range []string{"conda-forge-linux-64.json", "legacy-records.json", "repodata-v2-base-url.json"} {
		t.Run(name, func(t *testing.T) {
			rd := mustParse(t, name)
			out := render(t, rd, nil)
			again, err := Parse(out, "rendered")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if rd.Removed == nil {
				rd.Removed = []string{} // rendered as [], parsed back as empty
			}
			if len(rd.Removed) == 0 && len(again.Removed) == 0 {
				again.Removed = rd.Removed
			}
			equalRepodata(t, rd, again)
			if !bytes.Equal(render(t, again, nil), out) {
				t.Error("rendering is not stable")
			}
			// What upstream said and what vetted serves decode to the same JSON values,
			// but for keys upstream left out or null that Render writes ("removed").
			var up, ours map[string]any
			json.Unmarshal(readTestdata(t, name), &up)
			json.Unmarshal(out, &ours)
			if up["removed"] == nil {
				up["removed"] = []any{}
			}
			if up["packages.conda"] == nil {
				up["packages.conda"] = map[string]any{}
			}
			if !reflect.DeepEqual(up, ours) {
				t.Errorf("decoded documents differ:\n%v\n%v", up, ours)
			}
		})
	}
}

func TestRenderFilterAndOrder(t *testing.T) {
	rd := mustParse(t, "conda-forge-linux-64.json")
	var asked []string
	out := render(t, rd, func(fn string, rec *Record) bool {
		asked = append(asked, fn)
		return rec.Name != "zlib"
	})
	if len(asked) != 9 {
		t.Errorf("keep called for %q", asked)
	}
	got, err := Parse(out, "rendered")
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 6 {
		t.Errorf("%d records kept", got.Len())
	}
	for fn := range got.PackagesConda {
		if strings.HasPrefix(fn, "zlib-") {
			t.Errorf("%s was not filtered out", fn)
		}
	}
	// Sorted filenames, one record per line, upstream's bytes.
	var lines []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if line != `"packages.conda":{` && (strings.Contains(line, `.tar.bz2":{`) || strings.Contains(line, `.conda":{`)) {
			lines = append(lines, line)
		}
	}
	if len(lines) != 6 || !slices.IsSorted(lines[:3]) || !slices.IsSorted(lines[3:]) {
		t.Errorf("records not sorted: %q", lines)
	}
	python, _ := rd.Lookup("python-3.12.7-hc5c86c4_0_cpython.conda")
	if !bytes.Contains(out, append([]byte(`"python-3.12.7-hc5c86c4_0_cpython.conda":`), python.Raw...)) {
		t.Error("the python record is not written as upstream's bytes")
	}
	if !strings.HasPrefix(string(out), `{"info":{`) || !strings.HasSuffix(string(out), "\"repodata_version\":1}\n") {
		t.Errorf("layout:\n%s", out)
	}
}

func TestRenderInfo(t *testing.T) {
	rd := mustParse(t, "legacy-records.json")
	rd.Info.BaseURL = "https://vetted.example/conda-forge/linux-64/"
	out := render(t, rd, nil)
	var doc struct {
		Info            map[string]any `json:"info"`
		RepodataVersion int            `json:"repodata_version"`
	}
	json.Unmarshal(out, &doc)
	want := map[string]any{"arch": "x86_64", "default_python_version": "2.7", "platform": "linux", "subdir": "linux-64", "base_url": "https://vetted.example/conda-forge/linux-64/"}
	if !reflect.DeepEqual(doc.Info, want) || doc.RepodataVersion != 2 {
		t.Errorf("info %v, version %d", doc.Info, doc.RepodataVersion)
	}
	if !strings.Contains(string(out), `{"arch":"x86_64","default_python_version":"2.7","platform":"linux","subdir":"linux-64","base_url":`) {
		t.Errorf("upstream's info members are not kept in order:\n%s", out)
	}

	// Clearing base_url drops it (a proxy serving the files itself).
	rd = mustParse(t, "repodata-v2-base-url.json")
	rd.Info.BaseURL = ""
	out = render(t, rd, nil)
	if strings.Contains(string(out), "base_url") || !strings.Contains(string(out), `"info":{"subdir":"noarch"}`) || !strings.Contains(string(out), `"repodata_version":2`) {
		t.Errorf("base_url not dropped:\n%.300s", out)
	}

	// A document without info or version gets none.
	rd, _ = Parse([]byte(`{"packages":{}}`), "t")
	if out := render(t, rd, nil); string(out) != "{\"packages\":{},\n\"packages.conda\":{},\n\"removed\":[]}\n" {
		t.Errorf("got %q", out)
	}
}

func TestRenderRecordBuiltInCode(t *testing.T) {
	rd := &Repodata{Info: Info{Subdir: "noarch"}, RepodataVersion: 1, PackagesConda: map[string]*Record{
		"a-1.0-py_0.conda": {Name: "a", Version: "1.0", Build: "py_0", Depends: []string{"python >=3.9"}, SHA256: strings.Repeat("ab", 32), Size: 10, Subdir: "noarch", Noarch: "python", Timestamp: 1700000000000},
		"b-2-0.conda":      {Name: "b", Version: "2", Build: "0"},
	}}
	out := render(t, rd, nil)
	want := `{"info":{"subdir":"noarch"},
"packages":{},
"packages.conda":{
"a-1.0-py_0.conda":{"build":"py_0","build_number":0,"depends":["python >=3.9"],"name":"a","noarch":"python","sha256":"` + strings.Repeat("ab", 32) + `","size":10,"subdir":"noarch","timestamp":1700000000000,"version":"1.0"},
"b-2-0.conda":{"build":"b","build_number":0,"depends":[],"name":"b","version":"2"}
},
"removed":[],
"repodata_version":1}
`
	want = strings.Replace(want, `{"build":"b"`, `{"build":"0"`, 1)
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	again, err := Parse(out, "t")
	if err != nil {
		t.Fatal(err)
	}
	a := again.PackagesConda["a-1.0-py_0.conda"]
	a.Raw = nil
	if !reflect.DeepEqual(a, rd.PackagesConda["a-1.0-py_0.conda"]) {
		t.Errorf("got %+v", a)
	}
}

func TestRenderExtraAndErrors(t *testing.T) {
	rd := mustParse(t, "legacy-records.json")
	out := string(render(t, rd, nil))
	if !strings.Contains(out, "\"removed\":[],\n\"repodata_version\"") && !strings.Contains(out, "\"removed\":[],\n\"signatures\":{") {
		t.Errorf("keys not in order:\n%s", out)
	}
	rd.Extra["packages"] = json.RawMessage(`{}`)
	if err := Render(io.Discard, rd, nil); err == nil {
		t.Error("Extra shadowing a field is accepted")
	}
	delete(rd.Extra, "packages")
	rd.Extra["zz"] = json.RawMessage(`{`)
	if err := Render(io.Discard, rd, nil); err == nil {
		t.Error("invalid Extra is accepted")
	}
}

func TestRenderCompressed(t *testing.T) {
	rd := mustParse(t, "conda-forge-linux-64.json")
	plain := render(t, rd, nil)

	var zb bytes.Buffer
	if err := RenderZstd(&zb, rd, nil); err != nil {
		t.Fatal(err)
	}
	dec, _ := zstd.NewReader(&zb)
	defer dec.Close()
	got, err := io.ReadAll(dec)
	if err != nil || !bytes.Equal(got, plain) {
		t.Errorf("zstd: %v, %d bytes", err, len(got))
	}

	var bb bytes.Buffer
	if err := RenderBzip2(&bb, rd, nil); err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(bzip2.NewReader(&bb))
	if err != nil || !bytes.Equal(got, plain) {
		t.Errorf("bzip2: %v, %d bytes", err, len(got))
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"b\\c", "\x00\x1f\n\r\t", "café – 😀", "bad \xff utf-8", "<&>", "\u2028"} {
		out := appendString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: %s: %v", s, out, err)
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if back != want {
			t.Errorf("%q: got %q", s, back)
		}
	}
}

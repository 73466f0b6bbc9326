package repodata

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The fuzz targets check that the parsers never panic, that what Parse accepts is valid
// JSON whose records decode as encoding/json decodes them, that rendering and parsing
// again gives the same document byte for byte per record, and that shards carry the same
// records.

func addTestdataSeeds(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParse(f *testing.F) {
	addTestdataSeeds(f, "*.json")
	f.Add([]byte(`{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","depends":["b \u003e1"],"noarch":true,"timestamp":1.5e9,"track_features":["x"],"md5":"00112233445566778899AABBCCDDEEFF"}},"removed":["a-0-0.conda"],"x":[{}]}`))
	f.Add(synthRepodata(20))
	f.Fuzz(func(t *testing.T, data []byte) {
		const src = "https://conda.example/c/noarch/repodata.json"
		rd, err := Parse(data, src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "parse "+src+": ") {
				t.Fatalf("not a *ParseError naming the source: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("Parse accepted invalid JSON:\n%q", data)
		}
		checkAgainstReference(t, rd)
		for _, m := range []map[string]*Record{rd.Packages, rd.PackagesConda} {
			for fn, rec := range m {
				_, _, _, ext, ok := SplitFilename(fn)
				if !ok || fn != rec.Filename(ext) {
					t.Fatalf("%s accepted for %s-%s-%s", fn, rec.Name, rec.Version, rec.Build)
				}
			}
		}

		var out bytes.Buffer
		if err := Render(&out, rd, nil); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out.Bytes(), "rendered")
		if err != nil {
			t.Fatalf("parsing the rendered document: %v\n%s", err, out.Bytes())
		}
		if rd.Removed == nil && len(again.Removed) == 0 {
			again.Removed = nil
		}
		if rd.Info.BaseURL != "" && rd.RepodataVersion < 2 {
			if again.RepodataVersion != 2 {
				t.Fatalf("a base_url without repodata_version 2 is rendered as version %d", again.RepodataVersion)
			}
			again.RepodataVersion = rd.RepodataVersion
		}
		equalRepodata(t, rd, again)

		files := map[[32]byte][]byte{}
		index, err := RenderShards(rd, nil, ShardInfo{}, func(sum [32]byte, shard []byte) error {
			files[sum] = shard // kept, as callers do
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ix, err := ParseShardIndex(index, "index")
		if err != nil {
			t.Fatal(err)
		}
		for name, sum := range ix.Shards {
			sh, err := ParseShard(files[sum], name)
			if err != nil {
				t.Fatalf("shard %s: %v", name, err)
			}
			for fn, rec := range sh.PackagesConda {
				want := rd.PackagesConda[fn]
				rec.Raw, want.Raw = nil, nil
				if !equalRecords(rec, want) {
					t.Fatalf("%s: shard %+v, repodata %+v", fn, rec, want)
				}
			}
		}
	})
}

func equalRecords(a, b *Record) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func FuzzMsgpackDecode(f *testing.F) {
	addTestdataSeeds(f, "shards-linux-64/shards/*.msgpack.zst")
	for _, s := range []string{`{"a":[1,-1,1.5,"x",null,true,{}]}`, `"x"`, `[]`} {
		mp, _ := jsonToMsgpack(nil, []byte(s), false)
		f.Add(mp)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if plain, err := unzstd(data); err == nil {
			data = plain
		}
		v, err := mpDecode(data)
		if err != nil {
			return
		}
		js, err := mpToJSON(nil, v, true)
		if err != nil {
			return
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON from msgpack: %s", js)
		}
		// JSON → msgpack → JSON is stable.
		mp, err := jsonToMsgpack(nil, js, true)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := mpDecode(mp)
		if err != nil {
			t.Fatal(err)
		}
		js2, err := mpToJSON(nil, v2, true)
		if err != nil || !bytes.Equal(js, js2) {
			t.Fatalf("unstable: %s\n%s (%v)", js, js2, err)
		}
	})
}

func FuzzParseChanneldata(f *testing.F) {
	addTestdataSeeds(f, "channeldata.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		cd, err := ParseChanneldata(data, "cd")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := RenderChanneldata(&out, cd, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseChanneldata(out.Bytes(), "rendered"); err != nil {
			t.Fatalf("%v\n%s", err, out.Bytes())
		}
	})
}

// FuzzParseReusing: with any previous version, ParseReusing accepts what Parse accepts
// and gives the same records.
func FuzzParseReusing(f *testing.F) {
	prevDoc := synthRepodata(20)
	f.Add(prevDoc)
	f.Add(bytes.Replace(prevDoc, []byte(`"size": `), []byte(`"size": 7`), 1))
	f.Add(bytes.Replace(prevDoc, []byte(`"depends": [`), []byte(`"depends": [1,`), 1))
	addTestdataSeeds(f, "*.json")
	prev, err := Parse(prevDoc, "prev")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := Parse(data, "doc")
		got, gerr := ParseReusing(data, "doc", prev)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("Parse: %v; ParseReusing: %v", werr, gerr)
		}
		if werr != nil {
			return
		}
		if !reflect.DeepEqual(recordsOf(got), recordsOf(want)) || !reflect.DeepEqual(got.Removed, want.Removed) {
			t.Fatal("ParseReusing and Parse disagree")
		}
	})
}

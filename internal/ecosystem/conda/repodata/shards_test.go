package repodata

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// sameRecord checks that a record read from a shard is the repodata.json record: the same
// decoded fields and the same JSON values (key order and number spelling aside).
func sameRecord(t testing.TB, fn string, got, want *Record) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got.Raw, &g); err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	json.Unmarshal(want.Raw, &w)
	// Digests go through binary: they come back in lower case.
	for _, k := range []string{"md5", "sha256"} {
		if s, ok := w.(map[string]any)[k].(string); ok {
			w.(map[string]any)[k] = strings.ToLower(s)
		}
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: JSON values differ:\n%s\n%s", fn, got.Raw, want.Raw)
	}
	g2, w2 := *got, *want
	g2.Raw, w2.Raw = nil, nil
	if !reflect.DeepEqual(g2, w2) {
		t.Errorf("%s: records differ:\n%+v\n%+v", fn, got, want)
	}
}

// checkShards reads every shard of an index and compares it with rd.
func checkShards(t *testing.T, ix *ShardIndex, files map[[32]byte][]byte, rd *Repodata, keep KeepFunc) {
	t.Helper()
	seen := 0
	for name, sum := range ix.Shards {
		data, ok := files[sum]
		if !ok {
			t.Fatalf("no shard file for %s", name)
		}
		if sha256.Sum256(data) != sum {
			t.Errorf("%s: the index holds another hash than the shard file's", name)
		}
		sh, err := ParseShard(data, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]map[string]*Record{{sh.Packages, rd.Packages}, {sh.PackagesConda, rd.PackagesConda}} {
			for fn, rec := range pair[0] {
				if rec.Name != name {
					t.Errorf("%s in the shard of %s", fn, name)
				}
				sameRecord(t, fn, rec, pair[1][fn])
				seen++
			}
		}
		for _, fn := range sh.Removed {
			if !strings.HasPrefix(fn, name+"-") || !slices.Contains(rd.Removed, fn) {
				t.Errorf("removed %s in the shard of %s", fn, name)
			}
		}
	}
	want := 0
	for _, m := range []map[string]*Record{rd.Packages, rd.PackagesConda} {
		for fn, rec := range m {
			if keep == nil || keep(fn, rec) {
				want++
			}
		}
	}
	if seen != want {
		t.Errorf("%d records in shards, want %d", seen, want)
	}
}

// Shards written by the Python msgpack library (testdata/gen_shards.py).
func TestParseUpstreamShards(t *testing.T) {
	dir := filepath.Join("testdata", "shards-linux-64")
	ix, err := ParseShardIndex(readTestdata(t, "shards-linux-64/repodata_shards.msgpack.zst"), "index")
	if err != nil {
		t.Fatal(err)
	}
	if ix.Version != 1 || ix.Info != (ShardInfo{Subdir: "linux-64", BaseURL: "", ShardsBaseURL: "./shards/", CreatedAt: "2024-10-08T12:00:00Z"}) || len(ix.Shards) != 7 {
		t.Errorf("index %+v", ix)
	}
	files := map[[32]byte][]byte{}
	for _, sum := range ix.Shards {
		b, err := os.ReadFile(filepath.Join(dir, "shards", ShardFilename(sum)))
		if err != nil {
			t.Fatal(err)
		}
		files[sum] = b
	}
	rd := mustParse(t, "conda-forge-linux-64.json")
	checkShards(t, ix, files, rd, nil)
	zlib, _ := ParseShard(files[ix.Shards["zlib"]], "zlib")
	if !slices.Equal(zlib.Removed, []string{"zlib-1.2.11-h36c2ea0_1013.tar.bz2"}) || len(zlib.PackagesConda) != 2 || len(zlib.Packages) != 1 {
		t.Errorf("zlib shard %+v", zlib)
	}
}

func renderShards(t *testing.T, rd *Repodata, keep KeepFunc, info ShardInfo) ([]byte, map[[32]byte][]byte, []string) {
	t.Helper()
	files := map[[32]byte][]byte{}
	var order []string
	index, err := RenderShards(rd, keep, info, func(sum [32]byte, shard []byte) error {
		files[sum] = shard // kept, as callers do
		order = append(order, ShardFilename(sum))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return index, files, order
}

func TestRenderShards(t *testing.T) {
	for _, name := range []string{"conda-forge-linux-64.json", "legacy-records.json", "repodata-v2-base-url.json"} {
		t.Run(name, func(t *testing.T) {
			rd := mustParse(t, name)
			index, files, _ := renderShards(t, rd, nil, ShardInfo{})
			ix, err := ParseShardIndex(index, "index")
			if err != nil {
				t.Fatal(err)
			}
			if ix.Version != 1 || ix.Info.Subdir != rd.Info.Subdir || ix.Info.BaseURL != "./" || ix.Info.ShardsBaseURL != "./shards/" || ix.Info.CreatedAt != "" {
				t.Errorf("index %+v", ix)
			}
			checkShards(t, ix, files, rd, nil)
			again, files2, _ := renderShards(t, rd, nil, ShardInfo{})
			if !bytes.Equal(index, again) || !reflect.DeepEqual(files, files2) {
				t.Error("shards are not deterministic")
			}
		})
	}
}

func TestRenderShardsFiltered(t *testing.T) {
	rd := mustParse(t, "conda-forge-linux-64.json")
	keep := func(fn string, rec *Record) bool { return rec.Name != "python" && fn != "zlib-1.3.1-hb9d3cd8_2.conda" }
	index, files, _ := renderShards(t, rd, keep, ShardInfo{BaseURL: "https://vetted.example/c/linux-64/", ShardsBaseURL: "https://cdn.example/shards/", CreatedAt: "2025-01-02T03:04:05Z", Subdir: "linux-64"})
	ix, err := ParseShardIndex(index, "index")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ix.Shards["python"]; ok || len(ix.Shards) != 6 {
		t.Errorf("shards %v", ix.Shards)
	}
	if ix.Info.BaseURL != "https://vetted.example/c/linux-64/" || ix.Info.ShardsBaseURL != "https://cdn.example/shards/" || ix.Info.CreatedAt != "2025-01-02T03:04:05Z" {
		t.Errorf("info %+v", ix.Info)
	}
	checkShards(t, ix, files, rd, keep)

	// md5 and sha256 are binary in the msgpack, as CEP 16 asks.
	plain, _ := unzstd(files[ix.Shards["zlib"]])
	v, _ := mpDecode(plain)
	pc, _ := v.(mpMap).get("packages.conda")
	rec := pc.(mpMap)[0].Val.(mpMap)
	md5, _ := rec.get("md5")
	sha, _ := rec.get("sha256")
	if b, ok := md5.([]byte); !ok || len(b) != 16 {
		t.Errorf("md5 is %T", md5)
	}
	if b, ok := sha.([]byte); !ok || len(b) != 32 {
		t.Errorf("sha256 is %T", sha)
	}
}

func TestShardErrors(t *testing.T) {
	enc := func(json string) []byte {
		mp, err := jsonToMsgpack(nil, []byte(json), false)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := NewZstdWriter(nil)
		return w.(interface{ EncodeAll(src, dst []byte) []byte }).EncodeAll(mp, nil)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"packages":{"a-1-0.tar.bz2":{"name":"a","version":1,"build":"0"}}}`, `parse s: packages["a-1-0.tar.bz2"]: "version" must be a string, not a number`},
		{`[]`, `a shard is a map, not an array`},
		{`{"packages":{"a-1-0.tar.bz2":{"name":"a","version":"1","build":"0"}}, "removed": 1}`, `"removed": must be a list of strings, not a number`},
	} {
		_, err := ParseShard(enc(tc.in), "s")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want …%s…", tc.in, err, tc.want)
		}
	}
	if _, err := ParseShard([]byte("not zstd"), "s"); err == nil || !strings.Contains(err.Error(), "not a zstd stream") {
		t.Errorf("got %v", err)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"version":2,"shards":{}}`, `version 2; only version 1 is known`},
		{`{"version":1}`, `no "shards" map`},
		{`{"version":1,"shards":{"a":"00"}}`, `shards["a"] must be a 32-byte sha256, not a string`},
		{`{"version":1,"info":{"subdir":1},"shards":{}}`, `info["subdir"] must be a string, not an integer`},
	} {
		_, err := ParseShardIndex(enc(tc.in), "ix")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want …%s…", tc.in, err, tc.want)
		}
	}
}

// When the Python msgpack and zstandard libraries are installed (Debian: python3-msgpack,
// python3-zstandard), they must read vetted's shards as conda's own code would.
func TestShardsReadByPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	if exec.Command(python, "-c", "import msgpack, zstandard").Run() != nil {
		if python = "/usr/bin/python3"; exec.Command(python, "-c", "import msgpack, zstandard").Run() != nil {
			t.Skip("python3 has no msgpack and zstandard modules")
		}
	}
	rd := mustParse(t, "conda-forge-linux-64.json")
	dir := t.TempDir()
	index, err := RenderShards(rd, nil, ShardInfo{}, func(sum [32]byte, shard []byte) error {
		return os.WriteFile(filepath.Join(dir, ShardFilename(sum)), shard, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "repodata_shards.msgpack.zst"), index, 0o644)
	const script = `
import hashlib, json, os, sys, msgpack, zstandard
d = sys.argv[1]
unz = lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)
ix = msgpack.unpackb(unz(open(os.path.join(d, "repodata_shards.msgpack.zst"), "rb").read()))
out = {"info": ix["info"], "version": ix["version"], "packages": {}, "packages.conda": {}}
for name, digest in ix["shards"].items():
    data = open(os.path.join(d, digest.hex() + ".msgpack.zst"), "rb").read()
    assert hashlib.sha256(data).digest() == digest, name
    shard = msgpack.unpackb(unz(data))
    for group in ("packages", "packages.conda"):
        for fn, rec in shard[group].items():
            assert isinstance(rec["sha256"], bytes) and len(rec["sha256"]) == 32
            assert isinstance(rec["md5"], bytes) and len(rec["md5"]) == 16
            rec["sha256"], rec["md5"] = rec["sha256"].hex(), rec["md5"].hex()
            out[group][fn] = rec
json.dump(out, sys.stdout, sort_keys=True)
`
	out, err := exec.Command(python, "-c", script, dir).Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var got struct {
		Info          map[string]any            `json:"info"`
		Version       int                       `json:"version"`
		Packages      map[string]map[string]any `json:"packages"`
		PackagesConda map[string]map[string]any `json:"packages.conda"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	var want struct {
		Packages      map[string]map[string]any `json:"packages"`
		PackagesConda map[string]map[string]any `json:"packages.conda"`
	}
	json.Unmarshal(readTestdata(t, "conda-forge-linux-64.json"), &want)
	if got.Version != 1 || got.Info["subdir"] != "linux-64" || !reflect.DeepEqual(got.Packages, want.Packages) || !reflect.DeepEqual(got.PackagesConda, want.PackagesConda) {
		t.Errorf("python read:\n%s", out)
	}
}

// TestPatchRemovedOnce: a file a shard removes is listed once, however many times the
// shard is patched in (even a name that is no package file, which Patch cannot tell
// apart), and a changed shard's removals replace its previous ones.
func TestPatchRemovedOnce(t *testing.T) {
	rd := &Repodata{}
	for range 3 {
		rd = Patch(rd, map[string]*Shard{"foo": {Removed: []string{"foo-0.9-0.tar.bz2", "foo-0.8-0.conda", "weird"}}}, Info{Subdir: "noarch"})
		rd = Patch(rd, map[string]*Shard{"bar": {Removed: []string{"bar-1-0.tar.bz2"}}}, Info{Subdir: "noarch"})
	}
	if want := []string{"bar-1-0.tar.bz2", "foo-0.8-0.conda", "foo-0.9-0.tar.bz2", "weird"}; !slices.Equal(rd.Removed, want) {
		t.Errorf("removed after patching each shard three times: %q, want %q", rd.Removed, want)
	}
	rd = Patch(rd, map[string]*Shard{"foo": {Removed: []string{"foo-0.7-0.conda"}}}, Info{Subdir: "noarch"})
	if want := []string{"bar-1-0.tar.bz2", "foo-0.7-0.conda", "weird"}; !slices.Equal(rd.Removed, want) {
		t.Errorf("removed after foo's shard changed: %q, want %q", rd.Removed, want)
	}
}

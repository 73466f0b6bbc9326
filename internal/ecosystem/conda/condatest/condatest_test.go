package condatest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

var tiny = Package{Name: "tiny-util", Version: "1.0.2", Depends: []string{"python >=3.9"}, Noarch: "python", License: "MIT"}

func untar(t *testing.T, r io.Reader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = b
	}
}

func TestConda(t *testing.T) {
	data := tiny.Conda()
	if !bytes.Equal(data, tiny.Conda()) {
		t.Error("not deterministic")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	stem := tiny.Stem()
	var names []string
	members := map[string][]byte{}
	for _, f := range zr.File {
		if f.Method != zip.Store {
			t.Errorf("%s is compressed", f.Name)
		}
		names = append(names, f.Name)
		rc, _ := f.Open()
		members[f.Name], _ = io.ReadAll(rc)
	}
	if want := []string{"metadata.json", "pkg-" + stem + ".tar.zst", "info-" + stem + ".tar.zst"}; !reflect.DeepEqual(names, want) {
		t.Errorf("members %q", names)
	}
	if string(members["metadata.json"]) != `{"conda_pkg_format_version": 2}` {
		t.Errorf("metadata.json %s", members["metadata.json"])
	}
	dec, _ := zstd.NewReader(nil)
	defer dec.Close()
	info, err := dec.DecodeAll(members["info-"+stem+".tar.zst"], nil)
	if err != nil {
		t.Fatal(err)
	}
	files := untar(t, bytes.NewReader(info))
	var index map[string]any
	json.Unmarshal(files["info/index.json"], &index)
	if index["name"] != "tiny-util" || index["noarch"] != "python" || index["subdir"] != "noarch" || index["build"] != tiny.WithDefaults().Build {
		t.Errorf("index.json %v", index)
	}
	pkg, _ := dec.DecodeAll(members["pkg-"+stem+".tar.zst"], nil)
	payload := untar(t, bytes.NewReader(pkg))
	if string(payload["site-packages/tiny_util/__init__.py"]) != "VERSION = \"1.0.2\"\n" {
		t.Errorf("payload %q", payload)
	}
	var paths struct {
		Paths []struct {
			Path   string `json:"_path"`
			SHA256 string `json:"sha256"`
			Size   int    `json:"size_in_bytes"`
		} `json:"paths"`
	}
	json.Unmarshal(files["info/paths.json"], &paths)
	sum := sha256.Sum256(payload["site-packages/tiny_util/__init__.py"])
	if len(paths.Paths) != 1 || paths.Paths[0].SHA256 != hex.EncodeToString(sum[:]) || string(files["info/files"]) != "site-packages/tiny_util/__init__.py\n" {
		t.Errorf("paths.json %s, files %q", files["info/paths.json"], files["info/files"])
	}
}

func TestTarBz2(t *testing.T) {
	p := Package{Name: "libfoo", Version: "2.1", BuildNumber: 3, Constrains: []string{"foo-tools 2.1"}, Padding: 1000}
	data := p.TarBz2()
	files := untar(t, bzip2.NewReader(bytes.NewReader(data)))
	var index map[string]any
	json.Unmarshal(files["info/index.json"], &index)
	if index["arch"] != "x86_64" || index["platform"] != "linux" || index["build"] != p.WithDefaults().Build || index["build_number"] != 3.0 {
		t.Errorf("index.json %v", index)
	}
	if len(files["share/libfoo/padding.bin"]) != 1000 || files["share/libfoo/VERSION"] == nil || files["info/about.json"] == nil {
		t.Errorf("members %v", len(files))
	}
	if p.Filename(ExtTarBz2) != "libfoo-2.1-"+p.WithDefaults().Build+".tar.bz2" || !strings.HasSuffix(p.WithDefaults().Build, "_3") {
		t.Errorf("filename %s", p.Filename(ExtTarBz2))
	}
}

func TestRecord(t *testing.T) {
	data := tiny.Conda()
	rec := tiny.Record(data)
	sum := sha256.Sum256(data)
	if rec["sha256"] != hex.EncodeToString(sum[:]) || rec["size"] != len(data) || len(rec["md5"].(string)) != 32 || rec["name"] != "tiny-util" || rec["arch"] != nil {
		t.Errorf("record %v", rec)
	}
}

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestChannel(t *testing.T) {
	ch := NewChannel()
	f := ch.Add(tiny, ExtConda)
	ch.Add(tiny, ExtTarBz2)
	ch.Add(Package{Name: "libfoo", Version: "2.1"}, ExtConda)
	srv := httptest.NewServer(ch)
	defer srv.Close()

	resp := get(t, srv.URL+"/noarch/repodata.json")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var rd struct {
		Info          map[string]any            `json:"info"`
		Packages      map[string]map[string]any `json:"packages"`
		PackagesConda map[string]map[string]any `json:"packages.conda"`
		Removed       []string                  `json:"removed"`
		Version       int                       `json:"repodata_version"`
	}
	if err := json.Unmarshal(body, &rd); err != nil {
		t.Fatal(err)
	}
	if rd.Info["subdir"] != "noarch" || len(rd.Packages) != 1 || len(rd.PackagesConda) != 1 || rd.Version != 1 || rd.Removed == nil {
		t.Errorf("repodata %s", body)
	}
	if rd.PackagesConda[f.Filename]["sha256"] != f.Record["sha256"] {
		t.Errorf("record %v", rd.PackagesConda[f.Filename])
	}

	// Caching headers.
	etag, mod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if r := get(t, srv.URL+"/noarch/repodata.json", "If-None-Match", etag); r.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	if r := get(t, srv.URL+"/noarch/repodata.json", "If-Modified-Since", mod); r.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", r.StatusCode)
	}
	ch.Remove("noarch", tiny.Filename(ExtTarBz2))
	if r := get(t, srv.URL+"/noarch/repodata.json", "If-None-Match", etag); r.StatusCode != 200 || r.Header.Get("ETag") == etag {
		t.Errorf("changed repodata: %d %s", r.StatusCode, r.Header.Get("ETag"))
	}
	if r := get(t, srv.URL+"/noarch/repodata.json", "If-Modified-Since", mod); r.StatusCode != 200 {
		t.Errorf("changed repodata, If-Modified-Since: %d", r.StatusCode)
	}
	if !strings.Contains(string(ch.Repodata("noarch")), `"removed": [`+"\n  \""+tiny.Filename(ExtTarBz2)) {
		t.Errorf("removed:\n%s", ch.Repodata("noarch"))
	}

	// Compressed forms decode to the same document.
	plain := ch.Repodata("noarch")
	r := get(t, srv.URL+"/noarch/repodata.json.zst")
	dec, _ := zstd.NewReader(r.Body)
	zb, _ := io.ReadAll(dec)
	dec.Close()
	r = get(t, srv.URL+"/noarch/repodata.json.bz2")
	bb, _ := io.ReadAll(bzip2.NewReader(r.Body))
	if !bytes.Equal(zb, plain) || !bytes.Equal(bb, plain) {
		t.Error("compressed repodata differs")
	}

	// Files, corruption, 404s, counting.
	r = get(t, srv.URL+"/noarch/"+f.Filename)
	data, _ := io.ReadAll(r.Body)
	if !bytes.Equal(data, f.Data) {
		t.Error("package bytes differ")
	}
	ch.Update("noarch", f.Filename, func(f *File) { f.Corrupt = true })
	r = get(t, srv.URL+"/noarch/"+f.Filename)
	data, _ = io.ReadAll(r.Body)
	if bytes.Equal(data, f.Data) || len(data) != len(f.Data) {
		t.Error("corrupt file served intact")
	}
	for _, path := range []string{"/win-64/repodata.json", "/noarch/nope-1-0.conda", "/x", "/noarch/current_repodata.json"} {
		if r := get(t, srv.URL+path); r.StatusCode != 404 {
			t.Errorf("%s: %d", path, r.StatusCode)
		}
	}
	if r := get(t, srv.URL+"/linux-64/repodata.json"); r.StatusCode != 200 {
		t.Errorf("linux-64: %d", r.StatusCode)
	}
	if n := ch.Requests("/noarch/repodata.json"); n != 5 {
		t.Errorf("%d requests", n)
	}

	// channeldata.json
	r = get(t, srv.URL+"/channeldata.json")
	var cd struct {
		Packages map[string]map[string]any `json:"packages"`
		Subdirs  []string                  `json:"subdirs"`
	}
	json.NewDecoder(r.Body).Decode(&cd)
	if cd.Packages["tiny-util"]["version"] != "1.0.2" || !reflect.DeepEqual(cd.Subdirs, []string{"linux-64", "noarch"}) {
		t.Errorf("channeldata %v", cd)
	}
}

func TestChannelBaseURLAndExtra(t *testing.T) {
	ch := NewChannel()
	ch.BaseURL = "https://cdn.example/ch/"
	ch.Add(tiny, ExtConda)
	ch.SetTopLevel("noarch", "signatures", map[string]any{})
	var rd map[string]any
	json.Unmarshal(ch.Repodata("noarch"), &rd)
	if rd["info"].(map[string]any)["base_url"] != "https://cdn.example/ch/noarch/" || rd["repodata_version"] != 2.0 || rd["signatures"] == nil {
		t.Errorf("repodata %v", rd)
	}
}

func TestWriteFolder(t *testing.T) {
	ch := NewChannel()
	f := ch.Add(tiny, ExtConda)
	g := ch.Add(Package{Name: "libfoo", Version: "2.1"}, ExtTarBz2)
	dir := t.TempDir()
	if err := ch.WriteFolder(dir); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"noarch/repodata.json":   ch.Repodata("noarch"),
		"linux-64/repodata.json": ch.Repodata("linux-64"),
		"channeldata.json":       ch.Channeldata(),
		"noarch/" + f.Filename:   f.Data,
		"linux-64/" + g.Filename: g.Data,
	} {
		got, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// When conda-package-handling is installed (Debian: conda-package-handling), it must
// extract the packages, as conda would.
func TestExtractedByCondaPackageHandling(t *testing.T) {
	cph, err := exec.LookPath("cph")
	if err != nil {
		t.Skip("no cph (conda-package-handling)")
	}
	dir := t.TempDir()
	for _, ext := range []string{ExtConda, ExtTarBz2} {
		path := filepath.Join(dir, tiny.Filename(ext))
		os.WriteFile(path, tiny.Bytes(ext), 0o644)
		dest := filepath.Join(dir, "x"+ext)
		if out, err := exec.Command(cph, "x", path, "--dest", dest).CombinedOutput(); err != nil {
			t.Fatalf("cph x %s: %v\n%s", ext, err, out)
		}
		for _, name := range []string{"info/index.json", "info/paths.json", "info/files", "info/about.json", "site-packages/tiny_util/__init__.py"} {
			if _, err := os.Stat(filepath.Join(dest, name)); err != nil {
				t.Errorf("%s: %v", ext, err)
			}
		}
	}
}

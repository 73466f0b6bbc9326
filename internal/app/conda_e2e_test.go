package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/conda/condatest"
	"vetted/internal/ecosystem/conda/repodata"
)

// condaFixture: tiny-util 1.0, 1.1 and 2.0 (linux-64, .conda and .tar.bz2 for 2.0),
// tiny-app 1.0 depending on tiny-util, a noarch python-ish package.
func condaFixture() *condatest.Channel {
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "1.1", "2.0"} {
		ch.Add(condatest.Package{Name: "tiny-util", Version: v, License: "MIT"}, ".conda")
	}
	ch.Add(condatest.Package{Name: "tiny-util", Version: "2.0", License: "MIT"}, ".tar.bz2")
	ch.Add(condatest.Package{Name: "tiny-app", Version: "1.0", Depends: []string{"tiny-util >=1.0"}, License: "BSD-3-Clause"}, ".conda")
	ch.Add(condatest.Package{Name: "pure-lib", Version: "0.3", Noarch: "generic", License: "MIT"}, ".conda")
	return ch
}

const condaConfig = `
upstream: {timeout: 5s, index_ttl: 0s}
repositories:
  - {name: cf, ecosystem: conda, kind: proxy, upstream: %[1]s}
  - {name: gov, ecosystem: conda, kind: proxy, upstream: %[1]s, policy: no-util-2}
policies:
  no-util-2:
    rules:
      - block: {project: "tiny-util", versions: ">=2.0"}
        reason: "tiny-util 2 is not approved (ticket DS-9)"
`

func httpGet(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

// records returns the filenames and sha256 of a repodata.json's records.
func records(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var rd struct {
		Packages      map[string]struct{ SHA256 string } `json:"packages"`
		PackagesConda map[string]struct{ SHA256 string } `json:"packages.conda"`
	}
	if err := json.Unmarshal(body, &rd); err != nil {
		t.Fatalf("repodata is not JSON: %v\n%.200s", err, body)
	}
	out := map[string]string{}
	for f, r := range rd.Packages {
		out[f] = r.SHA256
	}
	for f, r := range rd.PackagesConda {
		out[f] = r.SHA256
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCondaProxy: repodata through vetted equals upstream's when no rule applies,
// blocked records are removed (also from .zst and current_repodata), a repeated
// conditional request gets 304, a blocked file answers 403, and packages download
// verified — from an HTTP channel and from a local folder.
func TestCondaProxy(t *testing.T) {
	for _, flavour := range []string{"http", "folder"} {
		t.Run(flavour, func(t *testing.T) {
			ch := condaFixture()
			up := httptest.NewServer(ch)
			defer up.Close()
			src := up.URL + "/"
			if flavour == "folder" {
				src = t.TempDir()
				if err := ch.WriteFolder(src); err != nil {
					t.Fatal(err)
				}
			}
			v := startVetted(t, t.TempDir(), fmt.Sprintf(condaConfig, src))

			resp, body := httpGet(t, v.URL+"/conda/cf/linux-64/repodata.json")
			if resp.StatusCode != 200 {
				t.Fatalf("repodata: %s %s", resp.Status, body)
			}
			got, want := records(t, body), records(t, ch.Repodata("linux-64"))
			if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 5 {
				t.Fatalf("repodata through vetted differs from upstream:\n got %v\nwant %v", got, want)
			}

			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
			gov := records(t, body)
			for f := range gov {
				if strings.HasPrefix(f, "tiny-util-2.0-") {
					t.Fatalf("blocked %s is in the governed repodata", f)
				}
			}
			if len(gov) != 3 {
				t.Fatalf("governed repodata has %v", keys(gov))
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag on repodata.json")
			}
			if resp, _ := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
				t.Fatalf("conditional request: %s", resp.Status)
			}

			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/current_repodata.json")
			cur := records(t, body)
			if resp.StatusCode != 200 || len(cur) != 2 || !strings.HasPrefix(strings.Join(keys(cur), " "), "tiny-app-1.0") {
				t.Fatalf("current_repodata: %s %v", resp.Status, keys(cur))
			}
			for f := range cur {
				if strings.HasPrefix(f, "tiny-util") && !strings.HasPrefix(f, "tiny-util-1.1-") {
					t.Fatalf("current_repodata keeps %s, want only the newest allowed tiny-util (1.1)", f)
				}
			}

			resp, zst := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json.zst")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zstd" || len(zst) < 4 || !bytes.Equal(zst[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
				t.Fatalf("repodata.json.zst: %s %q", resp.Status, resp.Header.Get("Content-Type"))
			}

			var util2 string
			for f := range got {
				if strings.HasPrefix(f, "tiny-util-2.0-") && strings.HasSuffix(f, ".conda") {
					util2 = f
				}
			}
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/"+util2)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "DS-9") || !strings.Contains(string(body), "newest allowed version: 1.1") {
				t.Fatalf("blocked package: %s %q", resp.Status, body)
			}
			resp, body = httpGet(t, v.URL+"/conda/cf/linux-64/"+util2)
			if resp.StatusCode != 200 || fmt.Sprintf("%x", sha256sum(body)) != got[util2] {
				t.Fatalf("package download: %s, %d bytes", resp.Status, len(body))
			}
			// The token form reaches the same repository.
			if resp, _ := httpGet(t, v.URL+"/t/secret-token/conda/gov/noarch/repodata.json"); resp.StatusCode != 200 {
				t.Fatalf("token URL: %s", resp.Status)
			}
			if resp, _ := httpGet(t, v.URL+"/conda/gov/..%2f..%2fetc/repodata.json"); resp.StatusCode != 400 && resp.StatusCode != 404 {
				t.Fatalf("traversing subdir: %s", resp.Status)
			}
		})
	}
}

// TestCondaCorruptPackage: a package whose bytes differ from repodata's sha256 is
// refused with 502 and not stored; a later good upstream succeeds.
func TestCondaCorruptPackage(t *testing.T) {
	ch := condaFixture()
	up := httptest.NewServer(ch)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(condaConfig, up.URL+"/"))
	f := ch.Files()[0]
	ch.Update(f.Subdir, f.Filename, func(f *condatest.File) { f.Corrupt = true })
	resp, body := httpGet(t, v.URL+"/conda/cf/"+f.Subdir+"/"+f.Filename)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "expected sha256") && !strings.Contains(string(body), "expected") {
		t.Fatalf("corrupt package: %s %q", resp.Status, body)
	}
	ch.Update(f.Subdir, f.Filename, func(f *condatest.File) { f.Corrupt = false })
	if resp, _ := httpGet(t, v.URL+"/conda/cf/"+f.Subdir+"/"+f.Filename); resp.StatusCode != 200 {
		t.Fatalf("after the upstream is fixed: %s", resp.Status)
	}
}

// rattler returns the folder where the npm package @conda-org/rattler is installed (the
// real solver engine of pixi, as WASM), or skips. .ci/run installs it into .tools/rattler.
func rattler(t *testing.T) string {
	t.Helper()
	requireTool(t, "node")
	for _, dir := range []string{os.Getenv("VETTED_RATTLER_DIR"), "../../.tools/rattler"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@conda-org", "rattler")); err == nil {
			abs, _ := filepath.Abs(dir)
			return abs
		}
	}
	if os.Getenv("VETTED_REQUIRE_TOOLS") == "1" {
		t.Fatal("@conda-org/rattler is required (VETTED_REQUIRE_TOOLS=1): npm install --prefix .tools/rattler @conda-org/rattler@0.3.5")
	}
	t.Skip("@conda-org/rattler not installed: npm install --prefix .tools/rattler @conda-org/rattler@0.3.5")
	return ""
}

const solveScript = `
const { simpleSolve } = require("@conda-org/rattler");
(async () => {
  const [channel, spec] = process.argv.slice(2);
  const result = await simpleSolve([spec], [channel], ["linux-64", "noarch"]);
  console.log(JSON.stringify(result.map(p => ({ name: p.packageName || p.name, version: p.version, url: p.url }))));
})().catch(e => { console.error(String(e && e.message || e)); process.exit(1); });
`

// TestRattlerSolvesThroughVetted: the real rattler solver (WASM, from npm) solves an
// environment against vetted's channel: plain and token URLs; with the newest tiny-util
// blocked, the solution has the newest allowed one.
func TestRattlerSolvesThroughVetted(t *testing.T) {
	dir := rattler(t)
	ch := condaFixture()
	up := httptest.NewServer(ch)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(condaConfig, up.URL+"/"))
	script := filepath.Join(dir, "solve.cjs")
	if err := os.WriteFile(script, []byte(solveScript), 0o644); err != nil {
		t.Fatal(err)
	}
	solve := func(channel string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", script, channel, "tiny-app")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("rattler solve against %s: %v\n%s", channel, err, out)
		}
		return string(out)
	}
	for _, c := range []struct{ channel, want string }{
		{v.URL + "/conda/cf/", `"version":"2.0"`},
		{v.URL + "/conda/gov/", `"version":"1.1"`},
		{v.URL + "/t/tok123/conda/gov/", `"version":"1.1"`},
	} {
		out := solve(c.channel)
		if !strings.Contains(out, "tiny-app") || !strings.Contains(out, c.want) {
			t.Fatalf("solution against %s lacks tiny-util %s:\n%s", c.channel, c.want, out)
		}
	}
	// rattler read vetted's CEP 16 shards (it asks for them first).
	_, metrics := httpGet(t, v.URL+"/metrics")
	if !strings.Contains(string(metrics), `route="GET /conda/{repo}/{subdir}/shards/{file}"`) {
		t.Fatalf("rattler fetched no shard from vetted")
	}

	// Without shards (a front proxy that hides them, as for a client that does not know
	// CEP 16), rattler reads vetted's whole repodata: repodata.json.zst first.
	target, _ := url.Parse(v.URL)
	var mu sync.Mutex
	var asked []string
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/repodata_shards.msgpack.zst") {
			http.NotFound(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer front.Close()
	if out := solve(front.URL + "/conda/gov/"); !strings.Contains(out, "tiny-app") || !strings.Contains(out, `"version":"1.1"`) {
		t.Fatalf("solution through vetted's whole repodata lacks tiny-util 1.1:\n%s", out)
	}
	all := strings.Join(asked, "\n")
	if !strings.Contains(all, "/conda/gov/linux-64/repodata.json.zst") || strings.Contains(all, "/shards/") {
		t.Fatalf("rattler without shards asked for:\n%s", all)
	}
}

func sha256sum(b []byte) [32]byte { return sha256.Sum256(b) }

// TestCondaPruneDependents: with tiny-util entirely blocked, tiny-app (which depends on
// it) can no longer be installed and is removed too, with the reason; with only
// tiny-util 2 blocked it stays, since 1.0 and 1.1 satisfy it.
func TestCondaPruneDependents(t *testing.T) {
	ch := condaFixture()
	up := httptest.NewServer(ch)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: all, ecosystem: conda, kind: proxy, upstream: %[1]s, policy: no-util}
  - {name: some, ecosystem: conda, kind: proxy, upstream: %[1]s, policy: no-util-2}
policies:
  no-util:
    prune-dependents: true
    rules: [{block: {project: "tiny-util"}}]
  no-util-2:
    prune-dependents: true
    rules: [{block: {project: "tiny-util", versions: ">=2.0"}}]
`, up.URL+"/"))
	_, body := httpGet(t, v.URL+"/conda/all/linux-64/repodata.json")
	if got := keys(records(t, body)); len(got) != 0 {
		t.Fatalf("with tiny-util blocked, linux-64 still serves %v", got)
	}
	_, body = httpGet(t, v.URL+"/conda/some/linux-64/repodata.json")
	if got := strings.Join(keys(records(t, body)), " "); !strings.Contains(got, "tiny-app-1.0") {
		t.Fatalf("tiny-app was pruned although tiny-util 1.x is allowed: %s", got)
	}
	var app string
	for f := range records(t, ch.Repodata("linux-64")) {
		if strings.HasPrefix(f, "tiny-app") {
			app = f
		}
	}
	resp, msg := httpGet(t, v.URL+"/conda/all/linux-64/"+app)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(msg), `depends on "tiny-util >=1.0"`) {
		t.Fatalf("pruned package download: %s %q", resp.Status, msg)
	}
}

// TestCondaHostedUpload: an authenticated `curl -T`-style PUT of a real .conda and
// .tar.bz2 stores them and adds them to repodata; a re-upload is 409; a lying or corrupt
// archive is 400; no token is 401; the package downloads back byte for byte.
func TestCondaHostedUpload(t *testing.T) {
	const token = "upload-token"
	sum := sha256.Sum256([]byte(token))
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: private, ecosystem: conda, kind: hosted}
api:
  admin_tokens_sha256: [%x]
`, sum))
	put := func(url, tok string, body []byte) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	util := condatest.Package{Name: "tiny-util", Version: "1.0", License: "MIT"}
	app := condatest.Package{Name: "tiny-app", Version: "1.0", Depends: []string{"tiny-util >=1.0"}, License: "MIT"}
	if code, body := put(v.URL+"/conda/private/"+util.Filename(".conda"), "", util.Conda()); code != 401 {
		t.Fatalf("upload without a token: %d %s", code, body)
	}
	if code, body := put(v.URL+"/conda/private/"+util.Filename(".conda"), token, util.Conda()); code != 201 {
		t.Fatalf("upload: %d %s", code, body)
	}
	if code, body := put(v.URL+"/conda/private/linux-64/"+app.Filename(".tar.bz2"), token, app.TarBz2()); code != 201 {
		t.Fatalf("upload .tar.bz2: %d %s", code, body)
	}
	if code, body := put(v.URL+"/conda/private/"+util.Filename(".conda"), token, util.Conda()); code != 409 {
		t.Fatalf("re-upload: %d %s", code, body)
	}
	lying := condatest.Package{Name: "tiny-util", Version: "9.9", License: "MIT"}
	if code, body := put(v.URL+"/conda/private/"+util.Filename(".tar.bz2"), token, lying.TarBz2()); code != 400 || !strings.Contains(body, "index.json") {
		t.Fatalf("lying archive: %d %s", code, body)
	}
	if code, body := put(v.URL+"/conda/private/linux-64/junk-1.0-0.conda", token, []byte("not a zip")); code != 400 {
		t.Fatalf("corrupt archive: %d %s", code, body)
	}
	_, body := httpGet(t, v.URL+"/conda/private/linux-64/repodata.json")
	got := records(t, body)
	if len(got) != 2 || got[util.Filename(".conda")] != fmt.Sprintf("%x", sha256.Sum256(util.Conda())) {
		t.Fatalf("hosted repodata: %v", got)
	}
	if resp, _ := httpGet(t, v.URL+"/conda/private/noarch/repodata.json"); resp.StatusCode != 200 {
		t.Fatalf("hosted noarch/repodata.json (must exist, even empty): %s", resp.Status)
	}
	resp, pkg := httpGet(t, v.URL+"/conda/private/linux-64/"+util.Filename(".conda"))
	if resp.StatusCode != 200 || !bytes.Equal(pkg, util.Conda()) {
		t.Fatalf("download of the uploaded package: %s", resp.Status)
	}
}

// TestCondaClientSequence replays what conda 23.7–26.5 asks a channel, as observed: GET
// only; current_repodata.json probed first; repodata.json.zst first (24.x and later),
// revalidated with If-None-Match only; a platform subdir the channel lacks is a 404
// (conda counts it as empty) while noarch always exists; channeldata.json; and every
// request, package downloads included, under the /t/<token>/ prefix.
func TestCondaClientSequence(t *testing.T) {
	ch := condaFixture()
	up := httptest.NewServer(ch)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(condaConfig, up.URL+"/"))
	base := v.URL + "/t/tk-123/conda/gov/"
	etags := map[string]string{}
	for _, step := range []struct {
		path   string
		status int
	}{
		{"linux-64/current_repodata.json", 200},
		{"noarch/current_repodata.json", 200},
		{"linux-64/repodata.json.zst", 200},
		{"noarch/repodata.json.zst", 200},
		{"osx-arm64/repodata.json.zst", 404},
		{"channeldata.json", 200},
	} {
		resp, body := httpGet(t, base+step.path)
		if resp.StatusCode != step.status {
			t.Fatalf("GET %s: %s %.200s", step.path, resp.Status, body)
		}
		if step.status == 200 {
			if etags[step.path] = resp.Header.Get("ETag"); etags[step.path] == "" {
				t.Fatalf("GET %s: no ETag: conda 24 would download it in full every time", step.path)
			}
		}
	}
	for _, p := range []string{"linux-64/repodata.json.zst", "noarch/repodata.json.zst", "linux-64/current_repodata.json"} {
		if resp, _ := httpGet(t, base+p, "If-None-Match", etags[p]); resp.StatusCode != http.StatusNotModified {
			t.Fatalf("revalidating %s with If-None-Match: %s", p, resp.Status)
		}
	}
	_, body := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
	var util string
	for f := range records(t, body) {
		if strings.HasPrefix(f, "tiny-util-1.1-") {
			util = f
		}
	}
	if resp, pkg := httpGet(t, base+"linux-64/"+util); resp.StatusCode != 200 || len(pkg) == 0 {
		t.Fatalf("package download under the token prefix: %s", resp.Status)
	}
	var cd struct{ Packages map[string]any }
	_, body = httpGet(t, base+"channeldata.json")
	if err := json.Unmarshal(body, &cd); err != nil || cd.Packages["tiny-util"] == nil {
		t.Fatalf("channeldata.json: %v %.200s", err, body)
	}
}

// TestPrivateRepositories: a private conda channel takes its token from conda's
// /t/<token>/ prefix; a private PyPI index from Basic credentials (pip's
// https://user:TOKEN@host/ URLs); anything else is 401, and nothing leaks.
func TestPrivateRepositories(t *testing.T) {
	ch := condaFixture()
	up := httptest.NewServer(ch)
	defer up.Close()
	folder := t.TempDir()
	const token = "s3cret"
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: pc, ecosystem: conda, kind: proxy, upstream: %s/, read_tokens_sha256: [%x]}
  - {name: pp, ecosystem: pypi, kind: proxy, upstream: %s, read_tokens_sha256: [%x]}
`, up.URL, sha256.Sum256([]byte(token)), folder, sha256.Sum256([]byte(token))))
	for _, c := range []struct {
		path   string
		header []string
		want   int
	}{
		{"/t/" + token + "/conda/pc/noarch/repodata.json", nil, 200},
		{"/t/wrong/conda/pc/noarch/repodata.json", nil, 401},
		{"/conda/pc/noarch/repodata.json", nil, 401},
		{"/conda/pc/channeldata.json", nil, 401},
		{"/pypi/pp/simple/", nil, 401},
		{"/pypi/pp/simple/", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("me:"+token))}, 200},
		{"/pypi/pp/simple/", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("me:nope"))}, 401},
		{"/api/v1/repositories/pp/decisions/alpha/1.0", nil, 401},
	} {
		if resp, body := httpGet(t, v.URL+c.path, c.header...); resp.StatusCode != c.want {
			t.Errorf("GET %s: %s, want %d (%.100s)", c.path, resp.Status, c.want, body)
		}
	}
}

// shardedChannel serves ch with CEP 16 shards made from its repodata (as conda-forge
// does), counting requests by path; it writes the same layout into a folder.
type shardedChannel struct {
	ch      *condatest.Channel
	mu      sync.Mutex
	asked   map[string]int
	corrupt bool // serve every shard with one byte changed
	// indexSubdir, if set, is the subdir every shard index names, whatever its path.
	indexSubdir string
}

func (s *shardedChannel) files(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, subdir := range []string{"linux-64", "noarch"} {
		rd, err := repodata.Parse(s.ch.Repodata(subdir), subdir)
		if err != nil {
			t.Fatal(err)
		}
		index, err := repodata.RenderShards(rd, nil, repodata.ShardInfo{Subdir: s.indexSubdir}, func(sum [32]byte, shard []byte) error {
			out[subdir+"/shards/"+repodata.ShardFilename(sum)] = shard
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out[subdir+"/repodata_shards.msgpack.zst"] = index
	}
	return out
}

func (s *shardedChannel) handler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/")
		s.mu.Lock()
		s.asked[p]++
		corrupt := s.corrupt
		s.mu.Unlock()
		if b, ok := s.files(t)[p]; ok {
			if corrupt && strings.Contains(p, "/shards/") {
				b = append([]byte(nil), b...)
				b[len(b)/2] ^= 1
			}
			w.Write(b)
			return
		}
		s.ch.ServeHTTP(w, r)
	})
}

func (s *shardedChannel) writeFolder(t *testing.T, dir string) {
	t.Helper()
	if err := s.ch.WriteFolder(dir); err != nil {
		t.Fatal(err)
	}
	for p, b := range s.files(t) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// repodata.json is removed: vetted must manage with the shards alone.
	os.Remove(filepath.Join(dir, "linux-64", "repodata.json"))
}

func (s *shardedChannel) requests(part string) (n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, c := range s.asked {
		if strings.Contains(p, part) {
			n += c
		}
	}
	return n
}

// TestCondaShardedUpstream: when upstream offers CEP 16 shards, vetted follows them: its
// repodata (whole and sharded) is upstream's minus blocked records without reading
// upstream's repodata.json; after one new upstream record only the index and that
// package's shard are fetched again; a restart serves from the catalog with upstream
// gone; a shard that does not match its hash is never used.
func TestCondaShardedUpstream(t *testing.T) {
	for _, flavour := range []string{"http", "folder"} {
		t.Run(flavour, func(t *testing.T) {
			sc := &shardedChannel{ch: condaFixture(), asked: map[string]int{}}
			up := httptest.NewServer(sc.handler(t))
			defer up.Close()
			src := up.URL + "/"
			if flavour == "folder" {
				src = t.TempDir()
				sc.writeFolder(t, src)
			}
			data := t.TempDir()
			v := startVetted(t, data, fmt.Sprintf(condaConfig, src))

			resp, body := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
			if resp.StatusCode != 200 {
				t.Fatalf("repodata: %s %s", resp.Status, body)
			}
			want := records(t, sc.ch.Repodata("linux-64"))
			for f := range want {
				if strings.HasPrefix(f, "tiny-util-2.0-") {
					delete(want, f)
				}
			}
			if got := records(t, body); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("repodata through vetted from shards:\n got %v\nwant %v", got, want)
			}
			if strings.Contains(string(body), "base_url") {
				t.Errorf("vetted's repodata sends clients elsewhere: %s", body)
			}
			if flavour == "http" {
				if n := sc.requests("linux-64/repodata.json"); n != 0 {
					t.Errorf("vetted asked for upstream's repodata.json %d times; the shards have everything", n)
				}
				if n := sc.requests("linux-64/shards/"); n != 2 {
					t.Errorf("vetted fetched %d linux-64 shards; upstream has 2 names there", n)
				}
			}

			// vetted's own shards: tiny-util's has no 2.0.
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/repodata_shards.msgpack.zst")
			if resp.StatusCode != 200 {
				t.Fatalf("shard index: %s %s", resp.Status, body)
			}
			idx, err := repodata.ParseShardIndex(body, "vetted")
			if err != nil {
				t.Fatal(err)
			}
			sum := idx.Shards["tiny-util"]
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/shards/"+repodata.ShardFilename(sum))
			if resp.StatusCode != 200 {
				t.Fatalf("shard: %s %s", resp.Status, body)
			}
			sh, err := repodata.ParseShard(body, "vetted shard")
			if err != nil {
				t.Fatal(err)
			}
			if len(sh.PackagesConda) != 2 || len(sh.Packages) != 0 {
				t.Errorf("tiny-util shard through vetted: %v %v (want 1.0 and 1.1 only)", keys2(sh.PackagesConda), keys2(sh.Packages))
			}

			// A package downloads, verified, from next to the shard index.
			util11 := condatest.Package{Name: "tiny-util", Version: "1.1"}.WithDefaults()
			file := "tiny-util-1.1-" + util11.Build + ".conda"
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/"+file)
			if resp.StatusCode != 200 || sha256sum(body) != sha256sum(findFile(t, sc.ch, file)) {
				t.Fatalf("download: %s (%d bytes)", resp.Status, len(body))
			}

			// One new upstream record: the index and one shard are fetched again.
			newUtil := "tiny-util-1.2-" + condatest.Package{Name: "tiny-util", Version: "1.2"}.WithDefaults().Build + ".conda"
			newApp := "tiny-app-1.1-" + condatest.Package{Name: "tiny-app", Version: "1.1"}.WithDefaults().Build + ".conda"
			before := sc.requests("linux-64/shards/")
			sc.ch.Add(condatest.Package{Name: "tiny-util", Version: "1.2", License: "MIT"}, ".conda")
			if flavour == "folder" {
				sc.writeFolder(t, src)
			}
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
			if got := records(t, body); resp.StatusCode != 200 || got[newUtil] == "" || len(got) != len(want)+1 {
				t.Fatalf("after one new upstream record: %s %v", resp.Status, keys(got))
			}
			if flavour == "http" {
				if n := sc.requests("linux-64/shards/") - before; n != 1 {
					t.Errorf("after one new record vetted fetched %d shards, want 1", n)
				}
			}
			// The replaced shard left the catalog: one shard per linux-64 name remains.
			cat, err := sqlite.Open(context.Background(), filepath.Join(data, "vetted.db"))
			if err != nil {
				t.Fatal(err)
			}
			pages, err := cat.ListPageKeys(context.Background(), "gov")
			cat.Close()
			shards := 0
			for _, k := range pages {
				if strings.HasPrefix(k, "linux-64/shards/") {
					shards++
				}
			}
			if err != nil || shards != 2 {
				t.Errorf("catalog holds %d linux-64 shards after a refresh (%v); want 2: %v", shards, err, pages)
			}

			// A shard that does not match its hash: the last good repodata stays, with a warning.
			sc.mu.Lock()
			sc.corrupt = true
			sc.mu.Unlock()
			sc.ch.Add(condatest.Package{Name: "tiny-app", Version: "1.1", Depends: []string{"tiny-util >=1.0"}, License: "BSD-3-Clause"}, ".conda")
			if flavour == "folder" {
				sc.writeFolder(t, src)
				for p := range sc.files(t) {
					if strings.HasPrefix(p, "linux-64/shards/") {
						fp := filepath.Join(src, p)
						b, _ := os.ReadFile(fp)
						b[len(b)/2] ^= 1
						os.WriteFile(fp, b, 0o644)
					}
				}
			}
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
			if got := records(t, body); resp.StatusCode != 200 || got[newApp] != "" || got[newUtil] == "" {
				t.Fatalf("with a corrupt upstream shard: %s %v", resp.Status, keys(got))
			}
			if w := resp.Header.Get("Warning"); !strings.Contains(w, "sha256") {
				t.Errorf("Warning with a corrupt shard = %q; want the hash mismatch named", w)
			}

			// Restart with upstream gone (a folder that vanished counts as a channel that
			// says 404, as with repodata.json): the catalog has the shards.
			v.stop()
			up.Close()
			v = startVetted(t, data, fmt.Sprintf(condaConfig, src))
			resp, body = httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
			if got := records(t, body); resp.StatusCode != 200 || got[newUtil] == "" || len(got) != len(want)+1 {
				t.Fatalf("after a restart with upstream gone: %s %v", resp.Status, keys(got))
			}
		})
	}
}

func keys2(m map[string]*repodata.Record) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func findFile(t *testing.T, ch *condatest.Channel, filename string) []byte {
	t.Helper()
	for _, f := range ch.Files() {
		if f.Filename == filename {
			return f.Data
		}
	}
	t.Fatalf("no %s in the fixture", filename)
	return nil
}

// bigRepodata is a linux-64 repodata.json of n synthetic records (about 700 bytes each).
func bigRepodata(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"info": {"subdir": "linux-64"}, "packages": {}, "packages.conda": {`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		name, version, build := fmt.Sprintf("pkg-%04d", i/10), fmt.Sprintf("1.%d", i%10), fmt.Sprintf("h%08x_0", i)
		fmt.Fprintf(&b, "\n %q: {\"build\": %q, \"build_number\": 0, \"depends\": [\"python >=3.9\", \"libgcc-ng >=12\"], \"license\": \"MIT\", \"md5\": \"%032x\", \"name\": %q, \"sha256\": \"%064x\", \"size\": %d, \"subdir\": \"linux-64\", \"timestamp\": 1700000000000, \"version\": %q, \"padding\": %q}",
			name+"-"+version+"-"+build+".conda", build, i, name, i, 1000+i, version, strings.Repeat("x", 300))
	}
	b.WriteString("\n}, \"repodata_version\": 1}\n")
	return b.Bytes()
}

// TestCondaBigRepodataInBlobStore: a repodata.json of many MB is kept in the blob store
// (the catalog row refers to it), replaced blobs are deleted, two repositories holding the
// same document do not share a blob, and a restart with upstream gone serves it from there.
func TestCondaBigRepodataInBlobStore(t *testing.T) {
	var mu sync.Mutex
	doc := bigRepodata(14000)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body := doc
		mu.Unlock()
		switch r.URL.Path {
		case "/linux-64/repodata.json":
			w.Write(body)
		case "/noarch/repodata.json":
			w.Write([]byte(`{"packages": {}, "packages.conda": {}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer up.Close()
	if len(doc) < 8<<20 {
		t.Fatalf("the fixture is %d bytes; it must be big enough for the blob store", len(doc))
	}
	data := t.TempDir()
	cfg := fmt.Sprintf("upstream: {timeout: 10s, index_ttl: 0s}\nrepositories:\n  - {name: cf, ecosystem: conda, kind: proxy, upstream: %[1]s/}\n  - {name: cf2, ecosystem: conda, kind: proxy, upstream: %[1]s/}\n", up.URL)
	v := startVetted(t, data, cfg)
	// blobs returns, for each blob holding a version of the document, which version.
	blobs := func() map[string]int {
		out := map[string]int{}
		filepath.WalkDir(filepath.Join(data, "blobs"), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, n := range []int{14000, 14001} {
				if bytes.HasSuffix(b, bigRepodata(n)) {
					out[filepath.Base(p)] = n
				}
			}
			return nil
		})
		return out
	}
	count := func(m map[string]int, n int) (c int) {
		for _, v := range m {
			if v == n {
				c++
			}
		}
		return c
	}
	get := func(repo string, want int) {
		t.Helper()
		resp, body := httpGet(t, v.URL+"/conda/"+repo+"/linux-64/repodata.json")
		if got := records(t, body); resp.StatusCode != 200 || len(got) != want {
			t.Fatalf("%s repodata: %s, %d records, want %d", repo, resp.Status, len(got), want)
		}
	}
	get("cf", 14000)
	get("cf2", 14000)
	if b := blobs(); len(b) != 2 || count(b, 14000) != 2 {
		t.Fatalf("blob store after two repositories read the document: %v; want one blob each", b)
	}
	if st, err := os.Stat(filepath.Join(data, "vetted.db")); err != nil || st.Size() > 4<<20 {
		t.Errorf("vetted.db holds the document itself (%v, %v)", st.Size(), err)
	}

	mu.Lock()
	doc = bigRepodata(14001)
	mu.Unlock()
	get("cf", 14001)
	if b := blobs(); len(b) != 2 || count(b, 14000) != 1 || count(b, 14001) != 1 {
		t.Fatalf("after cf read a new version: blobs %v; want cf2's old one and cf's new one", b)
	}

	v.stop()
	up.Close()
	v = startVetted(t, data, cfg)
	get("cf", 14001)
	get("cf2", 14000)
}

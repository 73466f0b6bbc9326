package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"vetted/internal/catalog"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/ecosystem/conda/condatest"
	"vetted/internal/ecosystem/conda/repodata"
)

// TestCondaShardsAfterRestart: a sharded subdir is served from the catalog after a
// restart with upstream down, even when upstream's shard index names another subdir
// than its path; and a cached copy that can no longer be read back (its shards gone
// from the catalog) is fetched again rather than failing every request.
func TestCondaShardsAfterRestart(t *testing.T) {
	sc := &shardedChannel{ch: condaFixture(), asked: map[string]int{}, indexSubdir: "linux-aarch64"}
	up := httptest.NewServer(sc.handler(t))
	defer up.Close()
	data := t.TempDir()
	cfg := fmt.Sprintf(condaConfig, up.URL+"/")
	get := func(what string) {
		t.Helper()
		v := startVetted(t, data, cfg)
		defer v.stop()
		resp, body := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json")
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"subdir":"linux-64"`) {
			t.Fatalf("%s: repodata %s %.300s", what, resp.Status, body)
		}
	}
	get("first sync")

	// The shards go missing from the catalog.
	store, err := sqlite.Open(context.Background(), filepath.Join(data, "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := store.ListPageKeys(context.Background(), "gov")
	if err != nil {
		t.Fatal(err)
	}
	var shards []string
	for _, k := range keys {
		if strings.Contains(k, "/shards/") {
			shards = append(shards, k)
		}
	}
	if len(shards) == 0 {
		t.Fatalf("no shard pages in the catalog: %q", keys)
	}
	if err := store.DeletePages(context.Background(), "gov", shards); err != nil {
		t.Fatal(err)
	}
	store.Close()
	fetched := sc.requests("linux-64/shards/")
	get("after losing the shards")
	if sc.requests("linux-64/shards/") == fetched {
		t.Errorf("the shards were not fetched again")
	}

	up.Close()
	get("after a restart with upstream down")
}

// TestCondaValidatorsPerForm: when upstream stops offering shards, repodata.json is not
// asked for with the shard index's validators. Here both carry the same Last-Modified,
// so a date sent to the wrong URL would get a 304 and keep the old records.
func TestCondaValidatorsPerForm(t *testing.T) {
	sc := &shardedChannel{ch: condaFixture(), asked: map[string]int{}}
	const lastModified = "Wed, 25 Nov 2026 10:00:00 GMT"
	var mu sync.Mutex
	sharded := true
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		shards := sharded
		mu.Unlock()
		p := strings.TrimPrefix(r.URL.Path, "/")
		form := p == "linux-64/repodata_shards.msgpack.zst"
		if !shards {
			form = p == "linux-64/repodata.json"
		}
		switch {
		case form && r.Header.Get("If-Modified-Since") == lastModified:
			w.WriteHeader(http.StatusNotModified)
		case form && shards:
			w.Header().Set("Last-Modified", lastModified)
			w.Write(sc.files(t)[p])
		case form:
			w.Header().Set("Last-Modified", lastModified)
			w.Write(sc.ch.Repodata("linux-64"))
		case strings.HasSuffix(p, "repodata_shards.msgpack.zst") || (shards && strings.HasSuffix(p, "repodata.json")):
			http.NotFound(w, r)
		case strings.Contains(p, "/shards/"):
			w.Write(sc.files(t)[p])
		default:
			sc.ch.ServeHTTP(w, r)
		}
	}))
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(condaConfig, up.URL+"/"))
	if resp, body := httpGet(t, v.URL+"/conda/cf/linux-64/repodata.json"); resp.StatusCode != 200 {
		t.Fatalf("repodata from shards: %s %s", resp.Status, body)
	}
	// Upstream drops its shards and gains a package, under the same date.
	sc.ch.Add(condatest.Package{Name: "tiny-new", Version: "1.0", License: "MIT"}, ".conda")
	mu.Lock()
	sharded = false
	mu.Unlock()
	resp, body := httpGet(t, v.URL+"/conda/cf/linux-64/repodata.json")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "tiny-new-1.0-") {
		t.Fatalf("after upstream dropped its shards: %s; tiny-new missing:\n%.400s", resp.Status, body)
	}
}

// TestCondaReplacedShardServed: a client that read vetted's shard index just before a
// refresh can still fetch the shards that index named, for a while, though the new index
// names others.
func TestCondaReplacedShardServed(t *testing.T) {
	sc := &shardedChannel{ch: condaFixture(), asked: map[string]int{}}
	up := httptest.NewServer(sc.handler(t))
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(condaConfig, up.URL+"/"))
	shardOf := func(name string) string {
		t.Helper()
		resp, body := httpGet(t, v.URL+"/conda/gov/linux-64/repodata_shards.msgpack.zst")
		if resp.StatusCode != 200 {
			t.Fatalf("shard index: %s %s", resp.Status, body)
		}
		idx, err := repodata.ParseShardIndex(body, "vetted")
		if err != nil {
			t.Fatal(err)
		}
		return repodata.ShardFilename(idx.Shards[name])
	}
	old := shardOf("tiny-util")
	sc.ch.Add(condatest.Package{Name: "tiny-util", Version: "1.2", License: "MIT"}, ".conda")
	if now := shardOf("tiny-util"); now == old {
		t.Fatalf("tiny-util's shard did not change after a new upstream version")
	}
	if resp, body := httpGet(t, v.URL+"/conda/gov/linux-64/shards/"+old); resp.StatusCode != 200 {
		t.Fatalf("the replaced shard, just after the refresh: %s %s", resp.Status, body)
	}
	if resp, _ := httpGet(t, v.URL+"/conda/gov/linux-64/shards/"+strings.Repeat("0", 64)+".msgpack.zst"); resp.StatusCode != 404 {
		t.Fatalf("a shard no index named: %s, want 404", resp.Status)
	}
}

// TestCondaOrphanShardsSwept: a shard page that no stored index lists (as a crash between
// storing a new index and deleting the replaced shards leaves) is deleted by the next
// process's first refresh of the subdir.
func TestCondaOrphanShardsSwept(t *testing.T) {
	sc := &shardedChannel{ch: condaFixture(), asked: map[string]int{}}
	up := httptest.NewServer(sc.handler(t))
	defer up.Close()
	data := t.TempDir()
	cfg := fmt.Sprintf(condaConfig, up.URL+"/")
	v := startVetted(t, data, cfg)
	if resp, body := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json"); resp.StatusCode != 200 {
		t.Fatalf("repodata: %s %s", resp.Status, body)
	}
	v.stop()
	orphan := "linux-64/shards/" + strings.Repeat("ab", 32)
	shardKeys := func() []string {
		t.Helper()
		store, err := sqlite.Open(context.Background(), filepath.Join(data, "vetted.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		keys, err := store.ListPageKeys(context.Background(), "gov")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range keys {
			if strings.HasPrefix(k, "linux-64/shards/") {
				out = append(out, k)
			}
		}
		return out
	}
	store, err := sqlite.Open(context.Background(), filepath.Join(data, "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutPage(context.Background(), catalog.Page{Repo: "gov", Key: orphan, Body: []byte("left by a crash")}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	before := shardKeys()

	sc.ch.Add(condatest.Package{Name: "tiny-util", Version: "1.2", License: "MIT"}, ".conda")
	v = startVetted(t, data, cfg)
	if resp, body := httpGet(t, v.URL+"/conda/gov/linux-64/repodata.json"); resp.StatusCode != 200 {
		t.Fatalf("repodata after the change: %s %s", resp.Status, body)
	}
	v.stop()
	after := shardKeys()
	if slices.Contains(after, orphan) {
		t.Errorf("the orphan shard page is still in the catalog: %q", after)
	}
	if len(after) != len(before)-1 { // tiny-util's shard replaced, the orphan gone
		t.Errorf("shard pages %d before the refresh (one orphan), %d after; want one fewer", len(before), len(after))
	}
}

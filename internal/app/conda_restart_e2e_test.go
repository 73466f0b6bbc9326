package app_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"vetted/internal/catalog/sqlite"
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

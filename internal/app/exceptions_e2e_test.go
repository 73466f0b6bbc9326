package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"vetted/internal/app"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/config"
)

// TestExceptionUsesRecorded: a server records every exception of its policies when it
// starts, and when it stops, the last time each changed a decision: here the one that
// lets alpha 2.0 through the block, when the project page was served; the other never.
func TestExceptionUsesRecorded(t *testing.T) {
	src, data := t.TempDir(), t.TempDir()
	if err := fixture().WriteFolder(src); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`
repositories:
  - {name: local, ecosystem: pypi, kind: proxy, upstream: %s, policy: p}
policies:
  p:
    rules: [{block: {project: alpha, versions: ">=2.0"}}]
    exceptions:
      - {project: alpha, versions: "==2.0", rule: block, owner: o@example.org, reason: "DS-9", expires: 2099-01-31}
      - {project: beta, owner: o@example.org, reason: "SEC-7", expires: 2099-01-31}
`, src)
	v := startVetted(t, data, cfg)
	if resp, body := httpGet(t, v.URL+"/pypi/local/simple/alpha/"); resp.StatusCode != 200 {
		t.Fatalf("alpha's page: %s\n%s", resp.Status, body)
	}
	v.stop()

	var c config.Config
	if err := config.Decode([]byte(cfg), &c); err != nil {
		t.Fatal(err)
	}
	used, unused := app.ExceptionKey("p", c.Policies["p"].Exceptions[0]), app.ExceptionKey("p", c.Policies["p"].Exceptions[1])
	store, err := sqlite.Open(context.Background(), filepath.Join(data, "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	list, err := store.ListExceptionUses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, u := range list {
		if u.FirstSeen.IsZero() {
			t.Errorf("exception %s recorded without the time it was first seen", u.Key)
		}
		got[u.Key] = !u.LastLifted.IsZero()
	}
	if len(got) != 2 || !got[used] || got[unused] {
		t.Errorf("recorded %+v; want %s used and %s unused", list, used, unused)
	}
}

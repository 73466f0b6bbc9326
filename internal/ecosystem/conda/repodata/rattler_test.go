package repodata

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vetted/internal/ecosystem/conda/condatest"
)

// rattlerDir returns the folder where the npm package @conda-org/rattler (pixi's solver
// engine, as WASM) is installed, or skips; with VETTED_REQUIRE_TOOLS=1 (CI, whose .ci/run
// installs it into .tools/rattler) it fails instead.
func rattlerDir(t *testing.T) string {
	t.Helper()
	_, nodeErr := exec.LookPath("node")
	for _, dir := range []string{os.Getenv("VETTED_RATTLER_DIR"), "../../../../.tools/rattler"} {
		if dir == "" || nodeErr != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@conda-org", "rattler")); err == nil {
			abs, _ := filepath.Abs(dir)
			return abs
		}
	}
	if os.Getenv("VETTED_REQUIRE_TOOLS") == "1" {
		t.Fatal("node and @conda-org/rattler are required (VETTED_REQUIRE_TOOLS=1): npm install --prefix .tools/rattler @conda-org/rattler@0.3.5")
	}
	t.Skip("node or @conda-org/rattler not installed: npm install --prefix .tools/rattler @conda-org/rattler@0.3.5")
	return ""
}

const rattlerSolve = `
const { simpleSolve } = require("@conda-org/rattler");
(async () => {
  const [channel, spec] = process.argv.slice(2);
  const result = await simpleSolve([spec], [channel], ["linux-64", "noarch"]);
  console.log(JSON.stringify(result.map(p => ({ name: p.packageName || p.name, version: p.version, sha256: p.sha256 }))));
})().catch(e => { console.error(String(e && e.message || e)); process.exit(1); });
`

// The real rattler solver reads what this package renders: sharded repodata (CEP 16) when
// the channel has it, else repodata.json and .zst. Policy removed tiny-util 2.0, so the
// solution has 1.1.
func TestRattlerSolves(t *testing.T) {
	dir := rattlerDir(t)
	script := filepath.Join(t.TempDir(), "solve.cjs")
	if err := os.WriteFile(script, []byte(rattlerSolve), 0o644); err != nil {
		t.Fatal(err)
	}
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "1.1", "2.0"} {
		ch.Add(condatest.Package{Name: "tiny-util", Version: v, License: "MIT"}, condatest.ExtConda)
	}
	ch.Add(condatest.Package{Name: "tiny-util", Version: "1.1", BuildNumber: 1, License: "MIT"}, condatest.ExtTarBz2)
	ch.Add(condatest.Package{Name: "tiny-app", Version: "1.0", Depends: []string{"tiny-util >=1.0", "pure-lib"}, License: "BSD-3-Clause"}, condatest.ExtConda)
	ch.Add(condatest.Package{Name: "pure-lib", Version: "0.3", Noarch: "generic", License: "MIT"}, condatest.ExtConda)
	keep := func(_ string, rec *Record) bool { return !(rec.Name == "tiny-util" && rec.Version == "2.0") }

	for _, sharded := range []bool{true, false} {
		files := map[string][]byte{}
		for _, subdir := range []string{"linux-64", "noarch"} {
			rd, err := Parse(ch.Repodata(subdir), subdir)
			if err != nil {
				t.Fatal(err)
			}
			var plain, zst bytes.Buffer
			if err := Render(&plain, rd, keep); err != nil {
				t.Fatal(err)
			}
			if err := RenderZstd(&zst, rd, keep); err != nil {
				t.Fatal(err)
			}
			files["/"+subdir+"/repodata.json"], files["/"+subdir+"/repodata.json.zst"] = plain.Bytes(), zst.Bytes()
			if !sharded {
				continue
			}
			index, err := RenderShards(rd, keep, ShardInfo{}, func(sum [32]byte, shard []byte) error {
				files["/"+subdir+"/shards/"+ShardFilename(sum)] = shard
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			files["/"+subdir+"/repodata_shards.msgpack.zst"] = index
		}
		var mu sync.Mutex
		var asked []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			asked = append(asked, r.Method+" "+r.URL.Path)
			mu.Unlock()
			if b, ok := files[r.URL.Path]; ok {
				w.Write(b)
				return
			}
			if strings.HasSuffix(r.URL.Path, ".conda") || strings.HasSuffix(r.URL.Path, ".tar.bz2") {
				ch.ServeHTTP(w, r)
				return
			}
			http.NotFound(w, r)
		}))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "node", script, srv.URL+"/", "tiny-app")
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
		out, err := cmd.CombinedOutput()
		cancel()
		srv.Close()
		if err != nil {
			t.Fatalf("sharded=%v: rattler: %v\n%s", sharded, err, out)
		}
		got := string(out)
		if !strings.Contains(got, `"name":"tiny-util","version":"1.1"`) || !strings.Contains(got, `"name":"pure-lib","version":"0.3"`) {
			t.Errorf("sharded=%v: solution %s", sharded, got)
		}
		all := strings.Join(asked, "\n")
		if used := strings.Contains(all, "/shards/"); used != sharded || sharded && strings.Contains(all, "repodata.json") {
			t.Errorf("sharded=%v: rattler asked for\n%s", sharded, all)
		}
	}
}

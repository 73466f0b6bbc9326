package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vetted/internal/app"
	"vetted/internal/config"
	"vetted/internal/ecosystem/conda/repodata"
)

// condaUpstream serves one synthetic linux-64 repodata.json of n records (conda-forge's
// shape, ~650 bytes a record) and an empty noarch, with an ETag; add appends a record.
type condaUpstream struct {
	mu    sync.Mutex
	n     int
	extra int
	body  []byte
	etag  string
}

func (u *condaUpstream) build() {
	var b bytes.Buffer
	b.Grow(u.n * 700)
	b.WriteString("{\n \"info\": {\"subdir\": \"linux-64\"},\n \"packages\": {},\n \"packages.conda\": {")
	for i := 0; i < u.n+u.extra; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		name := fmt.Sprintf("pkg-%05d", i/15)
		version := fmt.Sprintf("%d.%d.%d", i%15/5, i%5, i%3)
		build := fmt.Sprintf("h%08x_%d", uint32(i)*2654435761, i%4)
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		fmt.Fprintf(&b, "\n  %q: {\"build\": %q, \"build_number\": %d, \"depends\": [\"libgcc-ng >=12\", \"python >=3.9\", \"lib%04d >=1.0,<2.0a0\"], \"license\": \"BSD-3-Clause\", \"md5\": \"%032x\", \"name\": %q, \"sha256\": %q, \"size\": %d, \"subdir\": \"linux-64\", \"timestamp\": %d, \"version\": %q}",
			name+"-"+version+"-"+build+".conda", build, i%4, i%2000, i, name, hex.EncodeToString(sum[:]), 10000+i, 1700000000000+int64(i)*1000, version)
	}
	b.WriteString("\n },\n \"removed\": [],\n \"repodata_version\": 1\n}\n")
	u.body = b.Bytes()
	sum := sha256.Sum256(u.body)
	u.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (u *condaUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	body, etag := u.body, u.etag
	u.mu.Unlock()
	switch r.URL.Path {
	case "/linux-64/repodata.json":
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body)
	case "/noarch/repodata.json":
		w.Write([]byte(`{"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {}}`))
	default:
		http.NotFound(w, r)
	}
}

// BenchmarkCondaRepodata300k: a 300,000-record upstream linux-64 repodata.json, proxied
// under a policy of 50 rules. "full" is the first request of repodata.json.zst (fetch,
// parse, store in the catalog, filter, render, compress); "one-new-record" is the request
// after upstream added one record (revalidate, fetch, parse, store, filter, render).
func BenchmarkCondaRepodata300k(b *testing.B) {
	up := &condaUpstream{n: benchRecords()}
	up.build()
	srv := httptest.NewServer(up)
	defer srv.Close()
	benchCondaRefresh(b, srv.URL, "/conda/cf/linux-64/repodata.json.zst", func(extra int) {
		up.mu.Lock()
		defer up.mu.Unlock()
		up.extra = extra
		up.build()
	})
}

func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("VETTED_BENCH_RECORDS")); err == nil {
		return n
	}
	return 300_000
}

// benchCondaRefresh times one request of path through vetted (a proxy of upstreamURL under
// 50 rules): "full" after a cold start, "one-new-record" after upstream (rebuilt by
// setExtra with that many records beyond the n) added one record. With
// VETTED_BENCH_CPUPROFILE set, the timed request is profiled into that file.
func benchCondaRefresh(b *testing.B, upstreamURL, path string, setExtra func(extra int)) {
	var rules strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&rules, "      - block: {project: \"pkg-%05d\", versions: \">=1.0\"}\n", i*37)
	}
	cfg := config.Default()
	body := fmt.Sprintf("log: {level: error, access: false}\nupstream: {index_ttl: 0s, timeout: 2m}\nrepositories:\n  - {name: cf, ecosystem: conda, kind: proxy, upstream: %s/, policy: fifty}\npolicies:\n  fifty:\n    rules:\n%s", upstreamURL, rules.String())
	if err := config.Decode([]byte(body), &cfg); err != nil {
		b.Fatal(err)
	}
	get := func(h http.Handler) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
		return rec.Body.Len()
	}
	for _, stage := range []string{"full", "one-new-record"} {
		b.Run(stage, func(b *testing.B) {
			var size int
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cfg.DataDir = filepath.Join(b.TempDir(), "data")
				a, err := app.New(context.Background(), cfg, app.Logs{Log: app.NewLogger(cfg.Log, io.Discard)}, "bench")
				if err != nil {
					b.Fatal(err)
				}
				setExtra(0)
				if stage == "one-new-record" {
					get(a.Handler)
					setExtra(1)
				}
				b.StartTimer()
				start := time.Now()
				if f := os.Getenv("VETTED_BENCH_CPUPROFILE"); f != "" {
					out, err := os.Create(f)
					if err != nil {
						b.Fatal(err)
					}
					pprof.StartCPUProfile(out)
					size = get(a.Handler)
					pprof.StopCPUProfile()
					out.Close()
				} else {
					size = get(a.Handler)
				}
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/request")
				b.StopTimer()
				a.Close()
			}
			b.ReportMetric(float64(size)/(1<<20), "body-MiB")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MiB")
		})
	}
}

// peakRSS is this process's peak resident set size in bytes (VmHWM), or 0.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// shardedUpstream serves condaUpstream's records in CEP 16 sharded form only.
type shardedUpstream struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (u *shardedUpstream) build(b *testing.B, c *condaUpstream) {
	rd, err := repodata.Parse(c.body, "bench")
	if err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	index, err := repodata.RenderShards(rd, nil, repodata.ShardInfo{}, func(sum [32]byte, shard []byte) error {
		files["/linux-64/shards/"+repodata.ShardFilename(sum)] = shard
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	files["/linux-64/repodata_shards.msgpack.zst"] = index
	noarch, _ := repodata.RenderShards(&repodata.Repodata{Info: repodata.Info{Subdir: "noarch"}}, nil, repodata.ShardInfo{}, nil)
	files["/noarch/repodata_shards.msgpack.zst"] = noarch
	u.mu.Lock()
	u.files = files
	u.mu.Unlock()
}

func (u *shardedUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	body, ok := u.files[r.URL.Path]
	u.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(body)
}

// BenchmarkCondaShards300k: the same 300,000 records from an upstream that offers only
// CEP 16 shards (20,000 package names). "full" is the first request of vetted's shard
// index (fetch every shard, store them, filter, render every shard and the index);
// "one-new-record" is the same request after upstream added one record (fetch the index
// and one shard, patch, filter and render that one).
func BenchmarkCondaShards300k(b *testing.B) {
	plain := &condaUpstream{n: benchRecords()}
	plain.build()
	up := &shardedUpstream{}
	up.build(b, plain)
	srv := httptest.NewServer(up)
	defer srv.Close()
	benchCondaRefresh(b, srv.URL, "/conda/cf/linux-64/repodata_shards.msgpack.zst", func(extra int) {
		plain.extra = extra
		plain.build()
		up.build(b, plain)
	})
}

// Package bench holds vetted's benchmark harnesses (see README.md beside this file).
//
// The benchmarks here drive vetted's whole HTTP handler in process (middleware, access
// log, routing, registry, policy, cached page) on the same fixture as bench/http.sh,
// without the network: they measure what vetted itself costs per request, and with
// -cpuprofile show where that time goes:
//
//	go test -run '^$' -bench . -benchmem -cpuprofile /tmp/cpu.out ./bench/
//	go tool pprof -top -cum /tmp/cpu.out
package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"vetted/internal/app"
	"vetted/internal/config"
	"vetted/internal/ecosystem/pypi/pypitest"
)

const (
	jsonType  = "application/vnd.pypi.simple.v1+json"
	wheelName = "bigwheel-1.0-py3-none-any.whl"
	pagePath  = "/pypi/bench/simple/pagetest/"
	wheelPath = "/pypi/bench/files/bigwheel/" + wheelName
)

// writeFixture writes the upstream folder of bench/fixture: bigwheel (one ~1 MB wheel)
// and pagetest (15 versions, a wheel and an sdist each).
func writeFixture(tb testing.TB, dir string) {
	tb.Helper()
	put := func(sub, name string, data []byte) {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	big := pypitest.Project{Name: "bigwheel", Version: "1.0", Padding: 1 << 20}
	put("bigwheel", big.WheelFilename(), big.Wheel())
	for i := range 15 {
		p := pypitest.Project{
			Name:           "pagetest",
			Version:        fmt.Sprintf("1.%d.0", i),
			RequiresPython: ">=3.8",
			RequiresDist:   []string{"bigwheel>=1.0"},
			License:        "MIT",
		}
		put("pagetest", p.WheelFilename(), p.Wheel())
		put("pagetest", p.SdistFilename(), p.Sdist())
	}
}

// newHandler returns vetted's handler over the fixture, with the access log written to
// a file (as bench/http.sh does) when access is true, and its caches warm.
func newHandler(b *testing.B, access bool) http.Handler {
	b.Helper()
	dir := b.TempDir()
	writeFixture(b, filepath.Join(dir, "upstream"))
	cfg := config.Default()
	body := `
log: {level: info, format: text, access: true}
upstream: {index_ttl: 1h}
repositories:
  - {name: bench, ecosystem: pypi, kind: proxy, upstream: ` + filepath.Join(dir, "upstream") + `, policy: default}
policies:
  default:
    rules:
      - block: {project: "alpha", versions: ">=2.0"}
        reason: "matches nothing benchmarked"
`
	if err := config.Decode([]byte(body), &cfg); err != nil {
		b.Fatal(err)
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Log.Access = access
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "vetted.log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { logFile.Close() })
	logs, flush := app.NewLogs(cfg.Log, logFile)
	b.Cleanup(func() { flush() })
	a, err := app.New(context.Background(), cfg, logs, "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	for _, path := range []string{pagePath, wheelPath} { // warm: fetch, verify, cache
		w := httptest.NewRecorder()
		a.Handler.ServeHTTP(w, request(path))
		if w.Code != http.StatusOK {
			b.Fatalf("warm-up GET %s: %d %s", path, w.Code, w.Body)
		}
	}
	return a.Handler
}

// request returns a GET as net/http's server would hand it to the handler (what the
// server's parsing costs is not part of these benchmarks; perf in bench/http.sh sees it).
func request(path string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Accept", jsonType) // as wrk -H sends it, for both cases
	r.Header.Set("User-Agent", "wrk")
	return r
}

// discard is a ResponseWriter that keeps nothing. Its ReadFrom (used by
// http.ServeContent) counts the bytes of a file without reading them, so the wheel
// benchmark measures vetted's per-request work and not a 1 MB copy (sendfile's job).
type discard struct {
	h      http.Header
	status int
	n      int64
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }
func (d *discard) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		d.n += lr.N
		return lr.N, nil
	}
	n, err := io.Copy(io.Discard, src)
	d.n += n
	return n, err
}

func serve(b *testing.B, access bool, path string) {
	h := newHandler(b, access)
	base := request(path)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := new(http.Request)
			*r = *base // the mux records the route in the request: one per request
			w := &discard{h: http.Header{}, status: http.StatusOK}
			h.ServeHTTP(w, r)
			if w.status != http.StatusOK || w.n == 0 {
				b.Errorf("GET %s: %d, %d bytes", path, w.status, w.n)
				return
			}
		}
	})
}

// BenchmarkServePageJSON is case (b) of bench/http.sh without the network: a cached
// PEP 691 project page (30 files), access log on.
func BenchmarkServePageJSON(b *testing.B) { serve(b, true, pagePath) }

// BenchmarkServePageJSONNoAccessLog is the same with log.access false: the difference
// is the cost of the access log line.
func BenchmarkServePageJSONNoAccessLog(b *testing.B) { serve(b, false, pagePath) }

// BenchmarkServeWheel is case (a) without the network and without the bytes: routing,
// policy, catalog lookup, open/stat of the blob, headers, access log.
func BenchmarkServeWheel(b *testing.B) { serve(b, true, wheelPath) }

// BenchmarkAccessLogLine is one access log line as vetted writes it: the record the
// server hands to the access log's handler (app.NewLogs: text format, buffered, to a file).
func BenchmarkAccessLogLine(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	logs, flush := app.NewLogs(config.Log{Level: "info", Format: "text", Access: true}, f)
	defer flush()
	h := logs.Access.Handler()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := slog.NewRecord(time.Now(), slog.LevelInfo, "http", 0)
			r.AddAttrs(slog.String("method", "GET"), slog.String("path", pagePath), slog.Int("status", 200), slog.Int64("bytes", 8601),
				slog.Float64("duration_ms", 0.012), slog.String("request_id", "0123456789ab-1"), slog.String("remote", "127.0.0.1:40000"))
			h.Handle(ctx, r)
		}
	})
}

// BenchmarkServePageJSONConn is case (b) through net/http's server over a loopback TCP
// connection, one request at a time: the handler plus net/http's request parsing,
// header writing and the two write(2) calls of an 8.6 KB response. allocs/op counts
// the server's allocations only (the client below allocates nothing per request).
func BenchmarkServePageJSONConn(b *testing.B) {
	serveConn(b, newHandler(b, true), pagePath)
}

// BenchmarkServePageJSONConnBare is the same through bench/gobaseline's handler (the same
// bytes, Content-Type and Content-Length, nothing else): what vetted's handler adds is
// the difference.
func BenchmarkServePageJSONConnBare(b *testing.B) {
	h := newHandler(b, false)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(pagePath))
	page, length := w.Body.Bytes(), strconv.Itoa(w.Body.Len())
	serveConn(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", jsonType)
		w.Header().Set("Content-Length", length)
		w.Write(page)
	}), pagePath)
}

// serveConn serves h with net/http and sends it GET path on one keep-alive connection,
// b.N times, reading each response before sending the next request.
func serveConn(b *testing.B, h http.Handler, path string) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nAccept: " + jsonType + "\r\n\r\n")
	br := bufio.NewReaderSize(conn, 64<<10)
	roundTrip := func() {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		length := -1
		for first := true; ; first = false {
			line, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if first && !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
				b.Fatalf("GET %s: %s", path, line)
			}
			if len(bytes.TrimSpace(line)) == 0 {
				break
			}
			if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
				length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			}
		}
		if length <= 0 {
			b.Fatalf("GET %s: no Content-Length", path)
		}
		if _, err := br.Discard(length); err != nil {
			b.Fatal(err)
		}
	}
	roundTrip() // the connection's first request allocates its buffers
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		roundTrip()
	}
}

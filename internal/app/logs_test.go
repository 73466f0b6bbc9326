package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAccessHandlerMatchesSlog: the access log's fast handler writes exactly what slog's
// own text and JSON handlers write for the same records, at times that cross seconds and
// the edges of the milliseconds (the handler formats a second once, for its later lines).
func TestAccessHandlerMatchesSlog(t *testing.T) {
	at := time.Date(2026, 11, 26, 2, 1, 37, 475_000_000, time.UTC)
	times := []time.Time{
		at,
		at.Add(time.Millisecond),           // the same second
		at.Add(524*time.Millisecond + 999), // 2:01:37.999999999 → .999
		at.Add(525 * time.Millisecond),     // the next second, .000
		at.Add(525*time.Millisecond + 9e6), // .009
		at.Add(time.Hour + 99*time.Millisecond + 123), // .574
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	records := [][]slog.Attr{
		{slog.String("method", "GET"), slog.String("path", "/pypi/x/simple/alpha/"), slog.Int("status", 200), slog.Int64("bytes", 1087), slog.Float64("duration_ms", 0.176), slog.String("request_id", "ab-1"), slog.String("remote", "127.0.0.1:5965")},
		{slog.String("path", `/a b/"q"=x`), slog.String("empty", ""), slog.Bool("ok", false), slog.Float64("f", 12.5)},
		{slog.String("path", "/caf\u00e9\n")},
	}
	for _, format := range []string{"text", "json"} {
		var got bytes.Buffer
		h := newAccessHandler(&got, format)
		for _, when := range times {
			for _, attrs := range records {
				var want bytes.Buffer
				var ref slog.Handler = slog.NewTextHandler(&want, nil)
				if format == "json" {
					ref = slog.NewJSONHandler(&want, nil)
				}
				r := slog.NewRecord(when, slog.LevelInfo, "http", 0)
				r.AddAttrs(attrs...)
				ref.Handle(context.Background(), r)
				got.Reset()
				h.Handle(context.Background(), r)
				if got.String() != want.String() {
					t.Errorf("%s:\n got %s\nwant %s", format, got.String(), want.String())
				}
			}
		}
	}
}

// lockedBuffer is a bytes.Buffer that the line buffer's writer goroutine and the test
// may use together; slow makes each write take that long.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	slow   time.Duration
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	time.Sleep(l.slow)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLineBufferFlushes(t *testing.T) {
	var out lockedBuffer
	b := newLineBuffer(&out, 10*time.Millisecond)
	b.Write([]byte("one\n"))
	deadline := time.Now().Add(2 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if out.String() != "one\n" {
		t.Fatalf("after the interval: %q", out.String())
	}
	b.Write([]byte("two\n"))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("three\n")) // after Close: written at once
	if out.String() != "one\ntwo\nthree\n" {
		t.Fatalf("got %q", out.String())
	}
}

// TestLineBufferKeepsEveryLine: lines from many goroutines, many times what the buffers
// hold, written by a slow writer: none is lost, split or reordered within its goroutine,
// and they leave in few writes.
func TestLineBufferKeepsEveryLine(t *testing.T) {
	out := lockedBuffer{slow: time.Millisecond}
	b := newLineBuffer(&out, 5*time.Millisecond)
	const writers, lines = 4, 5000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				b.Write(fmt.Appendf(nil, "writer=%d line=%05d %s\n", w, i, strings.Repeat("x", 60)))
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, l := range got {
		var w, i int
		if _, err := fmt.Sscanf(l, "writer=%d line=%d", &w, &i); err != nil || w < 0 || w >= writers || i != next[w] {
			t.Fatalf("line %q: want writer %d's line %d next", l, w, next[max(0, min(w, writers-1))])
		}
		next[w]++
	}
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	if out.writes > len(out.b.Bytes())/(lineBufferSize/2)+50 {
		t.Errorf("%d writes for %d bytes: lines should leave many to a write", out.writes, out.b.Len())
	}
}

// TestLineBufferRequestsDoNotWaitForTheWriter: while the log file is slow, requests go on
// appending lines until every buffer is queued, instead of writing in their own turn.
func TestLineBufferRequestsDoNotWaitForTheWriter(t *testing.T) {
	out := lockedBuffer{slow: 300 * time.Millisecond}
	b := newLineBuffer(&out, time.Hour)
	defer b.Close()
	line := []byte(strings.Repeat("x", 99) + "\n")
	start := time.Now()
	// Two buffers' worth: the first full one goes to the (slow) writer, the second is
	// being filled. A request that wrote the first itself would wait 300 ms.
	for range 2 * lineBufferSize / len(line) {
		b.Write(line)
	}
	if took := time.Since(start); took > 150*time.Millisecond {
		t.Errorf("appending two buffers of lines took %v while the writer was busy: requests waited for the log file", took)
	}
}

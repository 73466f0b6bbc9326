package app

import (
	"bytes"
	"context"
	"log/slog"
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

func TestLineBufferFlushes(t *testing.T) {
	var out bytes.Buffer
	b := newLineBuffer(&out, 10*time.Millisecond)
	b.Write([]byte("one\n"))
	deadline := time.Now().Add(2 * time.Second)
	for {
		b.mu.Lock()
		n := out.Len()
		b.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Write([]byte("two\n"))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\n" {
		t.Fatalf("got %q", out.String())
	}
}

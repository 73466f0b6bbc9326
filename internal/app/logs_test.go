package app

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestAccessHandlerMatchesSlog: the access log's fast handler writes exactly what slog's
// own text and JSON handlers write for the same records.
func TestAccessHandlerMatchesSlog(t *testing.T) {
	at := time.Date(2026, 11, 26, 2, 1, 37, 475_000_000, time.UTC)
	records := [][]slog.Attr{
		{slog.String("method", "GET"), slog.String("path", "/pypi/x/simple/alpha/"), slog.Int("status", 200), slog.Int64("bytes", 1087), slog.Float64("duration_ms", 0.176), slog.String("request_id", "ab-1"), slog.String("remote", "127.0.0.1:5965")},
		{slog.String("path", `/a b/"q"=x`), slog.String("empty", ""), slog.Bool("ok", false), slog.Float64("f", 12.5)},
		{slog.String("path", "/caf\u00e9\n")},
	}
	for _, format := range []string{"text", "json"} {
		for _, attrs := range records {
			var want, got bytes.Buffer
			var ref slog.Handler = slog.NewTextHandler(&want, nil)
			if format == "json" {
				ref = slog.NewJSONHandler(&want, nil)
			}
			r := slog.NewRecord(at, slog.LevelInfo, "http", 0)
			r.AddAttrs(attrs...)
			ref.Handle(context.Background(), r)
			newAccessHandler(&got, format).Handle(context.Background(), r)
			if got.String() != want.String() {
				t.Errorf("%s:\n got %s\nwant %s", format, got.String(), want.String())
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

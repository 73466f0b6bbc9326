package app

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"vetted/internal/config"
)

// Logs are the loggers an App writes to.
type Logs struct {
	Log    *slog.Logger // everything but the access log
	Access *slog.Logger // one line per request; nil: none
	flush  func() error // writes out the access log's buffer; nil: nothing to write
}

// NewLogs returns the loggers the configuration asks for, both writing to w. The access
// log goes through a buffer flushed every 100 ms (it is on every request's path); call
// the returned function to flush it at exit.
func NewLogs(cfg config.Log, w io.Writer) (Logs, func() error) {
	logs := Logs{Log: NewLogger(cfg, w)}
	if !cfg.Access {
		return logs, func() error { return nil }
	}
	buf := newLineBuffer(w, 100*time.Millisecond)
	logs.Access = slog.New(newAccessHandler(buf, cfg.Format))
	logs.flush = buf.Close
	return logs, buf.Close
}

// NewLogger returns the logger the configuration asks for, writing to w.
func NewLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// lineBuffer collects whole log lines in memory and hands them to its own goroutine to
// write, so that no request waits for the log file: a request appends its line under a
// mutex; a full buffer (64 KiB), and every interval whatever is waiting, goes to the
// writer, in order. A busy server makes one write for hundreds of requests. When the
// writer falls behind by every buffer, requests wait for it: no line is dropped.
type lineBuffer struct {
	w    io.Writer
	mu   sync.Mutex
	cur  []byte      // lines not handed to the writer yet
	free chan []byte // empty buffers
	full chan []byte // buffers to write, in order
	// closed: the writer has stopped, and lines are written as they come.
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

const (
	lineBufferSize = 64 << 10
	lineBuffers    = 4 // in all: the one being filled, and the ones queued or being written
)

func newLineBuffer(w io.Writer, interval time.Duration) *lineBuffer {
	b := &lineBuffer{w: w, cur: make([]byte, 0, lineBufferSize), free: make(chan []byte, lineBuffers), full: make(chan []byte, lineBuffers),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range lineBuffers - 1 {
		b.free <- make([]byte, 0, lineBufferSize)
	}
	go b.write(interval)
	return b
}

// write is the writer goroutine. It never waits for the mutex (a request holding it may
// be waiting for a buffer this goroutine frees), so its periodic hand-off skips a tick
// when the mutex is busy.
func (b *lineBuffer) write(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case buf := <-b.full:
			b.w.Write(buf)
			b.free <- buf[:0]
		case <-t.C:
			if b.mu.TryLock() {
				if len(b.cur) > 0 {
					select {
					case next := <-b.free:
						b.full <- b.cur
						b.cur = next
					default: // every other buffer is queued: they are written first
					}
				}
				b.mu.Unlock()
			}
		case <-b.stop:
			return
		}
	}
}

// Write takes one log line (slog handlers write each record in one call).
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	if len(b.cur)+len(p) > cap(b.cur) && len(b.cur) > 0 {
		b.full <- b.cur // never blocks: full holds every buffer
		b.cur = <-b.free
	}
	b.cur = append(b.cur, p...) // a line longer than a buffer grows it
	return len(p), nil
}

// Close stops the writer and writes out what is left; later lines are written at once.
// It holds the mutex throughout, so no line slips between the last buffer and the first
// direct write (the writer never waits for the mutex, so it can still stop).
func (b *lineBuffer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	close(b.stop)
	<-b.done
	var err error
	for {
		select {
		case buf := <-b.full:
			if _, werr := b.w.Write(buf); err == nil {
				err = werr
			}
			continue
		default:
		}
		break
	}
	if len(b.cur) > 0 {
		if _, werr := b.w.Write(b.cur); err == nil {
			err = werr
		}
		b.cur = b.cur[:0]
	}
	b.closed = true
	return err
}

// accessHandler is a slog.Handler for the access log: flat records only (no groups),
// written in the same text or JSON form as slog's own handlers at a fraction of their
// cost, since it runs once per request.
type accessHandler struct {
	w      io.Writer
	json   bool
	pool   sync.Pool
	second atomic.Pointer[secondText] // the formatted second of the latest line
}

// secondText is the text of one second, as the access log's time starts: 2006-01-02T15:04:05.
type secondText struct {
	unix int64
	text string
}

func newAccessHandler(w io.Writer, format string) *accessHandler {
	return &accessHandler{w: w, json: format == "json", pool: sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}}
}

func (h *accessHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *accessHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *accessHandler) WithGroup(string) slog.Handler            { return h }

func (h *accessHandler) Handle(_ context.Context, r slog.Record) error {
	bp := h.pool.Get().(*[]byte)
	b := (*bp)[:0]
	if h.json {
		b = append(b, `{"time":"`...)
		b = h.appendTime(b, r.Time)
		b = append(b, `","level":"`...)
		b = append(b, r.Level.String()...)
		b = append(b, `","msg":`...)
		b = strconv.AppendQuote(b, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b = append(b, ',')
			b = strconv.AppendQuote(b, a.Key)
			b = append(b, ':')
			b = appendValue(b, a.Value, true)
			return true
		})
		b = append(b, "}\n"...)
	} else {
		b = append(b, "time="...)
		b = h.appendTime(b, r.Time)
		b = append(b, " level="...)
		b = append(b, r.Level.String()...)
		b = append(b, " msg="...)
		b = appendText(b, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b = append(b, ' ')
			b = append(b, a.Key...)
			b = append(b, '=')
			b = appendValue(b, a.Value, false)
			return true
		})
		b = append(b, '\n')
	}
	_, err := h.w.Write(b)
	*bp = b
	h.pool.Put(bp)
	return err
}

// appendTime writes t in UTC as slog's handlers do: to the millisecond in text
// (2006-01-02T15:04:05.000Z), to the nanosecond in JSON (RFC 3339, trailing zeros of the
// fraction dropped). Lines come many to a second, so the date and the clock are formatted
// once a second and only the fraction per line.
func (h *accessHandler) appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	unix := t.Unix()
	s := h.second.Load()
	if s == nil || s.unix != unix {
		s = &secondText{unix: unix, text: t.Format("2006-01-02T15:04:05")}
		h.second.Store(s)
	}
	b = append(b, s.text...)
	if !h.json {
		ms := t.Nanosecond() / int(time.Millisecond)
		return append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	}
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}

func appendValue(b []byte, v slog.Value, json bool) []byte {
	switch v.Kind() {
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	}
	if json {
		return strconv.AppendQuote(b, v.String())
	}
	return appendText(b, v.String())
}

// appendText writes a text-format value, quoted when it would not read back as one token.
func appendText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '=' || c == '"' || c >= 0x7f {
			return strconv.AppendQuote(b, s)
		}
	}
	if s == "" {
		return append(b, `""`...)
	}
	return append(b, s...)
}

package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"vetted/internal/registry"
	"vetted/internal/upstream"
)

// statusOf maps an error to its HTTP status. It is the only place that does.
func statusOf(err error) int {
	var (
		blocked *registry.BlockedError
		verify  *registry.VerifyError
		bad     *registry.BadUpstreamError
		up      *upstream.Error
	)
	switch {
	case errors.As(err, &blocked):
		return http.StatusForbidden
	case errors.Is(err, registry.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, registry.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, registry.ErrConflict):
		return http.StatusConflict
	case errors.As(err, &verify), errors.As(err, &bad):
		return http.StatusBadGateway
	case errors.As(err, &up):
		if up.NotFound() {
			return http.StatusNotFound
		}
		if up.Timeout {
			return http.StatusGatewayTimeout
		}
		return http.StatusBadGateway
	case errors.Is(err, context.Canceled):
		return 499 // client went away; nothing is written
	}
	return http.StatusInternalServerError
}

// fail answers a request with err. Protocol routes get one line of plain text (the
// clients print it); /api/ routes get JSON. Server errors get an id that is logged too.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == 499 {
		return
	}
	msg := err.Error()
	if status == http.StatusInternalServerError {
		id := errorID()
		s.log.Error("request failed", "error_id", id, "method", r.Method, "path", redactToken(r.URL.Path), "err", err)
		msg = fmt.Sprintf("internal error %s: the server log has the details under this id", id)
	} else if status >= 500 {
		s.log.Warn("request failed", "status", status, "path", redactToken(r.URL.Path), "err", err)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": msg, "status": status})
		return
	}
	var blocked *registry.BlockedError
	if errors.As(err, &blocked) && writeWithReason(w, r, status, msg) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

func errorID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeWithReason answers with a custom reason phrase in the status line, which is what
// pip prints ("403 Client Error: <reason> for url: …"). net/http always writes the
// standard phrase, so for HTTP/1.x the connection is taken over and the response
// written by hand; it reports false when that is not possible (HTTP/2).
func writeWithReason(w http.ResponseWriter, r *http.Request, status int, msg string) bool {
	if r.ProtoMajor != 1 {
		return false
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	defer conn.Close()
	body := msg + "\n"
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, reasonPhrase(msg))
	fmt.Fprintf(buf, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n", len(body))
	if r.Method != http.MethodHead {
		buf.WriteString(body)
	}
	buf.Flush()
	if rec, ok := w.(*recorder); ok {
		rec.status = status
	}
	return true
}

// reasonPhrase makes msg safe for a status line: printable ASCII, bounded length.
func reasonPhrase(msg string) string {
	var b strings.Builder
	for _, c := range msg {
		if b.Len() >= 400 {
			b.WriteString("...")
			break
		}
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b.WriteRune(c)
	}
	return b.String()
}

package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
)

// One write per response.
//
// net/http copies a response's header and the start of its body into a 4 KB connection
// buffer, writes that out, and writes the rest of the body in a second write(2). For a
// cached page of more than about 4 KB that is two writes, and on a loaded machine two
// wake-ups of the client, each of which can preempt the server: measured under wrk, it
// costs a quarter of the requests a second a server answers (docs/benchmarks.md, "Third
// round"). net/http offers no way to change its buffer or to use writev(2).
//
// Listener wraps each accepted TCP connection so that a handler can hold its first
// write back: writeBody holds it, writes the body and flushes, and the connection sends
// the held bytes and the next write together in one writev(2). The connection has no
// lock: while a response is held, only the goroutine serving it writes to the connection.
// That holds for writeBody's responses (HTTP/1.x, GET of a page whose body is in memory,
// no request body read elsewhere, no hijacking); vetted terminates neither TLS nor HTTP/2.

// Listener wraps ln so that responses written with writeBody leave in one writev(2).
// Servers using it set ConnContext to this package's ConnContext.
func Listener(ln net.Listener) net.Listener { return oneWriteListener{ln} }

// ConnContext is the http.Server ConnContext that lets handlers find the connections of
// Listener.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if oc, ok := c.(*oneWriteConn); ok {
		return context.WithValue(ctx, oneWriteKey{}, oc)
	}
	return ctx
}

type oneWriteKey struct{}

type oneWriteListener struct{ net.Listener }

func (l oneWriteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &oneWriteConn{Conn: c}, nil
}

// oneWriteConn is a connection that can hold one write back and send it with the next.
type oneWriteConn struct {
	net.Conn
	holding bool
	held    *[]byte // the first write while holding, copied: net/http reuses its buffer
	iov     [2][]byte
}

// heldBufs are the copies of held writes; one is in use per response being written.
var heldBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// hold makes the connection keep the next write until the one after it (or release).
func (c *oneWriteConn) hold() { c.holding = true }

// release stops holding and sends what is still held.
func (c *oneWriteConn) release() error {
	c.holding = false
	if c.held == nil {
		return nil
	}
	_, err := c.Conn.Write(*c.held)
	c.putHeld()
	if err != nil {
		// net/http was told the held bytes were written: close the connection so that
		// it does not go on to the next request after a response that never left.
		c.Conn.Close()
	}
	return err
}

func (c *oneWriteConn) putHeld() {
	if cap(*c.held) <= maxPooledHeld {
		*c.held = (*c.held)[:0]
		heldBufs.Put(c.held)
	}
	c.held = nil
}

// maxPooledHeld bounds the buffers kept for reuse: net/http's first write is at most its
// 4 KB buffer, and a larger one (a caller that flushed before holding) is not kept.
const maxPooledHeld = 8 << 10

func (c *oneWriteConn) Write(p []byte) (int, error) {
	if !c.holding {
		return c.Conn.Write(p)
	}
	if c.held == nil {
		c.held = heldBufs.Get().(*[]byte)
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	c.holding = false
	c.iov[0], c.iov[1] = *c.held, p
	bufs := net.Buffers(c.iov[:])
	_, err := bufs.WriteTo(c.Conn) // writev(2) on a TCP connection
	c.iov = [2][]byte{}
	c.putHeld()
	if err != nil {
		// The client is gone; what it got no longer matters, only that the write failed.
		return 0, err
	}
	return len(p), nil
}

// ReadFrom keeps net/http's sendfile(2) path for files: it reaches the TCP connection
// through this method.
func (c *oneWriteConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.release(); err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}

// CloseWrite lets net/http half-close the connection, as it does on a TCP connection.
func (c *oneWriteConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// holdThreshold is the body size from which writeBody holds: a smaller body fits with
// its header into net/http's buffer and leaves in one write anyway.
const holdThreshold = 2 << 10

// writeBody writes a whole response body held in memory. On a connection from Listener,
// the header and the body leave in one writev(2) rather than two write(2) calls.
func writeBody(w http.ResponseWriter, r *http.Request, body []byte) {
	c, _ := r.Context().Value(oneWriteKey{}).(*oneWriteConn)
	if c == nil || len(body) < holdThreshold || r.ProtoMajor != 1 {
		w.Write(body)
		return
	}
	c.hold()
	defer c.release()
	if _, err := w.Write(body); err != nil {
		return
	}
	// Push the rest of the body out of net/http's buffer now, while the first part is
	// held, instead of after the handler returns.
	http.NewResponseController(w).Flush()
}

package httpapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOneWriteConnOrder: what a held connection sends is what was written, in order,
// whichever way the writes end (a second write, release, ReadFrom).
func TestOneWriteConnOrder(t *testing.T) {
	cases := []struct {
		name string
		run  func(c *oneWriteConn)
	}{
		{"held then joined", func(c *oneWriteConn) {
			c.hold()
			c.Write([]byte("head|"))
			c.Write([]byte("body|"))
			c.release()
			c.Write([]byte("after"))
		}},
		{"held then released", func(c *oneWriteConn) {
			c.hold()
			c.Write([]byte("head|"))
			c.release()
			c.Write([]byte("body|after"))
		}},
		{"held then ReadFrom", func(c *oneWriteConn) {
			c.hold()
			c.Write([]byte("head|"))
			c.ReadFrom(strings.NewReader("body|"))
			c.Write([]byte("after"))
		}},
		{"not held", func(c *oneWriteConn) {
			c.Write([]byte("head|"))
			c.Write([]byte("body|"))
			c.release()
			c.Write([]byte("after"))
		}},
		{"held, nothing written", func(c *oneWriteConn) {
			c.hold()
			c.release()
			c.Write([]byte("head|body|after"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, server := net.Pipe()
			got := make(chan string)
			go func() {
				b, _ := io.ReadAll(client)
				got <- string(b)
			}()
			c := &oneWriteConn{Conn: server}
			tc.run(c)
			c.Close()
			want := "head|body|after"
			if g := <-got; g != want {
				t.Errorf("sent %q, want %q", g, want)
			}
			if c.held != nil || c.holding {
				t.Errorf("still holding after the response")
			}
		})
	}
}

// TestOneWriteSyscalls counts write syscalls: through Listener, a page of 9 KB leaves in
// one writev per response; without it, net/http makes two writes. Both servers run in
// this test, so it shows that the count can tell them apart.
func TestOneWriteSyscalls(t *testing.T) {
	if _, err := writeSyscalls(); err != nil {
		t.Skipf("no per-process syscall counts here (/proc/self/io): %v", err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), 9000/16)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(body))}
		writeBody(w, r, body)
	})
	const n = 200
	plain := serveCounting(t, handler, false, body, n)
	joined := serveCounting(t, handler, true, body, n)
	// The client writes one request per response; the server writes each response once
	// (joined) or twice (plain). Stray writes of the runtime are allowed for.
	if joined > n*2+n/10 || plain < n*3-n/10 {
		t.Errorf("write syscalls for %d requests: %d through Listener (want about %d), %d without (want about %d)", n, joined, 2*n, plain, 3*n)
	}
	t.Logf("write syscalls for %d requests: %d through Listener, %d without", n, joined, plain)
}

// serveCounting serves handler on loopback (through Listener if joined), makes n
// requests on one keep-alive connection, checks every response and returns the write
// syscalls the process made meanwhile.
func serveCounting(t *testing.T, handler http.Handler, joined bool, body []byte, n int) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	if joined {
		ln = Listener(ln)
		srv.ConnContext = ConnContext
	}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 64<<10)
	req := []byte("GET /page HTTP/1.1\r\nHost: x\r\n\r\n")
	get := func() {
		if _, err := conn.Write(req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Fatalf("status %d, %d bytes, err %v: want 200 and the %d-byte body", resp.StatusCode, len(got), err, len(body))
		}
	}
	get() // the connection is set up
	before, _ := writeSyscalls()
	for range n {
		get()
	}
	after, _ := writeSyscalls()
	return after - before
}

// writeSyscalls is the number of write-like syscalls (write, writev, sendfile) this
// process has made.
func writeSyscalls() (int, error) {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "syscw:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, io.ErrUnexpectedEOF
}

// TestOneWritePipelined: requests sent together on one connection get their responses
// whole and in order, HEAD and a conditional request among them.
func TestOneWritePipelined(t *testing.T) {
	body := bytes.Repeat([]byte("pipelined-body."), 700)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"x"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header()["Etag"] = []string{`"x"`}
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(body))}
		if r.Method == http.MethodHead {
			return
		}
		writeBody(w, r, append([]byte(r.URL.Path[1:]), body[len(r.URL.Path)-1:]...))
	})
	conn, err := net.Dial("tcp", serveOneWrite(t, handler))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reqs := []struct{ method, path, header string }{
		{"GET", "/one", ""}, {"HEAD", "/two", ""}, {"GET", "/three", `If-None-Match: "x"` + "\r\n"}, {"GET", "/four", ""},
	}
	var all []byte
	for _, r := range reqs {
		all = fmt.Appendf(all, "%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n", r.method, r.path, r.header)
	}
	if _, err := conn.Write(all); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	for _, r := range reqs {
		resp, err := http.ReadResponse(br, &http.Request{Method: r.method})
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case r.header != "":
			if resp.StatusCode != http.StatusNotModified || len(got) != 0 {
				t.Errorf("%s %s: %s, %d bytes; want 304 and no body", r.method, r.path, resp.Status, len(got))
			}
		case r.method == "HEAD":
			if resp.StatusCode != 200 || len(got) != 0 || resp.ContentLength != int64(len(body)) {
				t.Errorf("HEAD %s: %s, %d bytes, length %d", r.path, resp.Status, len(got), resp.ContentLength)
			}
		default:
			if resp.StatusCode != 200 || len(got) != len(body) || !bytes.HasPrefix(got, []byte(r.path[1:])) {
				t.Errorf("GET %s: %s, %d bytes starting %q", r.path, resp.Status, len(got), got[:min(len(got), 10)])
			}
		}
	}
}

// TestOneWriteKeepsSendfile: a file served with http.ServeContent through Listener still
// leaves by sendfile(2) (net/http finds it through the connection's ReadFrom): a few
// write-like syscalls per MiB, where copying through Write makes one per 32 KB.
func TestOneWriteKeepsSendfile(t *testing.T) {
	if _, err := writeSyscalls(); err != nil {
		t.Skipf("no per-process syscall counts here (/proc/self/io): %v", err)
	}
	path := t.TempDir() + "/big.whl"
	content := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuv"), 1<<15) // 1 MiB
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "", time.Time{}, f)
	})
	addr := serveOneWrite(t, handler)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	get := func() {
		resp, err := client.Get("http://" + addr + "/big.whl")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, content) {
			t.Fatalf("got %d bytes (%v), want the 1 MiB file", len(got), err)
		}
	}
	get()
	const n = 10
	before, _ := writeSyscalls()
	for range n {
		get()
	}
	after, _ := writeSyscalls()
	per := float64(after-before) / n
	t.Logf("%.1f write-like syscalls per 1 MiB download (client's request included)", per)
	if per >= 16 {
		t.Errorf("%.1f write-like syscalls per 1 MiB download: the file is copied through Write (32 per MiB), not sent with sendfile", per)
	}
}

// serveOneWrite serves handler on a loopback port through Listener, as vetted serve does,
// until the test ends; it returns the address.
func serveOneWrite(t *testing.T, handler http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ConnContext: ConnContext}
	go srv.Serve(Listener(ln))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

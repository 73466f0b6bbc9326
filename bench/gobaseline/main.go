// Command gobaseline is the least a Go net/http server can do to serve bench/http.sh's
// files: the same bytes with the same Content-Types, no routing, no policy, no access log,
// no metrics. bench/http.sh runs it beside nginx and vetted, so the results show how much
// of the gap to nginx is net/http and the Go runtime, and how much is vetted's own work.
//
//	gobaseline -listen 127.0.0.1:PORT -root DIR
//
// GET /page.json answers the file's bytes from memory (as vetted answers a cached page);
// GET /<name>.whl opens the file and answers it with http.ServeContent (sendfile), as
// vetted answers a cached blob.
//
// It keeps net/http's defaults, so a page of more than 4 KB leaves in two write(2) calls;
// vetted's listener (internal/httpapi/onewrite.go) sends it in one writev(2), which is
// why vetted can answer the page faster than this baseline.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	root := flag.String("root", "", "folder holding page.json and the wheel")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: gobaseline -listen 127.0.0.1:PORT -root DIR")
		os.Exit(2)
	}
	page, err := os.ReadFile(filepath.Join(*root, "page.json"))
	if err != nil {
		log.Fatal(err)
	}
	pageLen := strconv.Itoa(len(page))
	// page.json.gz, when present, is answered to a request that accepts gzip (as vetted
	// and nginx's gzip_static do; bench/http.sh GZIP=1).
	gz, err := os.ReadFile(filepath.Join(*root, "page.json.gz"))
	if err != nil && !os.IsNotExist(err) {
		log.Fatal(err)
	}
	gzLen := strconv.Itoa(len(gz))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/page.json" && gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"):
			w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", gzLen)
			w.Write(gz)
		case r.URL.Path == "/page.json":
			w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
			w.Header().Set("Content-Length", pageLen)
			w.Write(page)
		case strings.HasSuffix(r.URL.Path, ".whl") && !strings.Contains(r.URL.Path[1:], "/"):
			f, err := os.Open(filepath.Join(*root, r.URL.Path[1:]))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			http.ServeContent(w, r, "", fi.ModTime(), f)
		default:
			http.NotFound(w, r)
		}
	})
	srv := &http.Server{Addr: *listen, Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

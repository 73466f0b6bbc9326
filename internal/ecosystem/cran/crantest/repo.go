package crantest

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"vetted/internal/ecosystem/cran"
)

// Repo is a fake CRAN mirror, an http.Handler serving CRAN's layout for source packages:
//
//	/src/contrib/PACKAGES                       index of the current version of each package
//	/src/contrib/PACKAGES.gz                    the same, gzip-compressed
//	/src/contrib/<pkg>_<ver>.tar.gz             the current version of each package
//	/src/contrib/Archive/<pkg>/<pkg>_<ver>.tar.gz   every older version
//
// The current version of a package is its highest by R's ordering; when a newer version
// is added, the older moves to Archive/, as on CRAN. PACKAGES.rds, which R tries first,
// is not served (404), so R falls back to PACKAGES.gz. Every response carries an ETag
// and honours If-None-Match (304), If-Modified-Since, HEAD and Range. Repo counts the
// requests each path receives. It is safe for concurrent use.
type Repo struct {
	// Delay is added before answering any request.
	Delay time.Duration

	mu       sync.Mutex
	pkgs     map[string][]*file // by package name, sorted by version
	requests map[string]int
}

type file struct {
	pkg     Package
	data    []byte
	md5     string
	corrupt bool
}

// NewRepo returns an empty mirror.
func NewRepo() *Repo {
	return &Repo{pkgs: map[string][]*file{}, requests: map[string]int{}}
}

// Add adds a package version, built with p.Tarball().
func (r *Repo) Add(p Package) {
	r.AddTarball(p, p.Tarball())
}

// AddTarball adds a package version whose file holds data (a hostile or broken tarball,
// say) while its PACKAGES entry comes from p, with data's MD5sum. A version added again
// replaces the first.
func (r *Repo) AddTarball(p Package, data []byte) {
	sum := md5.Sum(data)
	f := &file{pkg: p, data: data, md5: hex.EncodeToString(sum[:])}
	r.mu.Lock()
	defer r.mu.Unlock()
	fs := slices.DeleteFunc(r.pkgs[p.Name], func(g *file) bool { return g.pkg.Version == p.Version })
	fs = append(fs, f)
	slices.SortStableFunc(fs, func(a, b *file) int { return cran.Compare(a.pkg.Version, b.pkg.Version) })
	r.pkgs[p.Name] = fs
}

// Remove removes a package version; the highest remaining version becomes current.
func (r *Repo) Remove(name, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pkgs[name] = slices.DeleteFunc(r.pkgs[name], func(g *file) bool { return g.pkg.Version == version })
	if len(r.pkgs[name]) == 0 {
		delete(r.pkgs, name)
	}
}

// Corrupt makes the mirror serve other bytes for a file than its PACKAGES MD5sum
// describes (the first bytes flipped), or stop doing so.
func (r *Repo) Corrupt(filename string, corrupt bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fs := range r.pkgs {
		for _, f := range fs {
			if f.pkg.Filename() == filename {
				f.corrupt = corrupt
			}
		}
	}
}

// Requests returns how many requests a path ("/src/contrib/PACKAGES.gz") received.
func (r *Repo) Requests(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[path]
}

// MD5sum returns the MD5 of a file as PACKAGES lists it, or "".
func (r *Repo) MD5sum(filename string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fs := range r.pkgs {
		for _, f := range fs {
			if f.pkg.Filename() == filename {
				return f.md5
			}
		}
	}
	return ""
}

// Packages returns the PACKAGES index: one paragraph per package, for its current
// version, sorted by name ignoring case as CRAN sorts it, in the layout
// tools::write_PACKAGES writes (see writeField).
func (r *Repo) Packages() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.packagesLocked()
}

func (r *Repo) packagesLocked() []byte {
	names := make([]string, 0, len(r.pkgs))
	for name := range r.pkgs {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	for i, name := range names {
		fs := r.pkgs[name]
		f := fs[len(fs)-1]
		if i > 0 {
			b.WriteString("\n")
		}
		writeEntry(&b, f.pkg, f.md5)
	}
	return []byte(b.String())
}

// writeEntry writes the PACKAGES paragraph of a package version whose tarball has that
// MD5, with the fields tools::write_PACKAGES writes, in its order.
func writeEntry(b *strings.Builder, p Package, md5sum string) {
	writeField(b, "Package", p.Name)
	writeField(b, "Version", p.Version)
	writeField(b, "Depends", strings.Join(p.Depends, ", "))
	writeField(b, "Imports", strings.Join(p.Imports, ", "))
	writeField(b, "Suggests", strings.Join(p.Suggests, ", "))
	writeField(b, "License", p.license())
	writeField(b, "MD5sum", md5sum)
	writeField(b, "NeedsCompilation", "no")
}

// writeField writes a field as write_PACKAGES does (formatDL with R's default width of
// 80: lines shorter than 72 characters, continuation lines indented by 8 spaces), and
// nothing for an empty value.
func writeField(b *strings.Builder, name, value string) {
	if value == "" {
		return
	}
	const width, indent = 72, "        "
	prefix, line, n := "", []string(nil), 0 // n: length of line's words joined by spaces
	for _, word := range append([]string{name + ":"}, strings.Fields(value)...) {
		if len(line) > 0 && len(prefix)+n+1+len(word) >= width {
			b.WriteString(prefix + strings.Join(line, " ") + "\n")
			prefix, line, n = indent, nil, 0
		}
		if len(line) > 0 {
			n++
		}
		line, n = append(line, word), n+len(word)
	}
	b.WriteString(prefix + strings.Join(line, " ") + "\n")
}

// gz compresses b.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// ServeHTTP serves the mirror (see Repo).
func (r *Repo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	path := req.URL.Path
	r.mu.Lock()
	r.requests[path]++
	delay := r.Delay
	r.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			return
		}
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	data, ctype, ok := r.lookup(path)
	if !ok {
		http.NotFound(w, req)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(w, req, "", epoch, bytes.NewReader(data))
}

// lookup finds what a path serves.
func (r *Repo) lookup(path string) (data []byte, ctype string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/src/contrib/")
	if !ok {
		return nil, "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch rest {
	case "PACKAGES":
		return r.packagesLocked(), "text/plain; charset=utf-8", true
	case "PACKAGES.gz":
		return gz(r.packagesLocked()), "application/x-gzip", true
	}
	archived := false
	if a, ok := strings.CutPrefix(rest, "Archive/"); ok {
		if dir, ok := strings.CutSuffix(a, "/"); ok && !strings.Contains(dir, "/") {
			return r.archiveIndexLocked(dir)
		}
		dir, name, ok := strings.Cut(a, "/")
		if !ok || !strings.HasPrefix(name, dir+"_") {
			return nil, "", false
		}
		rest, archived = name, true
	}
	pkg, _, ok := strings.Cut(rest, "_")
	if !ok || strings.Contains(rest, "/") {
		return nil, "", false
	}
	fs := r.pkgs[pkg]
	for i, f := range fs {
		current := i == len(fs)-1
		if f.pkg.Filename() == rest && current != archived {
			data := f.data
			if f.corrupt {
				data = slices.Clone(data)
				for j := 0; j < len(data) && j < 16; j++ {
					data[j] ^= 0xff
				}
			}
			return data, "application/x-gzip", true
		}
	}
	return nil, "", false
}

// WriteFolder writes the mirror's src/contrib tree into dir (PACKAGES, PACKAGES.gz, the
// current tarballs, and Archive/<pkg>/ for older versions), uncorrupted, for a
// local-folder upstream or R's repos = "file://<dir>".
func (r *Repo) WriteFolder(dir string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	contrib := filepath.Join(dir, "src", "contrib")
	if err := os.MkdirAll(contrib, 0o755); err != nil {
		return err
	}
	index := r.packagesLocked()
	for name, data := range map[string][]byte{"PACKAGES": index, "PACKAGES.gz": gz(index)} {
		if err := os.WriteFile(filepath.Join(contrib, name), data, 0o644); err != nil {
			return err
		}
	}
	for name, fs := range r.pkgs {
		for i, f := range fs {
			d := contrib
			if i < len(fs)-1 {
				d = filepath.Join(contrib, "Archive", name)
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
			}
			if err := os.WriteFile(filepath.Join(d, f.pkg.Filename()), f.data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", f.pkg.Filename(), err)
			}
		}
	}
	return nil
}

// archiveIndexLocked is the directory listing of Archive/<pkg>/ as CRAN's web server
// writes it (an Apache index of the archived tarballs).
func (r *Repo) archiveIndexLocked(pkg string) ([]byte, string, bool) {
	fs := r.pkgs[pkg]
	if len(fs) < 2 {
		return nil, "", false
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of /src/contrib/Archive/" + pkg + "</title>\n </head>\n <body>\n<h1>Index of /src/contrib/Archive/" + pkg + "</h1>\n<pre><a href=\"?C=N;O=D\">Name</a> <a href=\"/src/contrib/Archive/\">Parent Directory</a>\n")
	for _, f := range fs[:len(fs)-1] {
		name := f.pkg.Filename()
		b.WriteString("<a href=\"" + name + "\">" + name + "</a>   2024-01-02 03:04  1.2K\n")
	}
	b.WriteString("</pre>\n</body></html>\n")
	return []byte(b.String()), "text/html;charset=UTF-8", true
}

package condatest

import (
	"bytes"
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

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
)

// File is a package file that a Channel serves.
type File struct {
	Package  Package // with defaults filled in
	Subdir   string
	Filename string
	Data     []byte
	// Record is the file's repodata.json record; tests may change it (to advertise a wrong
	// hash, add fields…) through Channel.Update.
	Record map[string]any
	// Corrupt makes the channel advertise the right digest but serve other bytes.
	Corrupt bool
}

// Channel is a fake conda channel, written independently of vetted's renderers, laid out
// as conda.anaconda.org and conda-index lay channels out:
//
//	/channeldata.json
//	/<subdir>/repodata.json       (+ .zst, .bz2; ETag, If-None-Match → 304, Last-Modified)
//	/<subdir>/<name>-<version>-<build>.conda | .tar.bz2
//
// noarch/repodata.json always exists, as conda requires. It counts the requests it
// receives, by path.
type Channel struct {
	// BaseURL, when set, is written as every subdir's info.base_url (CEP 15) with
	// repodata_version 2; the channel still serves the files itself.
	BaseURL string
	// Delay is added before answering any request.
	Delay time.Duration

	mu       sync.Mutex
	files    map[string]*File    // by "<subdir>/<filename>"
	removed  map[string][]string // subdir → filenames
	extra    map[string]map[string]any
	requests map[string]int
	modified time.Time
}

// NewChannel returns an empty channel.
func NewChannel() *Channel {
	return &Channel{files: map[string]*File{}, removed: map[string][]string{}, requests: map[string]int{}, modified: epoch}
}

// Add builds p as ext (ExtConda or ExtTarBz2) and adds it to its subdir.
func (c *Channel) Add(p Package, ext string) *File {
	p = p.WithDefaults()
	data := p.Bytes(ext)
	f := &File{Package: p, Subdir: p.Subdir, Filename: p.Filename(ext), Data: data, Record: p.Record(data)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[f.Subdir+"/"+f.Filename] = f
	c.touch()
	return f
}

// Remove takes a file down and lists it in its subdir's "removed", as channels do.
func (c *Channel) Remove(subdir, filename string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.files, subdir+"/"+filename)
	c.removed[subdir] = append(c.removed[subdir], filename)
	c.touch()
}

// Update changes a file (its record, Corrupt…).
func (c *Channel) Update(subdir, filename string, change func(*File)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.files[subdir+"/"+filename]; f != nil {
		change(f)
		c.touch()
	}
}

// SetTopLevel adds a top-level key to a subdir's repodata.json (e.g. "signatures"), to
// check that it is passed through.
func (c *Channel) SetTopLevel(subdir, key string, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.extra == nil {
		c.extra = map[string]map[string]any{}
	}
	if c.extra[subdir] == nil {
		c.extra[subdir] = map[string]any{}
	}
	c.extra[subdir][key] = value
	c.touch()
}

// touch moves Last-Modified on; it must change whenever a document changes.
func (c *Channel) touch() { c.modified = c.modified.Add(time.Second) }

// Requests returns how many requests a path received ("/linux-64/repodata.json").
func (c *Channel) Requests(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[path]
}

// Files returns the channel's files, sorted by subdir and filename.
func (c *Channel) Files() []*File {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*File
	for _, f := range c.files {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *File) int {
		return strings.Compare(a.Subdir+"/"+a.Filename, b.Subdir+"/"+b.Filename)
	})
	return out
}

// Subdirs returns the subdirs the channel has, noarch always among them.
func (c *Channel) Subdirs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.subdirs()
}

func (c *Channel) subdirs() []string {
	set := map[string]bool{"noarch": true}
	for _, f := range c.files {
		set[f.Subdir] = true
	}
	for s := range c.removed {
		set[s] = true
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Repodata returns a subdir's repodata.json, as conda-index writes it (sorted keys,
// one-space indent).
func (c *Channel) Repodata(subdir string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.repodata(subdir)
}

func (c *Channel) repodata(subdir string) []byte {
	packages, conda := map[string]any{}, map[string]any{}
	for _, f := range c.files {
		if f.Subdir != subdir {
			continue
		}
		if strings.HasSuffix(f.Filename, ExtConda) {
			conda[f.Filename] = f.Record
		} else {
			packages[f.Filename] = f.Record
		}
	}
	info := map[string]any{"subdir": subdir}
	doc := map[string]any{
		"info":             info,
		"packages":         packages,
		"packages.conda":   conda,
		"removed":          nonNil(c.removed[subdir]),
		"repodata_version": 1,
	}
	if c.BaseURL != "" {
		info["base_url"] = strings.TrimSuffix(c.BaseURL, "/") + "/" + subdir + "/"
		doc["repodata_version"] = 2
	}
	for k, v := range c.extra[subdir] {
		doc[k] = v
	}
	var b bytes.Buffer
	enc := newJSONEncoder(&b, " ")
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Channeldata returns the channel's channeldata.json: per package name, its newest
// version (by file order: the last one added), subdirs and license.
func (c *Channel) Channeldata() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.channeldata()
}

func (c *Channel) channeldata() []byte {
	pkgs := map[string]map[string]any{}
	for _, f := range c.files {
		p := f.Package
		e := pkgs[p.Name]
		if e == nil {
			e = map[string]any{"subdirs": []string{}, "version": p.Version, "timestamp": p.Timestamp / 1000, "activate.d": false, "binary_prefix": false, "run_exports": map[string]any{}}
			pkgs[p.Name] = e
		}
		if p.Timestamp/1000 >= e["timestamp"].(int64) {
			e["version"], e["timestamp"] = p.Version, p.Timestamp/1000
		}
		if p.License != "" {
			e["license"] = p.License
		}
		if subs := e["subdirs"].([]string); !slices.Contains(subs, f.Subdir) {
			subs = append(subs, f.Subdir)
			slices.Sort(subs)
			e["subdirs"] = subs
		}
	}
	var b bytes.Buffer
	enc := newJSONEncoder(&b, "  ")
	if err := enc.Encode(map[string]any{"channeldata_version": 1, "packages": pkgs, "subdirs": c.subdirs()}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// ServeHTTP serves the channel (see Channel).
func (c *Channel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests[r.URL.Path]++
	delay := c.Delay
	c.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if path == "channeldata.json" {
		c.mu.Lock()
		body, mod := c.channeldata(), c.modified
		c.mu.Unlock()
		serveDocument(w, r, body, mod, "application/json")
		return
	}
	subdir, name, ok := strings.Cut(path, "/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.mu.Lock()
	known := slices.Contains(c.subdirs(), subdir)
	var body []byte
	mod := c.modified
	if known && strings.HasPrefix(name, "repodata.json") {
		body = c.repodata(subdir)
	}
	f := c.files[subdir+"/"+name]
	c.mu.Unlock()
	switch {
	case !known:
		http.NotFound(w, r)
	case name == "repodata.json":
		serveDocument(w, r, body, mod, "application/json")
	case name == "repodata.json.zst":
		enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		serveDocument(w, r, enc.EncodeAll(body, nil), mod, "application/zstd")
		enc.Close()
	case name == "repodata.json.bz2":
		var b bytes.Buffer
		bw, _ := bzip2.NewWriter(&b, nil)
		bw.Write(body)
		bw.Close()
		serveDocument(w, r, b.Bytes(), mod, "application/x-bzip2")
	case f != nil:
		data := f.Data
		if f.Corrupt {
			data = append([]byte("corrupted!"), data[min(10, len(data)):]...)
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		if r.Method == http.MethodGet {
			w.Write(data)
		}
	default:
		http.NotFound(w, r)
	}
}

// serveDocument answers with body, an ETag of its hash and Last-Modified, or 304 when the
// request's If-None-Match (or, without it, If-Modified-Since) says the client has it.
func serveDocument(w http.ResponseWriter, r *http.Request, body []byte, mod time.Time, contentType string) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "public, max-age=30")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			if tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/"); tag == etag || tag == "*" {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !mod.Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// WriteFolder lays the channel out in dir, as a local-folder upstream (file:// channel):
// channeldata.json, and per subdir repodata.json and the package files (uncorrupted).
func (c *Channel) WriteFolder(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, data, 0o644)
	}
	if err := write("channeldata.json", c.channeldata()); err != nil {
		return err
	}
	for _, s := range c.subdirs() {
		if err := write(s+"/repodata.json", c.repodata(s)); err != nil {
			return err
		}
	}
	for _, f := range c.files {
		if err := write(f.Subdir+"/"+f.Filename, f.Data); err != nil {
			return err
		}
	}
	return nil
}

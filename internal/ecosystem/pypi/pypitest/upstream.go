package pypitest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// File is a distribution file that an Index serves.
type File struct {
	Project        string // normalised project name
	Filename       string
	Data           []byte
	RequiresPython string
	Yanked         bool
	YankedReason   string
	// Metadata, if set, is served as the PEP 658 core metadata file.
	Metadata []byte
	// Corrupt makes the index advertise the right digest but serve other bytes.
	Corrupt bool
}

// Index is a fake upstream simple index, written independently of vetted's renderers,
// in the forms pypi.org uses. It counts the requests it receives.
type Index struct {
	// Format is "html", "json", or "" to negotiate on Accept like pypi.org.
	Format string
	// Delay is added before answering any request.
	Delay time.Duration

	mu       sync.Mutex
	files    map[string][]*File
	requests map[string]int
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{files: map[string][]*File{}, requests: map[string]int{}}
}

// Add adds a file.
func (ix *Index) Add(f File) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.files[f.Project] = append(ix.files[f.Project], &f)
}

// AddWheel and AddSdist add a project's distributions.
func (ix *Index) AddWheel(p Project) *File {
	f := File{Project: normalize(p.Name), Filename: p.WheelFilename(), Data: p.Wheel(), RequiresPython: p.RequiresPython, Metadata: p.Metadata()}
	ix.Add(f)
	return &f
}

// AddSdist adds the project's sdist.
func (ix *Index) AddSdist(p Project) {
	ix.Add(File{Project: normalize(p.Name), Filename: p.SdistFilename(), Data: p.Sdist(), RequiresPython: p.RequiresPython})
}

// Update changes the file of that name (for yank and corruption tests).
func (ix *Index) Update(filename string, change func(*File)) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, fs := range ix.files {
		for _, f := range fs {
			if f.Filename == filename {
				change(f)
			}
		}
	}
}

// Requests returns how many requests a path received.
func (ix *Index) Requests(path string) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.requests[path]
}

// WriteFolder writes every file (uncorrupted) into dir, as a local-folder upstream.
func (ix *Index) WriteFolder(dir string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, fs := range ix.files {
		for _, f := range fs {
			if err := os.WriteFile(filepath.Join(dir, f.Filename), f.Data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func normalize(name string) string {
	name = strings.ToLower(name)
	var b strings.Builder
	dash := false
	for _, c := range name {
		if c == '-' || c == '_' || c == '.' {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(c)
	}
	return b.String()
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ServeHTTP serves /simple/, /simple/<project>/ and /files/<filename>[.metadata].
func (ix *Index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ix.mu.Lock()
	ix.requests[r.URL.Path]++
	delay := ix.Delay
	ix.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case r.URL.Path == "/simple/":
		ix.serveList(w, r)
	case strings.HasPrefix(r.URL.Path, "/simple/"):
		ix.serveProject(w, r, strings.Trim(strings.TrimPrefix(r.URL.Path, "/simple/"), "/"))
	case strings.HasPrefix(r.URL.Path, "/files/"):
		ix.serveFile(w, r, strings.TrimPrefix(r.URL.Path, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

func (ix *Index) wantJSON(r *http.Request) bool {
	switch ix.Format {
	case "json":
		return true
	case "html":
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "application/vnd.pypi.simple.v1+json")
}

func (ix *Index) serveList(w http.ResponseWriter, r *http.Request) {
	ix.mu.Lock()
	var names []string
	for n := range ix.files {
		names = append(names, n)
	}
	ix.mu.Unlock()
	sort.Strings(names)
	if ix.wantJSON(r) {
		var projects []map[string]string
		for _, n := range names {
			projects = append(projects, map[string]string{"name": n})
		}
		w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
		json.NewEncoder(w).Encode(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "projects": projects})
		return
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Simple index</title></head><body>\n")
	for _, n := range names {
		fmt.Fprintf(w, "<a href=\"/simple/%s/\">%s</a>\n", n, n)
	}
	fmt.Fprint(w, "</body></html>\n")
}

func (ix *Index) serveProject(w http.ResponseWriter, r *http.Request, project string) {
	ix.mu.Lock()
	files := append([]*File(nil), ix.files[project]...)
	ix.mu.Unlock()
	if len(files) == 0 {
		http.NotFound(w, r)
		return
	}
	etag := `"` + digest([]byte(fmt.Sprint(len(files), files[len(files)-1].Filename, files[0].Yanked))) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if ix.wantJSON(r) {
		var out []map[string]any
		for _, f := range files {
			m := map[string]any{
				"filename":    f.Filename,
				"url":         "../../files/" + f.Filename,
				"hashes":      map[string]string{"sha256": digest(f.Data)},
				"size":        len(f.Data),
				"upload-time": "2024-01-02T03:04:05.000000Z",
			}
			if f.RequiresPython != "" {
				m["requires-python"] = f.RequiresPython
			}
			if f.Yanked {
				m["yanked"] = true
				if f.YankedReason != "" {
					m["yanked"] = f.YankedReason
				}
			}
			if f.Metadata != nil {
				m["core-metadata"] = map[string]string{"sha256": digest(f.Metadata)}
			}
			out = append(out, m)
		}
		w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
		json.NewEncoder(w).Encode(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": project, "files": out, "versions": []string{}})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n", project, project)
	for _, f := range files {
		attrs := ""
		if f.RequiresPython != "" {
			attrs += fmt.Sprintf(` data-requires-python="%s"`, html.EscapeString(f.RequiresPython))
		}
		if f.Yanked {
			attrs += fmt.Sprintf(` data-yanked="%s"`, html.EscapeString(f.YankedReason))
		}
		if f.Metadata != nil {
			attrs += fmt.Sprintf(` data-dist-info-metadata="sha256=%s" data-core-metadata="sha256=%s"`, digest(f.Metadata), digest(f.Metadata))
		}
		fmt.Fprintf(w, "    <a href=\"../../files/%s#sha256=%s\"%s>%s</a><br />\n", f.Filename, digest(f.Data), attrs, f.Filename)
	}
	fmt.Fprint(w, "  </body>\n</html>\n")
}

func (ix *Index) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	base, isMeta := strings.CutSuffix(name, ".metadata")
	ix.mu.Lock()
	var found *File
	for _, fs := range ix.files {
		for _, f := range fs {
			if f.Filename == base {
				found = f
			}
		}
	}
	ix.mu.Unlock()
	if found == nil || (isMeta && found.Metadata == nil) {
		http.NotFound(w, r)
		return
	}
	data := found.Data
	if isMeta {
		data = found.Metadata
	}
	if found.Corrupt && !isMeta {
		data = append([]byte("corrupted!"), data[10:]...)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

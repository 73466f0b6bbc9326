package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"vetted/internal/ecosystem/pypi"
	"vetted/internal/upstream"
)

// pypiSource is where a PyPI repository's index and files come from.
type pypiSource interface {
	// ProjectList returns the upstream's project list. notModified means prev still holds.
	ProjectList(ctx context.Context, prev upstream.Validators) (list *pypi.ProjectList, v upstream.Validators, notModified bool, err error)
	// Project returns a project page. A missing project is an *upstream.Error with NotFound().
	Project(ctx context.Context, name string, prev upstream.Validators) (p *pypi.Project, v upstream.Validators, notModified bool, err error)
	// Open streams a file that a page listed.
	Open(ctx context.Context, fileURL string) (io.ReadCloser, error)
	// String names the upstream in messages.
	String() string
}

// simpleAccept asks for PEP 691 JSON first, then PEP 503 HTML.
const simpleAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

// httpSource is an upstream simple index reached over HTTP(S).
type httpSource struct {
	base   string // ends with "/"
	client *upstream.Client
}

func newHTTPSource(base string, c *upstream.Client) *httpSource {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return &httpSource{base: base, client: c}
}

func (s *httpSource) String() string { return s.base }

func isJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/vnd.pypi.simple.v1+json" || mt == "application/json"
}

// checkPageType refuses an answer whose Content-Type is not a simple index format, as
// pip does: a login page served as text/plain or a file served as octet-stream would
// otherwise read as a page without files.
func checkPageType(page *upstream.Page) error {
	mt, _, _ := mime.ParseMediaType(page.ContentType)
	switch mt {
	case "text/html", "application/vnd.pypi.simple.v1+html", "application/xhtml+xml",
		"application/vnd.pypi.simple.v1+json", "application/json":
		return nil
	}
	return &BadUpstreamError{URL: page.URL, Err: fmt.Errorf("the answer's Content-Type is %q, not a simple index page (text/html, %s or %s)", page.ContentType, ContentTypeSimpleHTML, ContentTypeSimpleJSON)}
}

func (s *httpSource) ProjectList(ctx context.Context, prev upstream.Validators) (*pypi.ProjectList, upstream.Validators, bool, error) {
	page, err := s.client.GetPage(ctx, s.base, simpleAccept, prev)
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	if err := checkPageType(page); err != nil {
		return nil, upstream.Validators{}, false, err
	}
	var list *pypi.ProjectList
	if isJSON(page.ContentType) {
		list, err = pypi.ParseProjectListJSON(page.Body, page.URL)
	} else {
		list, err = pypi.ParseProjectListHTML(page.Body, page.URL)
	}
	if err != nil {
		return nil, upstream.Validators{}, false, &BadUpstreamError{URL: page.URL, Err: err}
	}
	return list, page.Validators, false, nil
}

func (s *httpSource) Project(ctx context.Context, name string, prev upstream.Validators) (*pypi.Project, upstream.Validators, bool, error) {
	u := s.base + url.PathEscape(name) + "/"
	page, err := s.client.GetPage(ctx, u, simpleAccept, prev)
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	if err := checkPageType(page); err != nil {
		return nil, upstream.Validators{}, false, err
	}
	var p *pypi.Project
	if isJSON(page.ContentType) {
		p, err = pypi.ParseProjectJSON(page.Body, page.URL)
	} else {
		p, err = pypi.ParseProjectHTML(page.Body, page.URL)
	}
	if err != nil {
		return nil, upstream.Validators{}, false, &BadUpstreamError{URL: page.URL, Err: err}
	}
	p.Name = name
	return p, page.Validators, false, nil
}

func (s *httpSource) Open(ctx context.Context, fileURL string) (io.ReadCloser, error) {
	rc, _, err := s.client.Open(ctx, fileURL)
	return rc, err
}

// folderSource builds an index from a local folder of wheels and sdists (searched
// recursively), for air-gapped sites. Files are hashed once per (path, size, mtime).
type folderSource struct {
	dir     string
	rescan  time.Duration
	clock   func() time.Time
	mu      sync.Mutex
	scanned time.Time
	byName  map[string][]pypi.File // normalised project → files
	paths   map[string]string      // file URL → path on disk (only scanned files can be opened)
	hashes  map[string]fileHash    // path → hash of a given size and mtime
	etag    string
}

type fileHash struct {
	size  int64
	mtime time.Time
	sum   string
}

func newFolderSource(dir string, rescan time.Duration, clock func() time.Time) (*folderSource, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("upstream folder %s: %w", dir, err)
	}
	return &folderSource{dir: abs, rescan: rescan, clock: clock, hashes: map[string]fileHash{}}, nil
}

func (s *folderSource) String() string { return s.dir }

// scan refreshes the index when it is older than the rescan interval.
func (s *folderSource) scan() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName != nil && s.clock().Sub(s.scanned) < s.rescan {
		return nil
	}
	byName := map[string][]pypi.File{}
	paths := map[string]string{}
	sig := sha256.New()
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != s.dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !pypi.SafeFilename(d.Name()) {
			return nil // symlinks and odd names are not served
		}
		dist, err := pypi.ParseFilename(d.Name())
		if err != nil {
			return nil // not a distribution
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum, err := s.hash(p, info)
		if err != nil {
			return err
		}
		u := (&url.URL{Scheme: "file", Path: p}).String()
		paths[u] = p
		byName[dist.Project] = append(byName[dist.Project], pypi.File{
			Filename:   d.Name(),
			URL:        u,
			Hashes:     map[string]string{"sha256": sum},
			Size:       info.Size(),
			UploadTime: info.ModTime().UTC().Format("2006-01-02T15:04:05.000000Z"),
		})
		fmt.Fprintf(sig, "%s\x00%s\n", p, sum)
		return nil
	})
	if err != nil {
		return &upstream.Error{URL: s.dir, Err: err}
	}
	for _, files := range byName {
		sort.Slice(files, func(i, j int) bool { return files[i].Filename < files[j].Filename })
	}
	s.byName, s.paths, s.scanned = byName, paths, s.clock()
	s.etag = `"` + hex.EncodeToString(sig.Sum(nil)[:12]) + `"`
	return nil
}

func (s *folderSource) hash(p string, info fs.FileInfo) (string, error) {
	if h, ok := s.hashes[p]; ok && h.size == info.Size() && h.mtime.Equal(info.ModTime()) {
		return h.sum, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	s.hashes[p] = fileHash{size: info.Size(), mtime: info.ModTime(), sum: sum}
	return sum, nil
}

func (s *folderSource) ProjectList(ctx context.Context, prev upstream.Validators) (*pypi.ProjectList, upstream.Validators, bool, error) {
	if err := s.scan(); err != nil {
		return nil, upstream.Validators{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := upstream.Validators{ETag: s.etag}
	if prev.ETag == s.etag {
		return nil, v, true, nil
	}
	list := &pypi.ProjectList{Meta: pypi.Meta{APIVersion: "1.1"}}
	for name := range s.byName {
		list.Projects = append(list.Projects, pypi.ProjectRef{Name: name})
	}
	sort.Slice(list.Projects, func(i, j int) bool { return list.Projects[i].Name < list.Projects[j].Name })
	return list, v, false, nil
}

func (s *folderSource) Project(ctx context.Context, name string, prev upstream.Validators) (*pypi.Project, upstream.Validators, bool, error) {
	if err := s.scan(); err != nil {
		return nil, upstream.Validators{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	files, ok := s.byName[name]
	if !ok {
		return nil, upstream.Validators{}, false, &upstream.Error{URL: filepath.Join(s.dir, name), Status: 404}
	}
	v := upstream.Validators{ETag: s.etag}
	if prev.ETag == s.etag {
		return nil, v, true, nil
	}
	p := &pypi.Project{Name: name, Meta: pypi.Meta{APIVersion: "1.1"}, Files: append([]pypi.File(nil), files...)}
	return p, v, false, nil
}

func (s *folderSource) Open(ctx context.Context, fileURL string) (io.ReadCloser, error) {
	// The page may come from the catalog (a restart): scan the folder so that its files
	// are known.
	if err := s.scan(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	p, ok := s.paths[fileURL]
	s.mu.Unlock()
	if !ok {
		return nil, &upstream.Error{URL: fileURL, Status: 404}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, &upstream.Error{URL: fileURL, Err: err}
	}
	return f, nil
}

package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vetted/internal/ecosystem/pypi"
	"vetted/internal/registry"
)

// Server routes HTTP requests to the registry.
type Server struct {
	pypi    *registry.PyPI
	log     *slog.Logger
	access  bool
	mux     *http.ServeMux
	metrics *metrics
	version string

	adminTokens []string // hex SHA-256 digests of admin bearer tokens
	findingsFn  FindingsFunc
}

// Options configure the HTTP surface.
type Options struct {
	Log       *slog.Logger
	AccessLog bool
	Registry  *prometheus.Registry // /metrics serves it; request metrics are added to it
	Version   string
	// AdminTokensSHA256 are the digests of the bearer tokens that may change triage.
	AdminTokensSHA256 []string
	// Findings lists advisories for the findings endpoints (nil: no such endpoints).
	Findings FindingsFunc
}

// New returns the HTTP handler.
func New(p *registry.PyPI, o Options) *Server {
	s := &Server{pypi: p, log: o.Log, access: o.AccessLog, mux: http.NewServeMux(), metrics: newMetrics(o.Registry), version: o.Version,
		adminTokens: o.AdminTokensSHA256, findingsFn: o.Findings}
	m := s.mux
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{}))
	m.HandleFunc("GET /pypi/{repo}/simple/{$}", s.projectList)
	m.HandleFunc("GET /pypi/{repo}/simple/{project}/{$}", s.projectPage)
	m.HandleFunc("GET /pypi/{repo}/simple/{project}", s.addSlash)
	m.HandleFunc("GET /pypi/{repo}/files/{project}/{filename}", s.file)
	m.HandleFunc("GET /api/v1/repositories/{repo}/decisions/{project}/{version}", s.decision)
	s.routeVuln()
	return s
}

// ServeHTTP implements http.Handler with the middleware around the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		id = errorID()
	}
	rec.Header().Set("X-Request-Id", id)
	if p := r.URL.EscapedPath(); p != "" && !isCleanPath(p) {
		// ServeMux would redirect to the cleaned path, which names another resource
		// ("/pypi/r/files/p/../../x" → "/pypi/x"). No vetted URL has such a segment.
		s.fail(rec, r, fmt.Errorf("path %q: %w: it has an empty, '.' or '..' segment, which no vetted URL has", p, registry.ErrInvalid))
	} else {
		s.mux.ServeHTTP(rec, r)
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	elapsed := time.Since(start)
	s.metrics.observe(route, rec.status, elapsed)
	if s.access {
		s.log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000, "request_id", id, "remote", r.RemoteAddr)
	}
}

// isCleanPath reports whether an absolute request path has no empty, "." or ".."
// segment (a trailing slash is allowed).
func isCleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "vetted %s: a governed package repository.\nPyPI: pip install --index-url %s/pypi/<repository>/simple/ <project>\n", s.version, baseURL(r))
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.pypi.Ready(ctx); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: %v\n", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ready")
}

// projectList serves GET /pypi/{repo}/simple/.
func (s *Server) projectList(w http.ResponseWriter, r *http.Request) {
	ct, ok := negotiate(r)
	if !ok {
		notAcceptable(w)
		return
	}
	page, err := s.pypi.ProjectList(r.Context(), r.PathValue("repo"), formatOf(ct))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, page, ct)
}

// projectPage serves GET /pypi/{repo}/simple/{project}/, redirecting names that are not
// normalised (PEP 503) to their normal form.
func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")
	if norm := pypi.NormalizeName(project); norm != project && pypi.ValidName(project) {
		redirect(w, r, "/pypi/"+r.PathValue("repo")+"/simple/"+norm+"/")
		return
	}
	ct, ok := negotiate(r)
	if !ok {
		notAcceptable(w)
		return
	}
	page, err := s.pypi.ProjectPage(r.Context(), r.PathValue("repo"), project, formatOf(ct))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, page, ct)
}

// addSlash serves GET /pypi/{repo}/simple/{project} (no trailing slash).
func (s *Server) addSlash(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")
	if !pypi.ValidName(project) {
		s.fail(w, r, fmt.Errorf("project name %q: %w", project, registry.ErrInvalid))
		return
	}
	redirect(w, r, "/pypi/"+r.PathValue("repo")+"/simple/"+pypi.NormalizeName(project)+"/")
}

func redirect(w http.ResponseWriter, r *http.Request, path string) {
	u := (&url.URL{Path: path, RawQuery: r.URL.RawQuery}).String()
	http.Redirect(w, r, u, http.StatusMovedPermanently)
}

func notAcceptable(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotAcceptable)
	fmt.Fprintf(w, "none of the requested media types is available; accept one of %s\n", strings.Join(offers, ", "))
}

// writePage sends a rendered index page, honouring If-None-Match and gzip.
func writePage(w http.ResponseWriter, r *http.Request, page *registry.Page, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Vary", "Accept, Accept-Encoding")
	// Index pages revalidate every time, so a policy change is seen at once.
	h.Set("Cache-Control", "max-age=0, must-revalidate")
	if page.Warning != "" {
		h.Set("Warning", page.Warning)
	}
	if !page.LastModified.IsZero() {
		h.Set("Last-Modified", page.LastModified.UTC().Format(http.TimeFormat))
	}
	body, etag := page.Body, page.ETag
	if acceptsGzip(r) {
		body = page.Gzip
		etag = strings.TrimSuffix(etag, `"`) + `-gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return qvalue(params) > 0
		}
	}
	return false
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// file serves GET /pypi/{repo}/files/{project}/{filename} (and {filename}.metadata).
func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	a, err := s.pypi.File(r.Context(), r.PathValue("repo"), r.PathValue("project"), r.PathValue("filename"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer a.Content.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if strings.HasSuffix(a.Filename, ".metadata") {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	h.Set("ETag", `"`+a.Info.SHA256+`"`)
	// A file's bytes never change, but whether policy allows it may: caches keep it
	// briefly and then revalidate (a cheap 304, or the 403 of a new block).
	h.Set("Cache-Control", "private, max-age=600")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", a.Info.ModTime, a.Content)
}

// decision serves GET /api/v1/repositories/{repo}/decisions/{project}/{version}.
func (s *Server) decision(w http.ResponseWriter, r *http.Request) {
	ex, err := s.pypi.Explain(r.Context(), r.PathValue("repo"), r.PathValue("project"), r.PathValue("version"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(ex)
}

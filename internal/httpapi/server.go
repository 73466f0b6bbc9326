package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vetted/internal/ecosystem/pypi"
	"vetted/internal/registry"
)

// Server routes HTTP requests to the registry.
type Server struct {
	pypi    *registry.PyPI
	conda   *registry.Conda
	cran    *registry.CRAN
	log     *slog.Logger
	access  *slog.Logger // nil: no access log
	mux     *http.ServeMux
	metrics *metrics
	version string

	adminTokens []string   // hex SHA-256 digests of admin bearer tokens
	readTokens  readTokens // private repositories
	findingsFn  FindingsFunc

	idPrefix string        // random per process
	requests atomic.Uint64 // request counter for ids
}

// Options configure the HTTP surface.
type Options struct {
	Log *slog.Logger
	// AccessLog, if not nil, gets one line per request (give it a buffered writer: it
	// is on every request's path).
	AccessLog *slog.Logger
	Registry  *prometheus.Registry // /metrics serves it; request metrics are added to it
	Version   string
	// AdminTokensSHA256 are the digests of the bearer tokens that may change triage.
	AdminTokensSHA256 []string
	// Findings lists advisories for the findings endpoints (nil: no such endpoints).
	Findings FindingsFunc
	// Conda serves the conda channels (nil: none).
	Conda *registry.Conda
	// CRAN serves the CRAN repositories (nil: none).
	CRAN *registry.CRAN
	// ReadTokensSHA256 makes repositories private: repository name → token digests.
	ReadTokensSHA256 map[string][]string
}

// New returns the HTTP handler.
func New(p *registry.PyPI, o Options) *Server {
	s := &Server{pypi: p, conda: o.Conda, cran: o.CRAN, log: o.Log, access: o.AccessLog, mux: http.NewServeMux(), metrics: newMetrics(o.Registry), version: o.Version,
		adminTokens: o.AdminTokensSHA256, readTokens: o.ReadTokensSHA256, findingsFn: o.Findings, idPrefix: errorID() + "-"}
	m := s.mux
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{}))
	m.HandleFunc("GET /pypi/{repo}/simple/{$}", s.private(s.projectList))
	m.HandleFunc("GET /pypi/{repo}/simple/{project}/{$}", s.private(s.projectPage))
	m.HandleFunc("GET /pypi/{repo}/simple/{project}", s.private(s.addSlash))
	m.HandleFunc("GET /pypi/{repo}/files/{project}/{filename}", s.private(s.file))
	m.HandleFunc("GET /api/v1/repositories/{repo}/decisions/{project}/{version}", s.private(s.decision))
	s.routeVuln()
	s.routeConda()
	s.routeCRAN()
	return s
}

// ServeHTTP implements http.Handler with the middleware around the routes.
//
// It runs on every request, so it allocates once (the exchange) and leaves the rest to
// precomputed values: see BenchmarkServePageJSON in bench/ for its cost.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ex := &exchange{recorder: recorder{ResponseWriter: w, status: http.StatusOK}}
	rec := &ex.recorder
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || !printable(id) {
		id = s.nextID()
	}
	ex.id[0] = id
	rec.Header()["X-Request-Id"] = ex.id[:]
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
	end := time.Now()
	elapsed := end.Sub(start)
	s.metrics.observe(route, rec.status, elapsed)
	if s.access != nil {
		s.logAccess(r, rec, id, end, elapsed)
	}
}

// exchange is the middleware's state of one request, in one allocation: the recorder
// the routes write to and the X-Request-Id header value. It is not pooled: net/http
// may still read the header value after ServeHTTP returns (it writes the header of a
// response without a body then).
type exchange struct {
	recorder
	id [1]string
}

// logAccess writes the access log line of a request that ended at end. It hands the
// record to the handler itself, as slog's documentation shows for wrappers, rather than
// through Logger.LogAttrs: that would look up the caller's program counter on every
// request (runtime.Callers, the costliest part of slog's front end), and an access line
// has no use for a source location.
func (s *Server) logAccess(r *http.Request, rec *recorder, id string, end time.Time, elapsed time.Duration) {
	h := s.access.Handler()
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	line := slog.NewRecord(end, slog.LevelInfo, "http", 0)
	line.AddAttrs(
		slog.String("method", r.Method), slog.String("path", redactToken(r.URL.Path)), slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("request_id", id), slog.String("remote", r.RemoteAddr))
	h.Handle(r.Context(), line)
}

// nextID returns a request id: this process's random prefix and a counter, unique
// across restarts and replicas without a random read per request.
func (s *Server) nextID() string {
	n := s.requests.Add(1)
	return string(strconv.AppendUint([]byte(s.idPrefix), n, 36))
}

// printable reports whether a client-supplied request id is safe to echo and log.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// isCleanPath reports whether an absolute request path has no empty, "." or ".."
// segment (a trailing slash is allowed): whether path.Clean would keep it as it is.
func isCleanPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/")
	if !ok {
		return false
	}
	for rest != "" {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		if !more {
			break
		}
		rest = after
	}
	return true
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
	// Header values are precomputed per rendering and assigned directly (the keys are
	// already canonical): this is the hottest path of the server.
	h := w.Header()
	hv := page.Headers()
	h["Content-Type"] = contentTypeValue(contentType)
	h["Vary"] = varyValue
	// Index pages revalidate every time, so a policy change is seen at once.
	h["Cache-Control"] = revalidateValue
	if page.Warning != "" {
		h.Set("Warning", page.Warning)
	}
	if hv.LastModified != nil {
		h["Last-Modified"] = hv.LastModified
	}
	body, etag, length := page.Body, hv.ETag, hv.ContentLength
	if page.Gzip != nil && acceptsGzip(r) {
		body, etag, length = page.Gzip, hv.GzipETag, hv.GzipContentLength
		h["Content-Encoding"] = gzipValue
	}
	h["Etag"] = etag
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm, etag[0]) {
		delete(h, "Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Length"] = length
	if r.Method == http.MethodHead {
		return
	}
	writeBody(w, r, body)
}

var (
	varyValue       = []string{"Accept, Accept-Encoding"}
	revalidateValue = []string{"max-age=0, must-revalidate"}
	gzipValue       = []string{"gzip"}
	// contentTypes are the Content-Type values of the simple API's media types.
	contentTypes = func() map[string][]string {
		m := map[string][]string{}
		for _, ct := range offers {
			m[ct] = []string{ct}
		}
		m["text/html"] = []string{"text/html; charset=utf-8"}
		return m
	}()
)

func contentTypeValue(ct string) []string {
	if v, ok := contentTypes[ct]; ok {
		return v
	}
	return []string{ct}
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header["Accept-Encoding"] {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				return qvalue(params) > 0
			}
		}
	}
	return false
}

// etagMatch reports whether If-None-Match header values name etag (or are "*").
func etagMatch(values []string, etag string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
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

// decision serves GET /api/v1/repositories/{repo}/decisions/{project}/{version}, for a
// repository of any ecosystem.
func (s *Server) decision(w http.ResponseWriter, r *http.Request) {
	repo := r.PathValue("repo")
	var explain func(ctx context.Context, repo, project, version string) (*registry.Explanation, error)
	switch {
	case s.pypi.Has(repo):
		explain = s.pypi.Explain
	case s.conda != nil && s.conda.Has(repo):
		explain = s.conda.Explain
	case s.cran != nil && s.cran.Has(repo):
		explain = s.cran.Explain
	default:
		s.fail(w, r, fmt.Errorf("repository %q: %w (no repository of that name is configured)", repo, registry.ErrNotFound))
		return
	}
	ex, err := explain(r.Context(), repo, r.PathValue("project"), r.PathValue("version"))
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

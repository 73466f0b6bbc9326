package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"vetted/internal/registry"
)

func (s *Server) routeCRAN() {
	s.mux.HandleFunc("GET /cran/{repo}/src/contrib/{file}", s.private(s.cranFile))
	s.mux.HandleFunc("GET /cran/{repo}/src/contrib/Archive/{pkg}/{file}", s.private(s.cranFile))
	s.mux.HandleFunc("GET /cran/{repo}/bin/{path...}", s.private(s.cranBinary))
	// Uploads to hosted repositories: curl -T pkg_1.0.tar.gz -H "Authorization: Bearer $TOKEN" <url>/cran/<repo>/src/contrib/
	s.mux.HandleFunc("PUT /cran/{repo}/src/contrib/{file}", s.admin(s.cranUpload))
}

// cranFile serves GET /cran/{repo}/src/contrib/{PACKAGES,PACKAGES.gz,<pkg>_<ver>.tar.gz}
// and the Archive/<pkg>/ paths of older versions.
func (s *Server) cranFile(w http.ResponseWriter, r *http.Request) {
	repo, file := r.PathValue("repo"), r.PathValue("file")
	if s.cran == nil || !s.cran.Has(repo) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no CRAN repository of that name is configured)", repo, registry.ErrNotFound))
		return
	}
	if pkg := r.PathValue("pkg"); pkg != "" && !strings.HasPrefix(file, pkg+"_") {
		s.fail(w, r, fmt.Errorf("%s is not a version of %s: %w", file, pkg, registry.ErrNotFound))
		return
	}
	switch file {
	case "PACKAGES", "PACKAGES.gz":
		page, err := s.cran.Packages(r.Context(), repo, file == "PACKAGES.gz")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writePage(w, r, page, page.ContentType)
		return
	case "PACKAGES.rds":
		// R reads this first and falls back to PACKAGES.gz; vetted does not write R's
		// serialization format.
		s.fail(w, r, fmt.Errorf("PACKAGES.rds is not served; R falls back to PACKAGES.gz: %w", registry.ErrNotFound))
		return
	}
	a, err := s.cran.File(r.Context(), repo, file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer a.Content.Close()
	h := w.Header()
	h.Set("Content-Type", "application/x-gzip")
	h.Set("ETag", `"`+a.Info.SHA256+`"`)
	h.Set("Cache-Control", "private, max-age=600")
	http.ServeContent(w, r, "", a.Info.ModTime, a.Content)
}

// cranUpload serves PUT /cran/{repo}/src/contrib/{file}.
func (s *Server) cranUpload(w http.ResponseWriter, r *http.Request) {
	repo := r.PathValue("repo")
	if s.cran == nil || !s.cran.Has(repo) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no CRAN repository of that name is configured)", repo, registry.ErrNotFound))
		return
	}
	e, err := s.cran.Upload(r.Context(), repo, r.PathValue("file"), r.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"package": e.Package(), "version": e.Version(), "md5sum": e.Get("MD5sum")})
}

// cranBinary serves GET /cran/{repo}/bin/<dir>/{PACKAGES,PACKAGES.gz,<pkg>_<ver>.zip|.tgz}.
func (s *Server) cranBinary(w http.ResponseWriter, r *http.Request) {
	repo := r.PathValue("repo")
	if s.cran == nil || !s.cran.Has(repo) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no CRAN repository of that name is configured)", repo, registry.ErrNotFound))
		return
	}
	p := r.PathValue("path")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		s.fail(w, r, fmt.Errorf("bin/%s: %w", p, registry.ErrNotFound))
		return
	}
	dir, file := p[:i], p[i+1:]
	switch file {
	case "PACKAGES", "PACKAGES.gz":
		page, err := s.cran.BinaryPackages(r.Context(), repo, dir, file == "PACKAGES.gz")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writePage(w, r, page, page.ContentType)
		return
	case "PACKAGES.rds":
		s.fail(w, r, fmt.Errorf("PACKAGES.rds is not served; R falls back to PACKAGES.gz: %w", registry.ErrNotFound))
		return
	}
	a, err := s.cran.BinaryFile(r.Context(), repo, dir, file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer a.Content.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"`+a.Info.SHA256+`"`)
	w.Header().Set("Cache-Control", "private, max-age=600")
	http.ServeContent(w, r, "", a.Info.ModTime, a.Content)
}

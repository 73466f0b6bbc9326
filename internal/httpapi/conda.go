package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"vetted/internal/registry"
)

func (s *Server) routeConda() {
	m := s.mux
	m.HandleFunc("GET /conda/{repo}/{subdir}/{file}", s.private(s.condaFile))
	m.HandleFunc("GET /conda/{repo}/channeldata.json", s.private(s.condaChanneldata))
	m.HandleFunc("GET /t/{token}/conda/{repo}/channeldata.json", s.private(s.condaChanneldata))
	// anaconda.org's token form: the token is part of the path (conda puts it there).
	m.HandleFunc("GET /t/{token}/conda/{repo}/{subdir}/{file}", s.private(s.condaFile))
	m.HandleFunc("GET /conda/{repo}/{subdir}/shards/{file}", s.private(s.condaShard))
	// Uploads to hosted channels: curl -T pkg.conda -H "Authorization: Bearer $TOKEN" <url>/conda/<repo>/
	m.HandleFunc("PUT /conda/{repo}/{subdir}/{file}", s.admin(s.condaUpload))
	m.HandleFunc("PUT /conda/{repo}/{file}", s.admin(s.condaUpload))
	m.HandleFunc("POST /conda/{repo}/{subdir}/{file}", s.admin(s.condaUpload))
	m.HandleFunc("GET /t/{token}/conda/{repo}/{subdir}/shards/{file}", s.private(s.condaShard))
}

// condaDocs are the index documents of a subdir, by file name.
var condaDocs = map[string]registry.CondaDoc{
	"repodata.json":               registry.RepodataJSON,
	"repodata.json.zst":           registry.RepodataZstd,
	"repodata.json.bz2":           registry.RepodataBzip2,
	"current_repodata.json":       registry.CurrentRepodata,
	"repodata_shards.msgpack.zst": registry.RepodataShards,
}

// condaShard serves GET /conda/{repo}/{subdir}/shards/{file} (CEP 16).
func (s *Server) condaShard(w http.ResponseWriter, r *http.Request) {
	if s.conda == nil || !s.conda.Has(r.PathValue("repo")) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no conda repository of that name is configured)", r.PathValue("repo"), registry.ErrNotFound))
		return
	}
	page, err := s.conda.Shard(r.Context(), r.PathValue("repo"), r.PathValue("subdir"), r.PathValue("file"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, page, page.ContentType)
}

// condaFile serves GET /conda/{repo}/{subdir}/{file}: an index document or a package.
func (s *Server) condaFile(w http.ResponseWriter, r *http.Request) {
	if s.conda == nil || !s.conda.Has(r.PathValue("repo")) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no conda repository of that name is configured)", r.PathValue("repo"), registry.ErrNotFound))
		return
	}
	repo, subdir, file := r.PathValue("repo"), r.PathValue("subdir"), r.PathValue("file")
	if which, ok := condaDocs[file]; ok {
		page, err := s.conda.Repodata(r.Context(), repo, subdir, which)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writePage(w, r, page, page.ContentType)
		return
	}
	a, err := s.conda.File(r.Context(), repo, subdir, file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer a.Content.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("ETag", `"`+a.Info.SHA256+`"`)
	h.Set("Cache-Control", "private, max-age=600")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", a.Info.ModTime, a.Content)
}

// redactToken hides the token of a /t/<token>/ path: tokens never reach the logs.
func redactToken(path string) string {
	if rest, ok := strings.CutPrefix(path, "/t/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return "/t/<token>" + rest[i:]
		}
		return "/t/<token>"
	}
	return path
}

// condaUpload serves PUT /conda/{repo}/[{subdir}/]{file}: a package for a hosted channel
// (the subdir comes from the package's info/index.json when the URL has none).
func (s *Server) condaUpload(w http.ResponseWriter, r *http.Request) {
	if s.conda == nil || !s.conda.Has(r.PathValue("repo")) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no conda repository of that name is configured)", r.PathValue("repo"), registry.ErrNotFound))
		return
	}
	rec, err := s.conda.Upload(r.Context(), r.PathValue("repo"), r.PathValue("subdir"), r.PathValue("file"), r.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"name": rec.Name, "version": rec.Version, "build": rec.Build, "subdir": rec.Subdir,
		"sha256": rec.SHA256, "md5": rec.MD5, "size": rec.Size,
	})
}

// condaChanneldata serves GET /conda/{repo}/channeldata.json.
func (s *Server) condaChanneldata(w http.ResponseWriter, r *http.Request) {
	if s.conda == nil || !s.conda.Has(r.PathValue("repo")) {
		s.fail(w, r, fmt.Errorf("repository %q: %w (no conda repository of that name is configured)", r.PathValue("repo"), registry.ErrNotFound))
		return
	}
	page, err := s.conda.Channeldata(r.Context(), r.PathValue("repo"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, page, page.ContentType)
}

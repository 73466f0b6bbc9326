package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/registry"
)

// FindingsFunc lists the advisories of a project (version "") or of one version;
// ecosystem is a configuration name such as pypi.
type FindingsFunc func(ctx context.Context, ecosystem, project, version string) ([]registry.Finding, error)

func (s *Server) routeVuln() {
	m := s.mux
	m.HandleFunc("GET /api/v1/advisories/{id}", s.advisory)
	m.HandleFunc("GET /api/v1/findings/{ecosystem}/{project}", s.findings)
	m.HandleFunc("GET /api/v1/findings/{ecosystem}/{project}/{version}", s.findings)
	m.HandleFunc("GET /api/v1/triage", s.listTriage)
	m.HandleFunc("GET /api/v1/triage/openvex", s.openVEX)
	m.HandleFunc("POST /api/v1/triage", s.admin(s.saveTriage))
	m.HandleFunc("PUT /api/v1/triage/{id}", s.admin(s.saveTriage))
	m.HandleFunc("DELETE /api/v1/triage/{id}", s.admin(s.deleteTriage))
	m.HandleFunc("GET /api/v1/events", s.events)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// admin lets a request through only with a bearer token whose SHA-256 digest is
// configured (api.admin_tokens_sha256).
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vetted"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "this endpoint changes data: send Authorization: Bearer <admin token> (see api.admin_tokens_sha256)", "status": 401})
			return
		}
		sum := sha256.Sum256([]byte(token))
		got := hex.EncodeToString(sum[:])
		for _, want := range s.adminTokens {
			if subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(want))) == 1 {
				h(w, r)
				return
			}
		}
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "this token is not an admin token (its SHA-256 digest is not in api.admin_tokens_sha256)", "status": 403})
	}
}

// advisory serves GET /api/v1/advisories/{id}.
func (s *Server) advisory(w http.ResponseWriter, r *http.Request) {
	a, err := s.pypi.Advisory(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// findings serves GET /api/v1/findings/{ecosystem}/{project}[/{version}].
func (s *Server) findings(w http.ResponseWriter, r *http.Request) {
	if s.findingsFn == nil {
		s.fail(w, r, fmt.Errorf("vulnerability facts: %w", registry.ErrNotFound))
		return
	}
	list, err := s.findingsFn(r.Context(), r.PathValue("ecosystem"), r.PathValue("project"), r.PathValue("version"))
	if err != nil {
		s.fail(w, r, fmt.Errorf("%v: %w", err, registry.ErrInvalid))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"findings": list})
}

// listTriage serves GET /api/v1/triage.
func (s *Server) listTriage(w http.ResponseWriter, r *http.Request) {
	list, err := s.pypi.ListTriage(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []registry.TriageView{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"triage": list})
}

// openVEX serves GET /api/v1/triage/openvex.
func (s *Server) openVEX(w http.ResponseWriter, r *http.Request) {
	doc, err := s.pypi.OpenVEX(r.Context(), "vetted at "+r.Host)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// triageRequest is the JSON body of POST and PUT /api/v1/triage.
type triageRequest struct {
	AdvisoryID    string `json:"advisory_id"`
	Ecosystem     string `json:"ecosystem"` // OSV name: PyPI, CRAN
	Project       string `json:"project"`
	Versions      string `json:"versions"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
	Owner         string `json:"owner"`
	Note          string `json:"note"`
	Expires       string `json:"expires"` // RFC 3339, optional
}

// saveTriage serves POST /api/v1/triage and PUT /api/v1/triage/{id}.
func (s *Server) saveTriage(w http.ResponseWriter, r *http.Request) {
	var req triageRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, fmt.Errorf("triage body: %v: %w", err, registry.ErrInvalid))
		return
	}
	t := catalog.Triage{AdvisoryID: req.AdvisoryID, Ecosystem: req.Ecosystem, Project: req.Project, Versions: req.Versions,
		Status: req.Status, Justification: req.Justification, Owner: req.Owner, Note: req.Note}
	if req.Expires != "" {
		exp, err := time.Parse(time.RFC3339, req.Expires)
		if err != nil {
			s.fail(w, r, fmt.Errorf("triage: expires %q is not an RFC 3339 time (example: 2027-01-31T00:00:00Z): %w", req.Expires, registry.ErrInvalid))
			return
		}
		t.Expires = exp
	}
	status := http.StatusCreated
	if idText := r.PathValue("id"); idText != "" {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, fmt.Errorf("triage id %q: %w", idText, registry.ErrInvalid))
			return
		}
		t.ID, status = id, http.StatusOK
	}
	stored, res, err := s.pypi.SaveTriage(r.Context(), t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, map[string]any{"triage": stored, "reevaluation": res})
}

// deleteTriage serves DELETE /api/v1/triage/{id}.
func (s *Server) deleteTriage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, fmt.Errorf("triage id %q: %w", r.PathValue("id"), registry.ErrInvalid))
		return
	}
	res, err := s.pypi.DeleteTriage(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id, "reevaluation": res})
}

// events serves GET /api/v1/events?after=ID&limit=N: decision changes, oldest first.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	list, err := s.pypi.Events(r.Context(), after, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []catalog.DecisionEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": list})
}

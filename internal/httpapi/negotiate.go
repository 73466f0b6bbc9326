package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"vetted/internal/registry"
)

// offers are the media types of the simple API, in vetted's order of preference when a
// client rates several equally.
var offers = []string{
	registry.ContentTypeSimpleJSON,
	registry.ContentTypeSimpleHTML,
	"text/html",
}

// wildcardOrder is the preference when the client accepts any type.
var wildcardOrder = []string{"text/html", registry.ContentTypeSimpleHTML, registry.ContentTypeSimpleJSON}

// aliases maps the PEP 691 "latest" names to the versions vetted serves.
var aliases = map[string]string{
	"application/vnd.pypi.simple.latest+json": registry.ContentTypeSimpleJSON,
	"application/vnd.pypi.simple.latest+html": registry.ContentTypeSimpleHTML,
}

// negotiate picks the response media type (PEP 691): the ?format= query parameter wins,
// then the Accept header with q-values; no Accept header means text/html. ok is false
// when nothing acceptable is offered (406).
func negotiate(r *http.Request) (string, bool) {
	if f := formatParam(r); f != "" {
		switch f {
		case "json":
			return registry.ContentTypeSimpleJSON, true
		case "html":
			return registry.ContentTypeSimpleHTML, true
		}
		if a, ok := aliases[f]; ok {
			return a, true
		}
		for _, o := range offers {
			if o == f {
				return o, true
			}
		}
		return "", false
	}
	accept := r.Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return "text/html", true
	}
	best, bestQ, bestRank := "", 0.0, len(offers)
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		q := qvalue(params)
		if q <= 0 {
			continue
		}
		if a, ok := aliases[mt]; ok {
			mt = a
		}
		candidates := offers
		if strings.Contains(mt, "*") {
			// A wildcard names no particular type: like pypi.org, answer HTML, which
			// browsers and curl users expect and every client understands.
			candidates = wildcardOrder
		}
		for rank, o := range candidates {
			if !mediaMatch(mt, o) {
				continue
			}
			if q > bestQ || (q == bestQ && rank < bestRank) {
				best, bestQ, bestRank = o, q, rank
			}
		}
	}
	return best, best != ""
}

// formatParam returns the ?format= query parameter. Most requests have no query, and
// they cost no parsing (URL.Query makes a map even of an empty query).
func formatParam(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return r.URL.Query().Get("format")
}

func mediaMatch(pattern, offer string) bool {
	if pattern == "*/*" || pattern == offer {
		return true
	}
	if typ, ok := strings.CutSuffix(pattern, "/*"); ok {
		return strings.HasPrefix(offer, typ+"/")
	}
	return false
}

// qvalue returns the q parameter of a media range's parameters (default 1).
func qvalue(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || q < 0 {
				return 0
			}
			return min(q, 1)
		}
	}
	return 1
}

func formatOf(contentType string) registry.Format {
	if contentType == registry.ContentTypeSimpleJSON {
		return registry.FormatJSON
	}
	return registry.FormatHTML
}

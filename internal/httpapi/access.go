package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// readTokens holds, per private repository, the SHA-256 digests of the tokens that may
// read it. Repositories not listed are public.
type readTokens map[string][]string

// tokenOf finds the token a request carries: conda's /t/<token>/ path prefix, a Bearer
// token, or the password of Basic credentials (R and pip put https://user:TOKEN@host/ in
// the URL, which the client sends as Basic).
func tokenOf(r *http.Request) string {
	if t := r.PathValue("token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if _, pw, ok := r.BasicAuth(); ok {
		return pw
	}
	return ""
}

// allowed reports whether the request may read the repository.
func (t readTokens) allowed(repo string, r *http.Request) bool {
	digests, private := t[repo]
	if !private {
		return true
	}
	tok := tokenOf(r)
	if tok == "" {
		return false
	}
	sum := sha256.Sum256([]byte(tok))
	got := []byte(hex.EncodeToString(sum[:]))
	ok := false
	for _, d := range digests {
		if subtle.ConstantTimeCompare(got, []byte(strings.ToLower(d))) == 1 {
			ok = true
		}
	}
	return ok
}

// private wraps a repository route: a private repository answers 401 (with a Basic
// challenge, which pip, conda and R understand) to a request without a valid token.
func (s *Server) private(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.readTokens.allowed(r.PathValue("repo"), r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="vetted: `+r.PathValue("repo")+`"`)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("repository " + r.PathValue("repo") + " is private: send a read token (as the password in the URL, https://user:TOKEN@host/..., or as Authorization: Bearer TOKEN)\n"))
			return
		}
		h(w, r)
	}
}

package pypi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The simple repository API: PEP 503 (HTML), PEP 629 (api version), PEP 691 (JSON),
// PEP 592 (yanked), PEP 658 and 714 (core metadata), PEP 700 (versions, size,
// upload-time). The parsers accept what real indexes send; the renderers write API
// version 1.1 in both formats.

const (
	// APIVersion is the simple repository API version the renderers write.
	APIVersion = "1.1"
	// ContentTypeJSON and ContentTypeHTML are the PEP 691 media types of the two formats.
	ContentTypeJSON = "application/vnd.pypi.simple.v1+json"
	ContentTypeHTML = "application/vnd.pypi.simple.v1+html"
	// MaxPageBytes bounds the size of a page the parsers accept. The largest pages on
	// pypi.org are a few tens of MiB.
	MaxPageBytes = 256 << 20
)

// pageParser carries what every page parser needs: the page URL for errors and for
// resolving relative links.
type pageParser struct {
	pageURL string
	base    *url.URL // nil when the page URL is empty: links are then kept as they are
}

func newPageParser(body []byte, pageURL string) (*pageParser, error) {
	pp := &pageParser{pageURL: pageURL}
	if pageURL == "" {
		pp.pageURL = "page"
	}
	if len(body) > MaxPageBytes {
		return nil, pp.errorf("the page is %d bytes, more than the %d MiB limit; ask the index for a smaller page or raise MaxPageBytes", len(body), MaxPageBytes>>20)
	}
	if pageURL != "" {
		u, err := url.Parse(pageURL)
		if err != nil {
			return nil, &ParseError{Source: pp.pageURL, Detail: "the page URL is not a URL", Err: err}
		}
		pp.base = u
	}
	return pp, nil
}

func (pp *pageParser) errorf(format string, args ...any) error {
	return &ParseError{Source: pp.pageURL, Detail: fmt.Sprintf(format, args...)}
}

// resolve resolves a link against base and splits off its fragment.
func (pp *pageParser) resolve(base *url.URL, link string) (u *url.URL, fragment string, err error) {
	if base != nil {
		u, err = base.Parse(link)
	} else {
		u, err = url.Parse(link)
	}
	if err != nil {
		return nil, "", err
	}
	fragment = u.Fragment
	u.Fragment, u.RawFragment = "", ""
	return u, fragment, nil
}

// projectNameFromURL returns the last non-empty path segment of the page URL ("foo" for
// https://pypi.org/simple/foo/), or "".
func (pp *pageParser) projectNameFromURL() string {
	if pp.base == nil {
		return ""
	}
	p := strings.TrimRight(pp.base.Path, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// checkAPIVersion applies PEP 629: a client must refuse a major version it does not know.
func (pp *pageParser) checkAPIVersion(v string) error {
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return pp.errorf("repository API version %s is not supported; this reader understands 1.x (PEP 629)", quote(v))
	}
	return nil
}

// parseHashFragment reads a PEP 503 "#sha256=<hex>" fragment.
func parseHashFragment(frag string) (name, digest string, ok bool) {
	name, digest, ok = strings.Cut(frag, "=")
	if !ok || !validHashName(name) || !isHex(digest) {
		return "", "", false
	}
	return strings.ToLower(name), strings.ToLower(digest), true
}

// validHashName accepts hashlib-style algorithm names: sha256, sha3_256, blake2b.
func validHashName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// hashRank orders hash algorithms for the one hash an HTML link can carry: sha256 first
// (what every installer checks), then the others from strongest to weakest.
func hashRank(name string) int {
	switch name {
	case "sha256":
		return 0
	case "sha512":
		return 1
	case "sha3_512":
		return 2
	case "blake2b":
		return 3
	case "sha384":
		return 4
	case "sha3_384":
		return 5
	case "sha3_256":
		return 6
	case "blake2s":
		return 7
	case "sha224":
		return 8
	case "sha3_224":
		return 9
	case "sha1":
		return 10
	case "md5":
		return 11
	}
	return 12
}

// preferredHash picks the hash an HTML link carries: see hashRank; ties (unknown
// algorithms) break by name so the choice is deterministic.
func preferredHash(h map[string]string) (name, digest string, ok bool) {
	best := 1 << 30
	for n, d := range h {
		if r := hashRank(n); r < best || (r == best && n < name) {
			best, name, digest, ok = r, n, d, true
		}
	}
	return name, digest, ok
}

// deriveVersions returns the distinct versions of a project's files in PEP 440 order, as
// the first file of each spells it ("1.0" and "1.0.0" are one version). Files whose
// names do not parse are skipped.
func deriveVersions(project string, files []File) []string {
	var vs []string
	seen := make(map[string]bool)
	for i := range files {
		d, err := ParseFilenameFor(project, files[i].Filename)
		if err != nil || seen[d.Version] {
			continue
		}
		seen[d.Version] = true
		vs = append(vs, d.Version)
	}
	return orderVersions(vs)
}

func parseSerial(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n >= 0
}

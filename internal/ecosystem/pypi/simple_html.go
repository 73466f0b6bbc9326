package pypi

import (
	"net/url"
	"strconv"
	"strings"
)

// ParseProjectHTML parses a PEP 503 project page ("Links for foo"). pageURL is the URL the
// page was fetched from: relative links are resolved against it (or against the page's
// <base href>), and the project name is its last path segment (else the page title).
//
// Each anchor with an href names one file: the filename is the last segment of the link's
// path (as pip reads it), a "#<algorithm>=<hex>" fragment gives its hash, and the
// data-requires-python, data-yanked, data-core-metadata and data-dist-info-metadata
// attributes (PEP 503, 592, 658, 714) give the rest. Links to directories ("../") are
// skipped; a filename that is not SafeFilename is an error; a filename already seen on
// the page is skipped. Size is -1 and UploadTime "" (HTML does not carry them); Versions
// are derived from the filenames. The caller should check that Name is the project it
// asked for.
func ParseProjectHTML(body []byte, pageURL string) (*Project, error) {
	pp, err := newPageParser(body, pageURL)
	if err != nil {
		return nil, err
	}
	z := htmlTokenizer{b: body, wantAttrs: func(name string) bool {
		return name == "a" || name == "base" || name == "meta"
	}}
	p := &Project{Meta: Meta{APIVersion: "1.0"}}
	base := pp.base
	baseSeen := false
	seen := make(map[string]bool)
	var title []byte
	inTitle, titleDone := false, false
	links := 0
	for {
		t, ok := z.next()
		if !ok {
			break
		}
		switch t.kind {
		case htmlComment:
			if s, ok := strings.CutPrefix(strings.TrimSpace(string(t.data)), "SERIAL "); ok {
				if n, ok := parseSerial(s); ok {
					p.Meta.LastSerial = n
				}
			}
		case htmlText:
			if inTitle && len(title) < 1024 {
				title = append(title, t.data...)
			}
		case htmlEndTag:
			if t.name == "title" && inTitle {
				inTitle, titleDone = false, true
			}
		case htmlStartTag:
			switch t.name {
			case "title":
				inTitle = !titleDone
			case "meta":
				if v, ok := metaAPIVersion(t); ok {
					p.Meta.APIVersion = v
				}
			case "base":
				if baseSeen {
					break
				}
				if a, ok := t.attr("href"); ok {
					baseSeen = true
					u, _, err := pp.resolve(pp.base, strings.TrimSpace(a.val))
					if err != nil {
						return nil, &ParseError{Source: pp.pageURL, Detail: "<base href=" + quote(a.val) + "> is not a URL", Err: err}
					}
					if u.IsAbs() { // a relative base (no page URL) would only mangle the links
						base = u
					}
				}
			case "a":
				href, ok := t.attr("href")
				if !ok {
					break
				}
				links++
				f, ok, err := pp.anchorFile(base, t, href.val, links)
				if err != nil {
					return nil, err
				}
				if !ok || seen[f.Filename] {
					break
				}
				seen[f.Filename] = true
				p.Files = append(p.Files, f)
			}
		}
	}
	if err := pp.checkAPIVersion(p.Meta.APIVersion); err != nil {
		return nil, err
	}
	name := pp.projectNameFromURL()
	if !ValidName(name) {
		name, _ = strings.CutPrefix(strings.TrimSpace(unescapeHTML(title)), "Links for ")
	}
	if !ValidName(name) {
		return nil, pp.errorf("cannot tell the project name: the page URL does not end in /<project>/ and the page has no <title>Links for <project></title>")
	}
	p.Name = NormalizeName(name)
	p.Versions = deriveVersions(p.Name, p.Files)
	return p, nil
}

// anchorFile reads one file link. ok is false for links that are not files.
func (pp *pageParser) anchorFile(base *url.URL, t *htmlToken, href string, n int) (f File, ok bool, err error) {
	href = strings.TrimSpace(href)
	if href == "" {
		return File{}, false, nil
	}
	u, frag, err := pp.resolve(base, href)
	if err != nil {
		return File{}, false, &ParseError{Source: pp.pageURL, Detail: "link " + strconv.Itoa(n) + ": href " + quote(href) + " is not a URL", Err: err}
	}
	if u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return File{}, false, nil // a directory, the page itself, mailto:…
	}
	f = File{
		Filename: u.Path[strings.LastIndexByte(u.Path, '/')+1:],
		URL:      u.String(),
		Size:     -1,
	}
	if !SafeFilename(f.Filename) {
		return File{}, false, pp.errorf("link %d: href %s names the file %s, which is not a safe filename (no '/', '\\', control characters, \"..\" or leading '.'); the index is broken or hostile", n, quote(href), quote(f.Filename))
	}
	if name, digest, ok := parseHashFragment(frag); ok {
		f.Hashes = map[string]string{name: digest}
	}
	if a, ok := t.attr("data-requires-python"); ok {
		f.RequiresPython = strings.TrimSpace(a.val)
	}
	if a, ok := t.attr("data-yanked"); ok {
		f.Yanked, f.YankedReason = true, a.val
	}
	a, ok := t.attr("data-core-metadata")
	if !ok {
		a, ok = t.attr("data-dist-info-metadata")
	}
	if ok {
		f.CoreMetadata = parseMetadataAttr(a.val)
	}
	return f, true, nil
}

// parseMetadataAttr reads a data-core-metadata value as pip does: "true" (or any value
// that is not a hash) means the metadata file exists without a known hash, and
// "<algorithm>=<hex>" gives its hash. "false" means it does not exist.
func parseMetadataAttr(v string) map[string]string {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "false") {
		return nil
	}
	if name, digest, ok := parseHashFragment(v); ok {
		return map[string]string{name: digest}
	}
	return map[string]string{}
}

func metaAPIVersion(t *htmlToken) (string, bool) {
	name, ok := t.attr("name")
	if !ok || !strings.EqualFold(strings.TrimSpace(name.val), "pypi:repository-version") {
		return "", false
	}
	content, ok := t.attr("content")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(content.val), true
}

// ParseProjectListHTML parses a PEP 503 root page: one anchor per project, whose text is
// the project name as the index spells it (or, when the anchor is empty, the last segment
// of its link). Anchors that do not hold a valid project name ("../") are skipped, and so
// are names already seen (compared normalised).
func ParseProjectListHTML(body []byte, pageURL string) (*ProjectList, error) {
	pp, err := newPageParser(body, pageURL)
	if err != nil {
		return nil, err
	}
	z := htmlTokenizer{b: body, wantAttrs: func(name string) bool { return name == "a" || name == "meta" }}
	l := &ProjectList{Meta: Meta{APIVersion: "1.0"}}
	seen := make(map[string]bool)
	var text []byte
	var href string
	inA := false
	flush := func() {
		if !inA {
			return
		}
		inA = false
		name := strings.TrimSpace(unescapeHTML(text))
		if name == "" {
			h := strings.TrimRight(href, "/")
			name = h[strings.LastIndexByte(h, '/')+1:]
			if u, err := url.PathUnescape(name); err == nil {
				name = u
			}
		}
		if !ValidName(name) {
			return
		}
		if n := NormalizeName(name); !seen[n] {
			seen[n] = true
			l.Projects = append(l.Projects, ProjectRef{Name: name})
		}
	}
	for {
		t, ok := z.next()
		if !ok {
			break
		}
		switch t.kind {
		case htmlComment:
			if s, ok := strings.CutPrefix(strings.TrimSpace(string(t.data)), "SERIAL "); ok {
				if n, ok := parseSerial(s); ok {
					l.Meta.LastSerial = n
				}
			}
		case htmlText:
			if inA && len(text) < 1024 {
				text = append(text, t.data...)
			}
		case htmlEndTag:
			if t.name == "a" {
				flush()
			}
		case htmlStartTag:
			switch t.name {
			case "meta":
				if v, ok := metaAPIVersion(t); ok {
					l.Meta.APIVersion = v
				}
			case "a":
				flush()
				if a, ok := t.attr("href"); ok {
					inA, href, text = true, a.val, text[:0]
				}
			}
		}
	}
	flush()
	if err := pp.checkAPIVersion(l.Meta.APIVersion); err != nil {
		return nil, err
	}
	return l, nil
}

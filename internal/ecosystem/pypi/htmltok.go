package pypi

import (
	"bytes"
	"html"
	"strings"
	"unicode/utf8"
)

// This file holds a small HTML tokenizer: just enough of the HTML5 tokenization rules to
// read simple-index pages (anchors, <base>, <meta>, <title>, comments) from any index
// that writes them, whatever its attribute order, quoting or letter case. It does no
// tree building. Every step consumes input, so work is linear in the page size.

type htmlTokenKind int

const (
	htmlText htmlTokenKind = iota
	htmlStartTag
	htmlEndTag
	htmlComment
)

type htmlToken struct {
	kind htmlTokenKind
	// name is the lower-case tag name of a start or end tag.
	name string
	// attrs holds a start tag's attributes among knownAttrs: lower-case keys, unescaped
	// values, first occurrence of a key only. Valid until the next token.
	attrs []htmlAttr
	// data is the raw text of a text or comment token (not unescaped). Valid until the
	// next token.
	data []byte
}

// htmlAttr is one attribute; an attribute written without "=" (data-yanked) has val "".
type htmlAttr struct {
	key, val string
}

func (t *htmlToken) attr(key string) (htmlAttr, bool) {
	for _, a := range t.attrs {
		if a.key == key {
			return a, true
		}
	}
	return htmlAttr{}, false
}

type htmlTokenizer struct {
	b   []byte
	pos int
	// wantAttrs reports whether the attributes of a start tag are needed; others are
	// skipped without allocating.
	wantAttrs func(name string) bool
	tok       htmlToken
}

// next returns the next token, or false at the end of input. Malformed markup is read
// the way a browser would, or skipped; it is never an error.
func (z *htmlTokenizer) next() (*htmlToken, bool) {
	for z.pos < len(z.b) {
		b := z.b[z.pos:]
		if b[0] != '<' {
			n := bytes.IndexByte(b, '<')
			if n < 0 {
				n = len(b)
			}
			z.pos += n
			z.tok = htmlToken{kind: htmlText, data: b[:n], attrs: z.tok.attrs[:0]}
			return &z.tok, true
		}
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			end := bytes.Index(b[4:], []byte("-->"))
			if end < 0 {
				z.pos = len(z.b)
				z.tok = htmlToken{kind: htmlComment, data: b[4:], attrs: z.tok.attrs[:0]}
			} else {
				z.pos += 4 + end + 3
				z.tok = htmlToken{kind: htmlComment, data: b[4 : 4+end], attrs: z.tok.attrs[:0]}
			}
			return &z.tok, true
		case len(b) > 1 && (b[1] == '!' || b[1] == '?'):
			// <!DOCTYPE …>, <?xml …?>: skipped.
			z.skipPast('>')
		case len(b) > 1 && b[1] == '/':
			n := 2
			for n < len(b) && isASCIILetterOrDigit(b[n]) {
				n++
			}
			name := lowerName(b[2:n])
			z.skipPast('>')
			if name == "" {
				continue // "</>" or a bogus comment
			}
			z.tok = htmlToken{kind: htmlEndTag, name: name, attrs: z.tok.attrs[:0]}
			return &z.tok, true
		case len(b) > 1 && isASCIILetter(b[1]):
			if z.startTag() {
				return &z.tok, true
			}
		default:
			// A '<' that starts no tag is text.
			z.pos++
			z.tok = htmlToken{kind: htmlText, data: b[:1], attrs: z.tok.attrs[:0]}
			return &z.tok, true
		}
	}
	return nil, false
}

// skipPast moves past the next c, or to the end of input.
func (z *htmlTokenizer) skipPast(c byte) {
	n := bytes.IndexByte(z.b[z.pos:], c)
	if n < 0 {
		z.pos = len(z.b)
		return
	}
	z.pos += n + 1
}

// startTag reads a start tag at z.pos. It returns false when the input ends inside the
// tag (an unterminated tag is dropped, as HTML5 does).
func (z *htmlTokenizer) startTag() bool {
	b := z.b
	i := z.pos + 1
	n := i
	for n < len(b) && !isHTMLSpace(b[n]) && b[n] != '/' && b[n] != '>' {
		n++
	}
	name := lowerName(b[i:n])
	keep := z.wantAttrs != nil && z.wantAttrs(name)
	attrs := z.tok.attrs[:0]
	i = n
	for {
		for i < len(b) && (isHTMLSpace(b[i]) || b[i] == '/') {
			i++
		}
		if i >= len(b) {
			z.pos = len(b)
			return false
		}
		if b[i] == '>' {
			i++
			break
		}
		// Attribute name: up to whitespace, '/', '>' or '='; a leading '=' is part of it.
		k := i
		i++
		for i < len(b) && !isHTMLSpace(b[i]) && b[i] != '/' && b[i] != '>' && b[i] != '=' {
			i++
		}
		key := b[k:i]
		j := i
		for j < len(b) && isHTMLSpace(b[j]) {
			j++
		}
		var val []byte
		if j < len(b) && b[j] == '=' {
			j++
			for j < len(b) && isHTMLSpace(b[j]) {
				j++
			}
			if j < len(b) && (b[j] == '"' || b[j] == '\'') {
				q := b[j]
				end := bytes.IndexByte(b[j+1:], q)
				if end < 0 {
					z.pos = len(b)
					return false
				}
				val = b[j+1 : j+1+end]
				j += 1 + end + 1
			} else {
				v := j
				for j < len(b) && !isHTMLSpace(b[j]) && b[j] != '>' {
					j++
				}
				val = b[v:j]
			}
			i = j
		}
		if keep {
			if k, ok := knownAttr(key); ok {
				dup := false
				for _, a := range attrs { // at most len(knownAttrs) long
					if a.key == k {
						dup = true
						break
					}
				}
				if !dup {
					attrs = append(attrs, htmlAttr{key: k, val: unescapeHTML(val)})
				}
			}
		}
	}
	z.pos = i
	z.tok = htmlToken{kind: htmlStartTag, name: name, attrs: attrs}
	if name == "script" || name == "style" {
		// Raw text: skip to the matching end tag without reading markup inside.
		end := indexEndTagFold(b[z.pos:], name)
		if end < 0 {
			z.pos = len(b)
		} else {
			z.pos += end
		}
	}
	return true
}

// knownAttrs are the attributes the simple-index parsers read; the tokenizer keeps no
// others, so a tag with a million attributes costs no more than its length.
var knownAttrs = [...]string{"href", "data-requires-python", "data-yanked", "data-core-metadata",
	"data-dist-info-metadata", "name", "content"}

// knownAttr returns the lower-case name of an attribute the parsers read.
func knownAttr(key []byte) (string, bool) {
	for _, k := range knownAttrs {
		if len(key) == len(k) && bytes.EqualFold(key, []byte(k)) {
			return k, true
		}
	}
	return "", false
}

// indexEndTagFold returns the index of "</name" in b, compared case-insensitively, or -1.
func indexEndTagFold(b []byte, name string) int {
	for i := 0; i < len(b); {
		n := bytes.IndexByte(b[i:], '<')
		if n < 0 {
			return -1
		}
		i += n
		if i+2+len(name) <= len(b) && b[i+1] == '/' && bytes.EqualFold(b[i+2:i+2+len(name)], []byte(name)) {
			return i
		}
		i++
	}
	return -1
}

// unescapeHTML decodes character references in an attribute value or text, and replaces
// invalid UTF-8 with U+FFFD so that every string in the model is valid UTF-8.
func unescapeHTML(b []byte) string {
	s := string(b)
	if bytes.IndexByte(b, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// lowerName returns an ASCII-lower-cased copy of a tag name, without allocating for the
// names of a simple page.
func lowerName(b []byte) string {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			l := make([]byte, len(b))
			for i, c := range b {
				l[i] = lowerASCII(c)
			}
			return string(l)
		}
	}
	switch string(b) { // no allocation: the results are constants
	case "a":
		return "a"
	case "br":
		return "br"
	case "base":
		return "base"
	case "meta":
		return "meta"
	case "title":
		return "title"
	case "h1":
		return "h1"
	case "html":
		return "html"
	case "head":
		return "head"
	case "body":
		return "body"
	}
	return string(b)
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func isASCIILetterOrDigit(c byte) bool { return isASCIILetter(c) || isDigit(c) }

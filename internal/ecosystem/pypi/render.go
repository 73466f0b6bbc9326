package pypi

import (
	"slices"
	"strconv"
)

// The renderers write API version 1.1 pages (PEP 691 + 700) by hand: a 2,000-file page
// must render in well under 2 ms, which encoding/json's reflection does not allow. The
// output of both JSON renderers is checked against encoding/json in the tests. URLs are
// written as File.URL holds them: the caller rewrites them first.

// RenderProjectJSON renders p as a PEP 691 JSON page (application/vnd.pypi.simple.v1+json)
// of API version 1.1. Keys are sorted, as pypi.org writes them. Each file has "filename",
// "url", "hashes" and "yanked" (false, true or the reason); "requires-python", "size"
// (when not -1) and "upload-time" when known; and both "core-metadata" and
// "dist-info-metadata" (PEP 714) when CoreMetadata is not nil.
func RenderProjectJSON(p *Project) []byte {
	return AppendProjectJSON(make([]byte, 0, renderSize(p, 150)), p)
}

// AppendProjectJSON appends RenderProjectJSON(p) to dst.
func AppendProjectJSON(dst []byte, p *Project) []byte {
	dst = append(dst, `{"files":[`...)
	for i := range p.Files {
		f := &p.Files[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		if f.CoreMetadata != nil {
			dst = append(dst, `"core-metadata":`...)
			mark := len(dst)
			dst = appendMetadataJSON(dst, f.CoreMetadata)
			end := len(dst)
			dst = append(dst, `,"dist-info-metadata":`...)
			dst = append(dst, dst[mark:end]...) // the same value again
			dst = append(dst, ',')
		}
		dst = append(dst, `"filename":`...)
		dst = appendJSONString(dst, f.Filename)
		dst = append(dst, `,"hashes":`...)
		dst = appendHashesJSON(dst, f.Hashes)
		if f.RequiresPython != "" {
			dst = append(dst, `,"requires-python":`...)
			dst = appendJSONString(dst, f.RequiresPython)
		}
		if f.Size >= 0 {
			dst = append(dst, `,"size":`...)
			dst = strconv.AppendInt(dst, f.Size, 10)
		}
		if f.UploadTime != "" {
			dst = append(dst, `,"upload-time":`...)
			dst = appendJSONString(dst, f.UploadTime)
		}
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, f.URL)
		dst = append(dst, `,"yanked":`...)
		switch {
		case !f.Yanked:
			dst = append(dst, "false"...)
		case f.YankedReason == "":
			dst = append(dst, "true"...)
		default:
			dst = appendJSONString(dst, f.YankedReason)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `],"meta":`...)
	dst = appendMetaJSON(dst, p.Meta)
	dst = append(dst, `,"name":`...)
	dst = appendJSONString(dst, p.Name)
	dst = append(dst, `,"versions":[`...)
	for i, v := range p.Versions {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, v)
	}
	return append(dst, "]}"...)
}

func appendMetaJSON(dst []byte, m Meta) []byte {
	dst = append(dst, '{')
	if m.LastSerial != 0 {
		dst = append(dst, `"_last-serial":`...)
		dst = strconv.AppendInt(dst, m.LastSerial, 10)
		dst = append(dst, ',')
	}
	return append(dst, `"api-version":"`+APIVersion+`"}`...)
}

func appendMetadataJSON(dst []byte, h map[string]string) []byte {
	if len(h) == 0 {
		return append(dst, "true"...)
	}
	return appendHashesJSON(dst, h)
}

// appendHashesJSON writes a hashes object with its keys sorted.
func appendHashesJSON(dst []byte, h map[string]string) []byte {
	dst = append(dst, '{')
	if len(h) == 1 {
		for k, v := range h {
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendJSONString(dst, v)
		}
		return append(dst, '}')
	}
	var buf [8]string
	keys := buf[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, h[k])
	}
	return append(dst, '}')
}

// RenderProjectHTML renders p as a PEP 503 HTML page of API version 1.1: one anchor per
// file whose href is File.URL plus a "#<algorithm>=<hex>" fragment (sha256 when present,
// else the strongest hash), with data-requires-python, data-yanked (the reason, or empty)
// and, when CoreMetadata is not nil, both data-core-metadata and data-dist-info-metadata
// ("sha256=<hex>" or "true"). LastSerial, when set, is written as pypi.org does:
// <!--SERIAL n-->.
func RenderProjectHTML(p *Project) []byte {
	return AppendProjectHTML(make([]byte, 0, renderSize(p, 150)), p)
}

// AppendProjectHTML appends RenderProjectHTML(p) to dst.
func AppendProjectHTML(dst []byte, p *Project) []byte {
	dst = append(dst, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\""+APIVersion+"\">\n    <title>Links for "...)
	dst = appendHTMLEscaped(dst, p.Name)
	dst = append(dst, "</title>\n  </head>\n  <body>\n    <h1>Links for "...)
	dst = appendHTMLEscaped(dst, p.Name)
	dst = append(dst, "</h1>\n"...)
	for i := range p.Files {
		f := &p.Files[i]
		dst = append(dst, `    <a href="`...)
		dst = appendHTMLEscaped(dst, f.URL)
		if name, digest, ok := preferredHash(f.Hashes); ok {
			dst = append(dst, '#')
			dst = appendHTMLEscaped(dst, name)
			dst = append(dst, '=')
			dst = appendHTMLEscaped(dst, digest)
		}
		dst = append(dst, '"')
		if f.RequiresPython != "" {
			dst = append(dst, ` data-requires-python="`...)
			dst = appendHTMLEscaped(dst, f.RequiresPython)
			dst = append(dst, '"')
		}
		if f.Yanked {
			dst = append(dst, ` data-yanked="`...)
			dst = appendHTMLEscaped(dst, f.YankedReason)
			dst = append(dst, '"')
		}
		if f.CoreMetadata != nil {
			dst = append(dst, ` data-dist-info-metadata="`...)
			mark := len(dst)
			if name, digest, ok := preferredHash(f.CoreMetadata); ok {
				dst = appendHTMLEscaped(dst, name)
				dst = append(dst, '=')
				dst = appendHTMLEscaped(dst, digest)
			} else {
				dst = append(dst, "true"...)
			}
			end := len(dst)
			dst = append(dst, `" data-core-metadata="`...)
			dst = append(dst, dst[mark:end]...)
			dst = append(dst, '"')
		}
		dst = append(dst, '>')
		dst = appendHTMLEscaped(dst, f.Filename)
		dst = append(dst, "</a><br />\n"...)
	}
	dst = append(dst, "  </body>\n</html>\n"...)
	return appendSerialComment(dst, p.Meta.LastSerial)
}

func appendSerialComment(dst []byte, serial int64) []byte {
	if serial == 0 {
		return dst
	}
	dst = append(dst, "<!--SERIAL "...)
	dst = strconv.AppendInt(dst, serial, 10)
	return append(dst, "-->\n"...)
}

// renderSize estimates the rendered size of p, so that the output is allocated once:
// the lengths of its strings with some room for escapes, plus perFile bytes of markup.
func renderSize(p *Project, perFile int) int {
	n := 512 + len(p.Name)*2
	for i := range p.Files {
		f := &p.Files[i]
		n += perFile + len(f.Filename) + len(f.URL) + len(f.RequiresPython) + len(f.YankedReason) + len(f.UploadTime)
		for k, v := range f.Hashes {
			n += len(k) + len(v) + 6
		}
		for k, v := range f.CoreMetadata {
			n += 2 * (len(k) + len(v) + 6)
		}
	}
	for _, v := range p.Versions {
		n += len(v) + 3
	}
	return n + n/16
}

// RenderProjectListJSON renders l as a PEP 691 root page of API version 1.1:
// {"meta": …, "projects": [{"name": …}, …]}.
func RenderProjectListJSON(l *ProjectList) []byte {
	dst := make([]byte, 0, 64+32*len(l.Projects))
	dst = append(dst, `{"meta":`...)
	dst = appendMetaJSON(dst, l.Meta)
	dst = append(dst, `,"projects":[`...)
	for i, r := range l.Projects {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendJSONString(dst, r.Name)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// RenderProjectListHTML renders l as a PEP 503 root page of API version 1.1. Each
// project links to its normalised name relative to the page ("foo-bar/"), so the page
// must be served at a URL that ends in '/'.
func RenderProjectListHTML(l *ProjectList) []byte {
	dst := make([]byte, 0, 256+64*len(l.Projects))
	dst = append(dst, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\""+APIVersion+"\">\n    <title>Simple index</title>\n  </head>\n  <body>\n"...)
	for _, r := range l.Projects {
		dst = append(dst, `    <a href="`...)
		dst = appendHTMLEscaped(dst, NormalizeName(r.Name))
		dst = append(dst, `/">`...)
		dst = appendHTMLEscaped(dst, r.Name)
		dst = append(dst, "</a>\n"...)
	}
	dst = append(dst, "  </body>\n</html>\n"...)
	return appendSerialComment(dst, l.Meta.LastSerial)
}

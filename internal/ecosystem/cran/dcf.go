package cran

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Field is one "Name: value" of a DCF paragraph. Value is UTF-8 and holds the field's
// lines joined by "\n", as R's read.dcf returns them (see ParseDCF).
type Field struct {
	Name  string
	Value string
}

// Paragraph is one record of a DCF file: a DESCRIPTION file, or one package of a
// PACKAGES index. Fields are in the order written; names are unique and case-sensitive.
type Paragraph struct {
	Fields []Field
}

// Get returns the value of the field called name (compared case-sensitively, as R
// does), or "".
func (p Paragraph) Get(name string) string {
	v, _ := p.Lookup(name)
	return v
}

// Lookup returns the value of the field called name and whether the paragraph has it.
func (p Paragraph) Lookup(name string) (string, bool) {
	for _, f := range p.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// keepWhite reports whether R keeps the white space of a field's continuation lines:
// tools:::.keep_white_description_fields, which R passes as read.dcf's keep.white when
// it reads a DESCRIPTION file.
func keepWhite(name string) bool {
	switch name {
	case "Description", "Authors@R", "Author", "Built", "Packaged":
		return true
	}
	return false
}

// ParseDCF parses a Debian Control File as R's read.dcf reads DESCRIPTION and PACKAGES
// files (R's src/main/dcf.c), with the white space rules that tools:::.read_description
// uses. source names the file in errors.
//
//   - Lines end with "\n", "\r\n" or a lone "\r" (R's connections map all three to "\n").
//     A leading UTF-8 byte order mark is skipped.
//   - Paragraphs are separated by blank lines: empty, or only spaces and tabs. Runs of
//     blank lines count as one; blank lines at the start or end are ignored.
//   - A line starting with '#' is a comment and is skipped, also between a field's
//     continuation lines, as the dcf.c of recent R sources does (older R versions call
//     such a line malformed, or read it as a field if it holds a ':'). R never writes
//     one, and WriteDCF does not either.
//   - A field line is "Name:" followed by the value; spaces and tabs after the colon are
//     dropped. Names are case-sensitive; stricter than R, a name must be printable ASCII
//     without spaces or ':' (Debian policy's rule), which every real DESCRIPTION and
//     PACKAGES file satisfies.
//   - A line starting with a space or tab continues the previous field. The value keeps
//     the line breaks: lines are joined with "\n", as read.dcf returns them (tools that
//     want one line fold "\n" to a space themselves; ParseDeps does).
//   - Most fields are folded: the indentation and trailing spaces and tabs of every line
//     are removed, and a continuation line that is only "." (Debian's empty-line marker,
//     " .") stands for an empty line inside the value; such lines at the end of a field
//     are dropped. Where a field ends in such lines, R carries them over to the next
//     field's first continuation line, and so does this parser.
//   - Description, Authors@R, Author, Built and Packaged keep their white space (R's
//     keep.white for DESCRIPTION files): continuation lines are kept as written,
//     indentation included, trailing white space too, and " ." is an empty line.
//   - A field that appears twice in one paragraph is an error naming both lines (R would
//     silently keep the last, so readers could disagree), as are a continuation line at
//     the start of a paragraph, a line that is neither a field nor a continuation, and
//     a NUL byte.
//   - Encoding: a paragraph with "Encoding: latin1" (or latin2, ISO-8859-1, -2) has its
//     values converted to UTF-8; WriteDCF converts them back. Without an Encoding field,
//     or with UTF-8, every value must be valid UTF-8: invalid bytes are an error naming
//     the field, where recent R substitutes "<e9>"-style escapes, because a proxy must
//     not silently change what it serves.
//     Another Encoding is accepted as long as the paragraph is ASCII.
//
// The values of the result share memory with one copy of data.
func ParseDCF(data []byte, source string) ([]Paragraph, error) {
	ps, _, err := parseDCF(data, source)
	return ps, err
}

// parseDCF is ParseDCF that also returns the line each paragraph starts on.
func parseDCF(data []byte, source string) ([]Paragraph, []int, error) {
	p := &dcfParser{source: source}
	p.src = string(data)
	p.src = strings.TrimPrefix(p.src, "\ufeff")
	if i := strings.IndexByte(p.src, 0); i >= 0 {
		return nil, nil, p.errorf(1+strings.Count(p.src[:i], "\n"), "a NUL byte; a DCF file is text, this is not one")
	}
	p.hasCR = strings.IndexByte(p.src, '\r') >= 0
	if err := p.parse(); err != nil {
		return nil, nil, err
	}
	return p.out, p.starts, nil
}

type dcfParser struct {
	source string
	src    string
	pos    int
	line   int // number of the line last read
	hasCR  bool

	// The paragraph being read.
	fields []Field
	lines  []int // the line each field starts on
	start  int   // the line the paragraph starts on
	// The field being read: its first line's value in fields[cur].Value; once it has
	// continuation lines, the whole value so far in buf.
	cur     int // index in fields, or -1
	fold    bool
	multi   bool
	buf     []byte
	pending int            // " ." lines not yet added to a folded value
	index   map[string]int // field name → index in fields, for large paragraphs

	out    []Paragraph
	starts []int
	arena  []Field // backing store for the fields of out
}

func (p *dcfParser) errorf(line int, format string, args ...any) error {
	return &ParseError{Source: p.source, Line: line, Detail: fmt.Sprintf(format, args...)}
}

// next returns the next line without its terminator.
func (p *dcfParser) next() (string, bool) {
	if p.pos >= len(p.src) {
		return "", false
	}
	p.line++
	rest := p.src[p.pos:]
	var i int
	if p.hasCR {
		i = strings.IndexAny(rest, "\r\n")
	} else {
		i = strings.IndexByte(rest, '\n')
	}
	if i < 0 {
		p.pos = len(p.src)
		return rest, true
	}
	p.pos += i + 1
	if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
		p.pos++
	}
	return rest[:i], true
}

func (p *dcfParser) parse() error {
	p.cur = -1
	for {
		line, ok := p.next()
		if !ok {
			break
		}
		switch {
		case isBlank(line):
			if err := p.endParagraph(); err != nil {
				return err
			}
		case line[0] == '#':
			// A comment.
		case line[0] == ' ' || line[0] == '\t':
			if p.cur < 0 {
				return p.errorf(p.line, "a continuation line (it starts with white space) at the start of a paragraph: %s; indent only the lines that continue a field, and separate paragraphs by one empty line", quote(line))
			}
			p.continuation(line)
		default:
			if err := p.fieldLine(line); err != nil {
				return err
			}
		}
	}
	return p.endParagraph()
}

func (p *dcfParser) fieldLine(line string) error {
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		return p.errorf(p.line, "%s is neither a field (\"Name: value\") nor a continuation line (starting with a space); indent it if it continues the field above", quote(line))
	}
	name := line[:colon]
	if why := checkFieldName(name); why != "" {
		return p.errorf(p.line, "field name %s %s; names are printable ASCII without spaces or ':' (\"Package\", \"Authors@R\", \"Config/testthat/edition\")", quote(name), why)
	}
	if i := p.indexField(name); i >= 0 {
		return p.errorf(p.line, "field %s appears again in this paragraph (first on line %d); R would silently keep the last one, so the file is ambiguous: remove one of them", quote(name), p.lines[i])
	}
	p.endField()
	if len(p.fields) == 0 {
		p.start = p.line
	}
	p.fold = !keepWhite(name)
	value := strings.TrimLeft(line[colon+1:], " \t")
	if p.fold {
		value = strings.TrimRight(value, " \t")
	}
	p.cur = len(p.fields)
	p.fields = append(p.fields, Field{Name: name, Value: value})
	p.lines = append(p.lines, p.line)
	return nil
}

// indexField returns the index of the field called name in the paragraph being read, or
// -1. Paragraphs have a dozen fields; a map takes over for hostile ones with thousands.
func (p *dcfParser) indexField(name string) int {
	const small = 32
	if len(p.fields) <= small {
		for i, f := range p.fields {
			if f.Name == name {
				return i
			}
		}
		return -1
	}
	if p.index == nil {
		p.index = make(map[string]int, 2*len(p.fields))
	}
	for i := len(p.index); i < len(p.fields); i++ {
		p.index[p.fields[i].Name] = i
	}
	if i, ok := p.index[name]; ok {
		return i
	}
	return -1
}

// continuation adds a continuation line to the current field, as dcf.c does.
func (p *dcfParser) continuation(line string) {
	eblank := isEmptyLineMarker(line)
	if eblank && p.fold {
		p.pending++
		return
	}
	if !p.multi {
		p.buf = append(p.buf[:0], p.fields[p.cur].Value...)
		p.multi = true
	}
	if len(p.buf) > 0 || !p.fold {
		p.buf = append(p.buf, '\n')
	}
	if eblank {
		return
	}
	for ; p.pending > 0; p.pending-- {
		p.buf = append(p.buf, '\n')
	}
	if p.fold {
		line = strings.Trim(line, " \t")
	}
	p.buf = append(p.buf, line...)
}

func (p *dcfParser) endField() {
	if p.cur >= 0 && p.multi {
		p.fields[p.cur].Value = string(p.buf)
	}
	p.cur, p.multi = -1, false
}

func (p *dcfParser) endParagraph() error {
	p.endField()
	p.pending = 0
	if len(p.fields) == 0 {
		return nil
	}
	if err := p.convert(); err != nil {
		return err
	}
	n := len(p.fields)
	if cap(p.arena)-len(p.arena) < n {
		p.arena = make([]Field, 0, max(n, 4096))
	}
	k := len(p.arena)
	p.arena = append(p.arena, p.fields...)
	p.out = append(p.out, Paragraph{Fields: p.arena[k : k+n : k+n]})
	p.starts = append(p.starts, p.start)
	p.fields, p.lines = p.fields[:0], p.lines[:0]
	if p.index != nil {
		clear(p.index)
	}
	return nil
}

// convert applies the paragraph's Encoding to its values.
func (p *dcfParser) convert() error {
	cs, enc := paragraphCharset(p.fields)
	for i := range p.fields {
		f := &p.fields[i]
		switch cs {
		case charsetUTF8:
			if !utf8.ValidString(f.Value) {
				return p.errorf(p.lines[i], "field %s is not valid UTF-8 and the paragraph declares no other Encoding; convert the file to UTF-8, or add \"Encoding: latin1\" if it is Latin-1", quote(f.Name))
			}
		case charsetLatin1, charsetLatin2:
			if !isASCII(f.Value) {
				f.Value = decode(f.Value, cs)
			}
		default:
			if !isASCII(f.Value) {
				return p.errorf(p.lines[i], "field %s holds non-ASCII text in Encoding %s, which this reader cannot convert; use UTF-8, latin1 or latin2, the encodings \"Writing R Extensions\" calls portable", quote(f.Name), quote(enc))
			}
		}
	}
	return nil
}

// checkFieldName says why name cannot be a field name, or returns "".
func checkFieldName(name string) string {
	if name == "" {
		return "is empty"
	}
	if name[0] == '#' {
		return "starts with '#', which makes the line a comment"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c > '~' || c == ':' {
			return fmt.Sprintf("contains %q", c)
		}
	}
	return ""
}

// isBlank reports whether a line separates paragraphs: empty, or only spaces and tabs.
func isBlank(line string) bool {
	for i := 0; i < len(line); i++ {
		if line[i] != ' ' && line[i] != '\t' {
			return false
		}
	}
	return true
}

// isDCFSpace is the class [ \f\n\r\t\v] of R's empty-line regular expression.
func isDCFSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isEmptyLineMarker reports whether a continuation line is Debian's empty-line marker,
// R's ^[ \f\n\r\t\v]+\.[ \f\n\r\t\v]*$.
func isEmptyLineMarker(line string) bool {
	i := 0
	for i < len(line) && isDCFSpace(line[i]) {
		i++
	}
	if i == 0 || i == len(line) || line[i] != '.' {
		return false
	}
	for i++; i < len(line); i++ {
		if !isDCFSpace(line[i]) {
			return false
		}
	}
	return true
}

// foldIndent is the indentation WriteDCF gives the continuation lines of folded fields:
// what tools::write_PACKAGES writes (write.dcf's indent, 0.1 * getOption("width")), so
// that a CRAN PACKAGES file read and written again is unchanged.
const foldIndent = "        "

// WriteDCF writes paragraphs in DCF, separated by one empty line, as R's write.dcf
// does (without a trailing empty line). Fields are written in order, values as they
// are: long lines are not wrapped, and each "\n" in a value starts a continuation line,
// indented by eight spaces in folded fields (as write_PACKAGES does) and written as it
// is in fields that keep their white space; an empty line inside a value is written
// " .". Paragraphs declaring "Encoding: latin1" or latin2 are converted back to it.
//
// What WriteDCF writes, ParseDCF reads back as the same paragraphs. Values it cannot
// write that way are an error naming the paragraph and field: an empty paragraph, a
// repeated or invalid field name, a NUL or "\r", invalid UTF-8 (or a character the
// declared Encoding lacks), white space at either end of a folded field's lines or an
// empty line at its end, and a continuation line of a white-space-keeping field
// (Description, Authors@R, …) that does not start with a space or tab. Nothing is
// written if there is an error.
func WriteDCF(w io.Writer, paragraphs []Paragraph) error {
	var b []byte
	for i, p := range paragraphs {
		if err := checkParagraph(p); err != nil {
			return fmt.Errorf("write DCF: paragraph %d: %w", i+1, err)
		}
		if i > 0 {
			b = append(b, '\n')
		}
		b = appendParagraph(b, p.Fields)
	}
	_, err := w.Write(b)
	return err
}

// checkParagraph returns an error if ParseDCF would not read appendParagraph's output
// back as p.
func checkParagraph(p Paragraph) error {
	if len(p.Fields) == 0 {
		return fmt.Errorf("no fields; a paragraph must have at least one")
	}
	cs, enc := paragraphCharset(p.Fields)
	seen := make(map[string]bool, len(p.Fields))
	for _, f := range p.Fields {
		if why := checkFieldName(f.Name); why != "" {
			return fmt.Errorf("field name %s %s; names are printable ASCII without spaces or ':'", quote(f.Name), why)
		}
		if seen[f.Name] {
			return fmt.Errorf("field %s appears twice; a paragraph holds each field once", quote(f.Name))
		}
		seen[f.Name] = true
		if why := checkValue(f.Name, f.Value, cs); why != "" {
			return fmt.Errorf("field %s: %s", quote(f.Name), why)
		}
		if cs == charsetUnknown && !isASCII(f.Value) {
			return fmt.Errorf("field %s holds non-ASCII text but the paragraph's Encoding %s is not UTF-8, latin1 or latin2; change the Encoding to UTF-8", quote(f.Name), quote(enc))
		}
	}
	return nil
}

// checkValue says why value cannot be written so that it reads back the same, or "".
func checkValue(name, value string, cs charset) string {
	switch {
	case strings.IndexByte(value, 0) >= 0:
		return "the value holds a NUL byte"
	case strings.IndexByte(value, '\r') >= 0:
		return `the value holds a "\r", which R reads as a line break; use "\n"`
	case !utf8.ValidString(value):
		return "the value is not valid UTF-8"
	case cs == charsetLatin1 || cs == charsetLatin2:
		if _, ok := encode(value, cs); !ok {
			return "the value holds a character the paragraph's Encoding cannot represent; change the Encoding to UTF-8"
		}
	}
	fold := !keepWhite(name)
	first, rest, multi := strings.Cut(value, "\n")
	if first != "" && (first[0] == ' ' || first[0] == '\t') {
		return "the value starts with white space, which a reader drops; trim it"
	}
	if fold && first != "" && isSpaceOrTab(first[len(first)-1]) {
		return "the first line ends with white space, which R drops in this field; trim it"
	}
	if !multi {
		return ""
	}
	for n := 2; ; n++ {
		line, more, ok := strings.Cut(rest, "\n")
		switch {
		case line == "":
			if fold && !ok {
				return fmt.Sprintf("line %d of the value is empty and last; R drops empty lines at the end of this field", n)
			}
		case fold && (isSpaceOrTab(line[0]) || isSpaceOrTab(line[len(line)-1])):
			return fmt.Sprintf("line %d of the value starts or ends with white space, which R drops in this field; trim it", n)
		case fold && isEmptyLineMarker(" "+line):
			return fmt.Sprintf("line %d of the value is %s, which R reads as an empty line", n, quote(line))
		case !fold && !isSpaceOrTab(line[0]):
			return fmt.Sprintf("line %d of the value, %s, does not start with a space or tab; R keeps the white space of this field as written, so indent its continuation lines (\"\\n    more text\")", n, quote(line))
		case !fold && isBlank(line):
			return fmt.Sprintf("line %d of the value holds only white space, which would end the paragraph; make it empty", n)
		case !fold && isEmptyLineMarker(line):
			return fmt.Sprintf("line %d of the value is %s, which R reads as an empty line", n, quote(line))
		}
		if !ok {
			return ""
		}
		rest = more
	}
}

func isSpaceOrTab(c byte) bool { return c == ' ' || c == '\t' }

// appendParagraph appends a paragraph that checkParagraph accepts.
func appendParagraph(b []byte, fields []Field) []byte {
	cs, _ := paragraphCharset(fields)
	for _, f := range fields {
		v := f.Value
		if cs == charsetLatin1 || cs == charsetLatin2 {
			if !isASCII(v) {
				v, _ = encode(v, cs)
			}
		}
		fold := !keepWhite(f.Name)
		b = append(b, f.Name...)
		b = append(b, ':')
		first, rest, multi := strings.Cut(v, "\n")
		if first != "" || !fold {
			// write.dcf writes "Authors@R: " before an empty first line of a field
			// that keeps its white space, and nothing after the colon of a folded one.
			b = append(b, ' ')
			b = append(b, first...)
		}
		b = append(b, '\n')
		if !multi {
			continue
		}
		if fold && first == "" {
			// R drops the line break after an empty first line of a folded field.
			b = append(b, " .\n"...)
		}
		for {
			line, more, ok := strings.Cut(rest, "\n")
			switch {
			case line == "":
				b = append(b, " ."...)
			case fold:
				b = append(b, foldIndent...)
				b = append(b, line...)
			default:
				b = append(b, line...)
			}
			b = append(b, '\n')
			if !ok {
				break
			}
			rest = more
		}
	}
	return b
}

package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ParseError is the error ParseOSV returns: which file, which record, which field,
// what is wrong and what to do about it.
type ParseError struct {
	// File is the file name given to ParseOSV.
	File string
	// ID is the record's id, when it could be read.
	ID string
	// Field is the path of the wrong field ("affected[0].ranges[1].type"), or "" when
	// the fault is in the whole file.
	Field string
	// Reason says what is wrong and what to do.
	Reason string
	// Err is the underlying decoder error, if any.
	Err error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("OSV record ")
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("(no file name)")
	}
	if e.ID != "" {
		fmt.Fprintf(&b, " (id %s)", e.ID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// MaxRecordSize bounds the input of ParseOSV. The largest records of the public
// databases (Linux kernel, with thousands of git commits) are a few hundred kilobytes.
const MaxRecordSize = 8 << 20

// ParseOSV reads one OSV record (https://ossf.github.io/osv-schema/) from JSON or
// YAML. The format is told by the file name (.json, .yaml, .yml) and, for other
// names, by the first byte ('{' is JSON); of a YAML stream only the first document
// is read. The file name is used for the format and in errors only.
//
// The record is decoded with the OSV schema's Go bindings (protobuf, read with
// protojson; unknown fields are ignored, so records of newer schema versions still
// read), which checks every field's type; YAML is first turned into JSON, with
// unquoted YAML timestamps written as RFC 3339 and non-string map keys as strings.
// Then the record must have:
//
//   - an id and a modified time;
//   - a package (ecosystem and name) in every affected entry;
//   - ranges of type ECOSYSTEM, SEMVER or GIT, each with at least one event and at
//     least one introduced event, and events with exactly one of introduced, fixed,
//     last_affected and limit.
//
// A record breaking any of these is rejected whole, with a *ParseError, rather than
// read in part: a range silently skipped would be a vulnerability silently missed.
// A range with both fixed and last_affected events, which the schema discourages,
// is accepted: the evaluation algorithm handles it.
func ParseOSV(data []byte, filename string) (*Advisory, error) {
	fail := func(id, field, reason string, err error) (*Advisory, error) {
		return nil, &ParseError{File: filename, ID: id, Field: field, Reason: reason, Err: err}
	}
	if len(data) > MaxRecordSize {
		return fail("", "", fmt.Sprintf("%d bytes is more than the %d an OSV record may have; is this an export of many records (all.zip) rather than one?", len(data), MaxRecordSize), nil)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	js := data
	isYAML := isYAMLName(filename, data)
	if isYAML {
		var err error
		js, err = yamlToJSON(data)
		if err != nil {
			return fail("", "", "not a valid YAML document: "+err.Error()+"; an OSV record is one YAML mapping (or JSON object) with the fields https://ossf.github.io/osv-schema/ lists", err)
		}
	}
	id, times := peek(js)
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"modified", times.Modified}, {"published", times.Published}, {"withdrawn", times.Withdrawn}} {
		if reason := checkTimestamp(f.raw); reason != "" {
			return fail(id, f.name, reason, nil)
		}
	}
	var rec osvschema.Vulnerability
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(js, &rec); err != nil {
		msg := err.Error()
		if isYAML {
			// Positions refer to the JSON made from the YAML, not to the file.
			msg = stripPosition(msg)
		}
		what := "JSON"
		if isYAML {
			what = "YAML"
		}
		if strings.Contains(msg, "unexpected EOF") {
			msg += " (the document ends early: is the file truncated?)"
		}
		return fail(id, "", fmt.Sprintf("not a valid OSV record (%s): %s; https://ossf.github.io/osv-schema/ lists the fields and their types", what, msg), err)
	}
	var sh shadow
	if err := json.Unmarshal(js, &sh); err != nil {
		// protojson accepted the document, so this does not happen for well-formed
		// input; report it rather than lose the enum names.
		return fail(id, "", "cannot read the record's type names: "+err.Error(), err)
	}
	return convert(&rec, &sh, filename)
}

func isYAMLName(filename string, data []byte) bool {
	switch strings.ToLower(path.Ext(filename)) {
	case ".json":
		return false
	case ".yaml", ".yml":
		return true
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) == 0 || t[0] != '{'
}

// shadow holds the raw names of the enum fields: protojson with DiscardUnknown
// turns a name it does not know into the zero value, which would hide an unknown
// range type and lose a newer severity type's name.
type shadow struct {
	Severity []shadowType `json:"severity"`
	Affected []struct {
		Ranges   []shadowType `json:"ranges"`
		Severity []shadowType `json:"severity"`
	} `json:"affected"`
}

type shadowType struct {
	Type json.RawMessage `json:"type"`
}

// name returns the type as written: the string, or for a number (which protojson
// accepts for enums) "" and ok=false.
func (s shadowType) name() (string, bool) {
	var n string
	if err := json.Unmarshal(s.Type, &n); err != nil {
		return "", false
	}
	return n, true
}

// recordTimes holds the raw timestamps, checked before protojson, whose message
// for a bad timestamp does not name the field.
type recordTimes struct {
	ID        json.RawMessage `json:"id"`
	Modified  json.RawMessage `json:"modified"`
	Published json.RawMessage `json:"published"`
	Withdrawn json.RawMessage `json:"withdrawn"`
}

// peek reads the id (for error messages, when it is a string) and the raw
// timestamps, when the document is an object.
func peek(js []byte) (string, recordTimes) {
	var p recordTimes
	if json.Unmarshal(js, &p) != nil {
		return "", recordTimes{}
	}
	var id string
	if json.Unmarshal(p.ID, &id) != nil {
		id = ""
	}
	return id, p
}

// checkTimestamp returns why a raw timestamp field is not an RFC 3339 time, or ""
// when it is one, or absent, or null.
func checkTimestamp(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return fmt.Sprintf("%s is not a string: write the time as RFC 3339 in quotes, like \"2024-01-02T03:04:05Z\"", raw)
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fmt.Sprintf("%q is not an RFC 3339 time: write it like 2024-01-02T03:04:05Z (UTC, with the Z)", s)
	}
	return ""
}

// stripPosition removes protojson's "(line L:C)" from a message.
func stripPosition(msg string) string {
	if i := strings.Index(msg, "(line "); i >= 0 {
		if j := strings.Index(msg[i:], "): "); j >= 0 {
			return msg[:i] + msg[i+j+3:]
		}
	}
	return msg
}

func convert(rec *osvschema.Vulnerability, sh *shadow, filename string) (*Advisory, error) {
	id := strings.TrimSpace(rec.GetId())
	fail := func(field, reason string) (*Advisory, error) {
		return nil, &ParseError{File: filename, ID: id, Field: field, Reason: reason}
	}
	if id == "" {
		return fail("id", `missing: every OSV record has an "id" (like PYSEC-2021-19 or GHSA-xxxx-xxxx-xxxx)`)
	}
	if rec.GetModified() == nil {
		return fail("modified", `missing: every OSV record has a "modified" time (RFC 3339, like 2024-01-02T03:04:05Z); add it, or re-export the record from its database`)
	}
	a := &Advisory{
		ID:        id,
		Aliases:   nonEmpty(rec.GetAliases()),
		Upstream:  nonEmpty(rec.GetUpstream()),
		Summary:   strings.TrimSpace(rec.GetSummary()),
		Details:   truncate(rec.GetDetails(), MaxDetails),
		Published: timeOf(rec.GetPublished()),
		Modified:  timeOf(rec.GetModified()),
		Withdrawn: timeOf(rec.GetWithdrawn()),
		Malicious: strings.HasPrefix(id, "MAL-"),
	}
	var ferr *fieldError
	if a.Severity, ferr = severities(rec.GetSeverity(), sh.Severity, "severity"); ferr != nil {
		return fail(ferr.field, ferr.reason)
	}
	for _, r := range rec.GetReferences() {
		if u := strings.TrimSpace(r.GetUrl()); u != "" {
			a.References = append(a.References, u)
		}
	}
	for i, af := range rec.GetAffected() {
		field := fmt.Sprintf("affected[%d]", i)
		pkg := af.GetPackage()
		eco, name := strings.TrimSpace(pkg.GetEcosystem()), strings.TrimSpace(pkg.GetName())
		if pkg == nil || eco == "" || name == "" {
			return fail(field+".package", `missing or incomplete: each affected entry names its package with "ecosystem" (like PyPI or CRAN) and "name"; fix the record at its source, or remove the entry`)
		}
		out := Affected{Ecosystem: eco, Name: name, Versions: nonEmpty(af.GetVersions())}
		var shAff struct {
			Ranges   []shadowType
			Severity []shadowType
		}
		if i < len(sh.Affected) {
			shAff.Ranges, shAff.Severity = sh.Affected[i].Ranges, sh.Affected[i].Severity
		}
		if out.Severity, ferr = severities(af.GetSeverity(), shAff.Severity, field+".severity"); ferr != nil {
			return fail(ferr.field, ferr.reason)
		}
		for j, r := range af.GetRanges() {
			var raw shadowType
			if j < len(shAff.Ranges) {
				raw = shAff.Ranges[j]
			}
			rg, ferr := convertRange(r, raw, fmt.Sprintf("%s.ranges[%d]", field, j))
			if ferr != nil {
				return fail(ferr.field, ferr.reason)
			}
			out.Ranges = append(out.Ranges, rg)
		}
		a.Affected = append(a.Affected, out)
	}
	return a, nil
}

// fieldError is a fault in one field, before it becomes a *ParseError.
type fieldError struct{ field, reason string }

func severities(in []*osvschema.Severity, raw []shadowType, field string) ([]Severity, *fieldError) {
	var out []Severity
	for i, s := range in {
		typ := s.GetType().String()
		if i < len(raw) {
			if n, ok := raw[i].name(); ok {
				typ = n
			}
		}
		if typ == "" || typ == "UNSPECIFIED" {
			return nil, &fieldError{fmt.Sprintf("%s[%d].type", field, i), `missing: a severity names its type (CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu)`}
		}
		out = append(out, Severity{Type: typ, Score: strings.TrimSpace(s.GetScore())})
	}
	return out, nil
}

func convertRange(r *osvschema.Range, raw shadowType, field string) (Range, *fieldError) {
	typ, ok := raw.name()
	if !ok {
		// Absent or null, or a number (protojson accepts enum numbers).
		typ = ""
		if len(raw.Type) > 0 && string(raw.Type) != "null" && r.GetType() != osvschema.Range_UNSPECIFIED {
			typ = r.GetType().String()
		}
	}
	switch typ {
	case RangeEcosystem, RangeSemver, RangeGit:
	case "":
		return Range{}, &fieldError{field + ".type", "missing: a range has a type, ECOSYSTEM, SEMVER or GIT"}
	default:
		return Range{}, &fieldError{field + ".type", fmt.Sprintf("unknown range type %q: OSV defines ECOSYSTEM, SEMVER and GIT; fix the record, as vetted cannot tell which versions such a range covers", typ)}
	}
	out := Range{Type: typ}
	if typ == RangeGit {
		out.Repo = strings.TrimSpace(r.GetRepo())
	}
	events := r.GetEvents()
	if len(events) == 0 {
		return Range{}, &fieldError{field + ".events", `empty: a range has at least an "introduced" event (use "0" for every version from the first)`}
	}
	introduced := false
	for k, e := range events {
		ev := Event{
			Introduced:   strings.TrimSpace(e.GetIntroduced()),
			Fixed:        strings.TrimSpace(e.GetFixed()),
			LastAffected: strings.TrimSpace(e.GetLastAffected()),
			Limit:        strings.TrimSpace(e.GetLimit()),
		}
		var set []string
		for _, f := range []struct{ name, v string }{{"introduced", ev.Introduced}, {"fixed", ev.Fixed}, {"last_affected", ev.LastAffected}, {"limit", ev.Limit}} {
			if f.v != "" {
				set = append(set, f.name)
			}
		}
		switch len(set) {
		case 1:
		case 0:
			return Range{}, &fieldError{fmt.Sprintf("%s.events[%d]", field, k), "has no version: an event is one of introduced, fixed, last_affected or limit, with a non-empty version"}
		default:
			return Range{}, &fieldError{fmt.Sprintf("%s.events[%d]", field, k), fmt.Sprintf("has %s: an event has exactly one of introduced, fixed, last_affected and limit; split it into one event each", strings.Join(set, " and "))}
		}
		introduced = introduced || ev.Introduced != ""
		out.Events = append(out.Events, ev)
	}
	if !introduced {
		return Range{}, &fieldError{field + ".events", `no "introduced" event: every range has one (use "0" for every version from the first)`}
	}
	return out, nil
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// truncate cuts s to at most max bytes at a character boundary, marking the cut.
func truncate(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	const mark = "…"
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// maxYAMLNodes bounds the nodes visited when converting YAML, aliases expanded: a
// guard against alias bombs ("billion laughs").
const maxYAMLNodes = 1 << 20

// yamlToJSON converts the first YAML document to JSON. Outside the free-form
// objects (database_specific, ecosystem_specific) every OSV field is a string, an
// object or a list, so scalars are kept as the text written (an unquoted version
// 1.10 stays "1.10", not the number 1.1; an unquoted 2021-01-01 stays a string),
// except null, and unquoted timestamps in modified, published and withdrawn, which
// become RFC 3339. Inside the free-form objects scalars keep their YAML type.
func yamlToJSON(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the document is empty")
		}
		return nil, err
	}
	c := &yamlConverter{}
	v, err := c.value(&doc, modePlain)
	if err != nil {
		return nil, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("the document is not a mapping")
	}
	return json.Marshal(v)
}

// How a YAML scalar becomes JSON.
const (
	modePlain     = iota // an OSV string field: the text as written
	modeTimestamp        // modified, published, withdrawn: timestamps as RFC 3339
	modeFree             // inside database_specific, ecosystem_specific: typed
)

type yamlConverter struct{ nodes int }

func (c *yamlConverter) value(n *yaml.Node, mode int) (any, error) {
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, fmt.Errorf("more than %d nodes (aliases expanded)", maxYAMLNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, errors.New("the document is empty")
		}
		return c.value(n.Content[0], mode)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: unresolved alias", n.Line)
		}
		return c.value(n.Alias, mode)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e, mode)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a map key is not a scalar", k.Line)
			}
			key := k.Value
			if key == "<<" && k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: YAML merge keys (<<) are not supported in OSV records", k.Line)
			}
			child := mode
			if mode != modeFree {
				switch key {
				case "database_specific", "ecosystem_specific":
					child = modeFree
				case "modified", "published", "withdrawn":
					child = modeTimestamp
				default:
					child = modePlain
				}
			}
			v, err := c.value(n.Content[i+1], child)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n, mode), nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func scalar(n *yaml.Node, mode int) any {
	tag := n.ShortTag()
	if tag == "!!null" {
		return nil
	}
	if tag == "!!timestamp" && mode != modePlain {
		var t time.Time
		if err := n.Decode(&t); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	if mode != modeFree {
		return n.Value
	}
	switch tag {
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) {
			return f
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

package nvd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"vetted/internal/vuln/cvss"
)

// CVE is vetted's form of one NVD CVE record (the "cve" object of the CVE API 2.0,
// https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema): what scoring and
// matching use, and nothing else (weaknesses, reference tags and vendor comments are
// dropped).
type CVE struct {
	// ID is the CVE id, "CVE-2023-0286".
	ID string
	// Published is when NVD first published the record; zero when the record does not
	// say. NVD writes times without a zone; they are UTC.
	Published time.Time
	// LastModified is when NVD last changed the record; every record has it.
	LastModified time.Time
	// Status is NVD's vulnStatus: "Received", "Awaiting Analysis", "Undergoing
	// Analysis", "Analyzed", "Modified", "Deferred" or "Rejected". Only analysed
	// records have configurations (Matches).
	Status string
	// Descriptions are the English descriptions, in record order (NVD has one).
	Descriptions []string
	// Metrics are every CVSS metric of the record (cvssMetricV40, V31, V30 and V2, in
	// that order, each in record order), scored with vuln/cvss.
	Metrics []Metric
	// Matches are the CPE match criteria of every configuration, flattened in record
	// order. Empty for records NVD has not analysed: they give scores but match no
	// package.
	Matches []CPEMatch
	// References are the reference URLs, each once, in record order.
	References []string
}

// StatusRejected is the vulnStatus of a CVE withdrawn by its CNA.
const StatusRejected = "Rejected"

// IsRejected reports whether the CVE was rejected: it describes no vulnerability.
func (c *CVE) IsRejected() bool { return c.Status == StatusRejected }

// Metric is one CVSS metric of a record: an assessment by NVD ("Primary") or by
// another source, usually the CNA ("Secondary").
type Metric struct {
	// Version is the CVSS version, from the metric's key: "2.0" (cvssMetricV2), "3.0"
	// (cvssMetricV30), "3.1" (cvssMetricV31) or "4.0" (cvssMetricV40).
	Version string
	// Source is who scored: "nvd@nist.gov", or a CNA's e-mail address or UUID.
	Source string
	// Type is "Primary" (NVD's own assessment) or "Secondary".
	Type string
	// Vector is the vectorString as NVD wrote it.
	Vector string
	// Score is the vector parsed and scored by vuln/cvss. For CVSS 4.0 its Base is
	// the CVSS-B score (threat metrics read as Not Defined).
	Score cvss.Score
	// StoredBase is the baseScore NVD stored with the vector, when HasStoredBase.
	// vetted uses Score, not this; Disagrees says when they differ.
	StoredBase    float64
	HasStoredBase bool
}

// Metric types.
const (
	TypePrimary   = "Primary"
	TypeSecondary = "Secondary"
)

// SourceNVD is the Source of NVD's own metrics.
const SourceNVD = "nvd@nist.gov"

// Disagrees reports whether NVD's stored baseScore differs from the score vuln/cvss
// computes from the vector. For CVSS 4.0 vectors with threat metrics (E:P) it is
// expected: NVD stores the CVSS-BT score, vetted compares CVSS-B scores.
func (m Metric) Disagrees() bool {
	return m.HasStoredBase && (m.StoredBase-m.Score.Base > 0.05 || m.Score.Base-m.StoredBase > 0.05)
}

// CPEMatch is one cpeMatch of a configuration: the products (Criteria) and versions
// it covers, and whether they are vulnerable.
// https://nvd.nist.gov/developers/vulnerabilities ("configurations")
type CPEMatch struct {
	// Criteria names the product; its Version is "*" when the bounds below give the
	// versions, or one release ("2.11.0").
	Criteria CPE
	// Vulnerable is true for a vulnerable product, false for a platform it is
	// vulnerable on ("running on" configurations). Matches of a negated node are read
	// as not vulnerable.
	Vulnerable bool
	// The version bounds, as NVD writes them; "" when absent. At most one start and
	// one end bound is set.
	VersionStartIncluding string
	VersionStartExcluding string
	VersionEndIncluding   string
	VersionEndExcluding   string
}

// ParseError is the error ParseCVE returns, and the kind of problem
// ParseAPIResponse reports: which source, which record, which field, what is wrong.
type ParseError struct {
	// Source is the source given to the parser (a file name or URL).
	Source string
	// ID is the CVE id, when it could be read.
	ID string
	// Field is the path of the wrong field ("configurations[0].nodes[0].cpeMatch[2].criteria"),
	// or "" when the fault is in the whole document.
	Field string
	// Reason says what is wrong and what to do.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("NVD CVE record ")
	if e.Source != "" {
		b.WriteString(e.Source)
	} else {
		b.WriteString("(no source name)")
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

// Input limits. The largest CVE records (log4j, heartbleed: thousands of CPE
// matches) are around a megabyte; an API page holds at most 2,000 records.
const (
	MaxRecordSize   = 16 << 20
	MaxResponseSize = 512 << 20
)

// ParseCVE reads one NVD CVE record: the "cve" object of the CVE API 2.0 (as the
// files of fkie-cad/nvd-json-data-feeds hold it), or one item of an API response's
// "vulnerabilities" list ({"cve": {...}}). source names the input in errors.
//
// The record must have an id of the form CVE-YYYY-NNNN and a lastModified time; each
// CVSS metric must have a vectorString that vuln/cvss reads, of the version its key
// says; each cpeMatch must have a CPE 2.3 criteria and a vulnerable flag, and at most
// one start and one end version bound. A record breaking any of these is rejected
// whole with a *ParseError rather than read in part. A record without
// configurations (not yet analysed) or without metrics is valid.
func ParseCVE(data []byte, source string) (*CVE, error) {
	if len(data) > MaxRecordSize {
		return nil, &ParseError{Source: source, Reason: fmt.Sprintf("%d bytes is more than the %d a CVE record may have; is this an API response (use ParseAPIResponse)?", len(data), MaxRecordSize)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var top struct {
		ID              json.RawMessage `json:"id"`
		CVE             json.RawMessage `json:"cve"`
		Vulnerabilities json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &ParseError{Source: source, Reason: "not a JSON object: " + jsonReason(err) + "; an NVD CVE record is the JSON object the CVE API 2.0 returns under vulnerabilities[].cve", Err: err}
	}
	switch {
	case len(top.Vulnerabilities) > 0 && len(top.ID) == 0:
		return nil, &ParseError{Source: source, Reason: `this is a CVE API response (it has "vulnerabilities"), not one record: read it with ParseAPIResponse`}
	case len(top.CVE) > 0 && len(top.ID) == 0:
		data = top.CVE
	}
	return parseRecord(data, source, "")
}

// ParseAPIResponse reads one page of the NVD CVE API 2.0
// (https://services.nvd.nist.gov/rest/json/cves/2.0): {"resultsPerPage",
// "startIndex", "totalResults", "format": "NVD_CVE", "version": "2.0",
// "timestamp", "vulnerabilities": [{"cve": {...}}, ...]}. It returns the records that
// parse, and for each that does not a *ParseError (its Field starts with
// "vulnerabilities[i]"): one bad record does not cost the page. err is set, and
// nothing returned, when the document is not such a page (not JSON, another format,
// a version other than 2.x).
func ParseAPIResponse(data []byte, source string) (cves []*CVE, problems []error, err error) {
	fail := func(reason string, err error) ([]*CVE, []error, error) {
		return nil, nil, &ParseError{Source: source, Reason: reason, Err: err}
	}
	if len(data) > MaxResponseSize {
		return fail(fmt.Sprintf("%d bytes is more than the %d an API page may have; request fewer results per page", len(data), MaxResponseSize), nil)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var page struct {
		Format          *string           `json:"format"`
		Version         *string           `json:"version"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return fail("not a CVE API 2.0 response: "+jsonReason(err)+"; expected the JSON object https://services.nvd.nist.gov/rest/json/cves/2.0 returns", err)
	}
	if page.Format == nil || *page.Format != "NVD_CVE" {
		got := "no format"
		if page.Format != nil {
			got = fmt.Sprintf("format %q", *page.Format)
		}
		return fail(got+`, want "NVD_CVE": this is not a page of the CVE API (the CVE change-history API and the CPE API have other formats); for one record use ParseCVE`, nil)
	}
	if page.Version == nil || !strings.HasPrefix(*page.Version, "2.") {
		got := "no version"
		if page.Version != nil {
			got = fmt.Sprintf("version %q", *page.Version)
		}
		return fail(got+`, want "2.0": only the CVE API 2.x is read (the 1.1 JSON feeds were retired in 2023)`, nil)
	}
	for i, raw := range page.Vulnerabilities {
		prefix := fmt.Sprintf("vulnerabilities[%d]", i)
		var item struct {
			CVE json.RawMessage `json:"cve"`
		}
		if err := json.Unmarshal(raw, &item); err != nil {
			problems = append(problems, &ParseError{Source: source, Field: prefix, Reason: `not an object: each item of "vulnerabilities" is {"cve": {...}}`, Err: err})
			continue
		}
		if len(item.CVE) == 0 || string(item.CVE) == "null" {
			problems = append(problems, &ParseError{Source: source, Field: prefix + ".cve", Reason: `missing: each item of "vulnerabilities" is {"cve": {...}}`})
			continue
		}
		c, err := parseRecord(item.CVE, source, prefix+".cve.")
		if err != nil {
			problems = append(problems, err)
			continue
		}
		cves = append(cves, c)
	}
	return cves, problems, nil
}

// The record's JSON, as far as vetted reads it.
type rawCVE struct {
	ID             json.RawMessage            `json:"id"`
	Published      json.RawMessage            `json:"published"`
	LastModified   json.RawMessage            `json:"lastModified"`
	VulnStatus     string                     `json:"vulnStatus"`
	Descriptions   []rawLangString            `json:"descriptions"`
	Metrics        map[string]json.RawMessage `json:"metrics"`
	Configurations []rawConfig                `json:"configurations"`
	References     []struct {
		URL string `json:"url"`
	} `json:"references"`
}

type rawLangString struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type rawMetric struct {
	Source   string `json:"source"`
	Type     string `json:"type"`
	CVSSData *struct {
		Version      string   `json:"version"`
		VectorString *string  `json:"vectorString"`
		BaseScore    *float64 `json:"baseScore"`
	} `json:"cvssData"`
}

type rawConfig struct {
	Operator string    `json:"operator"`
	Negate   bool      `json:"negate"`
	Nodes    []rawNode `json:"nodes"`
}

type rawNode struct {
	Operator string     `json:"operator"`
	Negate   bool       `json:"negate"`
	CPEMatch []rawMatch `json:"cpeMatch"`
}

type rawMatch struct {
	Vulnerable            *bool   `json:"vulnerable"`
	Criteria              *string `json:"criteria"`
	VersionStartIncluding *string `json:"versionStartIncluding"`
	VersionStartExcluding *string `json:"versionStartExcluding"`
	VersionEndIncluding   *string `json:"versionEndIncluding"`
	VersionEndExcluding   *string `json:"versionEndExcluding"`
}

// metricKeys are the metric lists vetted reads, in the order Metrics lists them.
var metricKeys = [...]struct{ key, version string }{
	{"cvssMetricV40", "4.0"},
	{"cvssMetricV31", "3.1"},
	{"cvssMetricV30", "3.0"},
	{"cvssMetricV2", "2.0"},
}

var cveID = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

// parseRecord reads a "cve" object; prefix is put before field paths.
func parseRecord(data []byte, source, prefix string) (*CVE, error) {
	var r rawCVE
	id := ""
	fail := func(field, reason string, err error) (*CVE, error) {
		if field != "" {
			field = prefix + field
		} else if prefix != "" {
			field = strings.TrimSuffix(prefix, ".")
		}
		return nil, &ParseError{Source: source, ID: id, Field: field, Reason: reason, Err: err}
	}
	// The id first, so that every later error names the record.
	var peek struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(data, &peek); err != nil {
		return fail("", "not a JSON object: "+jsonReason(err), err)
	}
	if json.Unmarshal(peek.ID, &id) != nil {
		id = ""
	}
	if err := json.Unmarshal(data, &r); err != nil {
		field, reason := typeFault("", err)
		return fail(field, reason, err)
	}
	switch {
	case len(r.ID) == 0 || string(r.ID) == "null":
		return fail("id", `missing: every CVE record has an "id" like CVE-2023-0286`, nil)
	case id == "":
		return fail("id", fmt.Sprintf("%s is not a string: write the id as \"CVE-2023-0286\"", short(string(r.ID))), nil)
	case !cveID.MatchString(id):
		return fail("id", fmt.Sprintf("%q is not a CVE id (CVE-YYYY-NNNN, four or more digits at the end)", short(id)), nil)
	}
	c := &CVE{ID: id, Status: strings.TrimSpace(r.VulnStatus)}
	var err error
	if c.LastModified, err = parseTime(r.LastModified); err != nil {
		return fail("lastModified", err.Error(), nil)
	}
	if c.LastModified.IsZero() {
		return fail("lastModified", `missing: every NVD record has a "lastModified" time like "2025-03-20T21:15:16.550"`, nil)
	}
	if c.Published, err = parseTime(r.Published); err != nil {
		return fail("published", err.Error(), nil)
	}
	for _, d := range r.Descriptions {
		lang := strings.ToLower(d.Lang)
		if v := strings.TrimSpace(d.Value); v != "" && (lang == "en" || strings.HasPrefix(lang, "en-")) {
			c.Descriptions = append(c.Descriptions, v)
		}
	}
	for _, k := range metricKeys {
		raw, ok := r.Metrics[k.key]
		if !ok || string(raw) == "null" {
			continue
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return fail("metrics."+k.key, "not a list of CVSS metrics: "+jsonReason(err), err)
		}
		for i, item := range list {
			var rm rawMetric
			if err := json.Unmarshal(item, &rm); err != nil {
				field, reason := typeFault(fmt.Sprintf("metrics.%s[%d]", k.key, i), err)
				return fail(field, reason, err)
			}
			field := fmt.Sprintf("metrics.%s[%d].cvssData", k.key, i)
			if rm.CVSSData == nil {
				return fail(field, "missing: each CVSS metric has its cvssData", nil)
			}
			if rm.CVSSData.VectorString == nil || strings.TrimSpace(*rm.CVSSData.VectorString) == "" {
				return fail(field+".vectorString", "missing: each CVSS metric has its vector", nil)
			}
			vec := strings.TrimSpace(*rm.CVSSData.VectorString)
			if v := rm.CVSSData.Version; v != "" && v != k.version {
				return fail(field+".version", fmt.Sprintf("%q in %s, which holds CVSS %s metrics", v, k.key, k.version), nil)
			}
			sc, err := cvss.Parse(vec)
			if err != nil {
				return fail(field+".vectorString", err.Error(), err)
			}
			if sc.Version != k.version {
				return fail(field+".vectorString", fmt.Sprintf("a CVSS %s vector in %s, which holds CVSS %s metrics", sc.Version, k.key, k.version), nil)
			}
			m := Metric{Version: k.version, Source: strings.TrimSpace(rm.Source), Type: strings.TrimSpace(rm.Type), Vector: vec, Score: sc}
			if rm.CVSSData.BaseScore != nil {
				m.StoredBase, m.HasStoredBase = *rm.CVSSData.BaseScore, true
			}
			c.Metrics = append(c.Metrics, m)
		}
	}
	for i, cfg := range r.Configurations {
		if reason := checkOperator(cfg.Operator); reason != "" {
			return fail(fmt.Sprintf("configurations[%d].operator", i), reason, nil)
		}
		for j, node := range cfg.Nodes {
			nf := fmt.Sprintf("configurations[%d].nodes[%d]", i, j)
			if reason := checkOperator(node.Operator); reason != "" {
				return fail(nf+".operator", reason, nil)
			}
			for k, rm := range node.CPEMatch {
				mf := fmt.Sprintf("%s.cpeMatch[%d]", nf, k)
				m, field, reason := convertMatch(rm)
				if reason != "" {
					return fail(mf+field, reason, nil)
				}
				if node.Negate || cfg.Negate {
					m.Vulnerable = false
				}
				c.Matches = append(c.Matches, m)
			}
		}
	}
	seen := map[string]bool{}
	for _, ref := range r.References {
		if u := strings.TrimSpace(ref.URL); u != "" && !seen[u] {
			seen[u] = true
			c.References = append(c.References, u)
		}
	}
	return c, nil
}

func checkOperator(op string) string {
	switch op {
	case "", "OR", "AND":
		return ""
	}
	return fmt.Sprintf("%q is not OR or AND", short(op))
}

// convertMatch checks one cpeMatch; on a fault it returns the field (".criteria")
// and the reason.
func convertMatch(rm rawMatch) (m CPEMatch, field, reason string) {
	if rm.Criteria == nil {
		return m, ".criteria", "missing: each cpeMatch names its product with a CPE 2.3 criteria"
	}
	crit, err := ParseCPE(strings.TrimSpace(*rm.Criteria))
	if err != nil {
		return m, ".criteria", err.Error()
	}
	if rm.Vulnerable == nil {
		return m, ".vulnerable", "missing: each cpeMatch says whether its product is vulnerable (true) or a platform (false)"
	}
	m = CPEMatch{Criteria: crit, Vulnerable: *rm.Vulnerable}
	for _, b := range []struct {
		name string
		raw  *string
		dst  *string
	}{
		{"versionStartIncluding", rm.VersionStartIncluding, &m.VersionStartIncluding},
		{"versionStartExcluding", rm.VersionStartExcluding, &m.VersionStartExcluding},
		{"versionEndIncluding", rm.VersionEndIncluding, &m.VersionEndIncluding},
		{"versionEndExcluding", rm.VersionEndExcluding, &m.VersionEndExcluding},
	} {
		if b.raw == nil {
			continue
		}
		v := strings.TrimSpace(*b.raw)
		if v == "" {
			return CPEMatch{}, "." + b.name, "empty: leave a version bound out rather than give it no version"
		}
		*b.dst = v
	}
	if m.VersionStartIncluding != "" && m.VersionStartExcluding != "" {
		return CPEMatch{}, ".versionStartExcluding", "given with versionStartIncluding: a match has at most one start bound"
	}
	if m.VersionEndIncluding != "" && m.VersionEndExcluding != "" {
		return CPEMatch{}, ".versionEndExcluding", "given with versionEndIncluding: a match has at most one end bound"
	}
	return m, "", ""
}

// nvdTime is the layout of NVD's times: no zone (UTC), milliseconds.
const nvdTime = "2006-01-02T15:04:05.999999999"

// parseTime reads an NVD time; absent or null gives the zero time. RFC 3339 times
// (with a zone) are accepted too.
func parseTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return time.Time{}, fmt.Errorf("%s is not a string: NVD writes times like \"2023-02-08T20:15:24.267\"", short(string(raw)))
	}
	if t, err := time.Parse(nvdTime, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: NVD writes times like \"2023-02-08T20:15:24.267\" (UTC) or RFC 3339", short(s))
}

// typeFault describes a decoding error of the object at field ("" for the record):
// for a value of the wrong type, the field's path (below field; lists without their
// indices) and the type wanted.
func typeFault(field string, err error) (string, string) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		if field != "" {
			field += "."
		}
		return field + te.Field, fmt.Sprintf("is a JSON %s, want %s; see https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema", te.Value, jsonType(te.Type.String()))
	}
	what := "a valid CVE record"
	if field != "" {
		what = "a valid object"
	}
	return field, "not " + what + ": " + jsonReason(err)
}

// jsonReason describes a decoding error, noting truncation.
func jsonReason(err error) string {
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("%s (at byte %d)", msg, se.Offset)
	}
	if strings.Contains(msg, "unexpected end of JSON input") {
		msg += " (the document ends early: is the download truncated?)"
	}
	return msg
}

// jsonType names a Go type as the JSON type it decodes from.
func jsonType(goType string) string {
	switch {
	case goType == "string", goType == "*string":
		return "a string"
	case goType == "bool", goType == "*bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"), strings.HasPrefix(goType, "*["):
		return "a list"
	case strings.Contains(goType, "float"), strings.Contains(goType, "int"):
		return "a number"
	}
	return "an object"
}

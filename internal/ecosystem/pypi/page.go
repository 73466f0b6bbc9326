package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// EncodePage and DecodePage store a parsed project page (the catalog keeps pages in this
// form). The format is vetted's own JSON, versioned by its "format" key; it keeps every
// field of the model exactly, including the difference between nil and empty maps
// (CoreMetadata nil means "no metadata file", empty means "a metadata file without a
// known hash").
//
//	{"format":1,"name":"foo","meta":{"api-version":"1.1","_last-serial":7},
//	 "files":[{"filename":…,"url":…,"hashes":{…},"requires_python":…,"yanked":true,
//	           "yanked_reason":…,"core_metadata":{…}|null,"size":-1,"upload_time":…}],
//	 "versions":[…]}
const pageFormat = 1

type storedPage struct {
	Format   int          `json:"format"`
	Name     string       `json:"name"`
	Meta     Meta         `json:"meta"`
	Files    []storedFile `json:"files"`
	Versions []string     `json:"versions"`
}

// storedFile has File's fields in File's order, so that the two convert into each other:
// adding a field to File breaks the build here until the stored format follows.
type storedFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython string            `json:"requires_python,omitempty"`
	Yanked         bool              `json:"yanked,omitempty"`
	YankedReason   string            `json:"yanked_reason,omitempty"`
	CoreMetadata   map[string]string `json:"core_metadata"`
	Size           int64             `json:"size"`
	UploadTime     string            `json:"upload_time,omitempty"`
}

type storedList struct {
	Format   int      `json:"format"`
	Meta     Meta     `json:"meta"`
	Projects []string `json:"projects"`
}

// EncodePage encodes p for storage; DecodePage reads it back unchanged.
func EncodePage(p *Project) ([]byte, error) {
	sp := storedPage{Format: pageFormat, Name: p.Name, Meta: p.Meta, Versions: p.Versions}
	if p.Files != nil {
		sp.Files = make([]storedFile, len(p.Files))
	}
	for i, f := range p.Files {
		sp.Files[i] = storedFile(f)
	}
	b, err := json.Marshal(sp)
	if err != nil {
		return nil, fmt.Errorf("encode page of %s: %w", p.Name, err)
	}
	return b, nil
}

// DecodePage decodes a page written by EncodePage. Unknown keys and other formats are
// errors: a page written by a newer vetted must not be half read.
func DecodePage(b []byte) (*Project, error) {
	var sp storedPage
	if err := decodeStored(b, &sp); err != nil {
		return nil, err
	}
	if sp.Format != pageFormat {
		return nil, &ParseError{Source: "stored page", Detail: fmt.Sprintf("format %d is not supported; this vetted reads format %d (was the page written by a newer vetted?)", sp.Format, pageFormat)}
	}
	p := &Project{Name: sp.Name, Meta: sp.Meta, Versions: sp.Versions}
	if sp.Files != nil {
		p.Files = make([]File, len(sp.Files))
	}
	for i, f := range sp.Files {
		p.Files[i] = File(f)
	}
	return p, nil
}

// EncodeProjectList encodes l for storage; DecodeProjectList reads it back unchanged.
func EncodeProjectList(l *ProjectList) ([]byte, error) {
	sl := storedList{Format: pageFormat, Meta: l.Meta}
	if l.Projects != nil {
		sl.Projects = make([]string, len(l.Projects))
	}
	for i, r := range l.Projects {
		sl.Projects[i] = r.Name
	}
	b, err := json.Marshal(sl)
	if err != nil {
		return nil, fmt.Errorf("encode project list: %w", err)
	}
	return b, nil
}

// DecodeProjectList decodes a list written by EncodeProjectList.
func DecodeProjectList(b []byte) (*ProjectList, error) {
	var sl storedList
	if err := decodeStored(b, &sl); err != nil {
		return nil, err
	}
	if sl.Format != pageFormat {
		return nil, &ParseError{Source: "stored project list", Detail: fmt.Sprintf("format %d is not supported; this vetted reads format %d (was the list written by a newer vetted?)", sl.Format, pageFormat)}
	}
	l := &ProjectList{Meta: sl.Meta}
	if sl.Projects != nil {
		l.Projects = make([]ProjectRef, len(sl.Projects))
	}
	for i, n := range sl.Projects {
		l.Projects[i] = ProjectRef{Name: n}
	}
	return l, nil
}

func decodeStored(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return &ParseError{Source: "stored page", Detail: "not a page written by EncodePage", Err: err}
	}
	if d.More() {
		return &ParseError{Source: "stored page", Detail: "trailing data after the page"}
	}
	return nil
}

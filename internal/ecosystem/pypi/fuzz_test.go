package pypi

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// The fuzz targets check that the parsers never panic, that what they accept keeps the
// package's invariants (safe filenames, valid UTF-8), and that rendering what was parsed
// and parsing it again gives the same page.

func addTestdataSeeds(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseProjectHTML(f *testing.F) {
	addTestdataSeeds(f, "*.html")
	f.Add([]byte(`<a href="foo-1.0.tar.gz#sha256=00" data-yanked data-core-metadata=true>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		const u = "https://idx.example/simple/foo/"
		p, err := ParseProjectHTML(body, u)
		if err != nil {
			return
		}
		checkProjectInvariants(t, p)
		q, err := ParseProjectHTML(RenderProjectHTML(p), u)
		if err != nil {
			t.Fatalf("parsing the rendered page: %v\n%s", err, RenderProjectHTML(p))
		}
		p.Meta.APIVersion = APIVersion
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("render and parse changed the page:\nbefore %+v\nafter  %+v", p, q)
		}
	})
}

func FuzzParseProjectJSON(f *testing.F) {
	addTestdataSeeds(f, "*.json")
	f.Add([]byte(`{"meta":{"api-version":"1.1"},"name":"foo","files":[{"filename":"foo-1.0.tar.gz","url":"x","hashes":{"sha256":"00"},"yanked":"why","core-metadata":true,"size":1}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		const u = "https://idx.example/simple/foo/"
		p, err := ParseProjectJSON(body, u)
		if err != nil {
			return
		}
		checkProjectInvariants(t, p)
		q, err := ParseProjectJSON(RenderProjectJSON(p), u)
		if err != nil {
			t.Fatalf("parsing the rendered page: %v\n%s", err, RenderProjectJSON(p))
		}
		p.Meta.APIVersion = APIVersion
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("render and parse changed the page:\nbefore %+v\nafter  %+v", p, q)
		}
		stored, err := EncodePage(p)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := DecodePage(stored); err != nil || !reflect.DeepEqual(p, r) {
			t.Fatalf("stored page: %+v, %v", r, err)
		}
	})
}

func checkProjectInvariants(t *testing.T, p *Project) {
	t.Helper()
	if !ValidName(p.Name) || NormalizeName(p.Name) != p.Name {
		t.Errorf("name %q is not a normalised valid name", p.Name)
	}
	seen := map[string]bool{}
	for _, f := range p.Files {
		if !SafeFilename(f.Filename) || seen[f.Filename] {
			t.Errorf("filename %q is unsafe or repeated", f.Filename)
		}
		seen[f.Filename] = true
		for _, s := range []string{f.URL, f.RequiresPython, f.YankedReason, f.UploadTime} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 in %+v", f)
			}
		}
		if !f.Yanked && f.YankedReason != "" {
			t.Errorf("a reason without a yank: %+v", f)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{metadataSetuptools, metadataDistutils, metadataPEP639, fooMetadata} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetadata(b)
		if err != nil {
			return
		}
		if !ValidName(m.Name) || m.Version == "" || m.MetadataVersion == "" {
			t.Errorf("accepted %+v", m)
		}
	})
}

func FuzzParseFilename(f *testing.F) {
	for _, s := range []string{"requests-2.31.0-py3-none-any.whl", "python-dateutil-2.8.2.tar.gz", "foo_bar-1.0-1-py2.py3-none-any.whl",
		"setuptools-0.6c11-py2.7.egg", "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "../x.whl", "a-1.zip"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseFilename(s)
		if err != nil {
			return
		}
		if !SafeFilename(s) || !ValidName(d.Project) || NormalizeName(d.Project) != d.Project || d.Version == "" {
			t.Errorf("ParseFilename(%q) = %+v", s, d)
		}
		// Knowing the project must give the same answer.
		e, err := ParseFilenameFor(d.Project, s)
		if err != nil || !reflect.DeepEqual(d, e) {
			t.Errorf("ParseFilenameFor(%q, %q) = %+v, %v; ParseFilename gave %+v", d.Project, s, e, err, d)
		}
	})
}

func FuzzReadWheelMetadata(f *testing.F) {
	f.Add(buildZip(f, validWheel()...))
	f.Add(buildZip(f, append(validWheel(), member{"../x", ""})...))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadWheelMetadata(bytes.NewReader(b), int64(len(b)), wheelName)
		if err == nil && len(m) > MaxMetadataBytes {
			t.Errorf("returned %d bytes", len(m))
		}
	})
}

func FuzzReadSdistMetadata(f *testing.F) {
	f.Add(buildTar(f, true, validSdist()...))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := readSdistMetadata(bytes.NewReader(b), "foo_bar-1.0.tar.gz", 1<<20)
		if err == nil && len(m) > MaxMetadataBytes {
			t.Errorf("returned %d bytes", len(m))
		}
	})
}

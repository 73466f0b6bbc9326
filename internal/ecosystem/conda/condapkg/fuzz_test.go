package condapkg

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"vetted/internal/ecosystem/conda/condatest"
)

// The fuzz targets check that reading never panics nor exceeds its limits, that every
// failure is a *ParseError, and that what is accepted matches its filename.

var fuzzLimits = Limits{MaxMembers: 1000, MaxMetadataBytes: 64 << 10, MaxDecompressedBytes: 4 << 20, MaxZstdWindow: 1 << 20}

var fuzzPackage = condatest.Package{Name: "tiny", Version: "0.1.0", Build: "pyhd8ed1ab_0", Noarch: "python", Depends: []string{"python >=3.8"}, License: "MIT"}

func fuzzRead(t *testing.T, data []byte, filename string) {
	info, err := fuzzLimits.ReadInfo(bytes.NewReader(data), int64(len(data)), filename)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("not a *ParseError: %v", err)
		}
		return
	}
	if err := info.Index.Validate(filename); err != nil {
		t.Fatalf("accepted a package that does not match its filename: %v", err)
	}
}

func FuzzReadIndexConda(f *testing.F) {
	f.Add(readFixture(f, fixture+ExtConda))
	f.Add(fuzzPackage.Conda())
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, fixture+ExtConda) })
}

func FuzzReadIndexTarBz2(f *testing.F) {
	f.Add(readFixture(f, fixture+ExtTarBz2))
	f.Add(fuzzPackage.TarBz2())
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, fixture+ExtTarBz2) })
}

func FuzzParseIndexJSON(f *testing.F) {
	f.Add([]byte(fuzzPackage.IndexJSON()))
	f.Add([]byte(`{"name":"a","version":"1","build":"0","noarch":true,"track_features":["x"],"timestamp":1.5e9}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ParseIndexJSON(data, "index.json")
		if err != nil {
			return
		}
		if ix.Name == "" || ix.Version == "" || ix.Build == "" || strings.Contains(ix.Version, "-") || strings.Contains(ix.Build, "-") || ix.BuildNumber < 0 || ix.Timestamp < 0 {
			t.Fatalf("accepted %+v", ix)
		}
		filename := ix.Name + "-" + ix.Version + "-" + ix.Build + ExtConda
		if _, _, _, _, ok := SplitFilename(filename); ok {
			if err := ix.Validate(filename); err != nil {
				t.Fatalf("its own filename: %v", err)
			}
		}
	})
}

package repodata

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// numericCompare orders dotted numeric versions ("1.10" > "1.9", "1.0" == "1.0.0"): enough
// of conda's VersionOrder for these tests, which must not depend on package conda.
func numericCompare(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		x, y := 0, 0
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func filenames(rd *Repodata) []string {
	var out []string
	for fn := range rd.Packages {
		out = append(out, fn)
	}
	for fn := range rd.PackagesConda {
		out = append(out, fn)
	}
	slices.Sort(out)
	return out
}

func TestCurrent(t *testing.T) {
	rd := mustParse(t, "conda-forge-linux-64.json")
	cur := Current(rd, nil, numericCompare)
	want := []string{
		"_libgcc_mutex-0.1-conda_forge.tar.bz2", "_openmp_mutex-4.5-2_gnu.tar.bz2", "blas-1.1-openblas.tar.bz2",
		"libzlib-1.3.1-hb9d3cd8_2.conda", "numpy-2.1.2-py312h58c1407_0.conda",
		"python-3.12.7-hc5c86c4_0_cpython.conda", "zlib-1.3.1-hb9d3cd8_2.conda",
	}
	if got := filenames(cur); !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
	if cur.Info.Subdir != "linux-64" || len(cur.Removed) != 2 || cur.RepodataVersion != 1 {
		t.Errorf("current %+v", cur)
	}
	if rd.Len() != 9 {
		t.Error("Current changed its input")
	}

	// Policy first: with zlib 1.3.1 blocked, both builds of 1.2.13 (.tar.bz2 and .conda)
	// are current.
	cur = Current(rd, func(fn string, rec *Record) bool { return !(rec.Name == "zlib" && rec.Version == "1.3.1") }, numericCompare)
	var zlib []string
	for _, fn := range filenames(cur) {
		if strings.HasPrefix(fn, "zlib-") {
			zlib = append(zlib, fn)
		}
	}
	if want := []string{"zlib-1.2.13-h166bdaf_4.tar.bz2", "zlib-1.2.13-h4ab18f5_6.conda"}; !slices.Equal(zlib, want) {
		t.Errorf("got %q", zlib)
	}
	out := render(t, cur, nil)
	if _, err := Parse(out, "current"); err != nil {
		t.Error(err)
	}
}

func TestCurrentEqualVersions(t *testing.T) {
	rd := &Repodata{PackagesConda: map[string]*Record{
		"a-1.0-0.conda":   {Name: "a", Version: "1.0", Build: "0"},
		"a-1.0.0-1.conda": {Name: "a", Version: "1.0.0", Build: "1"},
		"a-0.9-0.conda":   {Name: "a", Version: "0.9", Build: "0"},
		"a-1.10-0.conda":  {Name: "a", Version: "1.10", Build: "0"},
		"b-1.0-0.conda":   {Name: "b", Version: "1.0", Build: "0"},
		"b-1.0.0-1.conda": {Name: "b", Version: "1.0.0", Build: "1"},
	}}
	want := []string{"a-1.10-0.conda", "b-1.0-0.conda", "b-1.0.0-1.conda"}
	if got := filenames(Current(rd, nil, numericCompare)); !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
	if got := filenames(Current(rd, func(string, *Record) bool { return false }, numericCompare)); len(got) != 0 {
		t.Errorf("got %q", got)
	}
}

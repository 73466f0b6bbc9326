package pep440

import "testing"

// benchVersions has the shapes an index page is made of: mostly normalised release
// numbers, some pre-releases and local labels, a few that need normalising.
var benchVersions = []string{
	"1.26.4", "2.0.0rc1", "2.31.0", "69.5.1", "2023.3.post1", "1.0.dev456", "5.0a1",
	"2.2.1+cu121", "0.6c11", "1!1.0", "v1.2.3", "1.0-1", "3.0.0.dev0+1029.g7b3bed9", "42.0.5",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		vs[i%len(vs)].Compare(vs[(i+1)%len(vs)])
	}
}

func BenchmarkContains(b *testing.B) {
	set := MustParseSpecifierSet(">=1.0,!=1.4.*,<3,~=2.0")
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		set.Contains(vs[i%len(vs)], true)
	}
}

package conda

import "testing"

// benchVersions has the shapes of a conda-forge index page: mostly release numbers,
// some pre-releases, letters, underscores, dates and the odd epoch or local part.
var benchVersions = []string{
	"1.26.4", "3.12.7", "2.0.0rc1", "1.1.1w", "3.0.13", "2024a", "4.3.3", "13.2.0", "11.8.0",
	"2024.8.30", "1.6_5", "0.1.0.dev0", "1.0.0.post1", "9e", "1!2.0", "6.4.20240210", "2.1.0+cpu", "V1.0RC1",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseVersion(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParseVersion(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		vs[i%len(vs)].Compare(vs[(i+1)%len(vs)])
	}
}

// BenchmarkContains is the index-filtering path: a policy constraint checked against
// version strings as they come out of repodata (parse, then match).
func BenchmarkContains(b *testing.B) {
	c, err := ParseConstraint(">=1.21.6,<2.0a0|2.1.*,!=2.1.2|~=3.0")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Contains(benchVersions[i%len(benchVersions)])
	}
}

// BenchmarkMatches is matching alone, on parsed versions.
func BenchmarkMatches(b *testing.B) {
	vs := MustParseVersionSpec(">=1.21.6,<2.0a0|2.1.*,!=2.1.2|~=3.0", Strict)
	parsed := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		parsed[i] = MustParseVersion(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		vs.Matches(parsed[i%len(parsed)])
	}
}

func BenchmarkParseVersionSpec(b *testing.B) {
	specs := []string{">=3.12,<3.13.0a0", ">=1.26.4,<2.0a0", "3.12.*", ">=2.17", "!=1.24.0", ">=1,<2|>=3,<4"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseVersionSpec(specs[i%len(specs)], Lenient); err != nil {
			b.Fatal(err)
		}
	}
}

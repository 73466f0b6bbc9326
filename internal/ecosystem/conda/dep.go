package conda

import (
	"fmt"
	"strings"
)

// Dependency is one entry of a record's depends: a package name, an optional version
// spec and an optional build spec ("python >=3.9,<3.10.0a0 *_cpython").
type Dependency struct {
	Name    string
	Version VersionSpec // zero when Any
	Any     bool        // no version constraint
	Build   string      // build spec as written, or ""
}

// ParseDependency parses a depends entry as repodata writes them: space-separated name,
// version spec and build spec. Bracket forms (name[version=...]) are not used in repodata
// and are rejected.
func ParseDependency(dep string) (Dependency, error) {
	fields := strings.Fields(dep)
	if len(fields) == 0 || len(fields) > 3 || strings.ContainsAny(fields[0], "[]=<>!~") {
		return Dependency{}, fmt.Errorf("dependency %q: want \"name [version-spec [build]]\", e.g. \"numpy >=1.22,<2\"", dep)
	}
	d := Dependency{Name: NormalizeName(fields[0]), Any: true}
	if len(fields) >= 2 && fields[1] != "*" {
		vs, err := ParseVersionSpec(fields[1], Lenient)
		if err != nil {
			return Dependency{}, fmt.Errorf("dependency %q: %w", dep, err)
		}
		d.Version, d.Any = vs, false
	}
	if len(fields) == 3 {
		d.Build = fields[2]
	}
	return d, nil
}

// Admits reports whether a version satisfies the dependency's version spec.
func (d Dependency) Admits(version string) bool {
	if d.Any {
		return true
	}
	v, err := ParseVersion(version)
	return err == nil && d.Version.Matches(v)
}

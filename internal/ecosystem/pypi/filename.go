package pypi

import (
	"strings"
	"unicode/utf8"
)

// Distribution kinds, as Dist.Kind spells them.
const (
	KindWheel = "wheel" // PEP 427 binary distribution, .whl
	KindSdist = "sdist" // source distribution: .tar.gz (PEP 625), and legacy .zip, .tar.bz2, …
	KindEgg   = "egg"   // legacy setuptools binary distribution, .egg
)

// maxWheelTags bounds the expansion of compressed tag sets ("py2.py3-none-any") so that a
// hostile filename cannot make ParseFilename allocate much.
const maxWheelTags = 1024

// filenameHint is appended to filename errors: it says what a valid filename looks like.
const filenameHint = "want a wheel (name-1.0-py3-none-any.whl), an sdist (name-1.0.tar.gz) or an egg (name-1.0-py3.8.egg)"

// Dist is what a distribution filename says about the file.
type Dist struct {
	Project string // normalised (PEP 503)
	Version string // as the filename spells it (not PEP 440 normalised)
	Kind    string // KindWheel, KindSdist or KindEgg
	Ext     string // ".whl", ".tar.gz", ".zip", ".egg", … as the filename spells it
	// Build is the wheel build tag ("1", "2_b"), or "".
	Build string
	// Tags are the wheel's compatibility tags, compressed tag sets expanded:
	// "py2.py3-none-any" gives py2-none-any and py3-none-any. Nil for sdists and eggs.
	Tags []WheelTag
}

// WheelTag is one PEP 425 compatibility tag.
type WheelTag struct {
	Interpreter string // "py3", "cp312"
	ABI         string // "none", "abi3", "cp312"
	Platform    string // "any", "manylinux_2_17_x86_64", "win_amd64"
}

func (t WheelTag) String() string { return t.Interpreter + "-" + t.ABI + "-" + t.Platform }

// sdistExts lists the source-distribution extensions, longest first where one is a
// suffix of another.
var sdistExts = [...]string{".tar.gz", ".tar.bz2", ".tar.xz", ".tar.Z", ".tgz", ".tbz", ".zip", ".tar"}

// ParseFilename parses a wheel, sdist or egg filename. For sdists the split between name
// and version is ambiguous ("foo-bar-1.0.tar.gz"); ParseFilename splits at the last '-',
// which is right for PEP 625 sdists. Use ParseFilenameFor when the project is known.
func ParseFilename(filename string) (Dist, error) {
	return parseFilename("", filename)
}

// ParseFilenameFor parses filename as a distribution of project. The project name is
// matched against the start of the filename case-insensitively, treating '-', '_' and
// '.' as equal, which settles the name/version split of legacy sdists
// ("python-dateutil-2.8.2.tar.gz"). A file that belongs to another project is an error.
func ParseFilenameFor(project, filename string) (Dist, error) {
	return parseFilename(NormalizeName(project), filename)
}

func parseFilename(project, filename string) (Dist, error) {
	if !SafeFilename(filename) {
		return Dist{}, filenameError(filename, "not a safe filename (it must be non-empty, valid UTF-8, without '/', '\\', control characters or \"..\", and must not start with '.')")
	}
	if hasSuffixFold(filename, ".whl") {
		return parseWheelFilename(project, filename)
	}
	if hasSuffixFold(filename, ".egg") {
		return parseStemFilename(project, filename, filename[len(filename)-4:], KindEgg)
	}
	for _, ext := range sdistExts {
		if hasSuffixFold(filename, ext) {
			return parseStemFilename(project, filename, filename[len(filename)-len(ext):], KindSdist)
		}
	}
	return Dist{}, filenameError(filename, "unknown extension; "+filenameHint)
}

func parseWheelFilename(project, filename string) (Dist, error) {
	stem := filename[:len(filename)-len(".whl")]
	parts := strings.Split(stem, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return Dist{}, filenameError(filename, "a wheel filename has 5 or 6 '-'-separated parts, name-version(-build)?-python-abi-platform.whl, like foo_bar-1.0-py3-none-any.whl")
	}
	d := Dist{Kind: KindWheel, Ext: filename[len(stem):]}
	name, version := parts[0], parts[1]
	if !ValidName(name) {
		return Dist{}, filenameError(filename, "wheel name "+quote(name)+" is not a valid project name (letters, digits, '.', '_', '-')")
	}
	if !validFilenameVersion(version, false) {
		return Dist{}, filenameError(filename, "wheel version "+quote(version)+" is not a version (like 1.0, 2.0rc1, 1.0.post1+local)")
	}
	d.Project, d.Version = NormalizeName(name), version
	if project != "" && d.Project != project {
		return Dist{}, filenameError(filename, "the wheel belongs to project "+quote(d.Project)+", not "+quote(project))
	}
	tags := parts[2:]
	if len(parts) == 6 {
		d.Build = parts[2]
		if d.Build == "" || !isDigit(d.Build[0]) || !validTagPart(d.Build) {
			return Dist{}, filenameError(filename, "wheel build tag "+quote(d.Build)+" must start with a digit, like 1 or 2_b")
		}
		tags = parts[3:]
	}
	var sets [3][]string
	n := 1
	for i, t := range tags {
		sets[i] = strings.Split(t, ".")
		for _, s := range sets[i] {
			if !validTagPart(s) {
				return Dist{}, filenameError(filename, "wheel tag "+quote(t)+" is not a (dot-separated) compatibility tag like py3, cp312, none, abi3, any or manylinux_2_17_x86_64")
			}
		}
		n *= len(sets[i])
		if n > maxWheelTags {
			return Dist{}, filenameError(filename, "the wheel's compressed tag sets expand to too many tags")
		}
	}
	d.Tags = make([]WheelTag, 0, n)
	for _, py := range sets[0] {
		for _, abi := range sets[1] {
			for _, plat := range sets[2] {
				d.Tags = append(d.Tags, WheelTag{py, abi, plat})
			}
		}
	}
	return d, nil
}

// parseStemFilename parses sdist and egg filenames: name-version<ext> and
// name-version(-pyX.Y(-platform)?)?.egg.
func parseStemFilename(project, filename, ext, kind string) (Dist, error) {
	stem := filename[:len(filename)-len(ext)]
	d := Dist{Kind: kind, Ext: ext}
	var name, rest string
	if project != "" {
		n, ok := matchProjectPrefix(project, stem)
		if !ok {
			return Dist{}, filenameError(filename, "it does not start with the project name "+quote(project)+" followed by '-' and a version")
		}
		name, rest = stem[:n], stem[n+1:]
	} else {
		var i int
		if kind == KindEgg {
			i = strings.IndexByte(stem, '-')
		} else {
			i = strings.LastIndexByte(stem, '-')
		}
		if i < 0 {
			return Dist{}, filenameError(filename, "no '-' between name and version; "+filenameHint)
		}
		name, rest = stem[:i], stem[i+1:]
	}
	if !ValidName(name) {
		return Dist{}, filenameError(filename, "name "+quote(name)+" is not a valid project name (letters, digits, '.', '_', '-')")
	}
	version := rest
	if kind == KindEgg {
		// name-version-pyX.Y-platform.egg: eggs spell '-' inside names and versions as '_'.
		if i := strings.IndexByte(rest, '-'); i >= 0 {
			version = rest[:i]
			if py := rest[i+1:]; !strings.HasPrefix(py, "py") {
				return Dist{}, filenameError(filename, "an egg's python tag "+quote(py)+" must look like py3.8")
			}
		}
	}
	if !validFilenameVersion(version, kind == KindSdist) {
		return Dist{}, filenameError(filename, "version "+quote(version)+" is not a version (like 1.0, 2.0rc1, 1.0.post1+local)")
	}
	d.Project, d.Version = NormalizeName(name), version
	return d, nil
}

// matchProjectPrefix reports whether s starts with the normalised project name p (compared
// case-insensitively, runs of '-', '_' and '.' equal to one '-') followed by '-', and
// returns the length of the name part of s.
func matchProjectPrefix(p, s string) (int, bool) {
	j := 0
	sep := false
	for i := 0; i < len(s); i++ {
		c := lowerASCII(s[i])
		if j == len(p) {
			if c == '-' && !sep {
				return i, true
			}
			return 0, false
		}
		if c == '-' || c == '_' || c == '.' {
			if sep {
				continue
			}
			if p[j] != '-' {
				return 0, false
			}
			j++
			sep = true
			continue
		}
		if p[j] != c {
			return 0, false
		}
		j++
		sep = false
	}
	return 0, false
}

// validFilenameVersion accepts what a filename may hold as a version: it starts with a
// letter or digit and holds letters, digits and ".+!_" (and '-' in legacy sdists).
// It is deliberately looser than PEP 440: legacy versions exist on real indexes.
func validFilenameVersion(v string, dash bool) bool {
	if v == "" || !isAlnum(v[0]) {
		return false
	}
	for i := 1; i < len(v); i++ {
		c := v[i]
		if !isAlnum(c) && c != '.' && c != '+' && c != '!' && c != '_' && !(dash && c == '-') {
			return false
		}
	}
	return true
}

func validTagPart(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// SafeFilename reports whether s can be used as a file name without escaping a directory:
// it must be non-empty and valid UTF-8, must not contain '/', '\\', NUL or other control
// characters, nor "..", and must not start with '.'. Use it on every filename that comes
// from an index or an upload before it reaches a path or a URL.
func SafeFilename(s string) bool {
	if s == "" || s[0] == '.' || strings.Contains(s, "..") || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f || (0x80 <= r && r < 0xa0) {
			return false
		}
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func filenameError(filename, detail string) error {
	return &ParseError{Source: "filename " + quote(filename), Detail: detail}
}

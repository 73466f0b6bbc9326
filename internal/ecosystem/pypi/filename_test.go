package pypi

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFilename(t *testing.T) {
	for _, tc := range []struct {
		name, project, filename string
		want                    Dist
	}{
		{"pure wheel", "", "requests-2.31.0-py3-none-any.whl",
			Dist{Project: "requests", Version: "2.31.0", Kind: KindWheel, Ext: ".whl", Tags: []WheelTag{{"py3", "none", "any"}}}},
		{"wheel with underscore name", "", "python_dateutil-2.8.2-py2.py3-none-any.whl",
			Dist{Project: "python-dateutil", Version: "2.8.2", Kind: KindWheel, Ext: ".whl", Tags: []WheelTag{{"py2", "none", "any"}, {"py3", "none", "any"}}}},
		{"platform wheel with compressed tags", "", "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
			Dist{Project: "numpy", Version: "1.26.4", Kind: KindWheel, Ext: ".whl", Tags: []WheelTag{
				{"cp312", "cp312", "manylinux_2_17_x86_64"}, {"cp312", "cp312", "manylinux2014_x86_64"}}}},
		{"wheel with build tag", "", "foo-1.0-2b-py3-none-any.whl",
			Dist{Project: "foo", Version: "1.0", Kind: KindWheel, Ext: ".whl", Build: "2b", Tags: []WheelTag{{"py3", "none", "any"}}}},
		{"wheel with local version", "", "torch-2.3.0+cu121-cp311-cp311-linux_x86_64.whl",
			Dist{Project: "torch", Version: "2.3.0+cu121", Kind: KindWheel, Ext: ".whl", Tags: []WheelTag{{"cp311", "cp311", "linux_x86_64"}}}},
		{"wheel for its project", "Python-Dateutil", "python_dateutil-2.8.2-py2.py3-none-any.whl",
			Dist{Project: "python-dateutil", Version: "2.8.2", Kind: KindWheel, Ext: ".whl", Tags: []WheelTag{{"py2", "none", "any"}, {"py3", "none", "any"}}}},
		{"PEP 625 sdist", "", "python_dateutil-2.9.0.tar.gz",
			Dist{Project: "python-dateutil", Version: "2.9.0", Kind: KindSdist, Ext: ".tar.gz"}},
		{"legacy sdist split at the last dash", "", "python-dateutil-2.8.2.tar.gz",
			Dist{Project: "python-dateutil", Version: "2.8.2", Kind: KindSdist, Ext: ".tar.gz"}},
		{"legacy sdist with a dash in the version", "foo", "foo-1.0-beta.tar.gz",
			Dist{Project: "foo", Version: "1.0-beta", Kind: KindSdist, Ext: ".tar.gz"}},
		{"legacy sdist with a name ending in a digit part", "django-2fa", "django-2fa-1.0.zip",
			Dist{Project: "django-2fa", Version: "1.0", Kind: KindSdist, Ext: ".zip"}},
		{"sdist for a project spelled differently", "ruamel.yaml", "Ruamel_YAML-0.18.6.tar.gz",
			Dist{Project: "ruamel-yaml", Version: "0.18.6", Kind: KindSdist, Ext: ".tar.gz"}},
		{"sdist with separator runs", "foo-bar", "foo._bar-1.0.tar.bz2",
			Dist{Project: "foo-bar", Version: "1.0", Kind: KindSdist, Ext: ".tar.bz2"}},
		{"tgz", "", "foo-1.0.tgz", Dist{Project: "foo", Version: "1.0", Kind: KindSdist, Ext: ".tgz"}},
		{"tar", "", "foo-1.0.tar", Dist{Project: "foo", Version: "1.0", Kind: KindSdist, Ext: ".tar"}},
		{"upper-case extension", "", "foo-1.0.ZIP", Dist{Project: "foo", Version: "1.0", Kind: KindSdist, Ext: ".ZIP"}},
		{"egg", "", "setuptools-0.6c11-py2.7.egg", Dist{Project: "setuptools", Version: "0.6c11", Kind: KindEgg, Ext: ".egg"}},
		{"egg with platform", "", "foo_bar-1.0-py2.7-linux-x86_64.egg", Dist{Project: "foo-bar", Version: "1.0", Kind: KindEgg, Ext: ".egg"}},
		{"egg for its project", "foo-bar", "foo_bar-1.0-py3.8.egg", Dist{Project: "foo-bar", Version: "1.0", Kind: KindEgg, Ext: ".egg"}},
		{"egg without python tag", "", "foo-1.0.egg", Dist{Project: "foo", Version: "1.0", Kind: KindEgg, Ext: ".egg"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got Dist
			var err error
			if tc.project == "" {
				got, err = ParseFilename(tc.filename)
			} else {
				got, err = ParseFilenameFor(tc.project, tc.filename)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseFilenameErrors(t *testing.T) {
	for _, tc := range []struct {
		name, project, filename, want string
	}{
		{"unknown extension", "", "foo-1.0.exe", "unknown extension; want a wheel"},
		{"msi", "", "foo-1.0.win32.msi", "unknown extension"},
		{"wheel with too few parts", "", "foo-1.0-py3-none.whl", "5 or 6 '-'-separated parts"},
		{"wheel with too many parts", "", "foo-1.0-1-2-py3-none-any.whl", "5 or 6"},
		{"wheel with bad name", "", "foo+x-1.0-py3-none-any.whl", "not a valid project name"},
		{"wheel with bad version", "", "foo-~1-py3-none-any.whl", "is not a version"},
		{"wheel with bad build tag", "", "foo-1.0-b2-py3-none-any.whl", "must start with a digit"},
		{"wheel with empty tag", "", "foo-1.0-py3.-none-any.whl", "compatibility tag"},
		{"wheel of another project", "bar", "foo-1.0-py3-none-any.whl", `belongs to project "foo", not "bar"`},
		{"sdist of another project", "bar", "foo-1.0.tar.gz", `does not start with the project name "bar"`},
		{"sdist prefix without dash", "foo", "foobar-1.0.tar.gz", "does not start with the project name"},
		{"sdist without version", "", "foo.tar.gz", "no '-' between name and version"},
		{"sdist with empty version", "foo", "foo-.tar.gz", "is not a version"},
		{"egg with bad python tag", "", "foo-1.0-linux.egg", "python tag"},
		{"path traversal", "", "../foo-1.0.tar.gz", "not a safe filename"},
		{"directory", "", "a/foo-1.0.tar.gz", "not a safe filename"},
		{"empty", "", "", "not a safe filename"},
		{"too many tags", "", "foo-1.0-" + strings.Repeat("a.", 40) + "a-" + strings.Repeat("b.", 40) + "b-any.whl", "too many tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.project == "" {
				_, err = ParseFilename(tc.filename)
			} else {
				_, err = ParseFilenameFor(tc.project, tc.filename)
			}
			if err == nil {
				t.Fatalf("ParseFilename(%q) succeeded", tc.filename)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), `filename "`) {
				t.Errorf("error %q does not name the filename", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

func TestSafeFilename(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"foo-1.0.tar.gz", true},
		{"foo-1.0+local.whl", true},
		{"naïve-1.0.tar.gz", true},
		{"", false},
		{".", false},
		{"..", false},
		{".hidden", false},
		{"../etc/passwd", false},
		{"foo/bar", false},
		{"/etc/passwd", false},
		{`foo\bar`, false},
		{`..\..\x`, false},
		{"foo\x00.whl", false},
		{"foo\n.whl", false},
		{"foo\x7f.whl", false},
		{"foo\u0085.whl", false},
		{"foo..bar", false},
		{"foo\xff.whl", false},
	} {
		if got := SafeFilename(tc.in); got != tc.want {
			t.Errorf("SafeFilename(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

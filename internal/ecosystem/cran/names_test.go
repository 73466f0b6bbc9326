package cran

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
		why  string
	}{
		{"ggplot2", true, ""},
		{"data.table", true, "dots allowed"},
		{"Matrix", true, "upper case kept"},
		{"A3", true, "two characters"},
		{"abc.data", true, ""},
		{"R.utils", true, ""},
		{"a..b", true, "R's regular expression allows consecutive dots"},
		{"a", false, "one character"},
		{"R", false, "R itself is not a package name"},
		{"", false, "empty"},
		{"3D", false, "starts with a digit"},
		{".abc", false, "starts with a dot"},
		{"abc.", false, "ends with a dot"},
		{"my_pkg", false, "no underscore"},
		{"my-pkg", false, "no hyphen"},
		{"pkg name", false, "no space"},
		{"pàckage", false, "ASCII only"},
		{"../x", false, "no path"},
	} {
		if got := ValidName(tc.in); got != tc.want {
			t.Errorf("ValidName(%q) = %v, want %v (%s)", tc.in, got, tc.want, tc.why)
		}
	}
}

func TestParseFilename(t *testing.T) {
	for _, tc := range []struct {
		in, pkg, version string
	}{
		{"ggplot2_3.5.1.tar.gz", "ggplot2", "3.5.1"},
		{"data.table_1.15.4.tar.gz", "data.table", "1.15.4"},
		{"MASS_7.3-60.2.tar.gz", "MASS", "7.3-60.2"},
		{"BH_1.84.0-0.tar.gz", "BH", "1.84.0-0"},
		{"Rcpp_1.0.12.zip", "Rcpp", "1.0.12"},
		{"Rcpp_1.0.12.tgz", "Rcpp", "1.0.12"},
		{"a..b_01.02.tar.gz", "a..b", "01.02"},
	} {
		pkg, version, err := ParseFilename(tc.in)
		if err != nil || pkg != tc.pkg || version != tc.version {
			t.Errorf("ParseFilename(%q) = %q, %q, %v; want %q, %q", tc.in, pkg, version, err, tc.pkg, tc.version)
		}
		if strings.HasSuffix(tc.in, ".tar.gz") && SourceFilename(pkg, version) != tc.in {
			t.Errorf("SourceFilename(%q, %q) = %q", pkg, version, SourceFilename(pkg, version))
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"../ggplot2_3.5.1.tar.gz", "path separator"},
		{"a/b_1.0.tar.gz", "path separator"},
		{`a\b_1.0.tar.gz`, "path separator"},
		{"ggplot2_3.5.1.tar.gz\x00.png", "control"},
		{"ggplot2_3.5.1.tar.gz\n", "control"},
		{"ggplöt2_3.5.1.tar.gz", "non-ASCII"},
		{"ggplot2_3.5.1.tar.bz2", "unknown extension"},
		{"ggplot2_3.5.1.TAR.GZ", "unknown extension"},
		{"ggplot2-3.5.1.tar.gz", "no '_'"},
		{"_1.0.tar.gz", `"" is not a valid R package name`},
		{"my_pkg_1.0.tar.gz", `the version part "pkg_1.0"`},
		{"ggplot2_3.tar.gz", "only one component"},
		{"ggplot2_3.5.1_R_x86_64-pc-linux-gnu.tar.gz", "the version part"},
		{"ggplot2_ 3.5.1.tar.gz", "white space"},
		{".tar.gz", "unknown extension"},
		{"..", "unknown extension"},
	} {
		_, _, err := ParseFilename(tc.in)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `like "ggplot2_3.5.1.tar.gz"`) {
			t.Errorf("ParseFilename(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

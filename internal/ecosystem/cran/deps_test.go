package cran

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseDeps(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []Dep
	}{
		{"empty", "", nil},
		{"only white space", " \n\t", nil},
		{"names", "methods, utils,stats", []Dep{{Name: "methods"}, {Name: "utils"}, {Name: "stats"}}},
		{"constraints", "R (>= 3.5.0), rlang (>= 1.1.0), lifecycle (> 1.0.1)",
			[]Dep{{"R", ">=", "3.5.0"}, {"rlang", ">=", "1.1.0"}, {"lifecycle", ">", "1.0.1"}}},
		{"every operator", "a1 (>= 1.0), a2 (> 1.0), a3 (<= 1.0), a4 (< 1.0), a5 (== 1.0), a6 (!= 1.0)",
			[]Dep{{"a1", ">=", "1.0"}, {"a2", ">", "1.0"}, {"a3", "<=", "1.0"}, {"a4", "<", "1.0"}, {"a5", "==", "1.0"}, {"a6", "!=", "1.0"}}},
		{"versions with '-'", "sf (>= 0.7-3), zoo (>= 1.8-1)", []Dep{{"sf", ">=", "0.7-3"}, {"zoo", ">=", "1.8-1"}}},
		{"a wrapped PACKAGES line, as ParseDCF returns it", "scales (>=\n1.3.0), stats, svglite\n(>= 2.1.2)",
			[]Dep{{"scales", ">=", "1.3.0"}, {"stats", "", ""}, {"svglite", ">=", "2.1.2"}}},
		{"one entry per line", "\ncli,\nglue,\n", []Dep{{Name: "cli"}, {Name: "glue"}}},
		{"no space anywhere", "Rcpp(>=1.0.8),pkg.name(==2.0)", []Dep{{"Rcpp", ">=", "1.0.8"}, {"pkg.name", "==", "2.0"}}},
		{"white space everywhere", " \t x1 \n ( \t>=\n 1.0 \t) \n ", []Dep{{"x1", ">=", "1.0"}}},
		{"trailing and doubled commas are skipped, as R skips them", "a1,, b2,", []Dep{{Name: "a1"}, {Name: "b2"}}},
		{"a package twice, for two bounds, kept twice", "x1 (>= 1.0), x1 (< 2.0)", []Dep{{"x1", ">=", "1.0"}, {"x1", "<", "2.0"}}},
		{"R twice", "R (>= 3.5.0), R (< 5.0.0)", []Dep{{"R", ">=", "3.5.0"}, {"R", "<", "5.0.0"}}},
		{"case kept", "Matrix, matrixStats", []Dep{{Name: "Matrix"}, {Name: "matrixStats"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDeps(tc.in)
			if err != nil {
				t.Fatalf("ParseDeps(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseDeps(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseDepsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"invalid name", "a1, ../x", `entry 2, "../x": "../x" is not a valid package name`},
		{"one-letter name", "x", `"x" is not a valid package name`},
		{"name ending in '.'", "abc.", "not a valid package name"},
		{"no name", "(>= 1.0)", "no package name"},
		{"no closing parenthesis", "x1 (>= 1.0", "no closing ')'"},
		{"text after the parenthesis", "x1 (>= 1.0) x2", `unexpected "x2" after ')'`},
		{"text instead of a constraint", "x1 x2", `unexpected "x2" after the name`},
		{"no operator", "x1 (1.0)", "no comparison operator"},
		{"'=' is not an R operator", "x1 (= 1.0)", "no comparison operator"},
		{"'=>' is not an R operator", "x1 (=> 1.0)", "no comparison operator"},
		{"'~=' is not an R operator", "x1 (~= 1.0)", "no comparison operator"},
		{"no version", "x1 (>= )", `no version after ">="`},
		{"invalid version", "x1 (>= 1.0rc1)", `invalid R package version "1.0rc1"`},
		{"one-component version", "x1 (>= 2)", "only one component"},
		{"svn revision", "R (>= r56550)", `invalid R package version "r56550"`},
		{"two constraints in one entry", "x1 (>= 1.0, < 2.0)", "entry 1"},
		{"nested parentheses", "x1 ((>= 1.0))", `unexpected ")" after ')'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDeps(tc.in)
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `write entries like "pkg" or "pkg (>= 1.2.3)"`) {
				t.Fatalf("ParseDeps(%q) error = %v, want %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestDepMethods(t *testing.T) {
	deps, err := ParseDeps("R (>= 3.5.0), rlang (>=1.1.0), cli")
	if err != nil {
		t.Fatal(err)
	}
	if !deps[0].IsR() || deps[1].IsR() {
		t.Error("IsR")
	}
	for i, want := range []string{"R (>= 3.5.0)", "rlang (>= 1.1.0)", "cli"} {
		if deps[i].String() != want {
			t.Errorf("String() = %q, want %q", deps[i].String(), want)
		}
	}
	c, err := deps[1].Constraint()
	if err != nil || c.String() != ">= 1.1.0" || !c.Contains("1.1.0") || !c.Contains("1.2") || c.Contains("1.0.9") {
		t.Errorf("Constraint() = %v, %v", c, err)
	}
	c, err = deps[2].Constraint()
	if err != nil || !c.Contains("0.1") {
		t.Errorf("no constraint: %v, %v", c, err)
	}
	if _, err := (Dep{Name: "x1", Op: "=", Version: "1.0"}).Constraint(); err == nil {
		t.Error("a hand-made Dep with a bad operator gave a constraint")
	}
}

func TestEntryDepsErrorNamesEntry(t *testing.T) {
	entries, err := ParsePackages([]byte("Package: gg\nVersion: 1.0\nImports: x1 (>= 1.0\n"), "PACKAGES")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := entries[0].Deps("Imports"); err == nil || !strings.HasPrefix(err.Error(), "parse Imports of gg 1.0: entry 1") {
		t.Errorf("error = %v", err)
	}
	if deps, err := entries[0].Deps("Suggests"); err != nil || deps != nil {
		t.Errorf("missing field: %v, %v", deps, err)
	}
}

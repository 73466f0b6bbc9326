package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbidden lists, for each package prefix, the vetted packages it must not import
// (prefixes). Test files are exempt: tests may wire real parts together.
var forbidden = map[string][]string{
	"internal/ecosystem": {"internal/registry", "internal/httpapi", "internal/app", "internal/catalog", "internal/blob", "internal/policy", "internal/vuln", "internal/upstream"},
	"internal/policy":    {"internal/registry", "internal/httpapi", "internal/app", "internal/catalog", "internal/blob", "internal/ecosystem/", "internal/vuln", "internal/upstream"},
	"internal/vuln":      {"internal/registry", "internal/httpapi", "internal/app", "internal/blob", "internal/policy", "internal/catalog/sqlite"},
	"internal/catalog":   {"internal/registry", "internal/httpapi", "internal/app", "internal/ecosystem", "internal/policy", "internal/vuln", "internal/blob"},
	"internal/blob":      {"internal/registry", "internal/httpapi", "internal/app", "internal/catalog", "internal/ecosystem", "internal/policy", "internal/vuln"},
	"internal/upstream":  {"internal/registry", "internal/httpapi", "internal/app", "internal/catalog", "internal/blob", "internal/ecosystem", "internal/policy", "internal/vuln"},
	"internal/registry":  {"internal/httpapi", "internal/app", "internal/catalog/sqlite", "internal/blob/fs"},
	"internal/httpapi":   {"internal/app", "internal/catalog/sqlite", "internal/blob/fs"},
	"internal/config":    {"internal/"}, // config imports nothing of vetted
	"internal/license":   {"internal/"}, // nor does licence normalisation
}

func TestDependenciesPointInward(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for prefix, bans := range forbidden {
			if rel != prefix && !strings.HasPrefix(rel, prefix+"/") {
				continue
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				dep, ok := strings.CutPrefix(path, "vetted/")
				if !ok || dep == rel || strings.HasPrefix(dep, rel+"/") {
					continue // not vetted's, or the package's own subpackage
				}
				for _, ban := range bans {
					// "x/" bans x's subpackages only; "x" bans x and its subpackages.
					banned := strings.HasPrefix(dep, ban)
					if !strings.HasSuffix(ban, "/") {
						banned = dep == ban || strings.HasPrefix(dep, ban+"/")
					}
					if banned {
						if prefix == "internal/ecosystem" && strings.HasPrefix(dep, "internal/ecosystem") {
							continue
						}
						t.Errorf("%s imports %s, which %s must not (see ARCHITECTURE.md)", filepath.Base(p)+" in "+rel, dep, prefix)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked: the walk is wrong", checked)
	}
}

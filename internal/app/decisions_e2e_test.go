package app_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"vetted/internal/ecosystem/conda/condatest"
	"vetted/internal/ecosystem/cran/crantest"
)

// TestDecisionsAPI: GET /api/v1/repositories/<repo>/decisions/<package>/<version> explains
// a decision in a repository of each ecosystem: the verdict, the rule, the files and the
// newest allowed version; a CRAN version that only upstream's Archive/ holds is found
// there, and one whose dependency has no allowed version is blocked by pruning.
func TestDecisionsAPI(t *testing.T) {
	cranUp := crantest.NewRepo()
	for _, v := range []string{"1.0.0", "2.0.0"} {
		cranUp.Add(crantest.Package{Name: "pkgA", Version: v, License: "MIT + file LICENSE"})
	}
	cranUp.Add(crantest.Package{Name: "pkgB", Version: "1.0.0", Imports: []string{"pkgC (>= 2.0.0)"}, License: "MIT + file LICENSE"})
	cranUp.Add(crantest.Package{Name: "pkgC", Version: "2.0.0", License: "MIT + file LICENSE"})
	cranSrv := httptest.NewServer(cranUp)
	defer cranSrv.Close()
	ch := condatest.NewChannel()
	for _, v := range []string{"1.0", "2.0"} {
		ch.Add(condatest.Package{Name: "tiny-util", Version: v, License: "MIT"}, ".conda")
	}
	condaSrv := httptest.NewServer(ch)
	defer condaSrv.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: r, ecosystem: cran, kind: proxy, upstream: %s, policy: cranp}
  - {name: cf, ecosystem: conda, kind: proxy, upstream: %s/, policy: condap}
policies:
  cranp:
    prune-dependents: true
    rules:
      - block: {project: "pkgA", versions: ">= 2.0.0"}
        reason: "pkgA 2 is under review"
      - block: {project: "pkgC"}
        reason: "pkgC is withdrawn"
  condap:
    rules:
      - block: {project: "tiny-util", versions: ">=2.0"}
        reason: "tiny-util 2 is under review"
`, cranSrv.URL, condaSrv.URL))

	type explanation struct {
		Listed   bool     `json:"listed_upstream"`
		Files    []string `json:"files"`
		Decision struct {
			Verdict string `json:"verdict"`
			Reasons []struct {
				Rule, Message string
			} `json:"reasons"`
		} `json:"decision"`
		NewestAllowed   string `json:"newest_allowed"`
		Vulnerabilities []any  `json:"vulnerabilities"`
	}
	cases := []struct {
		path, verdict, message, file, newest string
	}{
		{"r/decisions/pkgA/2.0.0", "block", "pkgA 2 is under review", "src/contrib/pkgA_2.0.0.tar.gz", "1.0.0"},
		{"r/decisions/pkgA/1.0.0", "allow", "", "src/contrib/Archive/pkgA/pkgA_1.0.0.tar.gz", "1.0.0"},
		{"r/decisions/pkgB/1.0.0", "block", "no allowed version of pkgC satisfies it", "src/contrib/pkgB_1.0.0.tar.gz", ""},
		{"cf/decisions/tiny-util/2.0", "block", "tiny-util 2 is under review", "", "1.0"},
		{"cf/decisions/tiny-util/1.0", "allow", "", "", "1.0"},
	}
	for _, c := range cases {
		resp, body := httpGet(t, v.URL+"/api/v1/repositories/"+c.path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s\n%s", c.path, resp.Status, body)
		}
		var ex explanation
		if err := json.Unmarshal(body, &ex); err != nil {
			t.Fatalf("GET %s: %v\n%s", c.path, err, body)
		}
		ok := ex.Listed && ex.Decision.Verdict == c.verdict && ex.NewestAllowed == c.newest && ex.Vulnerabilities != nil
		if c.message != "" {
			ok = ok && slices.ContainsFunc(ex.Decision.Reasons, func(r struct{ Rule, Message string }) bool {
				return strings.Contains(r.Message, c.message)
			})
		}
		if c.file != "" {
			ok = ok && slices.Equal(ex.Files, []string{c.file})
		} else {
			ok = ok && len(ex.Files) > 0
		}
		if !ok {
			t.Errorf("GET %s: want listed, %s (%q), file %q, newest allowed %q; got\n%s", c.path, c.verdict, c.message, c.file, c.newest, body)
		}
	}
	if resp, body := httpGet(t, v.URL+"/api/v1/repositories/r/decisions/not_a_name/1.0"); resp.StatusCode != 400 {
		t.Errorf("a bad R package name: %s\n%s", resp.Status, body)
	}
}

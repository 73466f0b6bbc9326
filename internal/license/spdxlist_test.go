package license

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// sharedData returns ../shared/data of the module root (the directory holding go.mod), or
// skips the test when it is absent: a user's clone has no shared/, CI always has it.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("shared test data not found at %s (only CI and the project workspace have it): %v", data, err)
	}
	return data
}

type spdxList struct {
	Licenses []struct {
		ID         string `json:"licenseId"`
		Deprecated bool   `json:"isDeprecatedLicenseId"`
		OSI        bool   `json:"isOsiApproved"`
	} `json:"licenses"`
	Exceptions []struct {
		ID         string `json:"licenseExceptionId"`
		Deprecated bool   `json:"isDeprecatedLicenseId"`
	} `json:"exceptions"`
}

func readSPDX(t *testing.T, name string) spdxList {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedData(t), "spdx", name))
	if err != nil {
		t.Fatal(err)
	}
	var l spdxList
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// The licences categories.yaml lists as unknown on purpose: their terms were not
// reviewed with confidence. The list must stay short.
var reviewPending = []string{
	"ASWF-Digital-Assets-1.0", "ASWF-Digital-Assets-1.1", "atc-game", "C-UDA-1.0",
	"Game-Programming-Gems", "Informatica", "Lucida-Bitmap-Fonts", "MMPL-1.0.1", "MVT-1.1",
	"OSC-1.0", "SMPPL", "SOFA", "ThirdEye",
}

func checkCategorised(t *testing.T, tb *Table, id string) {
	t.Helper()
	c, ok := tb.Category(id)
	switch {
	case !ok:
		t.Errorf("%s has no category: add it to categories.yaml", id)
	case c == Unknown && !slices.Contains(reviewPending, id):
		t.Errorf("%s is unknown but not in the documented review-pending list", id)
	}
}

func TestEverySPDXLicenceHasACategory(t *testing.T) {
	tb := mustDefault(t)
	l := readSPDX(t, "licenses.json")
	if len(l.Licenses) < 500 {
		t.Fatalf("licenses.json lists only %d licences", len(l.Licenses))
	}
	osiUnknown := 0
	for _, lic := range l.Licenses {
		checkCategorised(t, tb, lic.ID)
		if c, _ := tb.Category(lic.ID); lic.OSI && (c == Unknown || c == Proprietary) {
			osiUnknown++
			t.Logf("OSI-approved %s is %s", lic.ID, c)
		}
	}
	if osiUnknown > 1 {
		t.Errorf("%d OSI-approved licences are unknown or proprietary; at most OSC-1.0 (not reviewed) may be", osiUnknown)
	}
	if len(reviewPending) > 15 {
		t.Errorf("%d licences pending review; keep the unknown list short", len(reviewPending))
	}
}

// go-spdx may know licences the shared snapshot does not (or the other way round): both
// lists are covered.
func TestEveryGoSPDXLicenceHasACategory(t *testing.T) {
	tb := mustDefault(t)
	for _, id := range spdxlicenses.GetLicenses() {
		checkCategorised(t, tb, id)
	}
	for _, id := range spdxlicenses.GetDeprecated() {
		checkCategorised(t, tb, id)
	}
}

func TestEveryExceptionIsReviewed(t *testing.T) {
	tb := mustDefault(t)
	l := readSPDX(t, "exceptions.json")
	for _, e := range l.Exceptions {
		if ok, _ := spdxlicenses.IsException(e.ID); !ok {
			t.Logf("%s (deprecated %v) is not in go-spdx's exception list: expressions cannot use it", e.ID, e.Deprecated)
			continue
		}
		if _, ok := tb.exceptions[strings.ToUpper(e.ID)]; !ok {
			t.Errorf("exception %s is in neither exceptions.weak-copyleft nor exceptions.none of categories.yaml", e.ID)
		}
	}
}

func TestEveryDeprecatedIDHasASuccessor(t *testing.T) {
	tb := mustDefault(t)
	noSuccessor := []string{"Net-SNMP"} // SPDX deprecated it without a single replacement
	for _, id := range spdxlicenses.GetDeprecated() {
		succ, ok := tb.deprecated[id]
		if !ok {
			if !slices.Contains(noSuccessor, id) {
				t.Errorf("deprecated %s has no successor in aliases.yaml", id)
			}
			continue
		}
		for _, l := range succ.leaves(nil) {
			if ok, _ := spdxlicenses.IsActiveLicense(l.id); !ok {
				t.Errorf("successor %s of %s is not an active SPDX id", l.id, id)
			}
		}
		// The successor has the deprecated id's category (an exception may lower it).
		want, _ := tb.Category(id)
		got, _ := tb.classify(succ)
		if got != want && !(succ.kind == leafNode && succ.exception != "" && got.Rank() < want.Rank()) {
			t.Errorf("deprecated %s is %s but its successor %s is %s", id, want, succ, got)
		}
	}
}

func TestDeprecatedIDsNormalise(t *testing.T) {
	n := New(mustDefault(t))
	for in, want := range map[string]string{
		"GPL-2.0":                              "GPL-2.0-only",
		"GPL-2.0+":                             "GPL-2.0-or-later",
		"gpl-2.0+":                             "GPL-2.0-or-later",
		"GPL-3.0":                              "GPL-3.0-only",
		"GPL-3.0+":                             "GPL-3.0-or-later",
		"LGPL-2.1+":                            "LGPL-2.1-or-later",
		"LGPL-2.1":                             "LGPL-2.1-only",
		"LGPL-3.0+":                            "LGPL-3.0-or-later",
		"AGPL-3.0":                             "AGPL-3.0-only",
		"GFDL-1.3":                             "GFDL-1.3-only",
		"GPL-2.0-with-classpath-exception":     "GPL-2.0-only WITH Classpath-exception-2.0",
		"GPL-3.0-with-GCC-exception":           "GPL-3.0-only WITH GCC-exception-3.1",
		"wxWindows":                            "LGPL-2.0-or-later WITH WxWindows-exception-3.1",
		"eCos-2.0":                             "GPL-2.0-or-later WITH eCos-exception-2.0",
		"BSD-2-Clause-FreeBSD":                 "BSD-2-Clause-Views",
		"Nunit":                                "zlib-acknowledgement",
		"StandardML-NJ":                        "SMLNJ",
		"Net-SNMP":                             "Net-SNMP",
		"MIT OR GPL-2.0":                       "MIT OR GPL-2.0-only",
		"GPL-2.0 WITH Classpath-exception-2.0": "GPL-2.0-only WITH Classpath-exception-2.0",
		"GPL-2.0-only+":                        "GPL-2.0-or-later",
		"Apache-2.0+":                          "Apache-2.0+",
	} {
		r := n.Normalize(in, PyPIExpression)
		if r.Expression != want {
			t.Errorf("%q: got %s (%s), want %s", in, r.Expression, r.Reason, want)
		}
		if strings.HasPrefix(in, "GPL-2.0") && in != want && !strings.Contains(r.Reason, "deprecated") && in != "GPL-2.0-only+" {
			t.Errorf("%q: the reason does not mention the deprecated id: %s", in, r.Reason)
		}
	}
}

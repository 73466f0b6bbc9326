package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vetted/internal/ecosystem/pypi/pypitest"
)

const advisory = `{
  "id": "GHSA-test-0001",
  "modified": "2026-11-01T00:00:00Z",
  "published": "2026-11-01T00:00:00Z",
  "aliases": ["CVE-2026-0001"],
  "summary": "alpha 2 executes arbitrary code from pickles",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{
    "package": {"ecosystem": "PyPI", "name": "Alpha"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.1"}]}]
  }]
}`

const secured = `
upstream:
  timeout: 5s
  index_ttl: 0s
repositories:
  - {name: sec, ecosystem: pypi, kind: proxy, upstream: %s, policy: cve}
policies:
  cve:
    rules:
      - max-cvss: 7.0
api:
  admin_tokens_sha256: [%s]
`

// TestCVEPolicyRetroactive: an advisory imported after a release was cached blocks it at
// once (pip picks the previous version, the download names the advisory and its score),
// the change is recorded as an event, and a not_affected triage makes it installable.
func TestCVEPolicyRetroactive(t *testing.T) {
	requireTool(t, "python3")
	ix := pypitest.NewIndex()
	for _, v := range []string{"1.0", "1.1", "2.0"} {
		ix.AddWheel(pypitest.Project{Name: "alpha", Version: v})
	}
	ix.Format = "json"
	up := httptest.NewServer(ix)
	defer up.Close()
	const token = "test-admin-token"
	sum := sha256.Sum256([]byte(token))
	v := startVetted(t, t.TempDir(), fmt.Sprintf(secured, up.URL+"/simple/", hex.EncodeToString(sum[:])))
	index := v.URL + "/pypi/sec/simple/"

	target := t.TempDir()
	if out, err := pip(t, "install", "--index-url", index, "--no-cache-dir", "--target", target, "alpha"); err != nil {
		t.Fatalf("pip install alpha: %v\n%s", err, out)
	}
	wantInstalled(t, target, "alpha-2.0")

	// A feed brings an advisory for the cached 2.0.
	feed := t.TempDir()
	os.WriteFile(filepath.Join(feed, "GHSA-test-0001.json"), []byte(advisory), 0o644)
	ctx := context.Background()
	rec, err := v.App.Importer.Import(ctx, feed, nil)
	if err != nil || rec.Added != 1 {
		t.Fatalf("import: %+v %v", rec, err)
	}
	res, err := v.App.PyPI.FactsChanged(ctx, fmt.Sprintf("feed import %d", rec.ID))
	if err != nil || res.NewlyBlocked != 1 {
		t.Fatalf("re-evaluation: %+v %v", res, err)
	}

	target = t.TempDir()
	if out, err := pip(t, "install", "--index-url", index, "--no-cache-dir", "--target", target, "alpha"); err != nil {
		t.Fatalf("pip install alpha after the advisory: %v\n%s", err, out)
	}
	wantInstalled(t, target, "alpha-1.1")

	resp, err := http.Get(v.URL + "/pypi/sec/files/alpha/alpha-2.0-py3-none-any.whl")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "GHSA-test-0001 (CVE-2026-0001) scores 9.8 critical") || !strings.Contains(string(body), "upgrade to") && !strings.Contains(string(body), "newest allowed version: 1.1") {
		t.Fatalf("blocked download: %s %q", resp.Status, body)
	}

	var events struct {
		Events []struct{ Project, Version, From, To, Cause string }
	}
	getJSON(t, v.URL+"/api/v1/events", &events)
	if len(events.Events) != 1 || events.Events[0].Version != "2.0" || events.Events[0].To != "block" || !strings.Contains(events.Events[0].Cause, "feed import") {
		t.Fatalf("events: %+v", events)
	}

	// Triage: the finding does not apply to us. Without a token the API refuses.
	triage := `{"advisory_id": "CVE-2026-0001", "ecosystem": "PyPI", "project": "alpha", "versions": "==2.0", "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "owner": "security@example.org", "note": "we never unpickle"}`
	if st := post(t, v.URL+"/api/v1/triage", "", triage); st != http.StatusUnauthorized {
		t.Fatalf("triage without a token: %d", st)
	}
	if st := post(t, v.URL+"/api/v1/triage", "wrong", triage); st != http.StatusForbidden {
		t.Fatalf("triage with a wrong token: %d", st)
	}
	if st := post(t, v.URL+"/api/v1/triage", token, triage); st != http.StatusCreated {
		t.Fatalf("triage: %d", st)
	}
	target = t.TempDir()
	if out, err := pip(t, "install", "--index-url", index, "--no-cache-dir", "--target", target, "alpha==2.0"); err != nil {
		t.Fatalf("pip install alpha==2.0 after triage: %v\n%s", err, out)
	}
	wantInstalled(t, target, "alpha-2.0")
	getJSON(t, v.URL+"/api/v1/events", &events)
	if n := len(events.Events); n != 2 || events.Events[1].To != "allow" || !strings.Contains(events.Events[1].Cause, "triage") {
		t.Fatalf("events after triage: %+v", events)
	}
	var adv struct{ ID, Summary string }
	getJSON(t, v.URL+"/api/v1/advisories/GHSA-test-0001", &adv)
	if adv.ID != "GHSA-test-0001" || adv.Summary == "" {
		t.Fatalf("advisory: %+v", adv)
	}
	var findings struct {
		Findings []struct {
			ID     string
			Score  float64
			Triage string
		}
	}
	getJSON(t, v.URL+"/api/v1/findings/pypi/alpha/2.0", &findings)
	if len(findings.Findings) != 1 || findings.Findings[0].Score != 9.8 || findings.Findings[0].Triage != "not_affected" {
		t.Fatalf("findings: %+v", findings)
	}
	var vex struct {
		Statements []struct {
			Status, Justification string
			Vulnerability         struct{ Name string }
		}
	}
	getJSON(t, v.URL+"/api/v1/triage/openvex", &vex)
	if len(vex.Statements) != 1 || vex.Statements[0].Status != "not_affected" || vex.Statements[0].Vulnerability.Name != "CVE-2026-0001" {
		t.Fatalf("openvex: %+v", vex)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func post(t *testing.T, url, token, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 && testing.Verbose() {
		t.Logf("POST %s: %s %s", url, resp.Status, b)
	}
	return resp.StatusCode
}

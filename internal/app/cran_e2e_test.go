package app_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/internal/ecosystem/conda/condatest"
	"vetted/internal/ecosystem/cran/crantest"
	"vetted/internal/ecosystem/pypi/pypitest"
)

// rscript runs R code with the real Rscript and returns its output.
func rscript(t *testing.T, code string) (string, error) {
	t.Helper()
	r := requireTool(t, "Rscript")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, r, "--vanilla", "-e", code).CombinedOutput()
	return string(out), err
}

// TestRThroughVetted: the real R installs from vetted: install.packages resolves the
// dependency; available.packages shows the filtered list; with the newest pkgB blocked
// R installs the previous version (from upstream's Archive/, listed at the top level);
// with pkgB entirely blocked R says it is not available; library(pkgB) works.
func TestRThroughVetted(t *testing.T) {
	requireTool(t, "Rscript")
	repo := crantest.NewRepo()
	repo.Add(crantest.Package{Name: "pkgA", Version: "1.0.0", License: "MIT + file LICENSE", Functions: map[string]string{"a_hello": `function() "hello from A"`}})
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		repo.Add(crantest.Package{Name: "pkgB", Version: v, Imports: []string{"pkgA"}, License: "GPL-2 | GPL-3",
			Functions: map[string]string{"b_hello": fmt.Sprintf(`function() paste("B %s says", pkgA::a_hello())`, v)}})
	}
	up := httptest.NewServer(repo)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
upstream: {timeout: 10s}
repositories:
  - {name: open, ecosystem: cran, kind: proxy, upstream: %[1]s}
  - {name: gov, ecosystem: cran, kind: proxy, upstream: %[1]s, policy: no-b2}
  - {name: none, ecosystem: cran, kind: proxy, upstream: %[1]s, policy: no-b}
policies:
  no-b2:
    rules: [{block: {project: "pkgB", versions: ">= 2.0.0"}, reason: "pkgB 2 is not approved (ticket R-1)"}]
  no-b:
    rules: [{block: {project: "pkgB"}}]
`, up.URL))

	install := func(repoName string) (string, error) {
		lib := t.TempDir()
		return rscript(t, fmt.Sprintf(`
options(warn = 1)
repos <- "%s/cran/%s"
ap <- available.packages(repos = repos)
cat("AVAILABLE:", paste(ap[, "Package"], ap[, "Version"], collapse = " "), "\n")
install.packages("pkgB", repos = repos, lib = %q, quiet = TRUE)
library(pkgB, lib.loc = %q)
cat("SAYS:", b_hello(), "\n")
`, v.URL, repoName, lib, lib))
	}
	out, err := install("open")
	if err != nil || !strings.Contains(out, "SAYS: B 2.0.0 says hello from A") || !strings.Contains(out, "pkgB 2.0.0") {
		t.Fatalf("R through the open repository: %v\n%s", err, out)
	}
	out, err = install("gov")
	if err != nil || !strings.Contains(out, "AVAILABLE: pkgA 1.0.0 pkgB 1.1.0") || !strings.Contains(out, "SAYS: B 1.1.0 says hello from A") {
		t.Fatalf("R through the governed repository (newest pkgB blocked): %v\n%s", err, out)
	}
	out, _ = install("none")
	if !strings.Contains(out, "not available") || strings.Contains(out, "SAYS:") {
		t.Fatalf("R installed a blocked package, or did not say it is unavailable:\n%s", out)
	}
	resp, body := httpGet(t, v.URL+"/cran/gov/src/contrib/pkgB_2.0.0.tar.gz")
	if resp.StatusCode != 403 || !strings.Contains(string(body), "R-1") || !strings.Contains(string(body), "newest allowed version: 1.1.0") {
		t.Fatalf("blocked tarball: %s %q", resp.Status, body)
	}
}

// TestRThroughMirror: a CRAN mirror syncs the newest allowed version of the selected
// packages (pkgB's from upstream's Archive/, its newest being blocked), then, with
// upstream down, the real R lists and installs them from the mirror.
func TestRThroughMirror(t *testing.T) {
	requireTool(t, "Rscript")
	repo := crantest.NewRepo()
	repo.Add(crantest.Package{Name: "pkgA", Version: "1.0.0", Functions: map[string]string{"a_hello": `function() "hello from A"`}})
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		repo.Add(crantest.Package{Name: "pkgB", Version: v, Imports: []string{"pkgA"},
			Functions: map[string]string{"b_hello": fmt.Sprintf(`function() paste("B %s says", pkgA::a_hello())`, v)}})
	}
	repo.Add(crantest.Package{Name: "other", Version: "1.0.0"})
	up := httptest.NewServer(repo)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: rm, ecosystem: cran, kind: mirror, upstream: %s, policy: no-b2, mirror: {names: ["pkg*"], latest: 1}}
policies:
  no-b2:
    rules: [{block: {project: "pkgB", versions: ">= 2.0.0"}}]
`, up.URL))
	res, err := v.App.SyncMirror(context.Background(), "rm", nil)
	if err != nil || res.Records != 2 || res.Fetched != 2 || res.Failed != 0 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	up.Close()
	lib := t.TempDir()
	out, err := rscript(t, fmt.Sprintf(`
options(warn = 1)
repos <- "%s/cran/rm"
ap <- available.packages(repos = repos)
cat("AVAILABLE:", paste(ap[, "Package"], ap[, "Version"], collapse = " "), "\n")
install.packages("pkgB", repos = repos, lib = %q, quiet = TRUE)
library(pkgB, lib.loc = %q)
cat("SAYS:", b_hello(), "\n")
`, v.URL, lib, lib))
	if err != nil || !strings.Contains(out, "AVAILABLE: pkgA 1.0.0 pkgB 1.1.0 \n") || !strings.Contains(out, "SAYS: B 1.1.0 says hello from A") {
		t.Fatalf("R through the mirror, upstream down: %v\n%s", err, out)
	}
}

// TestRPrivateRepository: R reaches a private repository with the token as the password
// in the URL; a wrong token gets 401, and R installs nothing.
func TestRPrivateRepository(t *testing.T) {
	requireTool(t, "Rscript")
	repo := crantest.NewRepo()
	repo.Add(crantest.Package{Name: "pkgA", Version: "1.0.0", License: "MIT + file LICENSE", Functions: map[string]string{"a_hello": `function() "hello from A"`}})
	up := httptest.NewServer(repo)
	defer up.Close()
	const token = "r-read-token"
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: private, ecosystem: cran, kind: proxy, upstream: %s, read_tokens_sha256: [%x]}
`, up.URL, sha256.Sum256([]byte(token))))
	host := strings.TrimPrefix(v.URL, "http://")
	install := func(tok string) (string, error) {
		lib := t.TempDir()
		return rscript(t, fmt.Sprintf(`
install.packages("pkgA", repos = "http://analyst:%s@%s/cran/private", lib = %q, quiet = TRUE)
library(pkgA, lib.loc = %q)
cat("SAYS:", a_hello(), "\n")
`, tok, host, lib, lib))
	}
	if out, err := install(token); err != nil || !strings.Contains(out, "SAYS: hello from A") {
		t.Fatalf("R with the token in the URL: %v\n%s", err, out)
	}
	if out, _ := install("wrong"); strings.Contains(out, "SAYS:") {
		t.Fatalf("R installed from a private repository with a wrong token:\n%s", out)
	}
	if resp, _ := httpGet(t, v.URL+"/cran/private/src/contrib/PACKAGES"); resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("no token: %s", resp.Status)
	}
	if resp, _ := httpGet(t, v.URL+"/cran/private/src/contrib/PACKAGES", "Authorization", "Bearer wrong"); resp.StatusCode != 401 {
		t.Fatalf("wrong bearer token: %s", resp.Status)
	}
	if resp, _ := httpGet(t, v.URL+"/cran/private/src/contrib/PACKAGES", "Authorization", "Bearer "+token); resp.StatusCode != 200 {
		t.Fatalf("bearer token: %s", resp.Status)
	}
}

// TestRHostedRepository: source packages uploaded with an admin token (validated from
// their DESCRIPTION; 409 on re-upload; 400 when the DESCRIPTION disagrees with the
// filename) are installed by the real R, under policy.
func TestRHostedRepository(t *testing.T) {
	requireTool(t, "Rscript")
	const token = "admin"
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: lab, ecosystem: cran, kind: hosted, policy: no-b2}
policies:
  no-b2:
    rules: [{block: {project: "pkgB", versions: ">= 2.0.0"}}]
api:
  admin_tokens_sha256: [%x]
`, sha256.Sum256([]byte(token))))
	put := func(p crantest.Package, filename string) int {
		req, _ := http.NewRequest(http.MethodPut, v.URL+"/cran/lab/src/contrib/"+filename, bytes.NewReader(p.Tarball()))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	a := crantest.Package{Name: "pkgA", Version: "1.0.0", License: "MIT + file LICENSE", Functions: map[string]string{"a_hello": `function() "hello from A"`}}
	if code := put(a, a.Filename()); code != 201 {
		t.Fatalf("upload pkgA: %d", code)
	}
	for _, ver := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		b := crantest.Package{Name: "pkgB", Version: ver, Imports: []string{"pkgA"}, License: "MIT + file LICENSE",
			Functions: map[string]string{"b_hello": fmt.Sprintf(`function() paste("B %s says", pkgA::a_hello())`, ver)}}
		if code := put(b, b.Filename()); code != 201 {
			t.Fatalf("upload pkgB %s: %d", ver, code)
		}
	}
	if code := put(a, a.Filename()); code != 409 {
		t.Fatalf("re-upload: %d", code)
	}
	if code := put(a, "pkgA_9.9.9.tar.gz"); code != 400 {
		t.Fatalf("DESCRIPTION disagreeing with the filename: %d", code)
	}
	lib := t.TempDir()
	out, err := rscript(t, fmt.Sprintf(`
install.packages("pkgB", repos = "%s/cran/lab", lib = %q, quiet = TRUE)
library(pkgB, lib.loc = %q)
cat("SAYS:", b_hello(), "\n")
`, v.URL, lib, lib))
	if err != nil || !strings.Contains(out, "SAYS: B 1.1.0 says hello from A") {
		t.Fatalf("R from the hosted repository: %v\n%s", err, out)
	}
}

// TestLicencePolicy: a repository denying strong copyleft hides a GPL conda record from
// repodata and a GPL R package from PACKAGES, and each download refusal names the licence.
func TestLicencePolicy(t *testing.T) {
	ch := condatest.NewChannel()
	gpl := ch.Add(condatest.Package{Name: "gpl-tool", Version: "1.0", License: "GPL-3.0-only"}, ".conda")
	ch.Add(condatest.Package{Name: "mit-tool", Version: "1.0", License: "MIT"}, ".conda")
	chSrv := httptest.NewServer(ch)
	defer chSrv.Close()
	repo := crantest.NewRepo()
	repo.Add(crantest.Package{Name: "gplPkg", Version: "1.0.0", License: "GPL-3"})
	repo.Add(crantest.Package{Name: "mitPkg", Version: "1.0.0", License: "MIT + file LICENSE"})
	cranSrv := httptest.NewServer(repo)
	defer cranSrv.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: c, ecosystem: conda, kind: proxy, upstream: %s/, policy: no-gpl}
  - {name: r, ecosystem: cran, kind: proxy, upstream: %s, policy: no-gpl}
policies:
  no-gpl:
    rules:
      - licenses: {deny: [strong-copyleft, network-copyleft], unknown: warn}
`, chSrv.URL, cranSrv.URL))
	_, body := httpGet(t, v.URL+"/conda/c/linux-64/repodata.json")
	if got := strings.Join(keys(records(t, body)), " "); strings.Contains(got, "gpl-tool") || !strings.Contains(got, "mit-tool") {
		t.Fatalf("conda repodata under a no-GPL policy: %s", got)
	}
	resp, msg := httpGet(t, v.URL+"/conda/c/linux-64/"+gpl.Filename)
	if resp.StatusCode != 403 || !strings.Contains(string(msg), "GPL-3.0-only") {
		t.Fatalf("GPL conda package download: %s %q", resp.Status, msg)
	}
	_, body = httpGet(t, v.URL+"/cran/r/src/contrib/PACKAGES")
	if strings.Contains(string(body), "gplPkg") || !strings.Contains(string(body), "mitPkg") {
		t.Fatalf("PACKAGES under a no-GPL policy:\n%s", body)
	}
	resp, msg = httpGet(t, v.URL+"/cran/r/src/contrib/gplPkg_1.0.0.tar.gz")
	if resp.StatusCode != 403 || !strings.Contains(string(msg), "GPL-3.0-only") {
		t.Fatalf("GPL R package download: %s %q", resp.Status, msg)
	}

	// The real clients see the same: R does not offer the GPL package, rattler cannot
	// solve for the GPL conda package but solves for the MIT one.
	out, _ := rscript(t, fmt.Sprintf(`
ap <- available.packages(repos = "%s/cran/r")
cat("AVAILABLE:", paste(ap[, "Package"], collapse = " "), "\n")
install.packages("gplPkg", repos = "%s/cran/r", lib = %q)
`, v.URL, v.URL, t.TempDir()))
	if !strings.Contains(out, "AVAILABLE: mitPkg") || strings.Contains(out, "AVAILABLE: gplPkg") || !strings.Contains(out, "not available") {
		t.Fatalf("R under a no-GPL policy:\n%s", out)
	}
	dir := rattler(t)
	script := filepath.Join(dir, "solve.cjs")
	if err := os.WriteFile(script, []byte(solveScript), 0o644); err != nil {
		t.Fatal(err)
	}
	solve := func(spec string) (string, error) {
		cmd := exec.Command("node", script, v.URL+"/conda/c/", spec)
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if out, err := solve("mit-tool"); err != nil || !strings.Contains(out, "mit-tool") {
		t.Fatalf("rattler solve mit-tool: %v\n%s", err, out)
	}
	if out, err := solve("gpl-tool"); err == nil {
		t.Fatalf("rattler solved for the GPL package under a no-GPL policy:\n%s", out)
	}
}

// TestLicencePolicyPip: with strong copyleft denied, pip does not see the GPL version of
// a project (its licence is read from PEP 658 core metadata) and installs the MIT one; the
// GPL wheel's download is refused naming the licence.
func TestLicencePolicyPip(t *testing.T) {
	requireTool(t, "python3")
	ix := pypitest.NewIndex()
	ix.AddWheel(pypitest.Project{Name: "lic-demo", Version: "1.0", License: "MIT"})
	ix.AddWheel(pypitest.Project{Name: "lic-demo", Version: "2.0", License: "GPLv3"})
	ix.Format = "json"
	up := httptest.NewServer(ix)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: p, ecosystem: pypi, kind: proxy, upstream: %s/simple/, policy: no-gpl}
policies:
  no-gpl:
    rules:
      - licenses: {deny: [strong-copyleft, network-copyleft]}
`, up.URL))
	target := t.TempDir()
	if out, err := pip(t, "install", "--index-url", v.URL+"/pypi/p/simple/", "--no-cache-dir", "--target", target, "lic-demo"); err != nil {
		t.Fatalf("pip install: %v\n%s", err, out)
	}
	wantInstalled(t, target, "lic_demo-1.0")
	resp, body := httpGet(t, v.URL+"/pypi/p/files/lic-demo/lic_demo-2.0-py3-none-any.whl")
	if resp.StatusCode != 403 || !strings.Contains(string(body), "GPL-3.0-only") {
		t.Fatalf("GPL wheel download: %s %q", resp.Status, body)
	}
}

// TestCRANPruneDependents: with pkgA blocked, pkgB (which imports it) cannot be
// installed and leaves PACKAGES too, with the reason on its download; pkgC, which needs
// only a base package, stays.
func TestCRANPruneDependents(t *testing.T) {
	repo := crantest.NewRepo()
	repo.Add(crantest.Package{Name: "pkgA", Version: "1.0.0", License: "MIT + file LICENSE"})
	repo.Add(crantest.Package{Name: "pkgB", Version: "1.0.0", Imports: []string{"pkgA", "stats"}, License: "MIT + file LICENSE"})
	repo.Add(crantest.Package{Name: "pkgC", Version: "1.0.0", Imports: []string{"stats"}, License: "MIT + file LICENSE"})
	up := httptest.NewServer(repo)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: r, ecosystem: cran, kind: proxy, upstream: %s, policy: no-a}
policies:
  no-a:
    prune-dependents: true
    rules: [{block: {project: "pkgA"}}]
`, up.URL))
	_, body := httpGet(t, v.URL+"/cran/r/src/contrib/PACKAGES")
	if strings.Contains(string(body), "pkgA") || strings.Contains(string(body), "pkgB") || !strings.Contains(string(body), "pkgC") {
		t.Fatalf("PACKAGES with pkgA blocked and dependents pruned:\n%s", body)
	}
	resp, msg := httpGet(t, v.URL+"/cran/r/src/contrib/pkgB_1.0.0.tar.gz")
	if resp.StatusCode != 403 || !strings.Contains(string(msg), "depends on pkgA") {
		t.Fatalf("pruned package download: %s %q", resp.Status, msg)
	}
}

// TestCRANPruneWithArchive: pruning and the Archive/ fallback together (the newest pkgB
// blocked, pruning on) render without deadlock and list the archived version.
func TestCRANPruneWithArchive(t *testing.T) {
	repo := crantest.NewRepo()
	repo.Add(crantest.Package{Name: "pkgA", Version: "1.0.0", License: "MIT + file LICENSE"})
	for _, ver := range []string{"1.0.0", "2.0.0"} {
		repo.Add(crantest.Package{Name: "pkgB", Version: ver, Imports: []string{"pkgA"}, License: "MIT + file LICENSE"})
	}
	up := httptest.NewServer(repo)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: r, ecosystem: cran, kind: proxy, upstream: %s, policy: p}
policies:
  p:
    prune-dependents: true
    rules: [{block: {project: "pkgB", versions: ">= 2.0.0"}}]
`, up.URL))
	done := make(chan string, 1)
	go func() {
		_, body := httpGet(t, v.URL+"/cran/r/src/contrib/PACKAGES")
		done <- string(body)
	}()
	select {
	case body := <-done:
		if !strings.Contains(body, "Package: pkgB\nVersion: 1.0.0") {
			t.Fatalf("PACKAGES:\n%s", body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("PACKAGES did not render within 30 s (deadlock?)")
	}
	if resp, _ := httpGet(t, v.URL+"/cran/r/src/contrib/pkgB_1.0.0.tar.gz"); resp.StatusCode != 200 {
		t.Fatalf("archived pkgB: %s", resp.Status)
	}
}

// TestCRANBinaryTrees: bin/windows and bin/macosx trees pass through under the same
// policy: their PACKAGES are filtered, files verified against MD5sum, blocked ones 403.
func TestCRANBinaryTrees(t *testing.T) {
	win := []byte("PK\x03\x04 a windows binary of pkgX")
	mac := []byte("\x1f\x8b a macos binary of pkgX")
	md := func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
	files := map[string][]byte{
		"/bin/windows/contrib/4.2/PACKAGES": []byte("Package: pkgX\nVersion: 1.0.0\nLicense: MIT + file LICENSE\nMD5sum: " + md(win) +
			"\n\nPackage: pkgY\nVersion: 2.0.0\nLicense: GPL-3\nMD5sum: " + md(win) + "\n\nPackage: pkgZ\nVersion: 1.0.0\nLicense: MIT + file LICENSE\nMD5sum: 00000000000000000000000000000000\n"),
		"/bin/windows/contrib/4.2/pkgX_1.0.0.zip":              win,
		"/bin/windows/contrib/4.2/pkgZ_1.0.0.zip":              win,
		"/bin/macosx/big-sur-arm64/contrib/4.2/PACKAGES":       []byte("Package: pkgX\nVersion: 1.0.0\nLicense: MIT + file LICENSE\nMD5sum: " + md(mac) + "\n"),
		"/bin/macosx/big-sur-arm64/contrib/4.2/pkgX_1.0.0.tgz": mac,
		"/src/contrib/PACKAGES":                                []byte("Package: pkgX\nVersion: 1.0.0\n"),
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: r, ecosystem: cran, kind: proxy, upstream: %s, policy: p}
policies:
  p:
    rules: [{licenses: {deny: [strong-copyleft]}}]
`, up.URL))
	base := v.URL + "/cran/r/bin/"
	_, body := httpGet(t, base+"windows/contrib/4.2/PACKAGES")
	if !strings.Contains(string(body), "pkgX") || strings.Contains(string(body), "pkgY") {
		t.Fatalf("windows PACKAGES:\n%s", body)
	}
	if resp, b := httpGet(t, base+"windows/contrib/4.2/pkgX_1.0.0.zip"); resp.StatusCode != 200 || !bytes.Equal(b, win) {
		t.Fatalf("windows binary: %s", resp.Status)
	}
	if resp, b := httpGet(t, base+"macosx/big-sur-arm64/contrib/4.2/pkgX_1.0.0.tgz"); resp.StatusCode != 200 || !bytes.Equal(b, mac) {
		t.Fatalf("macOS binary: %s", resp.Status)
	}
	if resp, b := httpGet(t, base+"windows/contrib/4.2/pkgY_2.0.0.zip"); resp.StatusCode != 403 || !strings.Contains(string(b), "GPL-3.0-only") {
		t.Fatalf("GPL binary: %s %q", resp.Status, b)
	}
	if resp, b := httpGet(t, base+"windows/contrib/4.2/pkgZ_1.0.0.zip"); resp.StatusCode != 502 || !strings.Contains(string(b), "md5") {
		t.Fatalf("binary with a wrong MD5sum: %s %q", resp.Status, b)
	}
	for _, p := range []string{"linux/contrib/4.2/PACKAGES", "windows/contrib/PACKAGES", "windows/contrib/4.2/..%2f..%2fPACKAGES"} {
		if resp, _ := httpGet(t, base+p); resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Errorf("GET bin/%s: %s", p, resp.Status)
		}
	}
}

// TestCRANArchivedTarballChecked: CRAN publishes no digest for archived versions, so an
// archived tarball must at least hold the package its name says. One that holds another
// package is refused (502) and not kept; the good current version still downloads.
func TestCRANArchivedTarballChecked(t *testing.T) {
	repo := crantest.NewRepo()
	impostor := crantest.Package{Name: "other", Version: "9.9.9", License: "MIT + file LICENSE"}
	repo.AddTarball(crantest.Package{Name: "pkgA", Version: "1.0.0", License: "MIT + file LICENSE"}, impostor.Tarball())
	repo.Add(crantest.Package{Name: "pkgA", Version: "2.0.0", License: "MIT + file LICENSE"})
	up := httptest.NewServer(repo)
	defer up.Close()
	v := startVetted(t, t.TempDir(), fmt.Sprintf(`
repositories:
  - {name: r, ecosystem: cran, kind: proxy, upstream: %s}
`, up.URL))
	for range 2 { // the second time, nothing was kept from the first
		resp, body := httpGet(t, v.URL+"/cran/r/src/contrib/Archive/pkgA/pkgA_1.0.0.tar.gz")
		if resp.StatusCode != 502 || !strings.Contains(string(body), "pkgA_1.0.0.tar.gz") {
			t.Fatalf("archived tarball holding another package: %s\n%s", resp.Status, body)
		}
	}
	if n := repo.Requests("/src/contrib/Archive/pkgA/pkgA_1.0.0.tar.gz"); n != 2 {
		t.Errorf("upstream asked %d times for the bad archived tarball, want 2 (it is never kept)", n)
	}
	if resp, _ := httpGet(t, v.URL+"/cran/r/src/contrib/pkgA_2.0.0.tar.gz"); resp.StatusCode != 200 {
		t.Fatalf("current version: %s", resp.Status)
	}
}

package registry_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"vetted/internal/policy"
	"vetted/internal/registry"
)

// TestBadNamesNeverReachUpstream: names that cannot exist are refused as invalid (or not
// found) before anything is asked of upstream or of the disk.
func TestBadNamesNeverReachUpstream(t *testing.T) {
	var asked atomic.Int64
	count := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, fixture(), options{wrap: count})
	ctx := context.Background()
	long := strings.Repeat("9", 300)
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"unknown repository", func() error { _, err := e.svc.ProjectPage(ctx, "nope", "alpha", registry.FormatHTML); return err }, registry.ErrNotFound},
		{"dot-dot repository", func() error { _, err := e.file("..", "alpha", "alpha-1.0-py3-none-any.whl"); return err }, registry.ErrNotFound},
		{"dot-dot project page", func() error { _, err := e.svc.ProjectPage(ctx, "open", "..", registry.FormatHTML); return err }, registry.ErrInvalid},
		{"slash in a project page", func() error {
			_, err := e.svc.ProjectPage(ctx, "open", "../../etc", registry.FormatJSON)
			return err
		}, registry.ErrInvalid},
		{"NUL in a project", func() error { _, err := e.file("open", "alpha\x00", "alpha-1.0-py3-none-any.whl"); return err }, registry.ErrInvalid},
		{"empty project", func() error { _, err := e.svc.ProjectPage(ctx, "open", "", registry.FormatHTML); return err }, registry.ErrInvalid},
		{"dot-dot filename", func() error { _, err := e.file("open", "alpha", ".."); return err }, registry.ErrInvalid},
		{"slash in a filename", func() error { _, err := e.file("open", "alpha", "../alpha-1.0-py3-none-any.whl"); return err }, registry.ErrInvalid},
		{"absolute filename", func() error { _, err := e.file("open", "alpha", "/etc/passwd"); return err }, registry.ErrInvalid},
		{"backslash in a filename", func() error { _, err := e.file("open", "alpha", `..\alpha-1.0-py3-none-any.whl`); return err }, registry.ErrInvalid},
		{"NUL in a filename", func() error { _, err := e.file("open", "alpha", "alpha-1.0-py3-none-any.whl\x00"); return err }, registry.ErrInvalid},
		{"hidden filename", func() error { _, err := e.file("open", "alpha", ".alpha-1.0-py3-none-any.whl"); return err }, registry.ErrInvalid},
		{"file of another project", func() error { _, err := e.file("open", "beta", "alpha-1.0-py3-none-any.whl"); return err }, registry.ErrNotFound},
		{"not a distribution", func() error { _, err := e.file("open", "alpha", "alpha.txt"); return err }, registry.ErrNotFound},
		{"metadata of nothing", func() error { _, err := e.file("open", "alpha", ".metadata"); return err }, registry.ErrInvalid},
		{"dot-dot version", func() error { _, err := e.svc.Explain(ctx, "open", "alpha", ".."); return err }, registry.ErrInvalid},
		{"slash in a version", func() error { _, err := e.svc.Explain(ctx, "open", "alpha", "1.0/../2.0"); return err }, registry.ErrInvalid},
		{"NUL in a version", func() error { _, err := e.svc.Explain(ctx, "open", "alpha", "1.0\x00"); return err }, registry.ErrInvalid},
		{"empty version", func() error { _, err := e.svc.Explain(ctx, "open", "alpha", ""); return err }, registry.ErrInvalid},
		{"very long legacy version", func() error { _, err := e.svc.Explain(ctx, "open", "alpha", "a"+long); return err }, registry.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if n := asked.Load(); n != 0 {
				t.Fatalf("upstream was asked %d times", n)
			}
		})
	}
	// A long but valid PEP 440 version is a version.
	if _, err := e.svc.Explain(ctx, "gov", "alpha", "1."+long); err != nil {
		t.Errorf("long PEP 440 version: %v", err)
	}
}

// TestFolderServesOnlyScannedDistributions: a local-folder upstream serves the
// distributions under its folder (also in subfolders), and nothing else: not through a
// symlink, not from a hidden folder, not outside the folder.
func TestFolderServesOnlyScannedDistributions(t *testing.T) {
	root := t.TempDir()
	folder := filepath.Join(root, "wheels")
	write := func(rel string, data []byte) {
		t.Helper()
		p := filepath.Join(folder, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("alpha-1.0-py3-none-any.whl", project("alpha", "1.0").Wheel())
	write("team/alpha-1.1-py3-none-any.whl", project("alpha", "1.1").Wheel())
	write(".git/alpha-7.0-py3-none-any.whl", project("alpha", "7.0").Wheel())
	secret := project("alpha", "6.0").Wheel()
	if err := os.WriteFile(filepath.Join(root, "outside.whl"), secret, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "outside.whl"), filepath.Join(folder, "alpha-6.0-py3-none-any.whl")); err != nil {
		t.Skipf("symlinks unsupported: %v", err)
	}
	e := newEnv(t, fixture(), options{folder: folder})
	ctx := context.Background()

	p, err := e.svc.ProjectPage(ctx, "local", "alpha", registry.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"alpha-1.0-py3-none-any.whl", "alpha-1.1-py3-none-any.whl"} {
		if !bytes.Contains(p.Body, []byte(f)) {
			t.Errorf("the page lacks %s", f)
		}
	}
	for _, f := range []string{"alpha-6.0", "alpha-7.0", "outside"} {
		if bytes.Contains(p.Body, []byte(f)) {
			t.Errorf("the page lists %s", f)
		}
	}
	cases := []struct {
		filename string
		want     []byte // nil: not found
	}{
		{"alpha-1.0-py3-none-any.whl", project("alpha", "1.0").Wheel()},
		{"alpha-1.1-py3-none-any.whl", project("alpha", "1.1").Wheel()},
		{"alpha-1.1-py3-none-any.whl.metadata", project("alpha", "1.1").Metadata()},
		{"alpha-6.0-py3-none-any.whl", nil},
		{"alpha-6.0-py3-none-any.whl.metadata", nil},
		{"alpha-7.0-py3-none-any.whl", nil},
	}
	for _, tc := range cases {
		t.Run(tc.filename, func(t *testing.T) {
			got, err := e.file("local", "alpha", tc.filename)
			if tc.want == nil {
				if !errors.Is(err, registry.ErrNotFound) {
					t.Fatalf("got %d bytes, err %v; want not found", len(got), err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %d bytes, err %v", len(got), err)
			}
		})
	}
	for _, b := range e.blobContents() {
		if bytes.Equal(b, secret) {
			t.Errorf("the file outside the folder was copied into the blob store")
		}
	}
}

// TestBlockedFileIsExplained: a blocked download is refused before anything is fetched,
// with the rule, its reason, the remedy and the newest allowed version (not yanked, not
// blocked), whatever the spelling of the project.
func TestBlockedFileIsExplained(t *testing.T) {
	e := newEnv(t, fixture(), options{})
	for _, spelling := range []string{"alpha", "Alpha", "ALPHA"} {
		for _, filename := range []string{"alpha-2.0-py3-none-any.whl", "alpha-2.0-py3-none-any.whl.metadata", "ALPHA-2.0.0-py3-none-any.whl"} {
			t.Run(spelling+"/"+filename, func(t *testing.T) {
				_, err := e.file("gov", spelling, filename)
				var be *registry.BlockedError
				if !errors.As(err, &be) {
					t.Fatalf("got %v, want a BlockedError", err)
				}
				if be.NewestAllowed != "1.1" || be.Decision.Verdict != policy.Block || be.Project != "alpha" {
					t.Errorf("%+v", be)
				}
				for _, want := range []string{"blocked by", blockReason, "newest allowed version: 1.1", "exception"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%q does not say %q", err, want)
					}
				}
			})
		}
	}
	if n := e.ix.Requests("/files/alpha-2.0-py3-none-any.whl") + e.ix.Requests("/files/alpha-2.0-py3-none-any.whl.metadata"); n != 0 {
		t.Errorf("upstream was asked for the blocked file %d times", n)
	}
}

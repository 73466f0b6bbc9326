package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/cran"
	"vetted/internal/upstream"
)

// Binary packages live under bin/: bin/windows/contrib/<R version>/ (.zip) and
// bin/macosx/[<build>/]contrib/<R version>/ (.tgz), each with its own PACKAGES. vetted
// passes them through under the same policy as sources.

var binSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// checkBinDir validates a binary tree path such as "windows/contrib/4.3".
func checkBinDir(dir string) error {
	parts := strings.Split(dir, "/")
	ok := len(parts) >= 3 && len(parts) <= 5 && (parts[0] == "windows" || parts[0] == "macosx") && parts[len(parts)-2] == "contrib"
	for _, p := range parts {
		ok = ok && binSegment.MatchString(p)
	}
	if !ok {
		return fmt.Errorf("bin/%s: %w: binary trees are bin/windows/contrib/<R version>/ and bin/macosx/[<build>/]contrib/<R version>/", dir, ErrNotFound)
	}
	return nil
}

func (s *CRAN) binaryDocs(r *cranRepo) *docs[[]cran.Entry] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.binaries == nil {
		d := newDocs[[]cran.Entry](r.name, "PACKAGES", r.packages.ttl, &s.deps, &s.flight)
		d.fetch = func(ctx context.Context, key string, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
			return s.fetchIndex(ctx, r, key, prev)
		}
		d.encode, d.decode = r.packages.encode, r.packages.decode
		r.binaries = d
	}
	return r.binaries
}

// fetchIndex reads a PACKAGES file at rel (e.g. bin/windows/contrib/4.3) from upstream.
func (s *CRAN) fetchIndex(ctx context.Context, r *cranRepo, rel string, prev upstream.Validators) ([]cran.Entry, upstream.Validators, bool, error) {
	if r.hosted {
		return []cran.Entry{}, upstream.Validators{}, false, nil
	}
	if r.local {
		p := filepath.Join(r.upstream, filepath.FromSlash(rel), "PACKAGES")
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			return nil, upstream.Validators{}, false, &upstream.Error{URL: p, Status: 404}
		}
		if err != nil {
			return nil, upstream.Validators{}, false, &upstream.Error{URL: p, Err: err}
		}
		es, err := cran.ParsePackages(data, p)
		if err != nil {
			return nil, upstream.Validators{}, false, &BadUpstreamError{URL: p, Err: err}
		}
		return es, upstream.Validators{}, false, nil
	}
	u := r.upstream + rel + "/PACKAGES"
	page, err := s.deps.Upstream.GetPage(ctx, u, "", prev)
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	es, err := cran.ParsePackages(page.Body, u)
	if err != nil {
		return nil, upstream.Validators{}, false, &BadUpstreamError{URL: u, Err: err}
	}
	return es, page.Validators, false, nil
}

// BinaryPackages serves GET /cran/<repo>/bin/<dir>/PACKAGES[.gz]: the binary tree's
// entries that policy allows.
func (s *CRAN) BinaryPackages(ctx context.Context, repo, dir string, gz bool) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkBinDir(dir); err != nil {
		return nil, err
	}
	if r.mirror != nil {
		return nil, fmt.Errorf("bin/%s: %w (mirror %s holds source packages only, and R installs from source when a binary tree is missing; use a proxy repository for binaries)", dir, ErrNotFound, repo)
	}
	st, warning, err := s.binaryDocs(r).get(ctx, "bin/"+dir)
	if err != nil {
		return nil, err
	}
	var out []cran.Entry
	for _, e := range st.value {
		if r.decide(e.Package(), e.Version(), e.Get("License")).Allowed() {
			out = append(out, e)
		}
	}
	body := cran.RenderPackages(out)
	ct := "text/plain; charset=utf-8"
	if gz {
		body, ct = cran.GzipPackages(body), "application/x-gzip"
	}
	sum := sha256.Sum256(body)
	return &Page{Rendered: &Rendered{Body: body, ContentType: ct, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, LastModified: st.changedAt}, Warning: warning}, nil
}

// BinaryFile serves GET /cran/<repo>/bin/<dir>/<pkg>_<ver>.(zip|tgz), verified against
// the binary PACKAGES' MD5sum.
func (s *CRAN) BinaryFile(ctx context.Context, repo, dir, filename string) (*Artifact, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if err := checkBinDir(dir); err != nil {
		return nil, err
	}
	if r.mirror != nil {
		return nil, fmt.Errorf("bin/%s: %w (mirror %s holds source packages only, and R installs from source when a binary tree is missing; use a proxy repository for binaries)", dir, ErrNotFound, repo)
	}
	pkg, version, err := cran.ParseFilename(filename)
	if err != nil || strings.HasSuffix(filename, cran.ExtSource) {
		return nil, fmt.Errorf("%s is not a binary package file name (<pkg>_<version>.zip or .tgz): %w", filename, ErrNotFound)
	}
	st, _, err := s.binaryDocs(r).get(ctx, "bin/"+dir)
	if err != nil {
		return nil, err
	}
	var entry *cran.Entry
	for i := range st.value {
		if st.value[i].Package() == pkg && st.value[i].Version() == version {
			entry = &st.value[i]
		}
	}
	if entry == nil {
		return nil, fmt.Errorf("%s is not in bin/%s/PACKAGES: %w", filename, dir, ErrNotFound)
	}
	if d := r.decide(pkg, version, entry.Get("License")); !d.Allowed() {
		s.deps.Metrics.blockedDownload(repo)
		return nil, &BlockedError{Repo: repo, Project: pkg, Version: version, Filename: filename, Decision: d}
	}
	key := "bin/" + dir + "/" + filename
	return r.stored.get(ctx, key, func(ctx context.Context) (catalog.File, error) {
		src := r.upstream + key
		open := func(ctx context.Context) (io.ReadCloser, error) {
			rc, _, err := s.deps.Upstream.Open(ctx, src)
			return rc, err
		}
		if r.local {
			src = filepath.Join(r.upstream, filepath.FromSlash(key))
			open = func(context.Context) (io.ReadCloser, error) {
				f, err := os.Open(src)
				if err != nil {
					return nil, &upstream.Error{URL: src, Status: 404}
				}
				return f, nil
			}
		}
		hashes := map[string]string{}
		if md := entry.Get("MD5sum"); md != "" {
			hashes["md5"] = md
		}
		sum, n, err := s.deps.download(ctx, open, filename, src, hashes, -1)
		s.deps.Metrics.upstreamRequest(r.name, "file", resultOf(err, false))
		if err != nil {
			return catalog.File{}, err
		}
		return catalog.File{Project: pkg, Version: version, Filename: key, SHA256: sum, Size: n, UpstreamURL: src}, nil
	})
}

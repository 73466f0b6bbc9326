package registry

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"

	"vetted/internal/catalog"
	"vetted/internal/ecosystem/conda/condapkg"
	"vetted/internal/ecosystem/conda/repodata"
)

// ErrConflict: the upload would replace something that exists; uploads are immutable.
var ErrConflict = errors.New("already exists")

// MaxUploadBytes bounds one uploaded package.
const MaxUploadBytes = 4 << 30

// emptyRepodata is a hosted subdir before its first upload (conda needs noarch to exist).
func emptyRepodata(subdir string) *repodata.Repodata {
	return &repodata.Repodata{Info: repodata.Info{Subdir: subdir}, Packages: map[string]*repodata.Record{}, PackagesConda: map[string]*repodata.Record{}, RepodataVersion: 1}
}

// Upload serves PUT /conda/<repo>/[<subdir>/]<filename> for hosted channels: the archive
// is read safely (info/index.json; name, version, build and subdir must agree with the
// filename and the URL), stored immutably, and added to the subdir's repodata. subdir may
// be "" (taken from index.json). It returns the repodata record.
func (s *Conda) Upload(ctx context.Context, repo, subdir, filename string, body io.Reader) (*repodata.Record, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	if !r.hosted {
		return nil, fmt.Errorf("repository %s is a proxy of %s; upload to a repository of kind hosted: %w", repo, r.upstream, ErrInvalid)
	}
	if _, _, _, _, ok := repodata.SplitFilename(filename); !ok || !safeName(filename) {
		return nil, fmt.Errorf("%q is not a conda package file name (<name>-<version>-<build>.conda or .tar.bz2): %w", filename, ErrInvalid)
	}
	// Spool to a temporary file: the archive is read at random (zip) and hashed whole.
	tmp, err := os.CreateTemp("", "vetted-upload-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sha, md := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, sha, md), io.LimitReader(body, MaxUploadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("receive %s: %w", filename, err)
	}
	if n > MaxUploadBytes {
		return nil, fmt.Errorf("%s is larger than %d GiB: %w", filename, MaxUploadBytes>>30, ErrInvalid)
	}
	idx, err := condapkg.ReadIndex(tmp, n, filename)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	if err := idx.Validate(filename); err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	if subdir == "" {
		subdir = idx.Subdir
	}
	if err := checkSubdir(subdir); err != nil {
		return nil, err
	}
	if idx.Subdir != subdir {
		return nil, fmt.Errorf("%s: info/index.json says subdir %q but it is uploaded to %q: %w", filename, idx.Subdir, subdir, ErrInvalid)
	}
	rec := repodata.Record{
		Name: idx.Name, Version: idx.Version, Build: idx.Build, BuildNumber: idx.BuildNumber,
		Depends: idx.Depends, Constrains: idx.Constrains, License: idx.License, LicenseFamily: idx.LicenseFamily,
		SHA256: hex.EncodeToString(sha.Sum(nil)), MD5: hex.EncodeToString(md.Sum(nil)), Size: n,
		Subdir: subdir, Noarch: idx.Noarch, Timestamp: idx.Timestamp, TrackFeatures: idx.TrackFeatures, Features: idx.Features,
	}
	if rec.Depends == nil {
		rec.Depends = []string{}
	}

	r.uploads.Lock() // one upload at a time per repository: repodata is read, then written
	defer r.uploads.Unlock()
	st, _, err := r.repodata.get(ctx, subdir)
	if err != nil {
		return nil, err
	}
	if _, exists := st.value.Lookup(filename); exists {
		return nil, fmt.Errorf("%s/%s is already in %s; packages are immutable, upload a new build number instead: %w", subdir, filename, repo, ErrConflict)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	w, err := s.deps.Blobs.Create(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, tmp); err != nil {
		w.Abort()
		return nil, err
	}
	if _, err := w.Commit(ctx, rec.SHA256); err != nil {
		return nil, err
	}
	next := copyRepodata(st.value)
	if repodataExt(filename) == repodata.ExtConda {
		next.PackagesConda[filename] = &rec
	} else {
		next.Packages[filename] = &rec
	}
	if err := r.repodata.replace(ctx, subdir, next); err != nil {
		return nil, err
	}
	if err := r.stored.record(ctx, catalog.File{Project: rec.Name, Version: rec.Version, Filename: subdir + "/" + filename, SHA256: rec.SHA256, Size: n, UpstreamURL: "uploaded"}); err != nil {
		return nil, err
	}
	return &rec, nil
}

func repodataExt(filename string) string {
	_, _, _, ext, _ := repodata.SplitFilename(filename)
	return ext
}

// copyRepodata copies the maps of rd, so that a new version can be published while the
// old one is being served.
func copyRepodata(rd *repodata.Repodata) *repodata.Repodata {
	out := rd.WithInfo(rd.Info)
	out.Packages = maps.Clone(rd.Packages)
	out.PackagesConda = maps.Clone(rd.PackagesConda)
	if out.Packages == nil {
		out.Packages = map[string]*repodata.Record{}
	}
	if out.PackagesConda == nil {
		out.PackagesConda = map[string]*repodata.Record{}
	}
	return out
}

func safeName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x21 || c == '/' || c == '\\' || c > 0x7e {
			return false
		}
	}
	return name != "" && name[0] != '.'
}

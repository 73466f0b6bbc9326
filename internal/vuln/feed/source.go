package feed

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// MaxRecordBytes bounds one record; OSV records are a few KB, the largest a few hundred.
const MaxRecordBytes = 8 << 20

// MaxDownloadBytes bounds a feed fetched over HTTP (OSV's PyPI export is ~40 MB).
const MaxDownloadBytes = 2 << 30

// Record is one file of a feed.
type Record struct {
	Name string // where it came from, for messages: a path, or "all.zip:GHSA-….json"
	Data []byte
}

// isRecordName reports whether a file name looks like an OSV record.
func isRecordName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".json", ".yaml", ".yml":
		return !strings.HasPrefix(path.Base(name), ".")
	}
	return false
}

// Progress is told how many records of how many have been read (total may be 0 when
// unknown).
type Progress func(done, total int)

// Read calls fn for every record of the feed at location: a directory (searched
// recursively), a .zip file, a single record file, or an http(s) URL of a zip or a
// record. Directory and zip entries are visited in name order.
func Read(ctx context.Context, client *http.Client, location string, progress Progress, fn func(Record) error) error {
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		return readURL(ctx, client, location, progress, fn)
	}
	st, err := os.Stat(location)
	if err != nil {
		return fmt.Errorf("feed %s: %w (give a directory of OSV records, a .zip export or an http(s) URL)", location, err)
	}
	if st.IsDir() {
		return readDir(ctx, location, progress, fn)
	}
	f, err := os.Open(location)
	if err != nil {
		return fmt.Errorf("feed %s: %w", location, err)
	}
	defer f.Close()
	if isZip(f) {
		return readZip(ctx, f, st.Size(), location, progress, fn)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxRecordBytes+1))
	if err != nil {
		return fmt.Errorf("feed %s: %w", location, err)
	}
	return fn(Record{Name: location, Data: data})
}

func isZip(r io.ReaderAt) bool {
	var magic [4]byte
	n, _ := r.ReadAt(magic[:], 0)
	return n == 4 && string(magic[:]) == "PK\x03\x04"
}

func readDir(ctx context.Context, dir string, progress Progress, fn func(Record) error) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // .git and the like
		}
		if d.Type().IsRegular() && isRecordName(d.Name()) {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("feed %s: %w", dir, err)
	}
	sort.Strings(paths)
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := readFileLimited(p)
		if err != nil {
			return err
		}
		if err := fn(Record{Name: p, Data: data}); err != nil {
			return err
		}
		if progress != nil {
			progress(i+1, len(paths))
		}
	}
	return nil
}

func readFileLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRecordBytes+1))
	if err != nil {
		return nil, fmt.Errorf("feed: read %s: %w", p, err)
	}
	return data, nil
}

// readZip reads the records of a zip export. Member names are only used in messages;
// nothing is written to disk, so a hostile name cannot escape anywhere.
func readZip(ctx context.Context, r io.ReaderAt, size int64, name string, progress Progress, fn func(Record) error) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("feed %s: not a readable zip file: %w", name, err)
	}
	var files []*zip.File
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() && isRecordName(f.Name) {
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("feed %s: member %s: %w", name, f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, MaxRecordBytes+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("feed %s: member %s: %w", name, f.Name, err)
		}
		if err := fn(Record{Name: path.Base(name) + ":" + f.Name, Data: data}); err != nil {
			return err
		}
		if progress != nil {
			progress(i+1, len(files))
		}
	}
	return nil
}

// readURL downloads the feed to a temporary file, then reads it as a zip or a record.
func readURL(ctx context.Context, client *http.Client, url string, progress Progress, fn func(Record) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("feed %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("feed %s: %w (for an air-gapped site, copy the file over and use `vetted feeds import PATH`)", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("feed %s: answered %s", url, resp.Status)
	}
	tmp, err := os.CreateTemp("", "vetted-feed-*")
	if err != nil {
		return fmt.Errorf("feed %s: %w", url, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, MaxDownloadBytes+1))
	if err != nil {
		return fmt.Errorf("feed %s: download: %w", url, err)
	}
	if n > MaxDownloadBytes {
		return fmt.Errorf("feed %s: larger than %d GiB", url, MaxDownloadBytes>>30)
	}
	if isZip(tmp) {
		return readZip(ctx, tmp, n, url, progress, fn)
	}
	if n > MaxRecordBytes {
		return fmt.Errorf("feed %s: a single record larger than %d MiB", url, MaxRecordBytes>>20)
	}
	data := make([]byte, n)
	if _, err := tmp.ReadAt(data, 0); err != nil && err != io.EOF {
		return fmt.Errorf("feed %s: %w", url, err)
	}
	return fn(Record{Name: url, Data: data})
}

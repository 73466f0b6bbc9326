package repodata

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Repodata is one subdir's repodata.json (https://docs.conda.io/projects/conda-build/en/latest/concepts/generating-index.html):
//
//	{
//	  "info": {"subdir": "linux-64", "base_url": "https://…/linux-64/"},
//	  "packages":       {"zlib-1.3.1-h4ab18f5_1.tar.bz2": {…record…}},
//	  "packages.conda": {"zlib-1.3.1-h4ab18f5_1.conda":   {…record…}},
//	  "removed": ["zlib-1.2.8-0.tar.bz2"],
//	  "repodata_version": 1
//	}
type Repodata struct {
	Info Info
	// Packages holds the .tar.bz2 files, PackagesConda the .conda files, by filename.
	Packages      map[string]*Record
	PackagesConda map[string]*Record
	// Removed lists filenames the channel took down; conda never installs them.
	Removed []string
	// RepodataVersion is 1, or 2 when Info.BaseURL is used (CEP 15); 0 when the document
	// does not say.
	RepodataVersion int
	// Extra holds top-level keys this package does not know (e.g. "signatures"), as
	// upstream wrote them; they are rendered again unchanged.
	Extra map[string]json.RawMessage
	// Shards, when the records were assembled from a CEP 16 shard index rather than read
	// from one repodata.json, holds the sha256 of each package name's shard file. A
	// reader that has seen an earlier index fetches only the shards whose hash changed.
	Shards map[string][32]byte

	byNameOnce sync.Once
	byName     map[string][]string // filenames by package name (filenamesByName)
	document   []byte              // what Parse read, when rd came from Parse
}

// Document returns the repodata.json that Parse read to make rd, byte for byte, or nil
// when rd was made otherwise (Patch, Current, WithInfo, in code). Its records' Raw
// fields point into it, so keeping it costs nothing more.
func (rd *Repodata) Document() []byte { return rd.document }

// Info is the "info" object of a repodata.json.
type Info struct {
	// Subdir is the platform subdirectory: "linux-64", "osx-arm64", "noarch"…
	Subdir string
	// BaseURL (CEP 15, repodata_version 2) is where the package files are, when not next
	// to repodata.json. It may be relative to the repodata.json URL. A proxy that serves
	// the files itself clears it, or points it at itself, before rendering.
	BaseURL string
	// Raw is the object as upstream wrote it; keys other than subdir and base_url
	// ("arch", "platform", "default_python_version"…) are rendered from it.
	Raw json.RawMessage
}

// Record is one package file's entry in repodata.json. The decoded fields are what vetted
// reads; Raw is the entry as upstream wrote it, and is what Render writes. Changing a
// decoded field does not change the rendered record.
type Record struct {
	Name        string // lower case; may contain "-"
	Version     string // conda version string; never contains "-"
	Build       string // build string; never contains "-"
	BuildNumber int
	// Depends are match specs ("python >=3.9", "libzlib >=1.3.1,<2.0a0"); Constrains
	// (run_constrained) restrict packages without requiring them.
	Depends    []string
	Constrains []string
	// License is the license as the recipe states it (often SPDX); LicenseFamily is conda's
	// coarse family ("MIT", "BSD", "GPL3"…). Either may be "".
	License       string
	LicenseFamily string
	// MD5 and SHA256 are lower-case hex digests of the package file; "" when absent.
	MD5    string
	SHA256 string
	// Size of the package file in bytes; 0 when absent.
	Size int64
	// Subdir is the record's own subdir ("" in some old records).
	Subdir string
	// Noarch is "", "python" or "generic". Legacy records say `"noarch": true`, which is
	// read as "generic".
	Noarch string
	// Timestamp is the build time in milliseconds since the Unix epoch, 0 when absent.
	// Records that give seconds (values below 253402300800, the year 10000 in seconds, as
	// conda reads them) are converted to milliseconds.
	Timestamp int64
	// TrackFeatures and Features are conda's feature strings (space separated; a JSON list
	// is joined with spaces).
	TrackFeatures string
	Features      string
	// Raw is the record's JSON object, byte for byte as in the source document. When Raw is
	// nil (a record built in code), Render writes the decoded fields instead.
	Raw json.RawMessage
}

// Time returns the record's build time, or the zero time when it has none.
func (r *Record) Time() time.Time {
	if r.Timestamp == 0 {
		return time.Time{}
	}
	return time.UnixMilli(r.Timestamp).UTC()
}

// Filename returns the filename conda gives the record's file: name-version-build.ext,
// with ext ".tar.bz2" or ".conda".
func (r *Record) Filename(ext string) string {
	return r.Name + "-" + r.Version + "-" + r.Build + ext
}

// Package file extensions, and the repodata map each belongs to.
const (
	ExtTarBz2 = ".tar.bz2" // "packages"
	ExtConda  = ".conda"   // "packages.conda"
)

// SplitFilename splits a package filename into name, version, build and extension
// (".tar.bz2" or ".conda"). The name may contain "-"; version and build may not, so the
// last two "-" separate them. ok is false when the filename has another form.
func SplitFilename(filename string) (name, version, build, ext string, ok bool) {
	var stem string
	switch {
	case strings.HasSuffix(filename, ExtTarBz2):
		stem, ext = filename[:len(filename)-len(ExtTarBz2)], ExtTarBz2
	case strings.HasSuffix(filename, ExtConda):
		stem, ext = filename[:len(filename)-len(ExtConda)], ExtConda
	default:
		return "", "", "", "", false
	}
	i := strings.LastIndexByte(stem, '-')
	if i < 0 {
		return "", "", "", "", false
	}
	j := strings.LastIndexByte(stem[:i], '-')
	if j <= 0 || j+1 == i || i+1 == len(stem) {
		return "", "", "", "", false
	}
	return stem[:j], stem[j+1 : i], stem[i+1:], ext, true
}

// KeepFunc decides which records a rendering keeps: the policy's verdict. rec must not be
// retained or changed. A nil KeepFunc keeps every record.
type KeepFunc func(filename string, rec *Record) bool

// Len returns the number of records (.tar.bz2 and .conda).
func (rd *Repodata) Len() int { return len(rd.Packages) + len(rd.PackagesConda) }

// Lookup returns the record of a filename, from packages or packages.conda according to
// its extension.
func (rd *Repodata) Lookup(filename string) (*Record, bool) {
	m := rd.Packages
	if strings.HasSuffix(filename, ExtConda) {
		m = rd.PackagesConda
	}
	rec, ok := m[filename]
	return rec, ok
}

// Patch returns a Repodata with rd's records, except those of the package names in
// changed, plus the records of changed's shards (a nil shard: the name is gone). rd is not
// modified; the records are shared. info becomes the new Info; Shards is nil (the caller
// sets it). Removed filenames follow their package's records.
func Patch(rd *Repodata, changed map[string]*Shard, info Info) *Repodata {
	out := &Repodata{Info: info, RepodataVersion: rd.RepodataVersion, Extra: rd.Extra}
	// Cloning a map copies its table; far cheaper than inserting every record again.
	out.Packages, out.PackagesConda = maps.Clone(rd.Packages), maps.Clone(rd.PackagesConda)
	if out.Packages == nil {
		out.Packages = map[string]*Record{}
	}
	if out.PackagesConda == nil {
		out.PackagesConda = map[string]*Record{}
	}
	byName := rd.filenamesByName()
	out.byName = make(map[string][]string, len(byName)+len(changed))
	for name, files := range byName {
		if _, gone := changed[name]; !gone {
			out.byName[name] = files
			continue
		}
		for _, f := range files {
			if strings.HasSuffix(f, ExtConda) {
				delete(out.PackagesConda, f)
			} else {
				delete(out.Packages, f)
			}
		}
	}
	for _, f := range rd.Removed {
		if name, _, _, _, ok := SplitFilename(f); ok {
			if _, gone := changed[name]; gone {
				continue
			}
		}
		out.Removed = append(out.Removed, f)
	}
	for name, sh := range changed {
		if sh == nil {
			continue
		}
		files := make([]string, 0, len(sh.Packages)+len(sh.PackagesConda))
		for filename, rec := range sh.Packages {
			out.Packages[filename] = rec
			files = append(files, filename)
		}
		for filename, rec := range sh.PackagesConda {
			out.PackagesConda[filename] = rec
			files = append(files, filename)
		}
		out.byName[name] = files
		out.Removed = append(out.Removed, sh.Removed...)
	}
	slices.Sort(out.Removed)
	out.Removed = slices.Compact(out.Removed)
	return out
}

// WithInfo returns a Repodata with rd's records and info instead of rd.Info (for
// rendering with another base_url). The records are shared.
func (rd *Repodata) WithInfo(info Info) *Repodata {
	return &Repodata{Info: info, Packages: rd.Packages, PackagesConda: rd.PackagesConda, Removed: rd.Removed,
		RepodataVersion: rd.RepodataVersion, Extra: rd.Extra, Shards: rd.Shards}
}

// FilenamesOf returns the filenames of a package name's records (.tar.bz2 and .conda).
// The slice must not be changed.
func (rd *Repodata) FilenamesOf(name string) []string {
	return rd.filenamesByName()[name]
}

// FilenameIndex returns the filenames of each package name's records. The map must not
// be changed.
func (rd *Repodata) FilenameIndex() map[string][]string { return rd.filenamesByName() }

// filenamesByName returns the filenames of each package name's records; computed once
// (Patch keeps it up to date), so rd's maps must not change after the first call.
func (rd *Repodata) filenamesByName() map[string][]string {
	rd.byNameOnce.Do(func() {
		if rd.byName != nil {
			return
		}
		rd.byName = map[string][]string{}
		for _, m := range []map[string]*Record{rd.Packages, rd.PackagesConda} {
			for filename, rec := range m {
				rd.byName[rec.Name] = append(rd.byName[rec.Name], filename)
			}
		}
	})
	return rd.byName
}

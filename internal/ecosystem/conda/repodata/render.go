package repodata

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
)

// Render writes rd as a repodata.json holding the records keep accepts (all of them when
// keep is nil).
//
// The output is deterministic: top-level keys in sorted order ("info", "packages",
// "packages.conda", "removed", "repodata_version", and any unknown keys upstream had,
// unchanged), records in sorted filename order, one per line. Each record is written as
// its Raw bytes, so it is exactly upstream's; records built in code (Raw nil) are encoded
// from their fields. "info" keeps upstream's keys, with subdir and base_url taken from
// rd.Info (base_url is dropped when rd.Info.BaseURL is ""); repodata_version is at least 2
// when there is a base_url (CEP 15).
func Render(w io.Writer, rd *Repodata, keep KeepFunc) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	var scratch []byte
	type section struct {
		key   string
		write func() error
	}
	sections := []section{
		{"packages", func() error { return writeRecords(bw, rd.Packages, keep, &scratch) }},
		{"packages.conda", func() error { return writeRecords(bw, rd.PackagesConda, keep, &scratch) }},
		{"removed", func() error {
			bw.WriteByte('[')
			for i, f := range rd.Removed {
				if i > 0 {
					bw.WriteByte(',')
				}
				bw.Write(appendString(scratch[:0], f))
			}
			bw.WriteByte(']')
			return nil
		}},
	}
	if rd.Info.Raw != nil || rd.Info.Subdir != "" || rd.Info.BaseURL != "" {
		info, err := renderInfo(&rd.Info)
		if err != nil {
			return err
		}
		sections = append(sections, section{"info", func() error { _, err := bw.Write(info); return err }})
	}
	version := rd.RepodataVersion
	if rd.Info.BaseURL != "" && version < 2 {
		version = 2
	}
	if version != 0 {
		sections = append(sections, section{"repodata_version", func() error {
			_, err := bw.WriteString(strconv.Itoa(version))
			return err
		}})
	}
	for key, raw := range rd.Extra {
		switch key {
		case "info", "packages", "packages.conda", "removed", "repodata_version":
			return fmt.Errorf("render repodata: Extra holds %q, which Repodata has a field for", key)
		}
		if !json.Valid(raw) {
			return fmt.Errorf("render repodata: Extra[%q] is not valid JSON", key)
		}
		sections = append(sections, section{key, func() error { _, err := bw.Write(raw); return err }})
	}
	slices.SortFunc(sections, func(a, b section) int { return strings.Compare(a.key, b.key) })
	bw.WriteByte('{')
	for i, s := range sections {
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.Write(appendString(scratch[:0], s.key))
		bw.WriteByte(':')
		if err := s.write(); err != nil {
			return err
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func writeRecords(bw *bufio.Writer, m map[string]*Record, keep KeepFunc, scratch *[]byte) error {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	bw.WriteByte('{')
	n := 0
	for _, name := range names {
		rec := m[name]
		if keep != nil && !keep(name, rec) {
			continue
		}
		raw := rec.Raw
		if raw == nil {
			var err error
			if raw, err = encodeRecord(rec); err != nil {
				return fmt.Errorf("render repodata: record %q: %w", name, err)
			}
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		*scratch = appendString((*scratch)[:0], name)
		*scratch = append(*scratch, ':')
		bw.Write(*scratch)
		bw.Write(raw)
		n++
	}
	if n > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteByte('}')
	return nil
}

// recordJSON is how a record built in code is encoded: fields in sorted order, as
// conda-index writes them.
type recordJSON struct {
	Build         string   `json:"build"`
	BuildNumber   int      `json:"build_number"`
	Constrains    []string `json:"constrains,omitempty"`
	Depends       []string `json:"depends"`
	Features      string   `json:"features,omitempty"`
	License       string   `json:"license,omitempty"`
	LicenseFamily string   `json:"license_family,omitempty"`
	MD5           string   `json:"md5,omitempty"`
	Name          string   `json:"name"`
	Noarch        string   `json:"noarch,omitempty"`
	SHA256        string   `json:"sha256,omitempty"`
	Size          int64    `json:"size,omitempty"`
	Subdir        string   `json:"subdir,omitempty"`
	Timestamp     int64    `json:"timestamp,omitempty"`
	TrackFeatures string   `json:"track_features,omitempty"`
	Version       string   `json:"version"`
}

// encodeRecord encodes a record's decoded fields as JSON.
func encodeRecord(rec *Record) ([]byte, error) {
	deps := rec.Depends
	if deps == nil {
		deps = []string{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // ">=" as conda writes it, not "\u003e="
	err := enc.Encode(recordJSON{
		Build: rec.Build, BuildNumber: rec.BuildNumber, Constrains: rec.Constrains,
		Depends: deps, Features: rec.Features, License: rec.License,
		LicenseFamily: rec.LicenseFamily, MD5: rec.MD5, Name: rec.Name, Noarch: rec.Noarch,
		SHA256: rec.SHA256, Size: rec.Size, Subdir: rec.Subdir, Timestamp: rec.Timestamp,
		TrackFeatures: rec.TrackFeatures, Version: rec.Version,
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// renderInfo writes the info object: upstream's keys in upstream's order, with subdir and
// base_url from the struct.
func renderInfo(info *Info) ([]byte, error) {
	type member struct {
		key string
		val []byte
	}
	var members []member
	if info.Raw != nil {
		s := &scanner{data: info.Raw}
		more, err := s.openObject()
		for ; more && err == nil; more, err = s.more('}') {
			k, err := s.key()
			if err != nil {
				return nil, fmt.Errorf("render repodata: info.Raw: %w", err)
			}
			key := string(k)
			val, err := s.value(1)
			if err != nil {
				return nil, fmt.Errorf("render repodata: info.Raw: %w", err)
			}
			members = append(members, member{key, val})
		}
		if err == nil {
			err = s.end()
		}
		if err != nil {
			return nil, fmt.Errorf("render repodata: info.Raw: %w", err)
		}
	}
	set := func(key, val string) {
		i := slices.IndexFunc(members, func(m member) bool { return m.key == key })
		switch {
		case val == "" && i >= 0:
			members = slices.Delete(members, i, i+1)
		case val == "":
		case i >= 0:
			members[i].val = appendString(nil, val)
		default:
			members = append(members, member{key, appendString(nil, val)})
		}
	}
	if info.Subdir != "" {
		set("subdir", info.Subdir)
	}
	set("base_url", info.BaseURL)
	out := []byte{'{'}
	for i, m := range members {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, m.key)
		out = append(out, ':')
		out = append(out, m.val...)
	}
	return append(out, '}'), nil
}

// RenderZstd writes Render's output compressed with zstd, as repodata.json.zst.
func RenderZstd(w io.Writer, rd *Repodata, keep KeepFunc) error {
	zw, err := NewZstdWriter(w)
	if err != nil {
		return err
	}
	if err := Render(zw, rd, keep); err != nil {
		zw.Close()
		return err
	}
	return zw.Close()
}

// RenderBzip2 writes Render's output compressed with bzip2, as repodata.json.bz2 (which
// only old conda versions fetch). bzip2 is slow: about 4.5 MB/s here, so 45 s for
// conda-forge's linux-64. Cache the result, and render it in the background.
func RenderBzip2(w io.Writer, rd *Repodata, keep KeepFunc) error {
	bw, err := NewBzip2Writer(w)
	if err != nil {
		return err
	}
	if err := Render(bw, rd, keep); err != nil {
		bw.Close()
		return err
	}
	return bw.Close()
}

// NewZstdWriter returns the zstd compressor used for .zst files: level 3 ("default",
// zstd's own default), a window of at most 8 MiB so that any client can decode it, and a
// checksum. Close it to finish the stream.
func NewZstdWriter(w io.Writer) (io.WriteCloser, error) {
	return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithWindowSize(8<<20), zstd.WithEncoderCRC(true))
}

// NewBzip2Writer returns the bzip2 compressor used for .bz2 files: level 9 (900 kB
// blocks), as conda-index writes them. Close it to finish the stream.
func NewBzip2Writer(w io.Writer) (io.WriteCloser, error) {
	return bzip2.NewWriter(w, &bzip2.WriterConfig{Level: bzip2.BestCompression})
}

package repodata

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Sharded repodata (CEP 16, https://github.com/conda/ceps/blob/main/cep-0016.md), as this
// package writes it. Every file is msgpack compressed with zstd.
//
//	<subdir>/
//	├── repodata_shards.msgpack.zst     the index, fetched first (short max-age)
//	│     {
//	│       "info":    {"base_url": "./", "shards_base_url": "./shards/", "subdir": "linux-64"
//	│                   [, "created_at": "2025-01-02T03:04:05Z"]},
//	│       "shards":  {"<package name>": <bin 32: sha256 of the shard file>, …},
//	│       "version": 1
//	│     }
//	└── shards/<lower-case hex sha256>.msgpack.zst     one per package name (immutable)
//	      {
//	        "packages":       {"<name>-<v>-<b>.tar.bz2": {…record…}, …},
//	        "packages.conda": {"<name>-<v>-<b>.conda": {…record…}, …},
//	        "removed":        ["<filename>", …]
//	      }
//
// base_url and shards_base_url may be absolute or relative to the index's URL. A shard's
// name is the sha256 of its compressed bytes, so shards are content-addressed and can be
// served with Cache-Control: immutable. Records are repodata.json's records converted key
// by key, in upstream's key order, except that "md5" and "sha256" are binary (16 and 32
// bytes) instead of hex. Map keys (filenames, names) are sorted, so equal inputs give equal
// shards. "removed" filenames go to the shard of their package name when that name has
// records; a name with only removed files has no shard.

// ShardIndexVersion is the "version" of the shard indexes this package writes.
const ShardIndexVersion = 1

// ShardIndex is a decoded repodata_shards.msgpack.zst.
type ShardIndex struct {
	Version int
	Info    ShardInfo
	// Shards maps a package name to the sha256 of its shard file.
	Shards map[string][32]byte
}

// ShardInfo is the "info" map of a shard index.
type ShardInfo struct {
	Subdir string
	// BaseURL is where package files are; ShardsBaseURL is where shards are (each at
	// ShardsBaseURL + ShardFilename(hash)). Both may be relative to the index's URL.
	BaseURL       string
	ShardsBaseURL string
	// CreatedAt is an RFC 3339 time, or "" (then it is left out, and the index depends only
	// on the records).
	CreatedAt string
}

// Shard is a decoded shard: one package name's records. Their Raw fields are JSON (with
// hex digests), as in repodata.json, so that they can be rendered like parsed records.
type Shard struct {
	Packages      map[string]*Record
	PackagesConda map[string]*Record
	Removed       []string
}

// ShardFilename is the file name of the shard with that sha256: "<hex>.msgpack.zst".
func ShardFilename(sum [32]byte) string {
	return hex.EncodeToString(sum[:]) + ".msgpack.zst"
}

// RenderShards writes the sharded form of rd with the records keep accepts. It calls put
// once per package name, with the shard's compressed bytes (which put may keep) and their
// sha256 (to store at info.ShardsBaseURL + ShardFilename(sum)), in sorted name order, and
// returns the compressed index (repodata_shards.msgpack.zst). An empty info.ShardsBaseURL
// becomes "./shards/", an empty info.BaseURL "./", an empty info.Subdir rd.Info.Subdir.
func RenderShards(rd *Repodata, keep KeepFunc, info ShardInfo, put func(sum [32]byte, shard []byte) error) ([]byte, error) {
	groups := map[string]*shardEntries{}
	collect := func(m map[string]*Record, conda bool) error {
		for filename, rec := range m {
			if keep != nil && !keep(filename, rec) {
				continue
			}
			raw, err := rawRecord(filename, rec)
			if err != nil {
				return err
			}
			g := groups[rec.Name]
			if g == nil {
				g = &shardEntries{}
				groups[rec.Name] = g
			}
			if conda {
				g.conda = append(g.conda, shardEntry{filename, raw})
			} else {
				g.packages = append(g.packages, shardEntry{filename, raw})
			}
		}
		return nil
	}
	if err := collect(rd.Packages, false); err != nil {
		return nil, err
	}
	if err := collect(rd.PackagesConda, true); err != nil {
		return nil, err
	}
	for _, f := range rd.Removed {
		if name, _, _, _, ok := SplitFilename(f); ok && groups[name] != nil {
			groups[name].removed = append(groups[name].removed, f)
		}
	}
	enc, err := NewShardEncoder()
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	slices.Sort(names)
	sums := make(map[string][32]byte, len(names))
	for _, name := range names {
		shard, err := enc.encode(groups[name])
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(shard)
		if err := put(sum, shard); err != nil {
			return nil, err
		}
		sums[name] = sum
	}
	return enc.Index(info, rd.Info.Subdir, sums), nil
}

type shardEntry struct {
	filename string
	raw      []byte
}

// shardEntries are one package name's records (JSON) and removed filenames.
type shardEntries struct {
	packages, conda []shardEntry
	removed         []string
}

func rawRecord(filename string, rec *Record) ([]byte, error) {
	if rec.Raw != nil {
		return rec.Raw, nil
	}
	raw, err := encodeRecord(rec)
	if err != nil {
		return nil, fmt.Errorf("render shards: record %q: %w", filename, err)
	}
	return raw, nil
}

// ShardEncoder renders shards and shard indexes one at a time, reusing its buffers. It is
// not safe for concurrent use.
type ShardEncoder struct {
	enc *zstd.Encoder
	buf []byte
}

// NewShardEncoder returns an encoder; Close releases it.
func NewShardEncoder() (*ShardEncoder, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	return &ShardEncoder{enc: enc}, nil
}

// Close releases the encoder.
func (e *ShardEncoder) Close() { e.enc.Close() }

// Shard renders the records of sh that keep accepts as a compressed shard file (a new
// slice). ok is false when keep accepts none of them: then the name has no shard.
func (e *ShardEncoder) Shard(sh *Shard, keep KeepFunc) (shard []byte, ok bool, err error) {
	var g shardEntries
	for _, part := range []struct {
		m   map[string]*Record
		dst *[]shardEntry
	}{{sh.Packages, &g.packages}, {sh.PackagesConda, &g.conda}} {
		for filename, rec := range part.m {
			if keep != nil && !keep(filename, rec) {
				continue
			}
			raw, err := rawRecord(filename, rec)
			if err != nil {
				return nil, false, err
			}
			*part.dst = append(*part.dst, shardEntry{filename, raw})
		}
	}
	if len(g.packages)+len(g.conda) == 0 {
		return nil, false, nil
	}
	g.removed = sh.Removed
	shard, err = e.encode(&g)
	return shard, err == nil, err
}

func (e *ShardEncoder) encode(g *shardEntries) ([]byte, error) {
	var err error
	writeEntries := func(entries []shardEntry) error {
		slices.SortFunc(entries, func(a, b shardEntry) int { return strings.Compare(a.filename, b.filename) })
		e.buf = mpAppendMapHeader(e.buf, len(entries))
		for _, en := range entries {
			e.buf = mpAppendStr(e.buf, en.filename)
			if e.buf, err = jsonToMsgpack(e.buf, en.raw, true); err != nil {
				return fmt.Errorf("render shards: record %q: %w", en.filename, err)
			}
		}
		return nil
	}
	e.buf = mpAppendMapHeader(e.buf[:0], 3)
	e.buf = mpAppendStr(e.buf, "packages")
	if err := writeEntries(g.packages); err != nil {
		return nil, err
	}
	e.buf = mpAppendStr(e.buf, "packages.conda")
	if err := writeEntries(g.conda); err != nil {
		return nil, err
	}
	e.buf = mpAppendStr(e.buf, "removed")
	removed := slices.Sorted(slices.Values(g.removed))
	e.buf = mpAppendArrayHeader(e.buf, len(removed))
	for _, f := range removed {
		e.buf = mpAppendStr(e.buf, f)
	}
	return e.enc.EncodeAll(e.buf, nil), nil // a new slice each time: callers keep it
}

// Index renders the compressed shard index (repodata_shards.msgpack.zst) listing sums,
// each package name's shard sha256. Empty info fields are filled as RenderShards does,
// info.Subdir from subdir.
func (e *ShardEncoder) Index(info ShardInfo, subdir string, sums map[string][32]byte) []byte {
	names := make([]string, 0, len(sums))
	for name := range sums {
		names = append(names, name)
	}
	slices.Sort(names)
	index := mpAppendMapHeader(e.buf[:0], 3)
	index = mpAppendStr(index, "info")
	index = appendShardInfo(index, info, subdir)
	index = mpAppendStr(index, "shards")
	index = mpAppendMapHeader(index, len(names))
	for _, name := range names {
		sum := sums[name]
		index = mpAppendStr(index, name)
		index = mpAppendBin(index, sum[:])
	}
	index = mpAppendStr(index, "version")
	index = mpAppendInt(index, ShardIndexVersion)
	e.buf = index
	return e.enc.EncodeAll(index, nil)
}

func appendShardInfo(dst []byte, info ShardInfo, subdir string) []byte {
	if info.Subdir == "" {
		info.Subdir = subdir
	}
	if info.BaseURL == "" {
		info.BaseURL = "./"
	}
	if info.ShardsBaseURL == "" {
		info.ShardsBaseURL = "./shards/"
	}
	n := 3
	if info.CreatedAt != "" {
		n++
	}
	dst = mpAppendMapHeader(dst, n)
	dst = mpAppendStr(mpAppendStr(dst, "base_url"), info.BaseURL)
	if info.CreatedAt != "" {
		dst = mpAppendStr(mpAppendStr(dst, "created_at"), info.CreatedAt)
	}
	dst = mpAppendStr(mpAppendStr(dst, "shards_base_url"), info.ShardsBaseURL)
	return mpAppendStr(mpAppendStr(dst, "subdir"), info.Subdir)
}

// maxShardBytes bounds a decompressed shard or shard index.
const maxShardBytes = 256 << 20

func unzstd(data []byte) ([]byte, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxShardBytes), zstd.WithDecoderMaxWindow(128<<20))
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	return dec.DecodeAll(data, nil)
}

// ParseShardIndex parses a repodata_shards.msgpack.zst (zstd-compressed). source names it
// in errors. Unknown keys are ignored, as CEP 16 asks.
func ParseShardIndex(data []byte, source string) (*ShardIndex, error) {
	fail := func(detail string, err error) error { return &ParseError{Source: source, Detail: detail, Err: err} }
	plain, err := unzstd(data)
	if err != nil {
		return nil, fail("not a zstd stream (a shard index is repodata_shards.msgpack.zst)", err)
	}
	v, err := mpDecode(plain)
	if err != nil {
		return nil, fail("invalid msgpack", err)
	}
	top, ok := v.(mpMap)
	if !ok {
		return nil, fail("a shard index is a map, not "+mpKind(v), nil)
	}
	ix := &ShardIndex{Shards: map[string][32]byte{}}
	if v, ok := top.get("version"); ok {
		n, ok := v.(int64)
		if !ok {
			return nil, fail(`"version" must be an integer, not `+mpKind(v), nil)
		}
		ix.Version = int(n)
	}
	if ix.Version > ShardIndexVersion {
		return nil, fail(fmt.Sprintf("version %d; only version %d is known", ix.Version, ShardIndexVersion), nil)
	}
	if v, ok := top.get("info"); ok {
		info, ok := v.(mpMap)
		if !ok {
			return nil, fail(`"info" must be a map, not `+mpKind(v), nil)
		}
		for key, dst := range map[string]*string{"subdir": &ix.Info.Subdir, "base_url": &ix.Info.BaseURL, "shards_base_url": &ix.Info.ShardsBaseURL, "created_at": &ix.Info.CreatedAt} {
			v, ok := info.get(key)
			if !ok || v == nil {
				continue
			}
			if *dst, ok = v.(string); !ok {
				return nil, fail(fmt.Sprintf("info[%q] must be a string, not %s", key, mpKind(v)), nil)
			}
		}
	}
	v, ok = top.get("shards")
	if !ok {
		return nil, fail(`no "shards" map`, nil)
	}
	shards, ok := v.(mpMap)
	if !ok {
		return nil, fail(`"shards" must be a map, not `+mpKind(v), nil)
	}
	for _, p := range shards {
		b, ok := p.Val.([]byte)
		if !ok || len(b) != 32 {
			return nil, fail(fmt.Sprintf("shards[%s] must be a 32-byte sha256, not %s", quote(p.Key), mpKind(p.Val)), nil)
		}
		if _, dup := ix.Shards[p.Key]; dup {
			return nil, fail(fmt.Sprintf("shards[%s] appears twice", quote(p.Key)), nil)
		}
		ix.Shards[p.Key] = [32]byte(b)
	}
	return ix, nil
}

// ParseShard parses a shard file (zstd-compressed msgpack). source names it in errors. The
// records are converted to JSON (binary md5 and sha256 to hex) and checked as Parse checks
// them. A caller that fetched the shard by hash should check sha256(data) first.
func ParseShard(data []byte, source string) (*Shard, error) {
	fail := func(detail string, err error) error { return &ParseError{Source: source, Detail: detail, Err: err} }
	plain, err := unzstd(data)
	if err != nil {
		return nil, fail("not a zstd stream (a shard is <sha256>.msgpack.zst)", err)
	}
	v, err := mpDecode(plain)
	if err != nil {
		return nil, fail("invalid msgpack", err)
	}
	top, ok := v.(mpMap)
	if !ok {
		return nil, fail("a shard is a map, not "+mpKind(v), nil)
	}
	// Convert to a repodata.json document and parse it: one set of checks for both forms.
	doc := []byte(`{`)
	first := true
	for _, key := range []string{"packages", "packages.conda", "removed"} {
		v, ok := top.get(key)
		if !ok {
			continue
		}
		if !first {
			doc = append(doc, ',')
		}
		first = false
		doc = appendString(doc, key)
		doc = append(doc, ':')
		if m, ok := v.(mpMap); ok && key != "removed" {
			doc = append(doc, '{')
			for i, p := range m {
				if i > 0 {
					doc = append(doc, ',')
				}
				doc = appendString(doc, p.Key)
				doc = append(doc, ':')
				if doc, err = mpToJSON(doc, p.Val, true); err != nil {
					return nil, fail(fmt.Sprintf("%s[%s]", key, quote(p.Key)), err)
				}
			}
			doc = append(doc, '}')
			continue
		}
		if doc, err = mpToJSON(doc, v, false); err != nil {
			return nil, fail(quote(key), err)
		}
	}
	doc = append(doc, '}')
	rd, err := Parse(doc, source)
	if err != nil {
		return nil, err
	}
	return &Shard{Packages: rd.Packages, PackagesConda: rd.PackagesConda, Removed: rd.Removed}, nil
}

// Package repodata holds conda's channel index formats: a subdir's repodata.json (with
// CEP 15 base_url), current_repodata.json, the channel's channeldata.json, and CEP 16
// sharded repodata (repodata_shards.msgpack.zst and shards/<sha256>.msgpack.zst).
//
// A channel index is parsed once and rendered many times, filtered by policy. Parsing
// keeps each record's JSON exactly as upstream wrote it and decodes only the fields vetted
// reads; rendering writes the kept records' original bytes, so a rendered record is
// byte-for-byte the upstream one (same keys, same hashes, fields vetted does not know).
//
// It imports only the standard library and the compressors conda clients expect
// (github.com/klauspost/compress/zstd, github.com/dsnet/compress/bzip2). It knows nothing
// of HTTP, storage or policy, and it does not order versions: callers pass conda's
// VersionOrder comparison where one is needed (Current).
package repodata

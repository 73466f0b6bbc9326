// Package fs is the local-disk implementation of blob.Store, the embedded default.
//
// It owns one directory and everything under it: the committed blobs, addressed by
// their SHA-256 digest, and the temp files of writes in progress. The layout is drawn
// on Store. Backing the blobs up is copying the directory.
//
// It imports only the standard library and vetted/internal/blob. It knows nothing of
// HTTP, the catalog, ecosystems or policy; callers decide which digest to expect.
package fs

// Package condapkg reads conda package archives safely: the info/index.json (and, if
// asked, info/about.json and info/paths.json) of a .conda or .tar.bz2 file, checked
// against the file's name.
//
// Hostile archives are expected: every member name is checked, sizes are checked against
// what is actually read, and the work is bounded (Limits). A .conda's payload is never
// read.
//
// It imports only the standard library and the zstd decoder of
// github.com/klauspost/compress; it knows nothing of repodata, HTTP, storage or policy.
package condapkg

// Package condatest builds real conda packages in memory for tests and benchmarks (.conda
// and .tar.bz2 archives that conda, mamba, pixi and conda-package-handling install) and
// serves them from a fake channel.
//
// It is written independently of vetted's conda packages (repodata, condapkg): it imports
// no vetted package, and builds index.json, repodata.json and channeldata.json with
// encoding/json maps, so that tests of those packages are not circular. Besides the
// standard library it uses only the compressors conda uses
// (github.com/klauspost/compress/zstd, github.com/dsnet/compress/bzip2).
package condatest

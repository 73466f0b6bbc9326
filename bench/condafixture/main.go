// Command condafixture writes a synthetic conda channel folder for bench/conda.sh: a
// linux-64/repodata.json of N records shaped like conda-forge's (about 650 bytes each)
// and an empty noarch/repodata.json. Package files are not written: the benchmark measures
// index handling. With -shards it also writes each subdir's CEP 16 sharded form
// (repodata_shards.msgpack.zst and shards/), as conda-forge publishes it.
//
//	go run ./bench/condafixture -n 300000 [-shards] DIR
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"vetted/internal/ecosystem/conda/repodata"
)

func main() {
	n := flag.Int("n", 300000, "records in linux-64/repodata.json")
	extra := flag.Int("extra", 0, "records added after the n (to measure an incremental refresh)")
	shards := flag.Bool("shards", false, "also write the sharded form (CEP 16)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: condafixture [-n N] [-extra K] [-shards] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	for _, sub := range []string{"linux-64", "noarch"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			fail(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "noarch", "repodata.json"), []byte(`{"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {}, "repodata_version": 1}`+"\n"), 0o644); err != nil {
		fail(err)
	}
	f, err := os.Create(filepath.Join(dir, "linux-64", "repodata.json.tmp"))
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("{\n \"info\": {\"subdir\": \"linux-64\"},\n \"packages\": {},\n \"packages.conda\": {")
	for i := 0; i < *n+*extra; i++ {
		if i > 0 {
			w.WriteByte(',')
		}
		name := fmt.Sprintf("pkg-%05d", i/15)
		version := fmt.Sprintf("%d.%d.%d", i%15/5, i%5, i%3)
		build := fmt.Sprintf("h%08x_%d", uint32(i)*2654435761, i%4)
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		fmt.Fprintf(w, "\n  %q: {\"build\": %q, \"build_number\": %d, \"depends\": [\"libgcc-ng >=12\", \"python >=3.9\", \"lib%04d >=1.0,<2.0a0\"], \"license\": \"BSD-3-Clause\", \"md5\": \"%032x\", \"name\": %q, \"sha256\": %q, \"size\": %d, \"subdir\": \"linux-64\", \"timestamp\": %d, \"version\": %q}",
			name+"-"+version+"-"+build+".conda", build, i%4, i%2000, i, name, hex.EncodeToString(sum[:]), 10000+i, 1700000000000+int64(i)*1000, version)
	}
	w.WriteString("\n },\n \"removed\": [],\n \"repodata_version\": 1\n}\n")
	if err := w.Flush(); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, "linux-64", "repodata.json")); err != nil {
		fail(err)
	}
	if *shards {
		for _, sub := range []string{"noarch", "linux-64"} {
			if err := writeShards(filepath.Join(dir, sub)); err != nil {
				fail(err)
			}
		}
	}
}

// writeShards writes the sharded form of dir/repodata.json: the shards first (each file
// is named by its content, so unchanged ones are left alone), then the index.
func writeShards(dir string) error {
	f, err := os.Open(filepath.Join(dir, "repodata.json"))
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := repodata.ParseReader(f, f.Name())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "shards"), 0o755); err != nil {
		return err
	}
	index, err := repodata.RenderShards(rd, nil, repodata.ShardInfo{}, func(sum [32]byte, shard []byte) error {
		p := filepath.Join(dir, "shards", repodata.ShardFilename(sum))
		if _, err := os.Stat(p); err == nil {
			return nil
		}
		return os.WriteFile(p, shard, 0o644)
	})
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "repodata_shards.msgpack.zst.tmp")
	if err := os.WriteFile(tmp, index, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "repodata_shards.msgpack.zst"))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "condafixture:", err)
	os.Exit(1)
}

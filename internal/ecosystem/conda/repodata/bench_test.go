package repodata

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// synthRepodata returns a repodata.json of n records shaped like conda-forge's linux-64
// (2025): pretty-printed with one-space indents as conda-index writes it, about 800 bytes
// a record, a third .tar.bz2 and two thirds .conda, 15 records a name, depends drawn from a
// pool of common specs, some constrains, noarch and track_features, and one field vetted
// does not read. Deterministic.
func synthRepodata(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 850)
	b.WriteString("{\n \"info\": {\n  \"subdir\": \"linux-64\"\n },\n")
	conda := n * 2 / 3
	writeMap := func(key, ext string, from, to int) {
		fmt.Fprintf(&b, " %q: {", key)
		for i := from; i < to; i++ {
			if i > from {
				b.WriteByte(',')
			}
			writeSynthRecord(&b, i, ext)
		}
		b.WriteString("\n },\n")
	}
	writeMap("packages", ".tar.bz2", 0, n-conda)
	writeMap("packages.conda", ".conda", n-conda, n)
	b.WriteString(" \"removed\": [\n  \"pkg-00001-0.1-h0_0.tar.bz2\"\n ],\n \"repodata_version\": 1\n}\n")
	return b.Bytes()
}

var commonDeps = func() []string {
	deps := []string{"libgcc-ng >=12", "libstdcxx-ng >=12", "python >=3.9", "python_abi 3.11.* *_cp311", "libzlib >=1.3.1,<2.0a0", "openssl >=3.3.1,<4.0a0", "numpy >=1.23.5,<2.0a0", "__glibc >=2.17,<3.0.a0", "libgcc >=13", "ucrt >=10.0.20348.0"}
	for i := range 2000 {
		deps = append(deps, fmt.Sprintf("lib%04d >=%d.%d,<%d.0a0", i, i%7, i%13, i%7+1))
	}
	return deps
}()

func writeSynthRecord(b *bytes.Buffer, i int, ext string) {
	name := fmt.Sprintf("pkg-%05d", i/15)
	version := fmt.Sprintf("%d.%d.%d", i%15/5, i%5, i%3)
	build := fmt.Sprintf("py311h%08x_%d", uint32(i)*2654435761, i%4)
	md := md5.Sum([]byte(strconv.Itoa(i)))
	sh := sha256.Sum256([]byte(strconv.Itoa(i)))
	fmt.Fprintf(b, "\n  %q: {\n   \"build\": %q,\n   \"build_number\": %d,\n", name+"-"+version+"-"+build+ext, build, i%4)
	if i%5 == 0 {
		fmt.Fprintf(b, "   \"constrains\": [\n    \"%s-base %s\"\n   ],\n", name, version)
	}
	b.WriteString("   \"depends\": [")
	nd := 3 + i%8
	for j := range nd {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, "\n    %q", commonDeps[(i*7+j*31)%len(commonDeps)])
	}
	b.WriteString("\n   ],\n")
	fmt.Fprintf(b, "   \"license\": \"BSD-3-Clause\",\n   \"license_family\": \"BSD\",\n   \"md5\": %q,\n   \"name\": %q,\n", hex.EncodeToString(md[:]), name)
	if i%10 == 0 {
		b.WriteString("   \"noarch\": \"python\",\n")
	}
	fmt.Fprintf(b, "   \"purls\": [\n    \"pkg:pypi/%s@%s\"\n   ],\n", name, version)
	fmt.Fprintf(b, "   \"sha256\": %q,\n   \"size\": %d,\n   \"subdir\": \"linux-64\",\n   \"timestamp\": %d,\n", hex.EncodeToString(sh[:]), 10000+i*37%900000, 1700000000000+int64(i)*1000)
	if i%97 == 0 {
		b.WriteString("   \"track_features\": \"blas_openblas\",\n")
	}
	fmt.Fprintf(b, "   \"version\": %q\n  }", version)
}

var synth300k = sync.OnceValue(func() []byte { return synthRepodata(300_000) })

// peakRSS returns the process's peak resident set size (VmHWM) in MiB, or -1.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return -1
}

func heapMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// BenchmarkParse300k parses a synthetic 300,000-record repodata.json (about 195 MiB). It
// reports the input size, the heap the parsed Repodata holds beyond its input, and the
// peak RSS (VmHWM) of a fresh process that reads the same document from a file with
// ParseReader and renders it all with Render: the memory vetted needs for one such subdir.
func BenchmarkParse300k(b *testing.B) {
	data := synth300k()
	before := heapMiB()
	var rd *Repodata
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rd = nil
		var err error
		if rd, err = Parse(data, "synthetic"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if rd.Len() != 300_000 {
		b.Fatalf("%d records", rd.Len())
	}
	b.ReportMetric(float64(len(data))/(1<<20), "input-MiB")
	b.ReportMetric(heapMiB()-before, "retained-heap-MiB")
	runtime.KeepAlive(rd)

	path := filepath.Join(b.TempDir(), "repodata.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRSSChild$", "-test.v")
	cmd.Env = append(os.Environ(), "VETTED_REPODATA_RSS_FILE="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	_, after, ok := strings.Cut(string(out), "peak-RSS-MiB ")
	rss, err := strconv.ParseFloat(strings.Fields(after + " x")[0], 64)
	if !ok || err != nil {
		b.Fatalf("child said:\n%s", out)
	}
	b.ReportMetric(rss, "peak-RSS-MiB")
}

// TestRSSChild is BenchmarkParse300k's child process.
func TestRSSChild(t *testing.T) {
	path := os.Getenv("VETTED_REPODATA_RSS_FILE")
	if path == "" {
		t.Skip("run by BenchmarkParse300k")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := ParseReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Render(io.Discard, rd, nil); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("records %d peak-RSS-MiB %.0f\n", rd.Len(), peakRSS())
}

func BenchmarkRender300k(b *testing.B) {
	rd, err := Parse(synth300k(), "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for b.Loop() {
		cw := &countWriter{}
		if err := Render(cw, rd, func(filename string, rec *Record) bool { return rec.BuildNumber != 3 }); err != nil {
			b.Fatal(err)
		}
		n = cw.n
	}
	b.SetBytes(n)
}

func BenchmarkRenderZstd300k(b *testing.B) {
	rd, err := Parse(synth300k(), "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for b.Loop() {
		cw := &countWriter{}
		if err := RenderZstd(cw, rd, nil); err != nil {
			b.Fatal(err)
		}
		n = cw.n
	}
	b.ReportMetric(float64(n)/(1<<20), "zst-MiB")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)

func BenchmarkRenderShards300k(b *testing.B) {
	rd, err := Parse(synth300k(), "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	var n, total int
	for b.Loop() {
		n, total = 0, 0
		index, err := RenderShards(rd, nil, ShardInfo{}, func(sum [32]byte, shard []byte) error {
			n++
			total += len(shard)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		total += len(index)
	}
	b.ReportMetric(float64(n), "shards")
	b.ReportMetric(float64(total)/(1<<20), "zst-MiB")
}

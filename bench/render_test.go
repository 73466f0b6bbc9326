package bench

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"vetted/internal/ecosystem/pypi"
)

// page2000 is a 2,000-file project page shaped like internal/ecosystem/pypi's
// benchProject (100 versions × 20 wheels, a third with PEP 658 metadata, some yanked).
func page2000() *pypi.Project {
	p := &pypi.Project{Name: "numpy", Meta: pypi.Meta{APIVersion: "1.1"}}
	for i := range 2000 {
		fn := fmt.Sprintf("numpy-1.%d.%d-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", i/20, i%20)
		f := pypi.File{
			Filename:       fn,
			URL:            "../../files/numpy/" + fn,
			Hashes:         map[string]string{"sha256": strings.Repeat("0123456789abcdef", 4)},
			RequiresPython: ">=3.9",
			Size:           18_300_000 + int64(i),
			UploadTime:     "2024-02-06T00:26:44.295133Z",
		}
		if i%3 == 0 {
			f.CoreMetadata = map[string]string{"sha256": strings.Repeat("fedcba9876543210", 4)}
		}
		if i%50 == 0 {
			f.Yanked, f.YankedReason = true, "broken <wheel> & bad metadata"
		}
		p.Files = append(p.Files, f)
		if i%20 == 0 {
			p.Versions = append(p.Versions, fmt.Sprintf("1.%d", i/20))
		}
	}
	return p
}

// pageReady does what the registry does after rendering a page that is not cached (a
// new upstream page or a policy change): gzip it (BestSpeed) and hash it for the ETag.
// The policy filter that runs before rendering is not included.
func pageReady(b *testing.B, render func(*pypi.Project) []byte) {
	p := page2000()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		body := render(p)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		sum := sha256.Sum256(body)
		_ = sum
		n = len(body)
	}
	b.SetBytes(int64(n))
}

// BenchmarkPageReady2000JSON and ...HTML: render + gzip + ETag of a 2,000-file page, the
// cost of the first request after the page or the policy changed (compare with
// BenchmarkRenderProjectJSON/HTML in internal/ecosystem/pypi: rendering alone).
func BenchmarkPageReady2000JSON(b *testing.B) { pageReady(b, pypi.RenderProjectJSON) }
func BenchmarkPageReady2000HTML(b *testing.B) { pageReady(b, pypi.RenderProjectHTML) }

package crantest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Synthetic is a large, deterministic CRAN mirror for benchmarks: Packages packages
// named pkg00000, pkg00001, …, each with Archived older versions (1.0.0, 1.1.0, …) in
// src/contrib/Archive/<pkg>/ and a current version 2.0.0 listed in PACKAGES. Every
// tarball is a real source package (Package.Tarball). Packages import two others, one
// with a version constraint, and declare CRAN's common licences in about CRAN's
// proportions; one in a thousand (pkg00999, pkg01999, …) is AGPL-3.
type Synthetic struct {
	Packages int
	Archived int
}

// Name is the name of package i.
func (s Synthetic) Name(i int) string { return fmt.Sprintf("pkg%05d", i) }

// Version is the version of package version k: 1.<k>.0 for the archived ones (k <
// Archived), 2.0.0 for the current one (k == Archived).
func (s Synthetic) Version(k int) string {
	if k == s.Archived {
		return "2.0.0"
	}
	return fmt.Sprintf("1.%d.0", k)
}

// licences, in about CRAN's proportions.
var syntheticLicenses = []string{
	"GPL-2 | GPL-3", "GPL-2 | GPL-3", "GPL-2 | GPL-3", "GPL-2 | GPL-3",
	"MIT + file LICENSE", "MIT + file LICENSE", "MIT + file LICENSE", "MIT + file LICENSE", "MIT + file LICENSE",
	"GPL-3", "GPL-3", "GPL-3", "GPL-3",
	"GPL (>= 2)", "GPL (>= 2)", "GPL (>= 2)",
	"GPL-2", "LGPL-3", "Apache License (== 2.0)", "BSD_3_clause + file LICENSE",
}

// Package is version k of package i (see Version).
func (s Synthetic) Package(i, k int) Package {
	p := Package{
		Name:     s.Name(i),
		Version:  s.Version(k),
		Depends:  []string{"R (>= 3.5.0)"},
		Suggests: []string{"testthat (>= 3.0.0)", "knitr"},
		License:  syntheticLicenses[i%len(syntheticLicenses)],
	}
	if i%1000 == 999 {
		p.License = "AGPL-3"
	}
	for n, j := range []int{(i*7919 + 1) % s.Packages, (i*104729 + 13) % s.Packages} {
		if j == i {
			continue
		}
		dep := s.Name(j)
		if n == 0 {
			dep += " (>= 1.0.0)"
		}
		p.Imports = append(p.Imports, dep)
	}
	return p
}

// WriteFolder writes the mirror's src/contrib tree into dir: PACKAGES and PACKAGES.gz
// (the current versions), the current tarballs, and Archive/<pkg>/ with the older ones.
func (s Synthetic) WriteFolder(dir string) error {
	contrib := filepath.Join(dir, "src", "contrib")
	if err := os.MkdirAll(contrib, 0o755); err != nil {
		return err
	}
	md5s := make([]string, s.Packages)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sum, err := s.writePackage(contrib, i)
				md5s[i] = sum
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < s.Packages; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	var b strings.Builder
	for i := 0; i < s.Packages; i++ {
		if i > 0 {
			b.WriteString("\n")
		}
		writeEntry(&b, s.Package(i, s.Archived), md5s[i])
	}
	index := []byte(b.String())
	for name, data := range map[string][]byte{"PACKAGES": index, "PACKAGES.gz": gz(index)} {
		if err := os.WriteFile(filepath.Join(contrib, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writePackage writes every version of package i and returns the MD5 of the current one.
func (s Synthetic) writePackage(contrib string, i int) (string, error) {
	archive := filepath.Join(contrib, "Archive", s.Name(i))
	if s.Archived > 0 {
		if err := os.MkdirAll(archive, 0o755); err != nil {
			return "", err
		}
	}
	var current string
	for k := 0; k <= s.Archived; k++ {
		p := s.Package(i, k)
		data := p.Tarball()
		d := archive
		if k == s.Archived {
			d = contrib
			sum := md5.Sum(data)
			current = hex.EncodeToString(sum[:])
		}
		if err := os.WriteFile(filepath.Join(d, p.Filename()), data, 0o644); err != nil {
			return "", err
		}
	}
	return current, nil
}

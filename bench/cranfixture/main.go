// Command cranfixture writes a synthetic CRAN mirror folder for bench/cran.sh: N
// packages, each with a current version in src/contrib/PACKAGES and K older versions in
// src/contrib/Archive/<pkg>/, every tarball a real (small) R source package with its
// DESCRIPTION. See crantest.Synthetic for the names, versions, dependencies and
// licences.
//
//	go run ./bench/cranfixture -n 25000 -archived 10 DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"vetted/internal/ecosystem/cran/crantest"
)

func main() {
	n := flag.Int("n", 25000, "packages")
	archived := flag.Int("archived", 10, "archived versions of each package")
	flag.Parse()
	if flag.NArg() != 1 || *n < 1 || *archived < 0 {
		fmt.Fprintln(os.Stderr, "usage: cranfixture [-n N] [-archived K] DIR")
		os.Exit(2)
	}
	if err := (crantest.Synthetic{Packages: *n, Archived: *archived}).WriteFolder(flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "cranfixture:", err)
		os.Exit(1)
	}
}

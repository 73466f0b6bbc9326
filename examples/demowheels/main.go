// Command demowheels writes a few small, real wheels into a folder, for the README's
// offline demo: alpha 1.0, 1.1 and 2.0, and beta 1.0, which depends on alpha.
//
//	go run ./examples/demowheels ./wheels
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"vetted/internal/ecosystem/pypi/pypitest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./examples/demowheels DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	projects := []pypitest.Project{
		{Name: "alpha", Version: "1.0"},
		{Name: "alpha", Version: "1.1"},
		{Name: "alpha", Version: "2.0"},
		{Name: "beta", Version: "1.0", RequiresDist: []string{"alpha>=1.0"}},
	}
	for _, p := range projects {
		path := filepath.Join(dir, p.WheelFilename())
		if err := os.WriteFile(path, p.Wheel(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}

//go:build !race

package vuln

const raceEnabled = false

//go:build race

package license

const raceEnabled = true

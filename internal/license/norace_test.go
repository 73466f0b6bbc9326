//go:build !race

package license

const raceEnabled = false

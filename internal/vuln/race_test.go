//go:build race

package vuln

// raceEnabled lets slow tests sample less under the race detector.
const raceEnabled = true

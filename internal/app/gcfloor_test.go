package app

import (
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		name        string
		live, floor uint64
		want        int
	}{
		{"small heap: the runtime's minimum reaches the floor", 1 * mib, 16 * mib, 400},
		{"nothing live yet", 0, 16 * mib, 400},
		{"a fifth of the floor", 16 * mib / 5, 16 * mib, 400},
		{"a quarter: live plus three times it", 4 * mib, 16 * mib, 300},
		{"half the floor: Go's default", 8 * mib, 16 * mib, 100},
		{"large heap: Go's default", 600 * mib, 16 * mib, 100},
		{"floor under the runtime's minimum", 1 * mib, 2 * mib, 100},
		{"larger floor", 1 * mib, 64 * mib, 1600},
	}
	for _, c := range cases {
		if got := gcPercentFor(c.live, c.floor); got != c.want {
			t.Errorf("%s: gcPercentFor(%d MiB, %d MiB) = %d, want %d", c.name, c.live/mib, c.floor/mib, got, c.want)
		}
	}
}

// TestKeepGCFloor: after collections, GOGC follows this test's small live heap up, and
// stop restores it.
func TestKeepGCFloor(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set in the environment; the floor is not used then")
	}
	before := gogc()
	stop := KeepGCFloor(64 << 20)
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for gogc() <= 100 {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is still %d after collections with a 64 MiB floor", gogc())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the cleanup runs on its own goroutine
	}
	// The test binary's live heap is a few MB: the percentage lets it grow to the floor.
	if p := gogc(); p < 300 {
		t.Errorf("GOGC = %d with a few MB live and a 64 MiB floor, want several hundred", p)
	}
	stop()
	if p := gogc(); p != before {
		t.Errorf("GOGC after stop = %d, want %d as before", p, before)
	}
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if p := gogc(); p != before {
		t.Errorf("GOGC changed after stop and a collection: %d, want %d", p, before)
	}
}

func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

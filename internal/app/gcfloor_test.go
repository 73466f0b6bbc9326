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
		name               string
		live, roots, floor uint64
		want               int
	}{
		{"small heap: the runtime's minimum reaches the floor", 1 * mib, 0, 16 * mib, 400},
		{"nothing live yet", 0, 0, 16 * mib, 400},
		{"a fifth of the floor", 16 * mib / 5, 0, 16 * mib, 400},
		{"a quarter: live plus three times it", 4 * mib, 0, 16 * mib, 300},
		{"half the floor: Go's default", 8 * mib, 0, 16 * mib, 100},
		{"large heap: Go's default", 600 * mib, 0, 16 * mib, 100},
		{"floor under the runtime's minimum", 1 * mib, 0, 2 * mib, 100},
		{"larger floor", 1 * mib, 0, 64 * mib, 1600},
		{"stacks count: a little", 2 * mib, 2 * mib, 16 * mib, 350},
		{"stacks count: thousands of connections", 2 * mib, 40 * mib, 16 * mib, 100},
	}
	for _, c := range cases {
		if got := gcPercentFor(c.live, c.roots, c.floor); got != c.want {
			t.Errorf("%s: gcPercentFor(%d MiB live, %d MiB roots, %d MiB floor) = %d, want %d", c.name, c.live/mib, c.roots/mib, c.floor/mib, got, c.want)
		}
	}
}

// TestKeepGCFloor: GOGC follows the live heap after each collection: back to 100 while
// this test holds most of the floor live, up again once it lets go; stop restores it.
func TestKeepGCFloor(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set in the environment; the floor is not used then")
	}
	before := gogc()
	stop := KeepGCFloor(64 << 20)
	defer stop()
	// waitFor collects until GOGC satisfies ok: the cleanup runs on its own goroutine.
	waitFor := func(what string, ok func(int) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok(gogc()) {
			if time.Now().After(deadline) {
				t.Fatalf("GOGC is %d after collections, want %s", gogc(), what)
			}
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
	}
	ballast := make([][]byte, 48)
	for i := range ballast {
		ballast[i] = make([]byte, 1<<20)
	}
	waitFor("100 with 48 MiB live under a 64 MiB floor", func(p int) bool { return p == 100 })
	runtime.KeepAlive(ballast)
	ballast = nil
	// The test binary's live heap is a few MB once the ballast is gone.
	waitFor("several hundred with a few MB live", func(p int) bool { return p >= 300 })
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

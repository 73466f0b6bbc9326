package app

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// The garbage collector's heap floor.
//
// Go starts a collection when the heap reaches twice what the last one left live, and
// at least 4 MB. A server answering cached pages has a live heap of 1–2 MB and makes a
// few KB of garbage per request, so under load it collects dozens of times a second: a
// tenth of its CPU went to the collector in bench/http.sh. Raising GOGC fixes that but
// would also let a large heap (a conda channel's sync) grow five times its live size.
// So after each collection the percentage is set from the live heap: high enough that
// the heap may grow to the floor, and back to Go's 100 once the live heap is half the
// floor or more. The heap then stays under the floor (plus what any collection lets grow
// while it runs).

// gcMinHeap is the heap size below which the runtime never collects at GOGC=100; it
// scales with GOGC.
const gcMinHeap = 4 << 20

// gcPercentFor returns the GOGC that lets the heap grow to floor bytes before the next
// collection, and never below Go's default of 100. The runtime's goal is
// live + (live + stacks + globals) × GOGC/100, so roots count: with thousands of
// goroutines' stacks, a high GOGC would let the heap grow far past the floor.
func gcPercentFor(live, roots, floor uint64) int {
	most := int(floor * 100 / gcMinHeap) // where the runtime's own minimum reaches floor
	if most <= 100 || live >= floor {
		return 100
	}
	scanned := live + roots
	if scanned == 0 {
		return most
	}
	p := int((floor - live) * 100 / scanned)
	return min(max(p, 100), most)
}

// KeepGCFloor adjusts GOGC after every collection so that the heap may grow to floor
// bytes between collections while the live heap is small (see gcPercentFor). stop ends
// it and restores the percentage that was set before.
func KeepGCFloor(floor int64) (stop func()) {
	g := &gcFloor{floor: uint64(floor), before: debug.SetGCPercent(100)}
	g.samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	g.adjust()
	g.arm()
	var once sync.Once
	return func() {
		once.Do(func() {
			g.stopped.Store(true)
			g.mu.Lock()
			defer g.mu.Unlock()
			debug.SetGCPercent(g.before)
		})
	}
}

type gcFloor struct {
	floor   uint64
	before  int // GOGC when it started, restored by stop
	stopped atomic.Bool

	mu      sync.Mutex // orders adjust with stop
	samples []metrics.Sample
	percent int
}

// arm asks to be called back after the next collection: the sentinel becomes
// unreachable at once, so the collection frees it and runs its cleanup.
func (g *gcFloor) arm() {
	s := new(gcSentinel)
	runtime.AddCleanup(s, func(g *gcFloor) {
		if !g.stopped.Load() {
			g.adjust()
			g.arm()
		}
	}, g)
}

// gcSentinel is large enough not to share a tiny-allocator block, which would keep it
// alive with its neighbours.
type gcSentinel struct{ _ [32]byte }

func (g *gcFloor) adjust() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped.Load() {
		return
	}
	metrics.Read(g.samples)
	var v [3]uint64 // live heap, stacks, globals
	for i, s := range g.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	if p := gcPercentFor(v[0], v[1]+v[2], g.floor); p != g.percent {
		g.percent = p
		debug.SetGCPercent(p)
	}
}

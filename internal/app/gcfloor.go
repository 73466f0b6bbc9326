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
// floor or more. It costs at most the floor in memory.

// gcMinHeap is the heap size below which the runtime never collects at GOGC=100; it
// scales with GOGC.
const gcMinHeap = 4 << 20

// gcPercentFor returns the GOGC that lets a heap with live bytes grow to floor bytes
// before the next collection, and never below Go's default of 100.
func gcPercentFor(live, floor uint64) int {
	most := int(floor * 100 / gcMinHeap) // where the runtime's own minimum reaches floor
	if most <= 100 {
		return 100
	}
	if live == 0 {
		return most
	}
	p := int(floor*100/live) - 100
	return min(max(p, 100), most)
}

// KeepGCFloor adjusts GOGC after every collection so that the heap may grow to floor
// bytes between collections while the live heap is small (see gcPercentFor). stop ends
// it and restores the percentage that was set before.
func KeepGCFloor(floor int64) (stop func()) {
	g := &gcFloor{floor: uint64(floor), before: debug.SetGCPercent(100)}
	g.samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
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
	var live uint64
	if v := g.samples[0].Value; v.Kind() == metrics.KindUint64 {
		live = v.Uint64()
	}
	if p := gcPercentFor(live, g.floor); p != g.percent {
		g.percent = p
		debug.SetGCPercent(p)
	}
}

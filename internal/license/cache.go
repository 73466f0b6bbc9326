package license

import "sync"

// cache remembers results by source and declared text. It is bounded: when full, an
// arbitrary entry (Go's map iteration order is randomised) makes room, so a flood of
// distinct strings costs a fixed amount of memory and evicts at random rather than in a
// pattern an input could exploit.
type cache struct {
	mu  sync.RWMutex
	m   map[cacheKey]Result
	max int
}

type cacheKey struct {
	src  Source
	text string
}

// newCache returns an empty cache of at most max entries. The map grows as it fills: a
// map sized up front is scanned in full by every garbage collection, and a server that
// sees few licences would pay for the empty slots on every cycle.
func newCache(max int) *cache {
	return &cache{m: map[cacheKey]Result{}, max: max}
}

func (c *cache) get(k cacheKey) (Result, bool) {
	c.mu.RLock()
	r, ok := c.m[k]
	c.mu.RUnlock()
	return r, ok
}

func (c *cache) put(k cacheKey, r Result) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = r
}

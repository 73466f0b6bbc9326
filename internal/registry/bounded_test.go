package registry

import "testing"

func TestBoundedDropsATenthWhenFull(t *testing.T) {
	m := map[int]int{}
	for i := range maxCached {
		bounded(m, i, i)
	}
	if len(m) != maxCached {
		t.Fatalf("len %d before the map is full", len(m))
	}
	bounded(m, 0, 42) // replacing an entry makes no room
	if len(m) != maxCached || m[0] != 42 {
		t.Fatalf("replace: len %d, m[0]=%d", len(m), m[0])
	}
	bounded(m, -1, -1)
	if want := maxCached - maxCached/10 + 1; len(m) != want || m[-1] != -1 {
		t.Fatalf("after overflow: len %d, want %d", len(m), want)
	}
}

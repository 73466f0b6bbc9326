package catalogtest

import (
	"context"
	"testing"
	"time"

	"vetted/internal/catalog"
)

// testExceptionUses: a new key is stored as given; a known one keeps the earlier first
// sighting and the later use, whatever order servers report in; bad records are refused.
func testExceptionUses(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	t1, t2, t3 := when, when.Add(time.Hour), when.Add(48*time.Hour)
	put := func(us ...catalog.ExceptionUse) {
		t.Helper()
		if err := s.PutExceptionUses(ctx, us); err != nil {
			t.Fatal(err)
		}
	}
	want := func(us ...catalog.ExceptionUse) {
		t.Helper()
		got, err := s.ListExceptionUses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(us) {
			t.Fatalf("listed %+v, want %+v", got, us)
		}
		for i := range us {
			if got[i].Key != us[i].Key || !got[i].FirstSeen.Equal(us[i].FirstSeen) || !got[i].LastLifted.Equal(us[i].LastLifted) {
				t.Fatalf("listed %+v, want %+v", got, us)
			}
		}
	}
	want()
	put(catalog.ExceptionUse{Key: "bbbb", FirstSeen: t2}, catalog.ExceptionUse{Key: "aaaa", FirstSeen: t2, LastLifted: t2})
	want(catalog.ExceptionUse{Key: "aaaa", FirstSeen: t2, LastLifted: t2}, catalog.ExceptionUse{Key: "bbbb", FirstSeen: t2})
	// Another server saw aaaa earlier and used it later; bbbb still unused.
	put(catalog.ExceptionUse{Key: "aaaa", FirstSeen: t1, LastLifted: t3}, catalog.ExceptionUse{Key: "bbbb", FirstSeen: t3})
	want(catalog.ExceptionUse{Key: "aaaa", FirstSeen: t1, LastLifted: t3}, catalog.ExceptionUse{Key: "bbbb", FirstSeen: t2})
	// A late report of older use, or of none, changes nothing.
	put(catalog.ExceptionUse{Key: "aaaa", FirstSeen: t3, LastLifted: t2}, catalog.ExceptionUse{Key: "aaaa", FirstSeen: t3})
	want(catalog.ExceptionUse{Key: "aaaa", FirstSeen: t1, LastLifted: t3}, catalog.ExceptionUse{Key: "bbbb", FirstSeen: t2})
	for _, bad := range []catalog.ExceptionUse{{Key: "", FirstSeen: t1}, {Key: "cccc"}} {
		if err := s.PutExceptionUses(ctx, []catalog.ExceptionUse{{Key: "dddd", FirstSeen: t1}, bad}); err == nil {
			t.Errorf("stored %+v", bad)
		}
	}
	want(catalog.ExceptionUse{Key: "aaaa", FirstSeen: t1, LastLifted: t3}, catalog.ExceptionUse{Key: "bbbb", FirstSeen: t2})
}

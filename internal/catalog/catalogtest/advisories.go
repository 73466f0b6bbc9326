package catalogtest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vetted/internal/catalog"
)

const feed = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"

// advisory makes a record whose body, and so digest, depends on gen.
func advisory(id string, gen int, pkgs ...catalog.PackageRef) catalog.Advisory {
	body := fmt.Appendf(nil, `{"id":%q,"gen":%d,"details":"%s"}`, id, gen, strings.Repeat("x", 64))
	sum := sha256.Sum256(body)
	return catalog.Advisory{
		ID:       id,
		Modified: when.Add(time.Duration(gen) * time.Hour),
		Source:   feed,
		Digest:   hex.EncodeToString(sum[:]),
		Body:     body,
		Packages: pkgs,
	}
}

func pypi(name string) catalog.PackageRef {
	return catalog.PackageRef{Ecosystem: "PyPI", Name: name}
}

// generation makes n records, ids prefix-0000 upwards, all of generation gen.
func generation(prefix string, n, gen int) []catalog.Advisory {
	recs := make([]catalog.Advisory, n)
	for i := range recs {
		recs[i] = advisory(fmt.Sprintf("%s-%04d", prefix, i), gen, pypi(fmt.Sprintf("project-%d", i%7)))
	}
	return recs
}

func testAdvisoriesEmpty(t *testing.T, s VulnStore) {
	digests, err := s.AdvisoryDigests(t.Context())
	if err != nil || len(digests) != 0 {
		t.Errorf("AdvisoryDigests of an empty store = %v, %v; want none, no error", digests, err)
	}
	if got := scanAll(t, s); len(got) != 0 {
		t.Errorf("ScanAdvisories of an empty store calls fn %d times", len(got))
	}
	if _, err := s.GetAdvisory(t.Context(), "PYSEC-2024-1"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("GetAdvisory in an empty store = %v, want catalog.ErrNotFound", err)
	}
	imports, err := s.ListImports(t.Context(), 10)
	if err != nil || len(imports) != 0 {
		t.Errorf("ListImports of an empty store = %v, %v; want none, no error", imports, err)
	}
}

func testAdvisoryImportRoundTrip(t *testing.T, s VulnStore) {
	withdrawn := advisory("GHSA-9wx4-h78v-vm56", 1, pypi("jinja2"), catalog.PackageRef{Ecosystem: "conda", Name: "jinja2"})
	withdrawn.Withdrawn = when.Add(48 * time.Hour)
	empty := advisory("CRAN-2024-0001", 1) // no packages, no body
	empty.Body, empty.Digest = nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unknownModified := advisory("PYSEC-2021-59", 1, pypi("urllib3"))
	unknownModified.Modified = time.Time{}
	binary := advisory("a-lowercase-id", 1, pypi("requests"))
	binary.Body = []byte("\x00\xff\xfe not UTF-8 \x00")
	recs := []catalog.Advisory{
		advisory("PYSEC-2024-1", 1, pypi("requests"), pypi("urllib3"), pypi("requests")), // a package twice: stored once
		withdrawn, empty, unknownModified, binary,
	}

	imp := mustImport(t, s, catalog.FeedImport{Source: feed, StartedAt: when, FinishedAt: when.Add(time.Second), Added: len(recs)}, recs)
	if imp.ID == 0 {
		t.Errorf("ImportAdvisories returned the import without its ID")
	}
	// Id order is byte order: upper case before lower case.
	wantStored(t, s, recs)
}

func testAdvisoryReimportReplaces(t *testing.T, s VulnStore) {
	a := advisory("PYSEC-2024-1", 1, pypi("requests"), pypi("urllib3"))
	b := advisory("PYSEC-2024-2", 1, pypi("numpy"))
	mustImport(t, s, catalog.FeedImport{Source: feed, Added: 2}, []catalog.Advisory{a, b})

	// New body, source and packages, now withdrawn: nothing of the old record is kept,
	// and the record not in this import stays as it was.
	a2 := advisory("PYSEC-2024-1", 2, pypi("urllib3"), pypi("idna"))
	a2.Source = "https://mirror.example/PyPI/all.zip"
	a2.Withdrawn = when.Add(72 * time.Hour)
	mustImport(t, s, catalog.FeedImport{Source: feed, Changed: 1, Withdrawn: 1}, []catalog.Advisory{a2})
	wantStored(t, s, []catalog.Advisory{a2, b})

	// Un-withdrawn, and concerning no package any more.
	a3 := advisory("PYSEC-2024-1", 3)
	mustImport(t, s, catalog.FeedImport{Source: feed, Changed: 1}, []catalog.Advisory{a3})
	wantStored(t, s, []catalog.Advisory{a3, b})

	// The same record twice in one import: the later one wins.
	b2, b3 := advisory("PYSEC-2024-2", 2, pypi("scipy")), advisory("PYSEC-2024-2", 3, pypi("pandas"))
	mustImport(t, s, catalog.FeedImport{Source: feed, Changed: 1}, []catalog.Advisory{b2, b3})
	wantStored(t, s, []catalog.Advisory{a3, b3})
}

// testAdvisoryImportAtomicOnFailure fails an import at a record with no id, at the
// start, midway and at the end, and checks that none of it is visible.
func testAdvisoryImportAtomicOnFailure(t *testing.T, s VulnStore) {
	base := generation("PYSEC", 30, 1)
	mustImport(t, s, catalog.FeedImport{Source: feed, Added: len(base)}, base)
	next := slices.Concat(generation("PYSEC", 30, 2), generation("GHSA", 10, 2)) // changed and new
	for _, failAt := range []int{0, 20, len(next) - 1} {
		recs := slices.Clone(next)
		recs[failAt].ID = ""
		_, err := s.ImportAdvisories(t.Context(), catalog.FeedImport{Source: feed, Changed: 30, Added: 10}, recs)
		if err == nil {
			t.Fatalf("ImportAdvisories with record %d lacking an id succeeded", failAt)
		}
		wantStored(t, s, base)
		wantImportCount(t, s, 1)
	}
}

// testAdvisoryImportCancelled cancels imports before they start and while they run,
// and checks that each one is visible entirely when it succeeds and not at all when
// it fails.
func testAdvisoryImportCancelled(t *testing.T, s VulnStore) {
	base := generation("PYSEC", 2000, 0)
	mustImport(t, s, catalog.FeedImport{Source: feed, Added: len(base)}, base)
	committed, imports := digestsOf(base), 1

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.ImportAdvisories(ctx, catalog.FeedImport{Source: feed}, generation("PYSEC", 2000, 1)); err == nil {
		t.Errorf("ImportAdvisories with a cancelled context succeeded")
	}
	wantDigests(t, s, committed)
	wantImportCount(t, s, imports)

	type cancellation struct {
		name string
		ctx  func() context.Context
	}
	var cases []cancellation
	for _, n := range []int64{1, 10, 100, 1000} {
		cases = append(cases, cancellation{fmt.Sprintf("after %d checks of ctx.Err", n), func() context.Context { return tripAfter(t.Context(), n) }})
	}
	for _, d := range []time.Duration{0, 100 * time.Microsecond, time.Millisecond, 10 * time.Millisecond} {
		cases = append(cases, cancellation{fmt.Sprintf("after %v", d), func() context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(d, cancel)
			return ctx
		}})
	}
	for i, tc := range cases {
		recs := generation("PYSEC", 2000, i+2)
		_, err := s.ImportAdvisories(tc.ctx(), catalog.FeedImport{Source: feed, Changed: len(recs)}, recs)
		if err == nil {
			committed = digestsOf(recs)
			imports++
		}
		t.Logf("cancelled %s: %v", tc.name, err)
		wantDigests(t, s, committed)
		wantImportCount(t, s, imports)
	}
}

// tripCtx is a context that reports itself cancelled from the nth call of Err on: a
// cancellation that lands, deterministically, partway through the work of a store
// that checks its context as it goes.
type tripCtx struct {
	context.Context
	left atomic.Int64
	once sync.Once
	done chan struct{}
}

func tripAfter(parent context.Context, n int64) *tripCtx {
	c := &tripCtx{Context: parent, done: make(chan struct{})}
	c.left.Store(n)
	return c
}

func (c *tripCtx) Done() <-chan struct{} { return c.done }

func (c *tripCtx) Err() error {
	if c.left.Add(-1) >= 0 {
		return nil
	}
	c.once.Do(func() { close(c.done) })
	return context.Canceled
}

func testAdvisoryScanStopsAtError(t *testing.T, s VulnStore) {
	mustImport(t, s, catalog.FeedImport{Source: feed}, generation("PYSEC", 5, 1))
	errStop := errors.New("stop here")
	calls := 0
	err := s.ScanAdvisories(t.Context(), func(catalog.Advisory) error {
		calls++
		if calls == 3 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Errorf("ScanAdvisories = %v, want the error fn returned", err)
	}
	if calls != 3 {
		t.Errorf("ScanAdvisories called fn %d times after it failed on the 3rd, want 3", calls)
	}
}

// testAdvisoryScanCallsBack reads the store from within a scan.
func testAdvisoryScanCallsBack(t *testing.T, s VulnStore) {
	recs := generation("PYSEC", 20, 1)
	mustImport(t, s, catalog.FeedImport{Source: feed}, recs)
	n := 0
	err := s.ScanAdvisories(t.Context(), func(a catalog.Advisory) error {
		n++
		got, err := s.GetAdvisory(t.Context(), a.ID)
		if err != nil {
			return err
		}
		if !advisoryEqual(got, a) {
			return fmt.Errorf("GetAdvisory(%s) during the scan = %+v, the scan gave %+v", a.ID, got, a)
		}
		digests, err := s.AdvisoryDigests(t.Context())
		if err != nil {
			return err
		}
		if len(digests) != len(recs) {
			return fmt.Errorf("AdvisoryDigests during the scan gives %d, want %d", len(digests), len(recs))
		}
		return nil
	})
	if err != nil {
		t.Errorf("ScanAdvisories: %v", err)
	}
	if n != len(recs) {
		t.Errorf("ScanAdvisories called fn %d times, want %d", n, len(recs))
	}
}

func testImportsNewestFirst(t *testing.T, s VulnStore) {
	imports := []catalog.FeedImport{
		{ID: 77, Source: feed, StartedAt: when, FinishedAt: when.Add(1500 * time.Millisecond), Added: 2},
		{Source: "/srv/feeds/cran-osv", StartedAt: when.Add(time.Hour), Added: 1, Changed: 2, Unchanged: 3, Withdrawn: 4, Skipped: 2,
			Problems: []string{`CRAN-1.json: "affected" is not a list`, "ünïcödé\nand a line break"}},
		{Source: feed, StartedAt: when.Add(2 * time.Hour), FinishedAt: when.Add(3 * time.Hour), Unchanged: 20000},
	}
	recs := [][]catalog.Advisory{generation("PYSEC", 2, 1), generation("CRAN", 3, 1), nil}
	for i := range imports {
		got := mustImport(t, s, imports[i], recs[i])
		if i > 0 && got.ID <= imports[i-1].ID {
			t.Errorf("import %d has ID %d, not greater than the previous %d", i, got.ID, imports[i-1].ID)
		}
		imports[i].ID = got.ID
		if !importEqual(got, imports[i]) {
			t.Errorf("ImportAdvisories returned %+v, want %+v", got, imports[i])
		}
	}
	newestFirst := slices.Clone(imports)
	slices.Reverse(newestFirst)
	for _, limit := range []int{1, 2, 3, 10} {
		got, err := s.ListImports(t.Context(), limit)
		if err != nil {
			t.Fatalf("ListImports(%d): %v", limit, err)
		}
		want := newestFirst[:min(limit, len(newestFirst))]
		if !slices.EqualFunc(got, want, importEqual) {
			t.Errorf("ListImports(%d) =\n%+v\nwant\n%+v", limit, got, want)
		}
	}
}

// testAdvisoryImportsWhileReading runs two importers, each rewriting its own set of
// records generation by generation, while readers check that they never see part of
// an import.
func testAdvisoryImportsWhileReading(t *testing.T, s VulnStore) {
	const (
		records     = 100
		generations = 8
		readers     = 3
	)
	prefixes := []string{"GHSA", "PYSEC"}
	var importers, all sync.WaitGroup
	done := make(chan struct{})
	for _, prefix := range prefixes {
		importers.Go(func() {
			for gen := 1; gen <= generations; gen++ {
				recs := generation(prefix, records, gen)
				if _, err := s.ImportAdvisories(t.Context(), catalog.FeedImport{Source: prefix, Changed: records}, recs); err != nil {
					t.Errorf("ImportAdvisories %s generation %d: %v", prefix, gen, err)
					return
				}
			}
		})
	}
	// checkSnapshot says what is wrong if the ids and digests seen are not whole
	// generations of each importer's records.
	checkSnapshot := func(seen map[string]string) error {
		for _, prefix := range prefixes {
			var gens []string
			for id, digest := range seen {
				if strings.HasPrefix(id, prefix+"-") {
					gens = append(gens, digest)
				}
			}
			if len(gens) != 0 && len(gens) != records {
				return fmt.Errorf("%d records of %s, want 0 or %d", len(gens), prefix, records)
			}
			slices.Sort(gens)
			if len(slices.Compact(gens)) > 1 {
				return fmt.Errorf("records of %s from more than one import", prefix)
			}
		}
		return nil
	}
	byDigest := make(map[string]string) // the digest of every record an importer writes → its generation
	for _, prefix := range prefixes {
		for gen := 1; gen <= generations; gen++ {
			for _, a := range generation(prefix, records, gen) {
				byDigest[a.Digest] = fmt.Sprint(gen)
			}
		}
	}
	for r := range readers {
		all.Go(func() {
			for i := 0; ; i++ {
				seen := make(map[string]string)
				err := s.ScanAdvisories(t.Context(), func(a catalog.Advisory) error {
					gen, ok := byDigest[a.Digest]
					if !ok {
						return fmt.Errorf("%s has a digest no importer wrote", a.ID)
					}
					seen[a.ID] = gen
					return nil
				})
				if err == nil {
					err = checkSnapshot(seen)
				}
				if err != nil {
					t.Errorf("reader %d, scan %d: %v", r, i, err)
					return
				}
				digests, err := s.AdvisoryDigests(t.Context())
				if err != nil {
					t.Errorf("reader %d: AdvisoryDigests: %v", r, err)
					return
				}
				for id, d := range digests {
					digests[id] = byDigest[d]
				}
				if err := checkSnapshot(digests); err != nil {
					t.Errorf("reader %d, digests %d: %v", r, i, err)
					return
				}
				if _, err := s.ListImports(t.Context(), 5); err != nil {
					t.Errorf("reader %d: ListImports: %v", r, err)
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	importers.Wait()
	close(done)
	all.Wait()
	if t.Failed() {
		return
	}
	wantStored(t, s, slices.Concat(generation("GHSA", records, generations), generation("PYSEC", records, generations)))
	wantImportCount(t, s, len(prefixes)*generations)
}

func mustImport(t *testing.T, s VulnStore, imp catalog.FeedImport, recs []catalog.Advisory) catalog.FeedImport {
	t.Helper()
	got, err := s.ImportAdvisories(t.Context(), imp, recs)
	if err != nil {
		t.Fatalf("ImportAdvisories(%d records): %v", len(recs), err)
	}
	return got
}

func scanAll(t *testing.T, s VulnStore) []catalog.Advisory {
	t.Helper()
	var got []catalog.Advisory
	if err := s.ScanAdvisories(t.Context(), func(a catalog.Advisory) error {
		got = append(got, a)
		return nil
	}); err != nil {
		t.Fatalf("ScanAdvisories: %v", err)
	}
	return got
}

// latest keeps the last record of each id, as an import does, in id order.
func latest(recs []catalog.Advisory) []catalog.Advisory {
	byID := make(map[string]catalog.Advisory)
	for _, a := range recs {
		byID[a.ID] = a
	}
	return slices.SortedFunc(maps.Values(byID), func(a, b catalog.Advisory) int { return strings.Compare(a.ID, b.ID) })
}

func digestsOf(recs []catalog.Advisory) map[string]string {
	digests := make(map[string]string)
	for _, a := range recs {
		digests[a.ID] = a.Digest
	}
	return digests
}

// wantStored checks that the store holds exactly recs (the last of each id), through
// AdvisoryDigests, ScanAdvisories (in id order) and GetAdvisory.
func wantStored(t *testing.T, s VulnStore, recs []catalog.Advisory) {
	t.Helper()
	want := latest(recs)
	wantDigests(t, s, digestsOf(want))
	got := scanAll(t, s)
	if !slices.EqualFunc(got, want, advisoryEqual) {
		t.Errorf("ScanAdvisories gives %d records:\n%s\nwant %d:\n%s", len(got), describe(got), len(want), describe(want))
	}
	for _, w := range want {
		a, err := s.GetAdvisory(t.Context(), w.ID)
		if err != nil {
			t.Errorf("GetAdvisory(%s): %v", w.ID, err)
			continue
		}
		if !advisoryEqual(a, w) {
			t.Errorf("GetAdvisory(%s) =\n%s\nwant\n%s", w.ID, describe([]catalog.Advisory{a}), describe([]catalog.Advisory{w}))
		}
	}
}

func wantDigests(t *testing.T, s VulnStore, want map[string]string) {
	t.Helper()
	got, err := s.AdvisoryDigests(t.Context())
	if err != nil {
		t.Fatalf("AdvisoryDigests: %v", err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("AdvisoryDigests gives %d digests, want %d (or they differ)", len(got), len(want))
	}
}

func wantImportCount(t *testing.T, s VulnStore, want int) {
	t.Helper()
	imports, err := s.ListImports(t.Context(), want+10)
	if err != nil {
		t.Fatalf("ListImports: %v", err)
	}
	if len(imports) != want {
		t.Errorf("ListImports gives %d imports, want %d", len(imports), want)
	}
}

// packageSet is the packages in a canonical order, each once: the contract promises
// neither an order nor that duplicates are kept.
func packageSet(pkgs []catalog.PackageRef) []catalog.PackageRef {
	set := slices.SortedFunc(slices.Values(pkgs), func(a, b catalog.PackageRef) int {
		return cmp.Or(strings.Compare(a.Ecosystem, b.Ecosystem), strings.Compare(a.Name, b.Name))
	})
	return slices.Compact(set)
}

// advisoryEqual compares records, times as instants, nil and empty alike.
func advisoryEqual(a, b catalog.Advisory) bool {
	return a.ID == b.ID && a.Modified.Equal(b.Modified) && a.Withdrawn.Equal(b.Withdrawn) &&
		a.Source == b.Source && a.Digest == b.Digest && bytes.Equal(a.Body, b.Body) &&
		slices.Equal(packageSet(a.Packages), packageSet(b.Packages))
}

func describe(recs []catalog.Advisory) string {
	var b strings.Builder
	for _, a := range recs {
		fmt.Fprintf(&b, "\t%s modified %v withdrawn %v source %s digest %.12s body %q packages %v\n",
			a.ID, a.Modified, a.Withdrawn, a.Source, a.Digest, a.Body[:min(len(a.Body), 24)], packageSet(a.Packages))
	}
	return b.String()
}

// importEqual compares imports, times as instants, nil and empty problems alike.
func importEqual(a, b catalog.FeedImport) bool {
	return a.ID == b.ID && a.Source == b.Source &&
		a.StartedAt.Equal(b.StartedAt) && a.FinishedAt.Equal(b.FinishedAt) &&
		a.Added == b.Added && a.Changed == b.Changed && a.Unchanged == b.Unchanged &&
		a.Withdrawn == b.Withdrawn && a.Skipped == b.Skipped && slices.Equal(a.Problems, b.Problems)
}

// shuffled returns a copy of s in a fixed random order.
func shuffled[T any](s []T) []T {
	s = slices.Clone(s)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

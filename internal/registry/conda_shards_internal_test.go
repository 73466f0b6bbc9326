package registry

import (
	"strings"
	"testing"

	"vetted/internal/ecosystem/conda/repodata"
)

// TestCheckShardNames: a shard listed for one package may hold and remove only that
// package's files.
func TestCheckShardNames(t *testing.T) {
	rec := func(name string) *repodata.Record { return &repodata.Record{Name: name} }
	cases := []struct {
		name  string
		shard repodata.Shard
		err   string
	}{
		{"its own records and removals", repodata.Shard{
			PackagesConda: map[string]*repodata.Record{"foo-1.0-0.conda": rec("foo")},
			Removed:       []string{"foo-0.9-0.tar.bz2"}}, ""},
		{"a record of another package", repodata.Shard{
			Packages: map[string]*repodata.Record{"bar-1.0-0.tar.bz2": rec("bar")}}, "a record of bar"},
		{"removes another package's file", repodata.Shard{Removed: []string{"bar-1-0.tar.bz2"}}, `removes "bar-1-0.tar.bz2"`},
		{"removes a name that is no package file", repodata.Shard{Removed: []string{"weird"}}, `removes "weird"`},
	}
	for _, c := range cases {
		err := checkShardNames(&c.shard, "foo")
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
}

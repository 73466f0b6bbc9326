package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"vetted/internal/app"
	"vetted/internal/catalog"
	"vetted/internal/config"
	"vetted/internal/license"
	"vetted/internal/registry"
	"vetted/internal/vuln/cvss"
	"vetted/internal/vuln/feed"
)

func newCVSS(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "cvss VECTOR",
		Short: "Print the base score and severity of a CVSS vector (v2.0, v3.0, v3.1, v4.0)",
		Example: `  vetted cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
  vetted cvss 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'
  vetted cvss AV:N/AC:L/Au:N/C:P/I:P/A:P --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := cvss.Parse(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(stdout).Encode(map[string]any{"version": s.Version, "base_score": s.Base, "severity": s.Severity, "vector": s.Vector})
			}
			fmt.Fprintf(stdout, "%.1f %s (CVSS %s)\n", s.Base, s.Severity, s.Version)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newFeeds(stdout, stderr io.Writer, load func() (config.Config, error)) *cobra.Command {
	feeds := &cobra.Command{
		Use:   "feeds",
		Short: "Import vulnerability feeds (OSV records)",
	}
	var quiet bool
	imp := &cobra.Command{
		Use:   "import PATH|URL...",
		Short: "Import OSV records from a directory, a zip export or a URL",
		Long: `Import OSV records (JSON or YAML) into the catalog: from a directory tree, from a
zip export (OSV publishes one per ecosystem as all.zip), or from an http(s) URL of either.
Unchanged records are skipped; each import is one transaction, so an interrupted import
leaves the previous data in use. Malformed records are skipped and listed. A running
server picks up the import within seconds and re-evaluates the releases it affects.`,
		Example: `  vetted feeds import ./advisory-database/vulns
  vetted feeds import PyPI-all.zip CRAN-all.zip --config vetted.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openApp(cmd.Context(), load, "warn")
			if err != nil {
				return err
			}
			defer a.Close()
			for _, src := range args {
				progress := newProgress(stderr, "importing "+src, quiet)
				rec, err := a.Importer.Import(cmd.Context(), src, progress.update)
				progress.done()
				if err != nil {
					return err
				}
				printImport(stdout, stderr, rec)
			}
			return nil
		},
	}
	imp.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	update := &cobra.Command{
		Use:   "update",
		Short: "Import every configured feed (feeds.osv and feeds.nvd)",
		Long: `Import the feeds the configuration lists: the OSV exports under feeds.osv, then the
NVD CVE API (feeds.nvd), asking only for what changed since the previous NVD import.
Run it from cron; a running server picks each import up within feeds.poll_interval.`,
		Example: `  vetted feeds update --config vetted.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openApp(cmd.Context(), load, "warn")
			if err != nil {
				return err
			}
			defer a.Close()
			var bar *progress
			return a.UpdateFeeds(cmd.Context(), func(label string) feed.Progress {
				bar.doneIfAny()
				bar = newProgress(stderr, label, quiet)
				return bar.update
			}, func(rec catalog.FeedImport) {
				bar.doneIfAny()
				bar = nil
				printImport(stdout, stderr, rec)
			})
		},
	}
	update.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	feeds.AddCommand(imp, update)
	return feeds
}

func printImport(stdout, stderr io.Writer, rec catalog.FeedImport) {
	fmt.Fprintf(stdout, "%s: %d added, %d changed, %d unchanged, %d withdrawn, %d skipped (import %d, %s)\n",
		rec.Source, rec.Added, rec.Changed, rec.Unchanged, rec.Withdrawn, rec.Skipped, rec.ID, rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond))
	for _, p := range rec.Problems {
		fmt.Fprintf(stderr, "  skipped: %s\n", p)
	}
}

// progress draws a one-line progress bar on a terminal-like writer.
type progress struct {
	w     io.Writer
	label string
	off   bool
	last  time.Time
}

func newProgress(w io.Writer, label string, quiet bool) *progress {
	return &progress{w: w, label: label, off: quiet}
}

func (p *progress) update(done, total int) {
	if p.off || (time.Since(p.last) < 100*time.Millisecond && done != total) {
		return
	}
	p.last = time.Now()
	if total <= 0 {
		fmt.Fprintf(p.w, "\r%s: %d records", p.label, done)
		return
	}
	const width = 30
	n := done * width / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
}

func (p *progress) doneIfAny() {
	if p != nil {
		p.done()
	}
}

func (p *progress) done() {
	if !p.off && !p.last.IsZero() {
		fmt.Fprintln(p.w)
	}
}

func newAdvisories(stdout io.Writer, load func() (config.Config, error)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "advisories ECOSYSTEM PROJECT [VERSION]",
		Short: "List the advisories of a project, or those affecting one version",
		Example: `  vetted advisories pypi jinja2
  vetted advisories pypi jinja2 2.10 --json`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openApp(cmd.Context(), load, "error")
			if err != nil {
				return err
			}
			defer a.Close()
			version := ""
			if len(args) == 3 {
				version = args[2]
			}
			list, err := a.Findings(cmd.Context(), args[0], args[1], version)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			if len(list) == 0 {
				fmt.Fprintln(stdout, "no known advisories")
				return nil
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tALIASES\tSCORE\tSEVERITY\tTRIAGE\tSUMMARY")
			for _, f := range list {
				score := "-"
				if f.Scored {
					score = fmt.Sprintf("%.1f", f.Score)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, strings.Join(f.Aliases, ","), score, orDash(f.Severity), orDash(f.Triage), trim(f.Summary, 60))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func newToken(stdout io.Writer) *cobra.Command {
	token := &cobra.Command{Use: "token", Short: "Make API tokens"}
	token.AddCommand(&cobra.Command{
		Use:   "new",
		Short: "Print a new admin token and the SHA-256 digest to put in api.admin_tokens_sha256",
		Long: `Print a new random admin token and its SHA-256 digest. Give the token to the
administrator (it is shown once and stored nowhere); put the digest in the configuration
under api.admin_tokens_sha256 (or VETTED_API_ADMIN_TOKENS_SHA256).`,
		Example: "  vetted token new",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var b [32]byte
			if _, err := rand.Read(b[:]); err != nil {
				return err
			}
			tok := "vetted_" + hex.EncodeToString(b[:])
			sum := sha256.Sum256([]byte(tok))
			fmt.Fprintf(stdout, "token:  %s\nsha256: %s\n", tok, hex.EncodeToString(sum[:]))
			return nil
		},
	})
	return token
}

func newMirror(stdout, stderr io.Writer, load func() (config.Config, error)) *cobra.Command {
	mirror := &cobra.Command{Use: "mirror", Short: "Sync mirror repositories"}
	var quiet bool
	sync := &cobra.Command{
		Use:   "sync REPOSITORY",
		Short: "Bring a mirror repository up to date with its upstream",
		Long: `Revalidate the upstream index with a conditional GET (conda: each subdir's repodata;
CRAN: src/contrib/PACKAGES, and Archive/<pkg>/ when older versions are selected), then
download and verify every selected, allowed package not stored yet. Packages already
stored are not fetched again. A CRAN mirror then serves the new snapshot. The exit code
is 1 when a package failed.`,
		Example: `  vetted mirror sync conda-forge-mirror --config vetted.yaml
  vetted mirror sync cran-mirror --config vetted.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openApp(cmd.Context(), load, "warn")
			if err != nil {
				return err
			}
			defer a.Close()
			var bar *progress
			last := ""
			res, err := a.SyncMirror(cmd.Context(), args[0], func(subdir string, done, total int) {
				if subdir != last {
					bar.doneIfAny()
					bar, last = newProgress(stderr, "syncing "+subdir, quiet), subdir
				}
				bar.update(done, total)
			})
			bar.doneIfAny()
			if err != nil {
				return err
			}
			if a.CRAN.Has(args[0]) {
				fmt.Fprintf(stdout, "%s: %d versions selected, %d fetched, %d already stored, %d failed\n", args[0], res.Records, res.Fetched, res.Present, res.Failed)
			} else {
				fmt.Fprintf(stdout, "%s: %d subdirs, %d packages selected, %d fetched, %d already stored, %d failed\n", args[0], res.Subdirs, res.Records, res.Fetched, res.Present, res.Failed)
			}
			if res.FirstError != nil {
				return fmt.Errorf("%d packages failed; the first: %w", res.Failed, res.FirstError)
			}
			return nil
		},
	}
	sync.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	mirror.AddCommand(sync)
	return mirror
}

func newReport(stdout io.Writer, load func() (config.Config, error)) *cobra.Command {
	report := &cobra.Command{Use: "report", Short: "Reports on what repositories serve"}
	var format string
	licenses := &cobra.Command{
		Use:   "licenses REPOSITORY",
		Short: "The licence of every version a repository has cached, with the decision",
		Long: `List project, version, declared licence, SPDX expression, category and decision for
every version the repository has cached (PyPI: read from core metadata, fetched when
needed), then a summary by category.`,
		Example: `  vetted report licenses pypi
  vetted report licenses conda-forge --format csv > licences.csv
  vetted report licenses cran --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openApp(cmd.Context(), load, "error")
			if err != nil {
				return err
			}
			defer a.Close()
			rows, err := a.LicenseReport(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			summary := registry.LicenseSummary(rows)
			switch format {
			case "json":
				if rows == nil {
					rows = []registry.LicenseRow{}
				}
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"repository": args[0], "versions": rows, "summary": summary})
			case "csv":
				w := csv.NewWriter(stdout)
				w.Write([]string{"project", "version", "where", "declared", "expression", "category", "decision", "reason"})
				for _, r := range rows {
					w.Write([]string{r.Project, r.Version, r.Where, r.Declared, r.Expression, r.Category, r.Verdict, r.Reason})
				}
				w.Flush()
				return w.Error()
			case "table":
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PROJECT\tVERSION\tEXPRESSION\tCATEGORY\tDECISION\tDECLARED")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Project, r.Version, r.Expression, r.Category, r.Verdict, trim(strings.ReplaceAll(r.Declared, "\n", " "), 40))
				}
				tw.Flush()
				fmt.Fprintf(stdout, "\n%d versions by category:", len(rows))
				for _, c := range license.Categories() {
					fmt.Fprintf(stdout, " %s %d;", c, summary[string(c)])
				}
				fmt.Fprintln(stdout)
				return nil
			}
			return fmt.Errorf("--format %q: use table, csv or json", format)
		},
	}
	licenses.Flags().StringVar(&format, "format", "table", "table, csv or json")
	var asJSON bool
	exceptions := &cobra.Command{
		Use:   "exceptions",
		Short: "Every policy exception: expired, unused, or when it last applied",
		Long: `List the exceptions of every policy with their owner, reason and expiry, and when each
last changed a decision, as the server records it in the catalog (when it starts, every
minute, and when it stops). Expired ones come first: they no longer apply and should be
renewed or removed. Then the unused ones: in force, but no decision has needed them since
a server first ran with them (the date is shown; the longer, the likelier they can go).
An edited exception counts as a new one. Dates are UTC. The exit code is 3 when one has
expired. Nothing is created: without a catalog in data_dir yet, the report comes from the
configuration alone.`,
		Example: `  vetted report exceptions --config vetted.yaml
  vetted report exceptions --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := load()
			if err != nil {
				return err
			}
			uses, _, err := app.ReadExceptionUses(cmd.Context(), cfg.DataDir)
			if err != nil {
				return err
			}
			inUse := map[string]bool{}
			for _, r := range cfg.Repositories {
				inUse[r.Policy] = true
			}
			type row struct {
				Policy       string `json:"policy"`
				Project      string `json:"project"`
				Versions     string `json:"versions"`
				Rule         string `json:"rule"`
				Owner        string `json:"owner"`
				Reason       string `json:"reason"`
				Expires      string `json:"expires"`
				Status       string `json:"status"`
				LastApplied  string `json:"last_applied"`  // UTC date, or "" when never
				TrackedSince string `json:"tracked_since"` // UTC date a server first ran with it, or ""
				rank         int
			}
			var rows []row
			now := time.Now().UTC()
			expired := 0
			for name, p := range cfg.Policies {
				for _, e := range p.Exceptions {
					exp, _ := e.ExpiryTime()
					r := row{Policy: name, Project: e.Project, Versions: e.Versions, Rule: e.Rule, Owner: e.Owner, Reason: e.Reason, Expires: e.Expires, rank: 2}
					left := fmt.Sprintf("%d days left", int(exp.Sub(now).Hours()/24))
					u, tracked := uses[app.ExceptionKey(name, e)]
					if tracked {
						r.TrackedSince = u.FirstSeen.UTC().Format(time.DateOnly)
						if !u.LastLifted.IsZero() {
							r.LastApplied = u.LastLifted.UTC().Format(time.DateOnly)
						}
					}
					switch {
					case !now.Before(exp):
						r.Status, r.rank = "EXPIRED", 0
						expired++
					case !inUse[name]:
						r.Status, r.rank = "active, "+left+", no repository uses policy "+name, 3
					case tracked && r.LastApplied == "":
						r.Status, r.rank = "UNUSED, "+left, 1
					case !tracked:
						r.Status = "active, " + left + ", not served yet"
					default:
						r.Status = "active, " + left
					}
					rows = append(rows, r)
				}
			}
			sort.Slice(rows, func(i, j int) bool {
				if rows[i].rank != rows[j].rank {
					return rows[i].rank < rows[j].rank
				}
				return rows[i].Expires < rows[j].Expires
			})
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rows); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "STATUS\tPOLICY\tPROJECT\tVERSIONS\tRULE\tOWNER\tEXPIRES\tLAST APPLIED\tREASON")
				for _, r := range rows {
					last := r.LastApplied
					switch {
					case r.TrackedSince == "":
						last = "-"
					case last == "":
						last = "never (since " + r.TrackedSince + ")"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Status, r.Policy, r.Project, orDash(r.Versions), orDash(r.Rule), r.Owner, r.Expires, last, trim(r.Reason, 50))
				}
				tw.Flush()
			}
			if expired > 0 {
				return exitCodeError{exitBlocked}
			}
			return nil
		},
	}
	exceptions.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	report.AddCommand(licenses, exceptions)
	return report
}

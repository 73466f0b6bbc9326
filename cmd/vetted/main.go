// Command vetted is a governed package repository: one server that is a team's only
// package source, serving only what the organisation's policy allows.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"vetted/internal/app"
	"vetted/internal/config"
	"vetted/internal/policy"
	"vetted/internal/registry"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes
// from the module's build information.
var version = ""

// Exit codes.
const (
	exitOK      = 0
	exitError   = 1
	exitBlocked = 3 // `vetted why`: the version is blocked
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitCodeError carries a specific exit code.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var ec exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return ec.code
	}
	fmt.Fprintln(stderr, "vetted:", err)
	return exitError
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	var configPath string
	root := &cobra.Command{
		Use:   "vetted",
		Short: "A governed package repository for PyPI",
		Long: `vetted is one server that is a team's only package source. It proxies upstream
indexes, verifies every byte against upstream hashes, and serves only what the
organisation's policy allows: blocked versions disappear from the indexes and are
refused at download with a reason.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVarP(&configPath, "config", "c", os.Getenv("VETTED_CONFIG"), "configuration file (YAML; env VETTED_CONFIG). Without one, the defaults apply")
	load := func() (config.Config, error) { return config.Load(configPath, os.Environ()) }

	root.AddCommand(
		&cobra.Command{
			Use:   "serve",
			Short: "Run the server",
			Example: `  vetted serve                      # defaults: 127.0.0.1:8080, ./vetted-data, PyPI proxy
  vetted serve --config vetted.yaml
  VETTED_LISTEN=0.0.0.0:8080 vetted serve`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := load()
				if err != nil {
					return err
				}
				logs, flush := app.NewLogs(cfg.Log, os.Stderr)
				defer flush()
				applyMemoryLimit(cfg, logs.Log)
				if floor, _ := config.ParseBytes(cfg.GCFloor); floor > 0 {
					if gogc := os.Getenv("GOGC"); gogc != "" {
						logs.Log.Info("gc_floor not applied: GOGC is set", "GOGC", gogc)
					} else {
						defer app.KeepGCFloor(floor)()
					}
				}
				ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
				defer stop()
				a, err := app.New(ctx, cfg, logs, buildVersion())
				if err != nil {
					return err
				}
				defer a.Close()
				return a.Serve(ctx, nil)
			},
		},
		newInit(stdout),
		newWhy(stdout, load),
		newCVSS(stdout),
		newFeeds(stdout, stderr, load),
		newAdvisories(stdout, load),
		newToken(stdout),
		newMirror(stdout, stderr, load),
		newReport(stdout, load),
		&cobra.Command{
			Use:     "version",
			Short:   "Print vetted's version",
			Example: "  vetted version",
			Args:    cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				fmt.Fprintln(stdout, "vetted", buildVersion())
				return nil
			},
		},
	)
	return root
}

// openApp loads the configuration and opens vetted's stores for a command that does one
// thing and exits; only log lines at level or above reach stderr.
func openApp(ctx context.Context, load func() (config.Config, error), level string) (*app.App, error) {
	cfg, err := load()
	if err != nil {
		return nil, err
	}
	log := app.NewLogger(config.Log{Level: level, Format: "text"}, os.Stderr)
	applyMemoryLimit(cfg, log)
	return app.New(ctx, cfg, app.Logs{Log: log}, buildVersion())
}

// applyMemoryLimit sets the configured soft memory limit for this process: the server,
// and the commands that open the stores (a mirror sync holds as much as a refresh).
func applyMemoryLimit(cfg config.Config, log *slog.Logger) {
	if limit, _ := config.ParseBytes(cfg.MemoryLimit); limit > 0 { // validated by load
		debug.SetMemoryLimit(limit)
		log.Info("memory limit set", "bytes", limit)
	}
}

func newInit(stdout io.Writer) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [FILE]",
		Short: "Write a commented default configuration file",
		Long:  "Write the default configuration, with every key explained, to FILE (default vetted.yaml).",
		Example: `  vetted init                  # writes ./vetted.yaml
  vetted init /etc/vetted/vetted.yaml --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "vetted.yaml"
			if len(args) == 1 {
				path = args[0]
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(path, flags, 0o644)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists; use --force to overwrite it", path)
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(config.DefaultYAML); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s; start the server with: vetted serve --config %s\n", path, path)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite an existing file")
	return cmd
}

func newWhy(stdout io.Writer, load func() (config.Config, error)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "why REPOSITORY PROJECT==VERSION",
		Short: "Explain whether a version is allowed, and why",
		Long: `Explain the policy decision on one version of a PyPI project, a conda package or an R
package: the verdict, the rule that decided, its evidence and what to do next. The exit
code is 0 when the version is allowed and 3 when it is blocked. The project page (PyPI),
the cached subdirs' repodata (conda) or PACKAGES and the package's Archive/ (CRAN) is read
from the catalog, or fetched from upstream when stale, to report the files and the newest
allowed version.`,
		Example: `  vetted why pypi alpha==2.0
  vetted why pypi 'numpy==1.21.0' --json --config vetted.yaml
  vetted why conda-forge openssl==3.0.1
  vetted why cran ggplot2==3.5.1`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			project, ver, ok := strings.Cut(args[1], "==")
			if !ok || project == "" || ver == "" {
				return fmt.Errorf("%q: write the version as PROJECT==VERSION, for example alpha==2.0", args[1])
			}
			a, err := openApp(cmd.Context(), load, "error")
			if err != nil {
				return err
			}
			defer a.Close()
			var explain func(ctx context.Context, repo, project, version string) (*registry.Explanation, error)
			switch {
			case a.PyPI.Has(args[0]):
				explain = a.PyPI.Explain
			case a.Conda.Has(args[0]):
				explain = a.Conda.Explain
			case a.CRAN.Has(args[0]):
				explain = a.CRAN.Explain
			default:
				var names []string
				for _, r := range a.Config.Repositories {
					names = append(names, r.Name)
				}
				return fmt.Errorf("repository %q is not configured; the configured ones are: %s", args[0], strings.Join(names, ", "))
			}
			ex, err := explain(cmd.Context(), args[0], strings.TrimSpace(project), strings.TrimSpace(ver))
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				enc.Encode(ex)
			} else {
				fmt.Fprintf(stdout, "%s %s in repository %s: %s\n", ex.Project, ex.Version, ex.Repository, strings.ToUpper(ex.Decision.Verdict.String()))
				if !ex.Listed {
					fmt.Fprintln(stdout, "  note: upstream does not list this version")
				}
				for _, r := range ex.Decision.Reasons {
					fmt.Fprintf(stdout, "  rule:     %s\n  message:  %s\n", r.Rule, r.Message)
					if r.Evidence != "" {
						fmt.Fprintf(stdout, "  evidence: %s\n", r.Evidence)
					}
					if r.Remedy != "" {
						fmt.Fprintf(stdout, "  remedy:   %s\n", r.Remedy)
					}
				}
				if len(ex.Decision.Reasons) == 0 {
					fmt.Fprintf(stdout, "  no rule of policy %q matches; its mode allows it\n", ex.Decision.Policy)
				}
				for _, v := range ex.Vulnerabilities {
					score := "unscored"
					if v.Scored {
						score = fmt.Sprintf("%.1f %s (%s)", v.Score, v.Severity, v.Source)
					}
					triage := ""
					if v.Triage != "" {
						triage = "; triage: " + v.Triage
					}
					fmt.Fprintf(stdout, "  advisory: %s %s%s\n", v.ID, score, triage)
				}
				if ex.NewestAllowed != "" {
					fmt.Fprintf(stdout, "  newest allowed version: %s\n", ex.NewestAllowed)
				}
				if ex.Warning != "" {
					fmt.Fprintf(stdout, "  warning: %s\n", ex.Warning)
				}
			}
			if ex.Decision.Verdict == policy.Block {
				return exitCodeError{exitBlocked}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the explanation as JSON")
	return cmd
}

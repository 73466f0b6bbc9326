package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"vetted/internal/blob/fs"
	"vetted/internal/catalog"
	"vetted/internal/catalog/sqlite"
	"vetted/internal/config"
	"vetted/internal/ecosystem"
	"vetted/internal/ecosystem/conda"
	"vetted/internal/ecosystem/cran"
	"vetted/internal/ecosystem/pypi"
	"vetted/internal/httpapi"
	"vetted/internal/license"
	"vetted/internal/policy"
	"vetted/internal/registry"
	"vetted/internal/upstream"
	"vetted/internal/vuln"
	"vetted/internal/vuln/feed"
	"vetted/internal/vuln/nvd"
)

// App is a wired vetted instance.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	PyPI     *registry.PyPI
	Conda    *registry.Conda
	CRAN     *registry.CRAN
	Intel    *registry.Intel
	Importer *feed.Importer
	Handler  http.Handler
	catalog  *sqlite.Store
	policies map[[2]string]*policy.Policy // by policy name and ecosystem
	logs     Logs
}

// osvEcosystems maps the ecosystem names of vetted's configuration and CLI to OSV's.
var osvEcosystems = map[string]string{
	"pypi":  pypi.OSVEcosystem,
	"cran":  cran.OSVEcosystem,
	"conda": conda.OSVEcosystem,
}

// vulnSchemes tells vulnerability matching how each OSV ecosystem orders versions and
// normalises names.
func vulnSchemes() map[string]vuln.Scheme {
	return map[string]vuln.Scheme{
		pypi.OSVEcosystem:  vuln.SchemeOf(pypi.Ecosystem{}),
		cran.OSVEcosystem:  {Versions: cran.Scheme{}}, // CRAN names are case-sensitive
		conda.OSVEcosystem: vuln.SchemeOf(conda.Ecosystem{}),
	}
}

// catalogFile is the SQLite catalog's file in the data directory.
const catalogFile = "vetted.db"

// New opens the stores and builds the service. Close releases them.
func New(ctx context.Context, cfg config.Config, logs Logs, version string) (*App, error) {
	log := logs.Log
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", cfg.DataDir, err)
	}
	blobs, err := fs.New(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("blob store in %s: %w", cfg.DataDir, err)
	}
	cat, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, catalogFile))
	if err != nil {
		return nil, fmt.Errorf("catalog in %s: %w", cfg.DataDir, err)
	}
	table, err := licenseTable(cfg)
	if err != nil {
		cat.Close()
		return nil, err
	}
	policies, err := compilePolicies(cfg, table)
	if err != nil {
		cat.Close()
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 32
	transport.ResponseHeaderTimeout = cfg.Upstream.Timeout
	up := upstream.New(&http.Client{Transport: transport}, cfg.Upstream.UserAgent+"/"+version, cfg.Upstream.Timeout)

	var repos []registry.PyPIRepo
	var condaRepos []registry.CondaRepo
	var cranRepos []registry.CRANRepo
	for _, rc := range cfg.Repositories {
		ttl := cfg.Upstream.IndexTTL
		if rc.IndexTTL > 0 {
			ttl = rc.IndexTTL
		}
		pol := policies[[2]string{rc.Policy, rc.Ecosystem}]
		switch rc.Ecosystem {
		case "cran":
			cr := registry.CRANRepo{Name: rc.Name, Upstream: rc.Upstream, IndexTTL: ttl, Policy: pol, Hosted: rc.Kind == "hosted",
				PruneDependents: cfg.Policies[rc.Policy].PruneDependents}
			if rc.Kind == "mirror" {
				cr.Mirror = &registry.CRANMirror{}
				if m := rc.Mirror; m != nil {
					cr.Mirror = &registry.CRANMirror{Names: m.Names, Versions: m.Versions, Latest: m.Latest}
				}
			}
			cranRepos = append(cranRepos, cr)
		case "conda":
			cr := registry.CondaRepo{Name: rc.Name, Upstream: rc.Upstream, IndexTTL: ttl, Policy: pol,
				Hosted: rc.Kind == "hosted", PruneDependents: cfg.Policies[rc.Policy].PruneDependents}
			if m := rc.Mirror; m != nil {
				cr.Mirror = &registry.MirrorFilter{Subdirs: m.Subdirs, Names: m.Names, Versions: m.Versions, Latest: m.Latest}
			}
			condaRepos = append(condaRepos, cr)
		default:
			repos = append(repos, registry.PyPIRepo{Name: rc.Name, Upstream: rc.Upstream, IndexTTL: ttl, Policy: pol})
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := registry.NewMetrics(reg)
	schemes := vulnSchemes()
	intel := registry.NewIntel(cat, schemes, time.Now)
	intel.SetCrossMaps([]registry.CrossMap{{From: conda.OSVEcosystem, To: pypi.OSVEcosystem, Names: cfg.Feeds.CondaPyPINames}})
	deps := registry.Deps{Catalog: cat, Blobs: blobs, Upstream: up, Log: log, Clock: time.Now, Metrics: metrics, Intel: intel, Licenses: license.New(table)}
	svc, err := registry.NewPyPI(deps, repos)
	if err != nil {
		cat.Close()
		return nil, err
	}
	condaSvc, err := registry.NewConda(deps, condaRepos)
	if err != nil {
		cat.Close()
		return nil, err
	}
	cranSvc, err := registry.NewCRAN(deps, cranRepos)
	if err != nil {
		cat.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, PyPI: svc, Conda: condaSvc, CRAN: cranSvc, Intel: intel, policies: policies, logs: logs}
	h := httpapi.New(svc, httpapi.Options{Log: log, AccessLog: logs.Access, Registry: reg, Version: version,
		AdminTokensSHA256: cfg.API.AdminTokensSHA256, Findings: a.Findings, Conda: condaSvc, CRAN: cranSvc, ReadTokensSHA256: readTokens(cfg)})
	if _, err := intel.Reload(ctx); err != nil {
		cat.Close()
		return nil, err
	}
	cpes, err := cpeMap(cfg.Feeds.CPEMap)
	if err != nil {
		cat.Close()
		return nil, err
	}
	a.Importer = &feed.Importer{Store: cat, Client: &http.Client{Transport: transport}, Schemes: schemes, Clock: time.Now, CPEMap: cpes}
	a.Handler, a.catalog = h, cat
	return a, nil
}

// ExceptionSpec is the policy engine's form of a configured exception.
func ExceptionSpec(e config.Exception) policy.ExceptionSpec {
	exp, _ := e.ExpiryTime() // validated with the configuration
	return policy.ExceptionSpec{Project: e.Project, Versions: e.Versions, Rule: e.Rule, Owner: e.Owner, Reason: e.Reason, Expires: exp}
}

// compilePolicies compiles every policy that a repository uses.
// ecosystems are the ecosystems of the configuration, by name.
var ecosystems = map[string]ecosystem.Ecosystem{
	"pypi":  pypi.Ecosystem{},
	"conda": conda.Ecosystem{},
	"cran":  cran.Ecosystem{},
}

// compilePolicies compiles each policy for each ecosystem whose repositories use it
// (version constraints are read in the ecosystem's own syntax), keyed by policy name and
// ecosystem.
func compilePolicies(cfg config.Config, table *license.Table) (map[[2]string]*policy.Policy, error) {
	out := map[[2]string]*policy.Policy{}
	for _, repo := range cfg.Repositories {
		if repo.Policy == "" || out[[2]string{repo.Policy, repo.Ecosystem}] != nil {
			continue
		}
		name, pc := repo.Policy, cfg.Policies[repo.Policy]
		spec := policy.Spec{Name: name, Mode: policy.Mode(pc.Mode), LicenseTable: table}
		for _, rc := range pc.Rules {
			rs := policy.RuleSpec{Reason: rc.Reason, Unscored: rc.Unscored}
			switch {
			case rc.MaxCVSS != nil:
				rs.Action, rs.MaxCVSS = policy.ActionMaxCVSS, *rc.MaxCVSS
			case rc.MaxSeverity != "":
				rs.Action, rs.MaxSeverity = policy.ActionMaxSeverity, rc.MaxSeverity
			case rc.Licenses != nil:
				rs.Action, rs.LicenseAllow, rs.LicenseDeny, rs.Unknown = policy.ActionLicenses, rc.Licenses.Allow, rc.Licenses.Deny, rc.Licenses.Unknown
			case rc.Allow != nil:
				rs.Action, rs.Project, rs.Versions = policy.ActionAllow, rc.Allow.Project, rc.Allow.Versions
			default:
				rs.Action, rs.Project, rs.Versions = policy.ActionBlock, rc.Block.Project, rc.Block.Versions
			}
			spec.Rules = append(spec.Rules, rs)
		}
		for _, e := range pc.Exceptions {
			spec.Exceptions = append(spec.Exceptions, ExceptionSpec(e))
		}
		p, err := policy.Compile(spec, ecosystems[repo.Ecosystem])
		if err != nil {
			return nil, fmt.Errorf("config: policies.%s (used by %s repository %s): %w", name, repo.Ecosystem, repo.Name, err)
		}
		out[[2]string{name, repo.Ecosystem}] = p
	}
	return out, nil
}

// Findings lists the advisories of a project, or of one version with its triage.
// ecosystem is a configuration name: pypi or cran.
func (a *App) Findings(ctx context.Context, ecosystem, project, version string) ([]registry.Finding, error) {
	osv, ok := osvEcosystems[strings.ToLower(ecosystem)]
	if !ok {
		return nil, fmt.Errorf("ecosystem %q: use pypi or cran", ecosystem)
	}
	return a.Intel.Findings(osv, project, version), nil
}

// licenseTable is the built-in licence table with the configuration's additions.
func licenseTable(cfg config.Config) (*license.Table, error) {
	base, err := license.DefaultTable()
	if err != nil {
		return nil, err
	}
	if cfg.Licenses.TableFile == "" {
		return base, nil
	}
	extra, err := license.LoadTableFile(cfg.Licenses.TableFile)
	if err != nil {
		return nil, fmt.Errorf("config: licenses.table_file: %w", err)
	}
	return license.Merge(base, extra), nil
}

// readTokens maps each private repository to the digests of its read tokens.
func readTokens(cfg config.Config) map[string][]string {
	out := map[string][]string{}
	for _, rc := range cfg.Repositories {
		if len(rc.ReadTokensSHA256) > 0 {
			out[rc.Name] = rc.ReadTokensSHA256
		}
	}
	return out
}

// cpeMap is the built-in conda → CPE table with the configuration's changes.
func cpeMap(extra map[string][]string) (nvd.CPEMap, error) {
	base, err := nvd.DefaultCPEMap()
	if err != nil {
		return nil, err
	}
	override := nvd.CPEMap{}
	for name, list := range extra {
		products := []nvd.Product{}
		for _, vp := range list {
			p, err := nvd.ParseProduct(vp)
			if err != nil {
				return nil, fmt.Errorf("config: feeds.cpe_map.%s: %w", name, err)
			}
			products = append(products, p)
		}
		override[name] = products
	}
	return nvd.MergeCPEMap(base, override), nil
}

// UpdateFeeds imports every configured feed: the OSV exports, then NVD (only what
// changed since the previous NVD import, when that was less than 120 days ago). Each
// feed is one import; report is told of each as it ends.
func (a *App) UpdateFeeds(ctx context.Context, progress func(label string) feed.Progress, report func(catalog.FeedImport)) error {
	for _, src := range a.Config.Feeds.OSV {
		rec, err := a.Importer.Import(ctx, src, progress("importing "+src))
		if err != nil {
			return err
		}
		report(rec)
	}
	if a.Config.Feeds.NVD == "" {
		return nil
	}
	since, err := a.lastImportOf(ctx, a.Config.Feeds.NVD)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "vetted-nvd-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	delay := 6 * time.Second
	if a.Config.Feeds.NVDAPIKey != "" {
		delay = 600 * time.Millisecond
	}
	fetch := &feed.NVDFetch{Client: a.Importer.Client, URL: a.Config.Feeds.NVD, APIKey: a.Config.Feeds.NVDAPIKey, Delay: delay, Clock: time.Now}
	if _, err := fetch.Fetch(ctx, dir, since, progress("downloading "+a.Config.Feeds.NVD)); err != nil {
		return err
	}
	rec, err := a.Importer.ImportAs(ctx, dir, a.Config.Feeds.NVD, progress("importing NVD pages"))
	if err != nil {
		return err
	}
	report(rec)
	return nil
}

// lastImportOf returns when the newest import of source started, or zero.
func (a *App) lastImportOf(ctx context.Context, source string) (time.Time, error) {
	imports, err := a.catalog.ListImports(ctx, 1000)
	if err != nil {
		return time.Time{}, err
	}
	for _, imp := range imports {
		if imp.Source == source {
			return imp.StartedAt, nil
		}
	}
	return time.Time{}, nil
}

// LicenseReport lists the licences of the versions a repository has cached.
func (a *App) LicenseReport(ctx context.Context, repo string) ([]registry.LicenseRow, error) {
	switch {
	case a.PyPI.Has(repo):
		return a.PyPI.LicenseReport(ctx, repo)
	case a.Conda.Has(repo):
		return a.Conda.LicenseReport(ctx, repo)
	case a.CRAN.Has(repo):
		return a.CRAN.LicenseReport(ctx, repo)
	}
	return nil, fmt.Errorf("repository %q is not configured", repo)
}

// SyncMirror brings a mirror repository (conda or CRAN) up to date with its upstream.
func (a *App) SyncMirror(ctx context.Context, repo string, progress registry.SyncProgress) (registry.SyncResult, error) {
	if a.CRAN.Has(repo) {
		return a.CRAN.Sync(ctx, repo, progress)
	}
	return a.Conda.Sync(ctx, repo, progress)
}

// syncEvery syncs a mirror repository now and then every interval, until ctx ends.
func (a *App) syncEvery(ctx context.Context, repo string, interval time.Duration) {
	for {
		res, err := a.SyncMirror(ctx, repo, nil)
		switch {
		case err != nil:
			a.Log.Error("mirror sync failed", "repo", repo, "err", err)
		default:
			a.Log.Info("mirror synced", "repo", repo, "records", res.Records, "fetched", res.Fetched, "present", res.Present, "failed", res.Failed, "first_error", res.FirstError)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// Close releases the stores.
func (a *App) Close() error { return a.catalog.Close() }

// Serve listens on the configured address and serves until ctx is cancelled, then shuts
// down gracefully (in-flight requests get up to 30 s). ready, if not nil, is called with
// the bound address once the server accepts connections.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using it? set listen: or VETTED_LISTEN)", a.Config.Listen, err)
	}
	// Cached pages leave with their header in one write (httpapi.Listener).
	ln = httpapi.Listener(ln)
	srv := &http.Server{
		Handler:           a.Handler,
		ConnContext:       httpapi.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	a.Log.Info("vetted serving", "addr", ln.Addr().String(), "data_dir", a.Config.DataDir, "repositories", len(a.Config.Repositories))
	if ready != nil {
		ready(ln.Addr().String())
	}
	if err := a.RecordExceptionUses(ctx); err != nil {
		a.Log.Warn("could not record the policy exceptions", "err", err)
	}
	defer func() {
		// Last, whatever ended the server: the uses since the last minute's record.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := a.RecordExceptionUses(rctx); err != nil {
			a.Log.Warn("could not record which policy exceptions were used", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.PyPI.WatchFacts(ctx, a.Config.Feeds.PollInterval)
	go a.recordExceptionUsesEvery(ctx, exceptionFlushInterval)
	for _, rc := range a.Config.Repositories {
		if rc.Mirror != nil && rc.Mirror.Interval > 0 {
			go a.syncEvery(ctx, rc.Name, rc.Mirror.Interval)
		}
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if a.logs.flush != nil {
		// The last requests' access lines go out before the line that ends the log.
		a.logs.flush()
	}
	a.Log.Info("stopped")
	return nil
}

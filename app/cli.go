// Package app is Guanai's web application and command line: echo routes, middleware, handlers and view models.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"guanai/app/loadrun"
	"guanai/config"
	"guanai/domain"
	"guanai/repository"
)

const usage = `usage: guanai <command> [flags]

Guanai runs a city's care fund for frontline medical workers: see README.md and docs/.

commands:
  serve [--migrate]      serve the site and run the background jobs (refuses a database whose schema is behind,
                         unless --migrate)
  demo                   create the database if needed, migrate, load the demo data, print the demo logins, serve
  migrate                apply pending migrations
  seed --scale small|city [--force] [--seed N]
                         create and migrate the database, load the demo accounts and a generated city (city: 20,000
                         staff, 60,000 volunteers, 200,000 donors, 1,000,000 donations) or a twentieth of it
  admin create --phone P --password X --name N --role R
                         create an account (roles: staff volunteer admin finance coordinator auditor)
  ledger verify          reconcile the fund: exit status 1 and the first problems printed on any inconsistency
  bench [--url U] [--users N] [--duration D] [--seed N] [--roles R] [--mix M] [--first A,B] [--think D]
        [--timeout D] [--password P] [--pid PID] [--json FILE]
                         load a running server (default http://localhost:8080) with virtual users of every role,
                         logged in as the demo accounts, for a while (default 100 users, 60s); print requests per
                         second, latency percentiles and errors by route, and the server's peak memory (from its
                         /metrics, or /proc/PID/status with --pid); exit status 1 if any request failed.
                         --roles public=38,finance=20,… shares the users out (default public 38, admin 5,
                         finance 20, coordinator 10, auditor 5, staff 12, volunteer 8, venue 2); --mix fund.import=5,…
                         changes the weight of actions (see README.md); --first runs actions once per user first
  simulate [--seed N] [--params FILE] [--days D] [--quiet] [--json FILE] [--bulk=false]
                         simulate a city week of care requests in memory through the real matching and dispatch
                         rules (20,000 staff, 60,000 volunteers by default); print the share matched, time to
                         acceptance by urgency, escalations, the share of available volunteers offered a task and
                         the Gini coefficient of offers; then the same week again (at once, on another core) with
                         the scheduled part proposed in bulk by the minimum-cost assignment, side by side;
                         the same seed gives the same figures
  help                   print this

Configuration comes from the environment (DATABASE_URL, GUANAI_ADDR, GUANAI_BASE_URL, GUANAI_ENV,
GUANAI_ID_HASH_KEY, GUANAI_TRUSTED_PROXIES, GUANAI_METRICS_NETWORKS, GUANAI_RECONCILE_EVERY, GUANAI_PPROF_ADDR): see README.md.
`

// Exit statuses: 2 for a usage or configuration mistake, 1 for anything that went wrong while running.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// Main runs the command line and returns the process's exit status.
func Main(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "simulate": // in memory: needs no configuration
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		return exitStatus("simulate", runSimulate(ctx, args[1:], stdout, stderr), stdout, stderr)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "guanai: configuration: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		err = runServe(ctx, cfg, rest, stdout)
	case "demo":
		err = runDemo(ctx, cfg, stdout)
	case "migrate":
		err = runMigrate(ctx, cfg, stdout)
	case "seed":
		err = runSeed(ctx, cfg, rest, stdout)
	case "admin":
		err = runAdmin(ctx, cfg, rest, stdout)
	case "ledger":
		err = runLedger(ctx, cfg, rest, stdout)
	case "bench":
		err = runBench(ctx, rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "guanai: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	return exitStatus(cmd, err, stdout, stderr)
}

// exitStatus reports a command's error and turns it into the exit status.
func exitStatus(cmd string, err error, stdout, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "guanai %s: %v\n\n%s", cmd, err, usage)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "guanai %s: %v\n", cmd, err)
		return exitFailed
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parseFlags parses a command's flags; -h asks for the usage, anything else unknown is a usage mistake.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return err
	}
	return usageError{err.Error()}
}

// openStore connects to the configured database, with the system clock and the JSON log on standard error.
func openStore(ctx context.Context, cfg config.Config) (*repository.Store, error) {
	return repository.Open(ctx, cfg.DatabaseURL, repository.Options{IDKey: []byte(cfg.IDHashKey), Log: newLogger()})
}

func runServe(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	migrate := fs.Bool("migrate", false, "apply pending migrations first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if *migrate {
		if err := migrateStore(ctx, store, stdout); err != nil {
			return err
		}
	}
	if err := repository.CheckSchema(ctx, store.SQL()); err != nil {
		return err
	}
	return serve(ctx, cfg, store, stdout)
}

func runMigrate(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	return migrateStore(ctx, store, stdout)
}

func migrateStore(ctx context.Context, store *repository.Store, stdout io.Writer) error {
	applied, err := repository.Migrate(ctx, store.SQL())
	for _, name := range applied {
		fmt.Fprintf(stdout, "applied %s\n", name)
	}
	if err == nil && len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	return err
}

// errDemoInProduction keeps the demo's published password away from a production database.
var errDemoInProduction = errors.New("refused in production (GUANAI_ENV=production): the demo accounts share a published password")

func runDemo(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	if cfg.Production() {
		return errDemoInProduction
	}
	created, err := repository.EnsureDatabase(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintln(stdout, "created the database")
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := migrateStore(ctx, store, stdout); err != nil {
		return err
	}
	if err := seedDemo(ctx, store); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	printDemoLogins(stdout, cfg)
	return serve(ctx, cfg, store, stdout)
}

func runAdmin(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"expected `admin create`"}
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	phone := fs.String("phone", "", "mobile number")
	password := fs.String("password", "", "password (8 or more characters)")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "admin", "role")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := repository.CheckSchema(ctx, store.SQL()); err != nil {
		return err
	}
	u, err := store.CreateOperator(ctx, repository.Actor{IP: "cli"},
		repository.NewAccount{Phone: *phone, Password: *password, Name: *name, Role: domain.Role(*role)})
	var fe domain.FieldErrors
	if errors.As(err, &fe) {
		return usageError{describeFieldErrors(fe)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s account %d for %s (%s)\n", u.Role, u.ID, u.Name, u.Phone)
	return nil
}

// describeFieldErrors says in English what is wrong, for the command line.
func describeFieldErrors(fe domain.FieldErrors) string {
	tr := newTranslator()
	s := ""
	for field, key := range fe {
		if s != "" {
			s += "; "
		}
		s += "--" + field + ": " + tr.localizer("en").T(key)
	}
	return s
}

// errLedgerInconsistent makes `ledger verify` exit 1 after printing the problems.
var errLedgerInconsistent = errors.New("the ledger is inconsistent")

func runLedger(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return usageError{"expected `ledger verify`"}
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := repository.CheckSchema(ctx, store.SQL()); err != nil {
		return err
	}
	checks, err := store.VerifyLedger(ctx)
	if err != nil {
		return err
	}
	failed := false
	for _, c := range checks {
		status := "ok"
		if len(c.Problems) > 0 {
			status, failed = "FAILED", true
		}
		fmt.Fprintf(stdout, "%-26s %s\n", c.Name, status)
		for _, p := range c.Problems {
			fmt.Fprintf(stdout, "    %s\n", p)
		}
	}
	if failed {
		return errLedgerInconsistent
	}
	fmt.Fprintln(stdout, "the ledger is consistent")
	return nil
}

// errBenchFailed makes `bench` exit 1 after the report when some requests failed.
var errBenchFailed = errors.New("some requests failed: see the first errors above")

// runBench runs the load generator against a server that is already running; it only speaks HTTP, so it needs no
// database of its own.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, jsonFile, err := benchOptions(args)
	if err != nil {
		return err
	}
	o.Progress = stderr
	rep, err := loadrun.Run(ctx, o)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if jsonFile != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if rep.Errors > 0 {
		return errBenchFailed
	}
	return nil
}

func benchOptions(args []string) (o loadrun.Options, jsonFile string, err error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.URL, "url", "http://localhost:8080", "the server")
	fs.IntVar(&o.Users, "users", 100, "virtual users")
	fs.DurationVar(&o.Duration, "duration", 60*time.Second, "how long the mix runs")
	fs.Uint64Var(&o.Seed, "seed", 1, "seeds the users' choices")
	roles := fs.String("roles", "", "role=weight,…: how the users are shared out")
	mix := fs.String("mix", "", "action=weight,…: changes to the default mix")
	first := fs.String("first", "", "action,…: what each user does once first")
	fs.DurationVar(&o.Think, "think", 0, "average pause between a user's actions")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "for one request")
	fs.StringVar(&o.Password, "password", DemoPassword, "of the demo accounts")
	fs.IntVar(&o.PID, "pid", 0, "read the server's memory from /proc/PID/status")
	fs.StringVar(&jsonFile, "json", "", "also write the results to this file as JSON")
	if err := parseFlags(fs, args); err != nil {
		return o, "", err
	}
	if fs.NArg() > 0 {
		return o, "", usageError{fmt.Sprintf("unexpected %q", fs.Arg(0))}
	}
	if o.Users < 1 || o.Duration <= 0 {
		return o, "", usageError{"--users and --duration must be more than zero"}
	}
	if *roles != "" {
		if o.Roles, err = loadrun.ParseWeights(*roles); err != nil {
			return o, "", usageError{"--roles " + err.Error()}
		}
	}
	if o.Mix, err = loadrun.ParseWeights(*mix); err != nil {
		return o, "", usageError{"--mix " + err.Error()}
	}
	if *first != "" {
		o.First = strings.Split(*first, ",")
	}
	if err := o.Check(); err != nil {
		return o, "", usageError{err.Error()}
	}
	return o, jsonFile, nil
}

package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"guanai/config"
	"guanai/repository"
)

var seedScales = map[string]repository.SeedScale{"small": repository.SmallScale, "city": repository.CityScale}

// errSeedNotEmpty keeps a bulk seed off a database with people or gifts in it.
var errSeedNotEmpty = errors.New("the database already holds accounts or donations; add --force to drop everything in it and start again")

// runSeed creates and migrates the database like demo, loads the demo accounts (so pages can be measured logged
// in), then a generated city or a twentieth of one.
func runSeed(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	scaleName := fs.String("scale", "small", "small or city")
	force := fs.Bool("force", false, "drop everything in the database first")
	seed := fs.Uint64("seed", 1, "the random generator's seed: one seed, one data set")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	scale, ok := seedScales[*scaleName]
	if !ok {
		return usageError{fmt.Sprintf("--scale must be small or city, not %q", *scaleName)}
	}
	if cfg.Production() {
		return errDemoInProduction
	}
	started := time.Now()
	store, err := prepareSeedDatabase(ctx, cfg, *force, stdout)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := seedDemo(ctx, store); err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	bar := newProgressBar(stdout)
	err = store.SeedBulk(ctx, repository.SeedOptions{Scale: scale, Seed: *seed, Password: DemoPassword, Progress: bar.report})
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "refreshing the planner's statistics (VACUUM ANALYZE)")
	if err := repository.Analyze(ctx, store.SQL()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded the %s data set (seed %d) in %s\n", *scaleName, *seed, time.Since(started).Round(time.Second))
	printSeedLogins(stdout, cfg)
	return nil
}

// prepareSeedDatabase creates the database if needed, refuses (or with force empties) one with data, and migrates.
func prepareSeedDatabase(ctx context.Context, cfg config.Config, force bool, stdout io.Writer) (*repository.Store, error) {
	if created, err := repository.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	} else if created {
		fmt.Fprintln(stdout, "created the database")
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	full, err := repository.HoldsData(ctx, store.SQL())
	switch {
	case err != nil:
	case full && !force:
		err = errSeedNotEmpty
	case full:
		fmt.Fprintln(stdout, "dropping everything in the database (--force)")
		err = repository.DropEverything(ctx, store.SQL())
	}
	if err == nil {
		err = migrateStore(ctx, store, stdout)
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

func printSeedLogins(w io.Writer, cfg config.Config) {
	printDemoLogins(w, cfg)
	fmt.Fprintf(w, "Seeded staff log in as 1391xxxxxxx and volunteers as 1371xxxxxxx (from 13910000000 and 13710000000), password %q.\n"+
		"Serve it with: go run . serve\n", DemoPassword)
}

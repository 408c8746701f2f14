package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"guanai/app/simulate"
	"guanai/repository"
)

// runSimulate is `guanai simulate`: a city week through the real matching and dispatch rules, in memory (no
// database, no configuration needed). The progress bar goes to standard error, the figures to standard output.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	seed := fs.Uint64("seed", 1, "seeds the week: the same seed gives the same figures")
	params := fs.String("params", "", "a JSON file of parameters over the defaults (see docs/operations.md)")
	days := fs.Int("days", 7, "days of help to simulate")
	quiet := fs.Bool("quiet", false, "no progress bar")
	jsonFile := fs.String("json", "", "also write the figures to this file as JSON")
	bulk := fs.Bool("bulk", true, "run the week a second time, at once, with the scheduled part assigned in bulk, and compare")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected %q", fs.Arg(0))}
	}
	if *days < 1 || *days > 28 {
		return usageError{"--days must be 1 to 28"}
	}
	p, err := simulate.LoadParams(*params)
	if err != nil {
		return usageError{"--params: " + err.Error()}
	}
	o := simulate.Options{Seed: *seed, Params: p, Days: *days}
	var bar *progressBar
	if !*quiet {
		bar = newProgressBar(stderr)
		o.Progress = func(stage string, done, total int) {
			bar.report(repository.SeedProgress{Stage: stage, Done: done, Total: total})
		}
	}
	started := time.Now()
	rep, err := simulate.Compare(ctx, o, *bulk)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nsimulated in %s\n", time.Since(started).Round(100*time.Millisecond))
	if *jsonFile != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*jsonFile, append(b, '\n'), 0o644)
	}
	return nil
}

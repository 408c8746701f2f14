package simulate

import (
	"context"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"
)

// Comparison is one week run twice from the same seed: everything dispatched one by one, and the scheduled part
// proposed in bulk at the planning hour by the minimum-cost assignment (MinCostAssigner).
type Comparison struct {
	OneByOne Report  `json:"one_by_one"`
	Bulk     *Report `json:"bulk,omitempty"` // nil when not asked for
}

// Compare runs the week one by one and, with bulk set, with bulk assignment too. The two runs share nothing (each
// has its own random source from the seed), so they run at once, one per core. Progress follows the one-by-one
// run, then the bulk run if it is still going.
func Compare(ctx context.Context, o Options, bulk bool) (Comparison, error) {
	if !bulk {
		rep, err := Run(ctx, o)
		return Comparison{OneByOne: rep}, err
	}
	var mu sync.Mutex
	firstDone := false
	tell := func(first bool) func(string, int, int) {
		return func(stage string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if o.Progress != nil && first != firstDone {
				o.Progress(stage, done, total)
			}
		}
	}
	one, withBulk := o, o
	one.Progress, one.Assigner = tell(true), nil
	withBulk.Progress, withBulk.Assigner = tell(false), MinCostAssigner
	var (
		c       Comparison
		bulkRep Report
		bulkErr error
		wg      sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		bulkRep, bulkErr = Run(ctx, withBulk)
	}()
	rep, err := Run(ctx, one)
	mu.Lock()
	firstDone = true
	mu.Unlock()
	wg.Wait()
	if err == nil {
		err = bulkErr
	}
	c.OneByOne, c.Bulk = rep, &bulkRep
	return c, err
}

// WriteTable prints the one-by-one week, then the scheduled part side by side.
func (c Comparison) WriteTable(w io.Writer) error {
	if err := c.OneByOne.WriteTable(w); err != nil {
		return err
	}
	if c.Bulk == nil {
		return nil
	}
	a, b := c.OneByOne.Scheduled, c.Bulk.Scheduled
	fmt.Fprintf(w, "\nthe scheduled part (%d normal requests submitted before %02d:00 the day before their help)\n",
		a.Requests, a.PlanningHour)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	pct := func(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }
	row := func(name, x, y string) { fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, x, y) }
	row("", "one by one", "bulk assignment")
	row("matched", pct(a.MatchedShare), pct(b.MatchedShare))
	row("proposed in bulk", "-", fmt.Sprint(b.Proposed))
	row("won by the first round", fmt.Sprint(a.FirstRoundWon), fmt.Sprint(b.FirstRoundWon))
	row("offers", fmt.Sprint(a.Offers), fmt.Sprint(b.Offers))
	row("escalated", fmt.Sprint(a.Escalated), fmt.Sprint(b.Escalated))
	mins := func(t Times) string { return fmt.Sprintf("%.0f / %.0f / %.0f min", t.Median, t.P90, t.P99) }
	row("time to acceptance, median / p90 / p99", mins(a.Acceptance), mins(b.Acceptance))
	row("accepted before the help (median)", fmt.Sprintf("%.1f h", a.MedianLead), fmt.Sprintf("%.1f h", b.MedianLead))
	row("mean distance", fmt.Sprintf("%.2f km", a.MeanKm), fmt.Sprintf("%.2f km", b.MeanKm))
	row("available volunteers offered a scheduled task", pct(a.OfferedShare), pct(b.OfferedShare))
	row("Gini of scheduled offers", fmt.Sprintf("%.3f", a.Gini), fmt.Sprintf("%.3f", b.Gini))
	row("whole week: matched", pct(c.OneByOne.MatchedShare), pct(c.Bulk.MatchedShare))
	row("whole week: offered at least one task", pct(c.OneByOne.OfferedShare), pct(c.Bulk.OfferedShare))
	row("whole week: Gini", fmt.Sprintf("%.3f", c.OneByOne.Gini), fmt.Sprintf("%.3f", c.Bulk.Gini))
	return tw.Flush()
}

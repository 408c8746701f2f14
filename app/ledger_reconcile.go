package app

import (
	"context"

	"github.com/labstack/echo/v4"

	"guanai/repository"
)

// The ledger's reconciliation is a background job (repository.StartJobs): /admin and /admin/ledger show the last
// result it stored, and a button asks for one now. Running the checks on every view took seconds at a million
// donations.

// reconciliationView is the last reconciliation as a page shows it.
type reconciliationView struct {
	Last    *repository.Reconciliation // nil until the first has finished
	Pending bool                       // one is waiting or running
	Checks  []repository.LedgerCheck   // the checks the page lists
	Back    string                     // the page the button comes back to
}

// reconciliation reads the last result for the page at back: every check on the ledger page, only those that
// found something on the dashboard.
func (a *App) reconciliation(ctx context.Context, back string, every bool) (reconciliationView, error) {
	last, pending, err := a.store.LastReconciliation(ctx)
	v := reconciliationView{Last: last, Pending: pending, Back: back}
	if last != nil {
		for _, c := range last.Checks {
			if every || len(c.Problems) > 0 {
				v.Checks = append(v.Checks, c)
			}
		}
	}
	return v, err
}

type reconcileForm struct {
	Back string `form:"back"`
}

// requestReconciliation queues a reconciliation now (or joins the one pending) and goes back to the page it was
// asked from, where the result shows once the job has run.
func (a *App) requestReconciliation(c echo.Context) error {
	var f reconcileForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	back := "/admin/ledger"
	if f.Back == "/admin" { // the only other page with the button; anything else could send people elsewhere
		back = "/admin"
	}
	joined, err := a.store.RequestReconciliation(c.Request().Context(), actor(c))
	if joined {
		return a.afterAction(c, err, back, "ledger.reconcile_joined")
	}
	return a.afterAction(c, err, back, "ledger.reconcile_queued")
}

package app

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type ledgerView struct {
	Pools          []repository.Pool
	Recent         []ledgerTransaction
	Reconciliation reconciliationView
}

func (a *App) ledgerPage(c echo.Context) error {
	return a.renderLedger(c, http.StatusOK, a.newPage(c, "ledger.title"))
}

func (a *App) renderLedger(c echo.Context, status int, p *Page) error {
	ctx := c.Request().Context()
	pools, err := a.store.Pools(ctx)
	if err != nil {
		return err
	}
	lines, err := a.store.RecentLedger(ctx, 30)
	if err != nil {
		return err
	}
	rec, err := a.reconciliation(ctx, "/admin/ledger", true)
	if err != nil {
		return err
	}
	p.Data = ledgerView{Pools: pools, Recent: groupLedger(lines), Reconciliation: rec}
	return a.views.render(c, status, "ledger", p)
}

type allocationForm struct {
	From   string `form:"from"`
	To     string `form:"to"`
	Amount string `form:"amount"`
	Reason string `form:"reason"`
}

func (a *App) allocate(c echo.Context) error {
	var f allocationForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	amount := amountField(fe, "amount", f.Amount)
	from, to := idField(fe, "from", f.From), idField(fe, "to", f.To)
	if len(fe) == 0 {
		_, err = a.store.Allocate(c.Request().Context(), actor(c), from, to, amount, f.Reason)
		var short *domain.InsufficientFundsError
		switch {
		case errors.As(err, &short):
			fe.Add("amount", "fund.insufficient_field")
			p := a.newPage(c, "ledger.title")
			p.Form, p.Errors = c.Request().PostForm, fe
			pageFlash(p, err)
			return a.renderLedger(c, http.StatusUnprocessableEntity, p)
		case err != nil:
			var ok bool
			if fe, ok = fieldErrors(err); !ok {
				if errors.Is(err, domain.ErrNotFound) {
					fe = domain.FieldErrors{"to": "error.choose_one"}
				} else {
					return err
				}
			}
		default:
			a.flash(c, "ok", "ledger.allocated")
			return c.Redirect(http.StatusSeeOther, "/admin/ledger")
		}
	}
	p := a.newPage(c, "ledger.title")
	p.Form, p.Errors = c.Request().PostForm, fe
	return a.renderLedger(c, http.StatusUnprocessableEntity, p)
}

// ledgerTransaction is one movement of money with its entries, shown together: a donation is one row with the
// pool it went into and the donors' account it came from, not two unrelated lines.
type ledgerTransaction struct {
	ID          int64
	Kind, Memo  string
	CreatedAt   time.Time
	CreatorName string
	Entries     []repository.LedgerLine
}

// groupLedger gathers the entries (newest transaction first, as RecentLedger gives them) by transaction.
func groupLedger(lines []repository.LedgerLine) []ledgerTransaction {
	var out []ledgerTransaction
	for _, l := range lines {
		if n := len(out); n == 0 || out[n-1].ID != l.TransactionID {
			out = append(out, ledgerTransaction{ID: l.TransactionID, Kind: l.Kind, Memo: l.Memo, CreatedAt: l.CreatedAt,
				CreatorName: l.CreatorName})
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, l)
	}
	return out
}

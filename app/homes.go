package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// tile is a figure on the dashboard, linking to the list behind it when the viewer may open that list.
type tile struct {
	Num   string
	Label string
	Href  string // "" when the viewer may not open it: the figure is shown without a link
}

type adminHomeView struct {
	Counts     repository.Counts
	CountsAt   time.Time // when Counts were read (they are kept for half a minute)
	FundTiles  []tile
	People     []tile
	ShowFund   bool
	ShowPeople bool
	Fund       repository.FundSummary
	Pools      []repository.Pool
	Recent     []repository.Donation
	Drafts     []repository.Disbursement
	// Reconciliation is the last stored result: running the checks here took seconds on a large ledger.
	Reconciliation reconciliationView
}

// homeCountsKeptFor is how long the home's figures of people are kept: counting the city's 80,000 accounts and
// 11,000 qualifications to check takes some 30 ms, for a tile that says how much work waits. A decision taken
// here, or an eligibility list confirmed, reads them again at once (homeCounts.forget).
const homeCountsKeptFor = 30 * time.Second

// adminHome is every operator's dashboard: people figures for those who verify, the fund for those who keep it.
func (a *App) adminHome(c echo.Context) error {
	ctx := c.Request().Context()
	role := currentUser(c).Role
	v := adminHomeView{ShowPeople: role != domain.RoleFinance, ShowFund: role != domain.RoleCoordinator}
	var err error
	if v.ShowPeople {
		if v.Counts, v.CountsAt, err = a.homeCounts.get(ctx, a.now(), homeCountsKeptFor, a.store.HomeCounts); err != nil {
			return err
		}
	}
	if v.ShowFund {
		if err := a.loadFundHome(c, &v); err != nil {
			return err
		}
	}
	p := a.newPage(c, "admin_home.title")
	link := func(num, key, href string) tile {
		if !p.May(href) {
			href = ""
		}
		return tile{Num: num, Label: p.T(key), Href: href}
	}
	count := func(n int64) string { return transparencyCount(n) }
	v.FundTiles = []tile{
		link(v.Fund.Raised.String(), "fund.raised", "/transparency"),
		link(v.Fund.Disbursed.String(), "fund.disbursed", "/admin/disbursements?status=paid"),
		link(count(v.Fund.DraftCount), "fund.waiting_approval", "/admin/disbursements?status=draft"),
		link(count(v.Fund.ToPayCount), "fund.waiting_payment", "/admin/disbursements?status=approved"),
	}
	v.People = []tile{
		link(count(v.Counts.PendingPeople), "admin_home.pending_people", "/admin/verification"),
		link(count(v.Counts.PendingQualifications), "admin_home.pending_qualifications", "/admin/verification"),
		link(count(v.Counts.ActiveStaff), "admin_home.active_staff", "/admin/people?role=staff&status=active"),
		link(count(v.Counts.ActiveVolunteers), "admin_home.active_volunteers", "/admin/people?role=volunteer&status=active"),
		link(count(v.Counts.EligibilityEntries), "admin_home.eligibility_entries", "/admin/eligibility"),
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "admin_home", p)
}

func (a *App) loadFundHome(c echo.Context, v *adminHomeView) error {
	ctx := c.Request().Context()
	var err error
	if v.Fund, err = a.store.FundHome(ctx); err != nil {
		return err
	}
	if v.Pools, err = a.store.Pools(ctx); err != nil {
		return err
	}
	recent, err := a.store.ListDonations(ctx, repository.DonationFilter{}, domain.Cursor{})
	if err != nil {
		return err
	}
	v.Recent = recent.Rows[:min(len(recent.Rows), 8)]
	drafts, err := a.store.ListDisbursements(ctx, domain.DisbursementDraft, domain.Cursor{})
	if err != nil {
		return err
	}
	v.Drafts = drafts.Rows
	v.Reconciliation, err = a.reconciliation(ctx, "/admin", false)
	return err
}

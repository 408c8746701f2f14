package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

func (a *App) staffHome(c echo.Context) error {
	return a.personHome(c, "staff_home")
}

func (a *App) volunteerHome(c echo.Context) error {
	return a.personHome(c, "volunteer_home")
}

func (a *App) personHome(c echo.Context, page string) error {
	person, err := a.store.PersonByID(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, page+".title")
	p.Data = person
	return a.views.render(c, http.StatusOK, page, p)
}

type adminHomeView struct {
	Counts     repository.Counts
	ShowFund   bool
	ShowPeople bool
	Fund       repository.FundSummary
	Pools      []repository.Pool
	Recent     []repository.Donation
	Drafts     []repository.Disbursement
	Checks     []repository.LedgerCheck
	Healthy    bool
}

// adminHome is every operator's dashboard: people figures for those who verify, the fund for those who keep it.
func (a *App) adminHome(c echo.Context) error {
	ctx := c.Request().Context()
	role := currentUser(c).Role
	v := adminHomeView{ShowPeople: role != domain.RoleFinance, ShowFund: role != domain.RoleCoordinator, Healthy: true}
	var err error
	if v.ShowPeople {
		if v.Counts, err = a.store.HomeCounts(ctx); err != nil {
			return err
		}
	}
	if v.ShowFund {
		if err := a.loadFundHome(c, &v); err != nil {
			return err
		}
	}
	p := a.newPage(c, "admin_home.title")
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
	if v.Recent, _, err = a.store.ListDonations(ctx, repository.DonationFilter{}); err != nil {
		return err
	}
	if len(v.Recent) > 8 {
		v.Recent = v.Recent[:8]
	}
	if v.Drafts, _, err = a.store.ListDisbursements(ctx, domain.DisbursementDraft, 1); err != nil {
		return err
	}
	if v.Checks, err = a.store.VerifyLedger(ctx); err != nil {
		return err
	}
	for _, ch := range v.Checks {
		v.Healthy = v.Healthy && len(ch.Problems) == 0
	}
	return nil
}

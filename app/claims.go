package app

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Expense claims. The volunteer's side: his claims and the services he may claim for (/volunteer/claims), the form
// with the receipt, each claim's status. The staff member's side: the claims for services she got, to confirm or
// dispute. The coordinators': the queue and the decision, the only one for a claim above its program's ceiling.

type volunteerClaimsView struct {
	Claims   []repository.ClaimLine
	Services []repository.ClaimableService
}

func (a *App) volunteerClaims(c echo.Context) error {
	ctx := c.Request().Context()
	uid := currentUser(c).ID
	claims, err := a.store.VolunteerClaims(ctx, uid)
	if err != nil {
		return err
	}
	services, err := a.store.ClaimableServices(ctx, uid)
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.mine_title")
	p.Data = volunteerClaimsView{Claims: claims, Services: services}
	return a.views.render(c, http.StatusOK, "volunteer_claims", p)
}

type claimFormView struct {
	Service     repository.ClaimableService
	Categories  []string
	RefusedFile string
	MaxFiles    int
}

// serviceParam reads the service a claim is for; one that is not a number is one nobody has.
func serviceParam(s string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

func (a *App) volunteerClaimForm(c echo.Context) error {
	sv, err := a.store.ClaimableService(c.Request().Context(), currentUser(c).ID, serviceParam(c.QueryParam("service")))
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.new_title")
	p.Form.Set("service", itoa64(sv.ID))
	p.Data = claimFormView{Service: sv, Categories: domain.ClaimCategories, MaxFiles: domain.MaxDocuments}
	return a.views.render(c, http.StatusOK, "volunteer_claim_new", p)
}

func (a *App) submitVolunteerClaim(c echo.Context) error {
	form, err := c.MultipartForm()
	if err != nil {
		return echo.ErrBadRequest
	}
	ctx := c.Request().Context()
	sv, err := a.store.ClaimableService(ctx, currentUser(c).ID, serviceParam(first(form.Value["service"])))
	if err != nil {
		return err
	}
	cf := domain.ClaimForm{Category: first(form.Value["category"]), Amount: first(form.Value["amount"]), Note: first(form.Value["note"])}
	files, err := readDocuments(form)
	refused, key, ok := refusedDocument(err)
	if !ok && err != nil {
		return err
	}
	var fe domain.FieldErrors
	if key == "" {
		var id int64
		id, err = a.store.SubmitClaim(ctx, actor(c), sv.ID, cf, files)
		if e, ok := fieldErrors(err); ok {
			fe = e
		} else if err != nil {
			return err
		} else {
			a.flash(c, "ok", "claims.sent")
			return c.Redirect(http.StatusSeeOther, "/volunteer/claims/"+itoa64(id))
		}
	} else {
		_, fe = cf.Check()
		fe["files"] = key
	}
	p := a.newPage(c, "claims.new_title")
	p.Form, p.Errors = formValues(form), fe
	p.Data = claimFormView{Service: sv, Categories: domain.ClaimCategories, RefusedFile: refused, MaxFiles: domain.MaxDocuments}
	return a.views.render(c, http.StatusUnprocessableEntity, "volunteer_claim_new", p)
}

type claimView struct {
	C repository.ClaimView
	// MayDecide: the viewer may confirm or reject it now (it waits, and is within what they may decide).
	MayDecide bool
}

func (a *App) volunteerClaimPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := a.store.VolunteerClaim(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.one_title")
	p.Data = claimView{C: v}
	return a.views.render(c, http.StatusOK, "volunteer_claim", p)
}

func (a *App) staffClaims(c echo.Context) error {
	claims, err := a.store.StaffClaims(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.staff_title")
	p.Data = claims
	return a.views.render(c, http.StatusOK, "staff_claims", p)
}

func (a *App) staffClaimPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := a.store.StaffClaim(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.one_title")
	p.Data = claimView{C: v, MayDecide: v.Status == domain.ClaimSubmitted && !v.NeedsCoordinator}
	return a.views.render(c, http.StatusOK, "staff_claim", p)
}

func (a *App) confirmStaffClaim(c echo.Context) error {
	return a.confirmClaim(c, true, "/staff/claims/")
}
func (a *App) rejectStaffClaim(c echo.Context) error { return a.rejectClaim(c, true, "/staff/claims/") }
func (a *App) confirmAdminClaim(c echo.Context) error {
	return a.confirmClaim(c, false, "/admin/claims/")
}
func (a *App) rejectAdminClaim(c echo.Context) error {
	return a.rejectClaim(c, false, "/admin/claims/")
}

func (a *App) confirmClaim(c echo.Context, byStaff bool, back string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	_, err = a.store.ConfirmClaim(c.Request().Context(), actor(c), id, byStaff)
	return a.afterAction(c, err, back+itoa64(id), "claims.confirmed")
}

func (a *App) rejectClaim(c echo.Context, byStaff bool, back string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f decisionForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	err = a.store.RejectClaim(c.Request().Context(), actor(c), id, byStaff, f.Reason)
	if fe, ok := fieldErrors(err); ok {
		if key, ok := fe["reason"]; ok {
			err = &domain.Refusal{Key: key}
		}
	}
	return a.afterAction(c, err, back+itoa64(id), "claims.rejected")
}

type claimQueueView struct {
	Claims []repository.ClaimLine
	Paging listPaging
	States []string
}

func (a *App) claimQueue(c echo.Context) error {
	status := c.QueryParam("status")
	if !c.QueryParams().Has("status") {
		status = "open"
	}
	list, err := a.store.ClaimQueue(c.Request().Context(), status, cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.queue_title")
	p.Form.Set("status", status)
	p.Data = claimQueueView{Claims: list.Rows, Paging: pagingOf(c.Request().URL, list, ""),
		States: append([]string{"open"}, domain.ClaimStates...)}
	return a.views.render(c, http.StatusOK, "admin_claims", p)
}

func (a *App) claimReviewPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := a.store.ClaimForReview(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "claims.one_title")
	p.Data = claimView{C: v, MayDecide: v.Status == domain.ClaimSubmitted}
	return a.views.render(c, http.StatusOK, "admin_claim", p)
}

// grantClaimTarget is the page a notification about a grant or a claim points to, "" for any other.
func grantClaimTarget(role domain.Role, n repository.Notification) string {
	switch {
	case n.GrantID != 0 && role == domain.RoleStaff:
		return "/staff/grants/" + itoa64(n.GrantID)
	case n.GrantID != 0:
		return "/admin/grants/" + itoa64(n.GrantID)
	case n.ClaimID != 0 && role == domain.RoleVolunteer:
		return "/volunteer/claims/" + itoa64(n.ClaimID)
	case n.ClaimID != 0 && role == domain.RoleStaff:
		return "/staff/claims/" + itoa64(n.ClaimID)
	case n.ClaimID != 0:
		return "/admin/claims/" + itoa64(n.ClaimID)
	}
	return ""
}

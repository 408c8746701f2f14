package app

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Hardship grants. The staff member's side: her applications (/staff/grants), the form (with documents), and each
// application's plain status. The coordinators' side: the queue, an application with its documents, and the
// decision; approval makes the disbursement draft that finance approves and pays.

type staffGrantsView struct {
	Programs []repository.GrantProgram
	Grants   []repository.GrantLine
}

func (a *App) staffGrants(c echo.Context) error {
	ctx := c.Request().Context()
	programs, err := a.store.GrantPrograms(ctx)
	if err != nil {
		return err
	}
	grants, err := a.store.StaffGrants(ctx, currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "grants.mine_title")
	p.Data = staffGrantsView{Programs: programs, Grants: grants}
	return a.views.render(c, http.StatusOK, "staff_grants", p)
}

type staffGrantFormView struct {
	Program     *repository.GrantProgram
	Problem     string // why the program takes no application ("" when it does)
	RefusedFile string // the file a refusal names
	MaxFiles    int
}

func (a *App) staffGrantForm(c echo.Context) error {
	if currentUser(c).Status != domain.StatusActive {
		return domain.ErrStaffNotVerified
	}
	p := a.newPage(c, "grants.new_title")
	v, err := a.grantFormView(c, c.QueryParam("program"))
	if err != nil {
		return err
	}
	if v.Program != nil {
		p.Form.Set("program", v.Program.Code)
	}
	p.Data = v
	status := http.StatusOK
	if v.Program == nil {
		status = http.StatusNotFound
	}
	return a.views.render(c, status, "staff_grant_new", p)
}

// grantFormView finds the program asked for (the first grant program when none is named).
func (a *App) grantFormView(c echo.Context, code string) (staffGrantFormView, error) {
	programs, err := a.store.GrantPrograms(c.Request().Context())
	v := staffGrantFormView{MaxFiles: domain.MaxDocuments}
	for i := range programs {
		if programs[i].Code == strings.TrimSpace(code) || code == "" && v.Program == nil {
			v.Program = &programs[i]
		}
	}
	switch {
	case v.Program == nil:
		v.Problem = "grants.error.program"
	case !v.Program.Active:
		v.Problem = "care.error.program_inactive"
	}
	return v, err
}

func (a *App) submitStaffGrant(c echo.Context) error {
	if currentUser(c).Status != domain.StatusActive {
		return domain.ErrStaffNotVerified
	}
	form, err := c.MultipartForm()
	if err != nil {
		return echo.ErrBadRequest
	}
	code := strings.TrimSpace(first(form.Value["program"]))
	gf := domain.GrantForm{Amount: first(form.Value["amount"]), Reason: first(form.Value["reason"])}
	v, err := a.grantFormView(c, code)
	if err != nil {
		return err
	}
	files, err := readDocuments(form)
	var refused, key string
	if name, k, ok := refusedDocument(err); ok {
		refused, key = name, k
	} else if err != nil {
		return err
	}
	var fe domain.FieldErrors
	if key == "" {
		var id int64
		id, err = a.store.ApplyForGrant(c.Request().Context(), actor(c), code, gf, files)
		if e, ok := fieldErrors(err); ok {
			fe = e
		} else if err != nil {
			return err
		} else {
			a.flash(c, "ok", "grants.sent")
			return c.Redirect(http.StatusSeeOther, "/staff/grants/"+itoa64(id))
		}
	} else {
		// The file is refused: the other fields are checked too, so everything wrong is said at once.
		var ceiling domain.Money
		if v.Program != nil {
			ceiling = v.Program.Ceiling
		}
		_, fe = gf.Check(ceiling)
		fe["files"] = key
	}
	p := a.newPage(c, "grants.new_title")
	v.RefusedFile = refused
	p.Form, p.Errors, p.Data = formValues(form), fe, v
	return a.views.render(c, http.StatusUnprocessableEntity, "staff_grant_new", p)
}

// first is a form field's first value.
func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// formValues are a multipart form's typed values, to fill the form again.
func formValues(form *multipart.Form) url.Values {
	v := url.Values{}
	for k, vs := range form.Value {
		if k != "_csrf" {
			v[k] = vs
		}
	}
	return v
}

type grantView struct {
	G repository.GrantView
}

func (a *App) staffGrantPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	g, err := a.store.StaffGrant(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "grants.one_title")
	p.Data = grantView{G: g}
	return a.views.render(c, http.StatusOK, "staff_grant", p)
}

// The coordinators' side.

type grantQueueView struct {
	Grants []repository.GrantLine
	Paging listPaging
	States []string
}

func (a *App) grantQueue(c echo.Context) error {
	status := c.QueryParam("status")
	if !c.QueryParams().Has("status") {
		status = "open"
	}
	list, err := a.store.GrantQueue(c.Request().Context(), status, cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "grants.queue_title")
	p.Form.Set("status", status)
	p.Data = grantQueueView{Grants: list.Rows, Paging: pagingOf(c.Request().URL, list, ""),
		States: append([]string{"open"}, domain.GrantStates...)}
	return a.views.render(c, http.StatusOK, "admin_grants", p)
}

func (a *App) grantReviewPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	g, err := a.store.GrantForReview(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "grants.one_title")
	p.Data = grantView{G: g}
	return a.views.render(c, http.StatusOK, "admin_grant", p)
}

func (a *App) takeUpGrant(c echo.Context) error {
	return a.grantStep(c, "grants.taken_up", func(id int64) error {
		return a.store.TakeUpGrant(c.Request().Context(), actor(c), id)
	})
}

func (a *App) approveGrant(c echo.Context) error {
	return a.grantStep(c, "grants.approved", func(id int64) error {
		_, err := a.store.ApproveGrant(c.Request().Context(), actor(c), id)
		return err
	})
}

func (a *App) rejectGrant(c echo.Context) error {
	var f decisionForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	return a.grantStep(c, "grants.rejected", func(id int64) error {
		return a.store.RejectGrant(c.Request().Context(), actor(c), id, f.Reason)
	})
}

// grantStep runs a decision and goes back to the application with what happened; a refusal (decided already, a
// reason missing) is a message there.
func (a *App) grantStep(c echo.Context, okKey string, step func(id int64) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	err = step(id)
	if fe, ok := fieldErrors(err); ok {
		if key, ok := fe["reason"]; ok {
			err = &domain.Refusal{Key: key}
		}
	}
	return a.afterAction(c, err, "/admin/grants/"+itoa64(id), okKey)
}

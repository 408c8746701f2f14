package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type eligibilityView struct {
	Import  *repository.EligibilityImport
	Problem string // a message key for the upload as a whole
	Missing string
}

func (a *App) eligibilityPage(c echo.Context) error {
	p := a.newPage(c, "eligibility.title")
	p.Data = eligibilityView{}
	return a.views.render(c, http.StatusOK, "eligibility", p)
}

func (a *App) eligibilityUpload(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return a.eligibilityProblem(c, "eligibility.no_file", "")
	}
	records, err := eligibilityFile.readFile(fh)
	if problem := eligibilityFile.problem(err); problem != "" {
		return a.eligibilityProblem(c, problem, "")
	}
	if err != nil {
		return err
	}
	rows, err := domain.CheckEligibilityRows(records)
	var he *domain.ErrEligibilityHeader
	if errors.As(err, &he) {
		return a.eligibilityProblem(c, "eligibility.bad_header", joinMissing(he.Missing))
	}
	if len(rows) == 0 {
		return a.eligibilityProblem(c, "eligibility.empty", "")
	}
	id, err := a.store.SaveEligibilityPreview(c.Request().Context(), actor(c), fh.Filename, rows)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/eligibility/imports/"+itoa64(id))
}

func joinMissing(m []string) string {
	s := ""
	for i, x := range m {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

func (a *App) eligibilityProblem(c echo.Context, key, missing string) error {
	p := a.newPage(c, "eligibility.title")
	p.Data = eligibilityView{Problem: key, Missing: missing}
	return a.views.render(c, http.StatusUnprocessableEntity, "eligibility", p)
}

func (a *App) eligibilityPreview(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	imp, err := a.store.EligibilityImportByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "eligibility.preview_title")
	p.Data = eligibilityView{Import: &imp}
	return a.views.render(c, http.StatusOK, "eligibility", p)
}

func (a *App) eligibilityConfirm(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	res, err := a.store.ConfirmEligibility(c.Request().Context(), actor(c), id)
	a.homeCounts.forget()
	return a.afterAction(c, err, "/admin/eligibility/imports/"+itoa64(id), "eligibility.confirmed",
		"Added", strconv.Itoa(res.Added), "Updated", strconv.Itoa(res.Updated), "Unchanged", strconv.Itoa(res.Unchanged),
		"Skipped", strconv.Itoa(res.Skipped), "Activated", strconv.Itoa(res.Activated))
}

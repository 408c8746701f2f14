package app

import (
	"errors"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// Business refusals — a domain.Problem, or domain.FieldErrors — are shown in one way everywhere: an action that
// changes something goes back to its page with the refusal as a message (afterAction); a form shows it beside the
// field (fieldErrors); anything that reaches the error handler becomes a page that says it in words (409).

// problemOf finds the domain.Problem in err.
func problemOf(err error) (domain.Problem, bool) {
	var p domain.Problem
	ok := errors.As(err, &p)
	return p, ok
}

// fieldErrors returns err's field errors, if it is a domain.FieldErrors.
func fieldErrors(err error) (domain.FieldErrors, bool) {
	var fe domain.FieldErrors
	ok := errors.As(err, &fe)
	return fe, ok
}

// flashProblem queues a refusal's message for the next page, and reports whether err was one.
func (a *App) flashProblem(c echo.Context, err error) bool {
	if p, ok := problemOf(err); ok {
		key, args := p.Message()
		a.flash(c, "error", key, args...)
		return true
	}
	fe, ok := fieldErrors(err)
	if !ok {
		return false
	}
	keys := make([]string, 0, len(fe))
	for _, k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a.flash(c, "error", k)
	}
	return true
}

// afterAction ends a form post that changed something (Post/Redirect/Get): on success a confirmation, on a refusal
// its message, and either way back to the page the action was on. Any other error goes to the error handler.
func (a *App) afterAction(c echo.Context, err error, back, okKey string, okArgs ...string) error {
	switch {
	case err == nil:
		a.flash(c, "ok", okKey, okArgs...)
	case !a.flashProblem(c, err):
		return err
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// pageFlash puts a refusal's message on the page being rendered now (a form shown again), rather than the next.
func pageFlash(p *Page, err error) {
	if pr, ok := problemOf(err); ok {
		key, args := pr.Message()
		p.Flashes = append(p.Flashes, Flash{Kind: "error", Key: key, Args: args})
	}
}

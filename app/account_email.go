package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// A person's e-mail address: given (and changed, or removed) on /account/email, verified by the link mailed to it
// (/account/email/verify/:token, which works without being signed in: the link is the proof), and the kinds of
// notification that also go to it chosen on /account/notifications.

// emailView is the address form and where the address stands.
type emailView struct {
	Mail repository.MailSettings
	// Configured is false when the site mails nothing (no GUANAI_SMTP_HOST): the page says so.
	Configured bool
}

func (a *App) emailView(c echo.Context) (emailView, error) {
	m, err := a.store.MailSettingsOf(c.Request().Context(), currentUser(c).ID)
	return emailView{Mail: m, Configured: a.cfg.SMTP.Configured()}, err
}

func (a *App) emailForm(c echo.Context) error {
	v, err := a.emailView(c)
	if err != nil {
		return err
	}
	p := a.newPage(c, "email.title")
	p.Form.Set("email", v.Mail.Email)
	p.Data = v
	return a.views.render(c, http.StatusOK, "account_email", p)
}

// emailAddressForm is the address typed, or the remove button.
type emailAddressForm struct {
	Email  string `form:"email" validate:"max=300"`
	Remove string `form:"remove"`
}

func (a *App) setEmail(c echo.Context) error {
	var f emailAddressForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	email := ""
	if f.Remove == "" && len(fe) == 0 {
		var key string
		if email, key = domain.NormalizeEmail(f.Email); key != "" {
			fe.Add("email", key)
		}
	}
	if len(fe) == 0 {
		var outcome string
		outcome, err = a.store.SetEmail(c.Request().Context(), actor(c), email, langOf(c))
		if e, ok := fieldErrors(err); ok {
			fe = e
		} else if err != nil {
			return err
		} else {
			switch outcome {
			case repository.EmailLinkSent:
				a.flash(c, "ok", "email.sent", "Email", email, "Hours", "24")
			case repository.EmailRemoved:
				a.flash(c, "ok", "email.removed")
			default:
				a.flash(c, "ok", "email.unchanged")
			}
			return c.Redirect(http.StatusSeeOther, "/account")
		}
	}
	v, err := a.emailView(c)
	if err != nil {
		return err
	}
	p := a.newPage(c, "email.title")
	p.Form.Set("email", f.Email)
	p.Data, p.Errors = v, fe
	return a.views.render(c, http.StatusUnprocessableEntity, "account_email", p)
}

// emailLinkPage asks the person to confirm: a GET changes nothing (mail scanners open links), the button does.
func (a *App) emailLinkPage(c echo.Context) error {
	l, err := a.store.CheckEmailLink(c.Request().Context(), c.Param("token"))
	if errors.Is(err, domain.ErrEmailLinkInvalid) {
		return a.renderEmailLinkInvalid(c)
	}
	if err != nil {
		return err
	}
	p := a.newPage(c, "email.verify_title")
	p.Data = l
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return a.views.render(c, http.StatusOK, "email_verify", p)
}

func (a *App) renderEmailLinkInvalid(c echo.Context) error {
	p := a.newPage(c, "email.verify_title")
	p.Errors = domain.FieldErrors{"token": "email.link_invalid"}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return a.views.render(c, http.StatusNotFound, "email_verify", p)
}

func (a *App) verifyEmail(c echo.Context) error {
	_, err := a.store.VerifyEmail(c.Request().Context(), c.RealIP(), c.Param("token"))
	if errors.Is(err, domain.ErrEmailLinkInvalid) {
		return a.renderEmailLinkInvalid(c)
	}
	if err != nil {
		return err
	}
	a.flash(c, "ok", "email.verify_done")
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (a *App) mailChoicesPage(c echo.Context) error {
	v, err := a.emailView(c)
	if err != nil {
		return err
	}
	p := a.newPage(c, "notify.title")
	p.Data = v
	return a.views.render(c, http.StatusOK, "account_notifications", p)
}

// mailChoicesForm is the ticked kinds.
type mailChoicesForm struct {
	Kinds []string `form:"kind" validate:"max=40,dive,max=40"`
}

func (a *App) setMailChoices(c echo.Context) error {
	var f mailChoicesForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	if len(fe) > 0 { // more boxes than any page shows
		return echo.ErrBadRequest
	}
	send := map[string]bool{}
	for _, k := range f.Kinds {
		send[k] = true
	}
	err = a.store.SetMailChoices(c.Request().Context(), actor(c), send, langOf(c))
	return a.afterAction(c, err, "/account/notifications", "notify.saved")
}

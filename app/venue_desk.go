package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// A venue's desk (/venue/*): the code typed or scanned (a scanner types into the plain input), what the voucher is
// for — the child's given name and the class or venue — and the confirmation that redeems it once. Every refusal
// (nothing typed, not a code, a mistyped character, unknown, another venue's, redeemed already, expired) has its
// own message at the field.

type venueDeskView struct {
	repository.VenueDesk
	Found *repository.Voucher // the voucher the code names, waiting to be confirmed
	// Refusal is why the code typed cannot be redeemed here, with its figures (when it was redeemed, until when it
	// was valid), shown at the field.
	Refusal string
}

func (a *App) venueHome(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/venue/redeem")
}

func (a *App) venueRedeemPage(c echo.Context) error {
	return a.renderVenueDesk(c, http.StatusOK, nil, nil)
}

func (a *App) renderVenueDesk(c echo.Context, status int, found *repository.Voucher, refusal error) error {
	desk, err := a.store.VenueDesk(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "venue.title")
	if status != http.StatusOK {
		p.Form = c.Request().PostForm
	}
	if found != nil {
		p.Form.Set("code", found.Code)
	}
	if refusal != nil {
		if pr, ok := problemOf(refusal); ok {
			key, args := pr.Message()
			p.Errors = domain.FieldErrors{"code": key}
			p.Data = venueDeskView{VenueDesk: desk, Refusal: p.FlashText(Flash{Key: key, Args: args})}
			return a.views.render(c, status, "venue_redeem", p)
		}
		return refusal
	}
	p.Data = venueDeskView{VenueDesk: desk, Found: found}
	return a.views.render(c, status, "venue_redeem", p)
}

type venueCodeForm struct {
	Code string `form:"code"`
}

// venueLookUp shows what a typed code is for, to confirm; it changes nothing.
func (a *App) venueLookUp(c echo.Context) error {
	var f venueCodeForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	v, err := a.store.LookUpVoucher(c.Request().Context(), currentUser(c).ID, f.Code)
	if err != nil {
		return a.renderVenueDesk(c, http.StatusUnprocessableEntity, nil, err)
	}
	return a.renderVenueDesk(c, http.StatusOK, &v, nil)
}

// venueRedeem redeems the voucher once; a refusal (redeemed meanwhile, say) shows the desk again with its message.
func (a *App) venueRedeem(c echo.Context) error {
	var f venueCodeForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	v, err := a.store.RedeemVoucher(c.Request().Context(), actor(c), f.Code)
	if err != nil {
		return a.renderVenueDesk(c, http.StatusUnprocessableEntity, nil, err)
	}
	holder := v.ChildName
	if holder == "" {
		holder = v.StaffName
	}
	a.flash(c, "ok", "venue.redeemed", "Name", holder, "Place", v.PlaceName(langOf(c)))
	return c.Redirect(http.StatusSeeOther, "/venue/redeem")
}

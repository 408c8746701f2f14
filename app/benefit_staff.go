package app

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"guanai/domain"
	"guanai/repository"
)

// The staff member's side of benefits: a benefit program's page (the form, how many of her quota are left, her
// applications in it) and her printable voucher with its QR code. Her own only: anyone else's voucher is not
// found, however its id is guessed.

// staffBenefitView is a benefit program's page.
type staffBenefitView struct {
	repository.BenefitStart
	Problem        string // why she cannot apply now ("" when she can)
	PerChild       bool
	Quota          int
	LeftStaff      int   // per-staff programs: how many are left
	Exhausted      bool  // nothing left for anyone she could apply for
	ChildLeft      []int // per-child programs: how many are left for each child, in Children's order
	ConsentVersion string
	// QuotaMessage refuses an application over the quota, with the figures, beside the field it is about.
	QuotaMessage string
	QuotaField   string
	Now          time.Time
}

func (a *App) staffBenefitPage(c echo.Context) error {
	p := a.newPage(c, "benefits.staff_title")
	v, err := a.loadStaffBenefit(c)
	if err != nil {
		return err
	}
	if v.Program == nil {
		return domain.ErrNotFound
	}
	if len(v.Places) == 1 {
		p.Form.Set("place", itoa64(v.Places[0].ID))
	}
	if v.PerChild {
		for i, ch := range v.Children {
			if v.ChildLeft[i] > 0 {
				p.Form.Set("child", itoa64(ch.ID))
				break
			}
		}
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "staff_benefit", p)
}

// loadStaffBenefit reads the program of the path's code for her and works out what its page says.
func (a *App) loadStaffBenefit(c echo.Context) (staffBenefitView, error) {
	u := currentUser(c)
	st, err := a.store.StaffBenefitStart(c.Request().Context(), u.ID, strings.TrimSpace(c.Param("code")))
	if err != nil || st.Program == nil {
		return staffBenefitView{}, err
	}
	v := staffBenefitView{BenefitStart: st, PerChild: st.Program.PerChild(), Quota: st.Program.Benefit().Quota,
		ConsentVersion: domain.CareConsentVersion, Now: a.store.Now()}
	v.LeftStaff = st.Left(0)
	v.Exhausted = !v.PerChild && v.LeftStaff == 0
	if v.PerChild {
		v.Exhausted = true
		for _, ch := range st.Children {
			left := st.Left(ch.ID)
			v.ChildLeft = append(v.ChildLeft, left)
			if left > 0 {
				v.Exhausted = false
			}
		}
	}
	switch {
	case u.Status != domain.StatusActive:
		v.Problem = "care_staff.not_verified"
	case !st.Program.Active:
		v.Problem = "benefits.error.inactive"
	case !st.Open:
		v.Problem = "benefits.error.no_term"
	case len(st.Places) == 0:
		v.Problem = "benefits.error.no_places"
	case v.PerChild && len(st.Children) == 0:
		v.Problem = "benefits.error.no_children"
	}
	return v, nil
}

type benefitApplyForm struct {
	Place   string `form:"place"`
	Child   string `form:"child"`
	Consent string `form:"consent"`
}

// applyBenefit records her application; bad input or an exhausted quota shows the form again with what she chose
// and the figure.
func (a *App) applyBenefit(c echo.Context) error {
	var f benefitApplyForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	code := strings.TrimSpace(c.Param("code"))
	_, err := a.store.ApplyBenefit(c.Request().Context(), actor(c),
		code, domain.BenefitApplicationForm{PlaceID: f.Place, ChildID: f.Child, Consent: f.Consent != ""})
	if err == nil {
		return a.afterAction(c, nil, "/staff/benefits/"+code, "benefits.applied")
	}
	fe, isFields := fieldErrors(err)
	var quota *domain.QuotaExhaustedError
	if !isFields && !errors.As(err, &quota) {
		return a.afterAction(c, err, "/staff/benefits/"+code, "")
	}
	v, lerr := a.loadStaffBenefit(c)
	if lerr != nil {
		return lerr
	}
	if v.Program == nil {
		return domain.ErrNotFound
	}
	p := a.newPage(c, "benefits.staff_title")
	p.Form = c.Request().PostForm
	if isFields {
		p.Errors = fe
	} else {
		key, args := quota.Message()
		v.QuotaField = "place"
		if quota.PerChild {
			v.QuotaField = "child"
		}
		v.QuotaMessage = p.FlashText(Flash{Key: key, Args: args})
	}
	p.Data = v
	return a.views.render(c, http.StatusUnprocessableEntity, "staff_benefit", p)
}

// staffVoucherView is her printable voucher.
type staffVoucherView struct {
	repository.Voucher
	QR      template.URL // the code as a QR code, a PNG data URL
	Expired bool
}

func (a *App) staffVoucherPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := a.store.StaffVoucher(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(v.Code, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	p := a.newPage(c, "benefits.voucher_title")
	// The data URL is ours: base64 of a PNG we drew, under the CSP's img-src data:.
	p.Data = staffVoucherView{Voucher: v, Expired: v.Expired(a.store.Now()),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	return a.views.render(c, http.StatusOK, "staff_voucher", p)
}

// BenefitLines are her applications the page lists (templates/partials/benefit_lines.html).
func (v staffBenefitView) BenefitLines() []repository.StaffBenefitLine { return v.Applications }

// BenefitLines are her latest applications, on her home.
func (v staffHomeView) BenefitLines() []repository.StaffBenefitLine { return v.Benefits.Applications }

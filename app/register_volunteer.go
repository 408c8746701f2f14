package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

type volunteerRegisterForm struct {
	Name           string   `form:"name"`
	Phone          string   `form:"phone"`
	Password       string   `form:"password"`
	IDNumber       string   `form:"id_number"`
	Districts      []string `form:"districts"`
	Qualifications []string `form:"qualifications"`
	Driver         string   `form:"detail_driver"`
	Counsellor     string   `form:"detail_licensed_counsellor"`
	Tutor          string   `form:"detail_tutor"`
	Availability   []string `form:"availability"`
	Capacity       string   `form:"capacity"`
	PrivacyConsent string   `form:"privacy_consent"`
}

func (a *App) volunteerRegisterForm(c echo.Context) error {
	return a.renderRegister(c, http.StatusOK, "register_volunteer", nil)
}

func (a *App) volunteerRegister(c echo.Context) error {
	var f volunteerRegisterForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	reg := domain.VolunteerRegistration{
		Account: domain.Account{Name: f.Name, Phone: f.Phone, Password: f.Password, PrivacyConsent: f.PrivacyConsent != ""},
		Profile: domain.VolunteerProfile{IDNumber: f.IDNumber, Districts: f.Districts, Availability: f.Availability},
	}
	details := map[string]string{domain.QualDriver: f.Driver, domain.QualCounsellor: f.Counsellor, domain.QualTutor: f.Tutor}
	if fe := reg.Check(f.Qualifications, details, f.Capacity); len(fe) > 0 {
		return a.renderVolunteerErrors(c, fe)
	}
	u, err := a.store.RegisterVolunteer(c.Request().Context(), c.RealIP(), reg)
	if fe, ok := fieldErrors(err); ok {
		return a.renderVolunteerErrors(c, fe)
	}
	if err != nil {
		return err
	}
	return a.startSession(c, u, "register.done_volunteer")
}

func (a *App) renderVolunteerErrors(c echo.Context, fe domain.FieldErrors) error {
	c.Request().PostForm.Del("id_number") // the full ID number is not sent back into a page
	return a.renderRegister(c, http.StatusUnprocessableEntity, "register_volunteer", fe)
}

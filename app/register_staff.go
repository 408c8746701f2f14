package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// childRows is how many rows the children table offers; a family with more adds them on their account page later.
const childRows = 3

type staffRegisterForm struct {
	Name            string   `form:"name"`
	Phone           string   `form:"phone"`
	Password        string   `form:"password"`
	Hospital        string   `form:"hospital"`
	Department      string   `form:"department"`
	Position        string   `form:"position"`
	Category        string   `form:"category"`
	District        string   `form:"district"`
	Address         string   `form:"address"`
	ChildName       []string `form:"child_name"`
	ChildBirthYear  []string `form:"child_birth_year"`
	ChildGrade      []string `form:"child_grade"`
	PrivacyConsent  string   `form:"privacy_consent"`
	ChildrenConsent string   `form:"children_consent"`
}

func (f staffRegisterForm) children() []domain.ChildForm {
	var rows []domain.ChildForm
	for i := 0; i < len(f.ChildName) && i < childRows; i++ {
		rows = append(rows, domain.ChildForm{Name: f.ChildName[i], BirthYear: at(f.ChildBirthYear, i), Grade: at(f.ChildGrade, i)})
	}
	return rows
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

type registerView struct {
	ChildRows []int
	Notice    string
}

func (a *App) staffRegisterForm(c echo.Context) error {
	return a.renderRegister(c, http.StatusOK, "register_staff", nil)
}

func (a *App) renderRegister(c echo.Context, status int, page string, fe domain.FieldErrors) error {
	p := a.newPage(c, page+".title")
	if fe != nil {
		p.Form, p.Errors = c.Request().PostForm, fe
		p.Form.Del("password") // never echo a password back into the page
	}
	p.Data = registerView{ChildRows: []int{0, 1, 2}, Notice: domain.PrivacyNoticeVersion}
	return a.views.render(c, status, page, p)
}

func (a *App) staffRegister(c echo.Context) error {
	var f staffRegisterForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	reg := domain.StaffRegistration{
		Account: domain.Account{Name: f.Name, Phone: f.Phone, Password: f.Password, PrivacyConsent: f.PrivacyConsent != ""},
		Profile: domain.StaffProfile{Hospital: f.Hospital, Department: f.Department, Position: f.Position,
			Category: f.Category, District: f.District, Address: f.Address},
		ChildrenConsent: f.ChildrenConsent != "",
	}
	if fe := reg.Check(f.children(), a.now().In(shanghai).Year()); len(fe) > 0 {
		return a.renderRegister(c, http.StatusUnprocessableEntity, "register_staff", fe)
	}
	u, err := a.store.RegisterStaff(c.Request().Context(), c.RealIP(), reg)
	if fe, ok := fieldErrors(err); ok {
		return a.renderRegister(c, http.StatusUnprocessableEntity, "register_staff", fe)
	}
	if err != nil {
		return err
	}
	return a.startSession(c, u, "register.done_"+string(u.Status))
}

// startSession logs a newly registered person in and sends them home with a message.
func (a *App) startSession(c echo.Context, u domain.User, flashKey string) error {
	ctx := c.Request().Context()
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.sessions.Put(ctx, sessionUserID, u.ID)
	a.sessions.Put(ctx, sessionVersion, u.SessionVersion)
	a.flash(c, "ok", flashKey)
	return c.Redirect(http.StatusSeeOther, homeOf(u.Role))
}

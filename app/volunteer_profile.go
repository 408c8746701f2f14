package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// A volunteer keeps the facts matching reads up to date: where and when they can help, how many pairings at once,
// their qualifications with details, a driver's seats and a tutor's subjects and grades.

type volunteerProfileForm struct {
	Districts      []string `form:"districts"`
	Qualifications []string `form:"qualifications"`
	Driver         string   `form:"detail_driver"`
	Counsellor     string   `form:"detail_licensed_counsellor"`
	Tutor          string   `form:"detail_tutor"`
	Availability   []string `form:"availability"`
	Capacity       string   `form:"capacity"`
	VehicleSeats   string   `form:"vehicle_seats"`
	Subjects       []string `form:"subjects"`
	GradeFrom      string   `form:"grade_from"`
	GradeTo        string   `form:"grade_to"`
}

func (f volunteerProfileForm) facts() domain.VolunteerFactsForm {
	return domain.VolunteerFactsForm{Districts: f.Districts, Qualifications: f.Qualifications,
		Details:      map[string]string{domain.QualDriver: f.Driver, domain.QualCounsellor: f.Counsellor, domain.QualTutor: f.Tutor},
		Availability: f.Availability, Capacity: f.Capacity, VehicleSeats: f.VehicleSeats, Subjects: f.Subjects,
		GradeFrom: f.GradeFrom, GradeTo: f.GradeTo}
}

type volunteerProfileView struct {
	Person   repository.Person
	Subjects []string
}

func (a *App) volunteerProfilePage(c echo.Context) error {
	person, err := a.store.PersonOf(c.Request().Context(), *currentUser(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "volunteer_profile.title")
	for _, q := range person.Qualifications {
		p.Form.Add("qualifications", q.Code)
		if q.Detail != "" {
			p.Form.Set("detail_"+q.Code, q.Detail)
		}
	}
	if v := person.Volunteer; v != nil {
		p.Form["districts"] = v.Districts
		p.Form["availability"] = v.Availability
		p.Form["subjects"] = v.Subjects
		p.Form.Set("capacity", strconv.Itoa(v.Capacity))
		if v.VehicleSeats != nil {
			p.Form.Set("vehicle_seats", strconv.Itoa(*v.VehicleSeats))
		}
		if g := v.GradeCodes(); g != nil {
			p.Form.Set("grade_from", g[0])
			p.Form.Set("grade_to", g[1])
		}
	}
	p.Data = volunteerProfileView{Person: person, Subjects: domain.Subjects}
	return a.views.render(c, http.StatusOK, "volunteer_profile", p)
}

func (a *App) updateVolunteerProfile(c echo.Context) error {
	var f volunteerProfileForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	facts, fe := f.facts().Check()
	reverify := 0
	var err error
	if len(fe) == 0 {
		reverify, err = a.store.UpdateVolunteerFacts(ctx, actor(c), currentUser(c).ID, facts)
		fe, _ = fieldErrors(err)
	}
	if len(fe) > 0 {
		person, err := a.store.PersonOf(ctx, *currentUser(c))
		if err != nil {
			return err
		}
		p := a.newPage(c, "volunteer_profile.title")
		p.Form, p.Errors, p.Data = c.Request().PostForm, fe, volunteerProfileView{Person: person, Subjects: domain.Subjects}
		return a.views.render(c, http.StatusUnprocessableEntity, "volunteer_profile", p)
	}
	key := "volunteer_profile.saved"
	if reverify > 0 {
		key = "volunteer_profile.saved_reverify"
	}
	return a.afterAction(c, err, "/volunteer", key)
}

package loadrun

import (
	"net/http"
	"net/url"
	"time"
)

// Care requests: staff ask for rides and read their requests, volunteers read their offers and accept some,
// coordinators watch the dispatch board. Every write is a flow as a browser makes it.

func staffMix() []action {
	return []action{
		{"staff.home", 30, staffHome},
		{"staff.request", 30, staffRequest},
		{"staff.inbox", 20, inbox},
		{"staff.ask", 5, askForRide},
		{"staff.benefits", 8, staffBenefits}, // app/loadrun/benefits.go
		{"staff.voucher", 7, staffVoucher},
		{"staff.grants", 5, staffGrants},
		{"staff.grant", 3, staffGrant},
	}
}

func volunteerMix() []action {
	return []action{
		{"volunteer.home", 25, volunteerHome},
		{"volunteer.offers", 25, volunteerOffers},
		{"volunteer.offer", 25, volunteerOffer},
		{"volunteer.inbox", 20, inbox},
		{"volunteer.accept", 5, acceptOffer},
		{"volunteer.claims", 5, volunteerClaims},
		{"volunteer.certificate", 4, volunteerCertificate},
		{"volunteer.issue", 1, issueCertificate},
	}
}

func staffHome(u *user) error {
	_, err := u.browse("/staff", "/staff/requests/")
	return err
}

func staffRequest(u *user) error { return u.follow("/staff", "/staff/requests/") }

func inbox(u *user) error {
	_, err := u.browse("/inbox")
	return err
}

// askForRide asks for a ride next week, in her own district (the form's default): the form, the POST, the
// request's page it redirects to.
func askForRide(u *user) error {
	const formPath = "/staff/requests/new?program=one_to_one"
	p, err := u.get(formPath)
	if err != nil {
		return err
	}
	f, ok := postForm(p.body, "/staff/requests")
	if !ok {
		return u.fail(routeOf(http.MethodGet, formPath), p.status, "no request form on the page")
	}
	day := time.Now().In(shanghai).AddDate(0, 0, 1+u.rng.IntN(7)).Format(time.DateOnly)
	hour := 8 + u.rng.IntN(10)
	f.Set("category", "transport")
	f.Set("urgency", "normal")
	f.Set("schedule", "once")
	f.Set("date", day)
	f.Set("from", clock(hour))
	f.Set("to", clock(hour+1))
	f.Set("pickup", "家")
	f.Set("destination", "医院")
	f.Set("details", "guanai bench")
	next, err := u.post("/staff/requests", f, "/staff/requests/")
	if err != nil {
		return err
	}
	_, err = u.get(next)
	return err
}

func clock(hour int) string { return time.Date(0, 1, 1, hour, 0, 0, 0, time.UTC).Format("15:04") }

func volunteerHome(u *user) error {
	_, err := u.browse("/volunteer")
	return err
}

func volunteerOffers(u *user) error {
	_, err := u.browse("/volunteer/offers", "/volunteer/offers/")
	return err
}

func volunteerOffer(u *user) error { return u.follow("/volunteer/offers", "/volunteer/offers/") }

// acceptOffer opens an offer it has seen and accepts it when it still can: the first acceptance wins and a late
// one is thanked, both ordinary answers.
func acceptOffer(u *user) error {
	id, err := u.pickID("/volunteer/offers", "/volunteer/offers/")
	if err != nil || id == "" {
		return err
	}
	path := "/volunteer/offers/" + id
	p, err := u.get(path)
	if err != nil {
		return err
	}
	f, ok := postForm(p.body, path+"/accept")
	if !ok {
		return nil // answered already: nothing to accept
	}
	_, err = u.postAny(path+"/accept", f)
	return err
}

// postAny sends a form and follows where it leads, whatever the page: an offer taken meanwhile answers 200.
func (u *user) postAny(path string, form url.Values) (page, error) {
	next, err := u.post(path, form, "/")
	if err != nil {
		return page{}, err
	}
	return u.get(next)
}

func dispatchBoard(u *user) error {
	_, err := u.browse("/admin/dispatch", "/admin/dispatch/requests/")
	return err
}

func dispatchRequest(u *user) error { return u.follow("/admin/dispatch", "/admin/dispatch/requests/") }

// proposeAssignment presses 建议分配 on the board with the form as it is shown (tomorrow 06:00–10:00 in the first
// program) and reads the proposal. It confirms none: the offers would go out to the city's volunteers.
func proposeAssignment(u *user) error {
	p, err := u.get("/admin/dispatch")
	if err != nil {
		return err
	}
	f, ok := postForm(p.body, "/admin/dispatch/assignments")
	if !ok {
		return u.fail(routeOf(http.MethodGet, "/admin/dispatch"), p.status, "no assignment form on the board")
	}
	next, err := u.post("/admin/dispatch/assignments", f, "/admin/dispatch/assignments/")
	if err != nil {
		return err
	}
	_, err = u.get(next)
	return err
}

// proposal opens one of the latest proposals.
func proposal(u *user) error {
	return u.follow("/admin/dispatch/assignments/new", "/admin/dispatch/assignments/")
}

package loadrun

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Benefits: staff open a benefit program's page (the quota left, her applications) and their vouchers;
// coordinators read the queue of applications.

func staffBenefits(u *user) error {
	_, err := u.browse("/staff/benefits/venue_vouchers", "/staff/vouchers/")
	return err
}

// staffVoucher opens one of her vouchers; one still to be used is kept for the venues' desks to look up.
func staffVoucher(u *user) error {
	id, err := u.pickID("/staff", "/staff/vouchers/")
	if err != nil || id == "" {
		return err
	}
	p, err := u.browse("/staff/vouchers/" + id)
	if err == nil {
		u.run.vouchers.keep(p.body)
	}
	return err
}

// Venues' desks: the desk's page, and a code a staff member's voucher showed in this run looked up (it changes
// nothing until the desk confirms, which the run does not: each voucher is redeemed once). A desk looks up only
// the codes of its own places, as a child at its counter would bring; with none seen yet, it waits its turn.

func venueDesk(u *user) error {
	_, err := u.get("/venue/redeem")
	return err
}

func venueLookUp(u *user) error {
	desk, err := u.get("/venue/redeem")
	if err != nil {
		return err
	}
	code := u.run.vouchers.pickFor(desk.body, u.rng.IntN)
	if code == "" {
		return nil
	}
	f, ok := postForm(desk.body, "/venue/redeem")
	if !ok {
		return u.fail(routeOf("GET", "/venue/redeem"), desk.status, "no look-up form on the desk's page")
	}
	f.Set("code", code)
	p, err := u.postPage("/venue/redeem", f)
	if err == nil && !strings.Contains(p.body, `id="found"`) {
		return u.fail(routeOf("POST", "/venue/redeem"), p.status, "the desk did not find a voucher of its own place: "+snippet(p.body))
	}
	return err
}

// voucherPool holds the codes of unused vouchers seen on staff members' pages, with the place each is for.
type voucherPool struct {
	mu    sync.Mutex
	codes map[string]string // code → place, as the voucher page names it
}

var (
	voucherPlace = regexp.MustCompile(`<p class="place">([^<]+)</p>`)
	voucherCode  = regexp.MustCompile(`<p class="code">([0-9A-Z-]+)</p>`)
)

// keep adds the code of an unused voucher's page (a used or expired one is marked, and left out).
func (v *voucherPool) keep(body string) {
	place, code := voucherPlace.FindStringSubmatch(body), voucherCode.FindStringSubmatch(body)
	if place == nil || code == nil || strings.Contains(body, `class="mark"`) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.codes == nil {
		v.codes = map[string]string{}
	}
	if len(v.codes) < maxCodes {
		v.codes[code[1]] = html.UnescapeString(place[1])
	}
}

// pickFor picks a code of one of the places the desk's page lists ("" when none is known).
func (v *voucherPool) pickFor(desk string, intN func(int) int) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var mine []string
	for code, place := range v.codes {
		if strings.Contains(desk, "<li>"+html.EscapeString(place)) {
			mine = append(mine, code)
		}
	}
	if len(mine) == 0 {
		return ""
	}
	slices.Sort(mine) // the map's order is random; the seed's choice must not be
	return mine[intN(len(mine))]
}

func benefitQueue(u *user) error {
	_, err := u.browse("/admin/benefits")
	return err
}

package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type donationForm struct {
	Key          string `form:"key"`
	DonorID      string `form:"donor_id"` // "new" for a donor made on this form
	DonorKind    string `form:"donor_kind"`
	DonorName    string `form:"donor_name"`
	CreditCode   string `form:"credit_code"`
	DonorPhone   string `form:"donor_phone"`
	DonorEmail   string `form:"donor_email"`
	DonorAddress string `form:"donor_address"`
	PublishName  string `form:"publish_name"`
	Amount       string `form:"amount"`
	Channel      string `form:"channel"`
	ReceivedOn   string `form:"received_on"`
	Reference    string `form:"reference"`
	Program      string `form:"program"`
	Note         string `form:"note"`
}

type donationFormView struct {
	Donor    *repository.DonorSummary // the donor chosen, nil for a new one
	Programs []repository.Program
	Channels []string
	Today    string
	Problem  string // a message for the form as a whole
}

// donorChooserView is the first step of recording a gift: finding who gave it.
type donorChooserView struct {
	Query   string
	Found   []repository.DonorSummary
	Recent  bool // Found are the latest donors, nothing was searched
	Limited bool // there may be more matches than shown
}

// chooserSize is how many donors the chooser lists; a search narrows them further.
const chooserSize = 20

// newFormKey is the one-time key a donation form carries, so the same submission recorded twice is one donation.
func newFormKey() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// donationForm records a gift in two steps: choose the donor (search by name, phone tail or credit code, or make a
// new one), then the gift itself, with the chosen donor shown so that two 张伟 are never confused.
func (a *App) donationForm(c echo.Context) error {
	donor := c.QueryParam("donor")
	if donor == "" {
		return a.donorChooser(c)
	}
	p := a.newPage(c, "donation_new.title")
	p.Form.Set("key", newFormKey())
	p.Form.Set("received_on", a.now().In(shanghai).Format(time.DateOnly))
	p.Form.Set("channel", "bank_transfer")
	p.Form.Set("donor_id", donor)
	if donor == "new" {
		p.Form.Set("donor_kind", domain.DonorIndividual)
		p.Form.Set("donor_name", strings.TrimSpace(c.QueryParam("name")))
	}
	return a.renderDonationForm(c, http.StatusOK, p, "")
}

func (a *App) donorChooser(c echo.Context) error {
	ctx := c.Request().Context()
	q := strings.TrimSpace(c.QueryParam("q"))
	v := donorChooserView{Query: q, Recent: q == ""}
	var err error
	if q == "" {
		v.Found, err = a.store.RecentDonors(ctx, 10)
	} else {
		v.Found, err = a.store.SearchDonors(ctx, q, chooserSize+1)
	}
	if err != nil {
		return err
	}
	if len(v.Found) > chooserSize {
		v.Found, v.Limited = v.Found[:chooserSize], true
	}
	p := a.newPage(c, "donation_new.title")
	p.Form.Set("q", q)
	p.Data = v
	return a.views.render(c, http.StatusOK, "donation_choose", p)
}

func (a *App) renderDonationForm(c echo.Context, status int, p *Page, problem string) error {
	ctx := c.Request().Context()
	v := donationFormView{Channels: domain.DonationChannels, Today: a.now().In(shanghai).Format(time.DateOnly), Problem: problem}
	if id, err := strconv.ParseInt(p.Val("donor_id"), 10, 64); err == nil {
		d, err := a.store.DonorByID(ctx, id)
		if err != nil {
			return err
		}
		if d.MergedIntoID != nil && status == http.StatusOK {
			return c.Redirect(http.StatusSeeOther, "/admin/donations/new?donor="+itoa64(*d.MergedIntoID))
		}
		v.Donor = &d
	} else if p.Val("donor_id") != "new" {
		return c.Redirect(http.StatusSeeOther, "/admin/donations/new")
	}
	programs, err := a.store.Programs(ctx)
	if err != nil {
		return err
	}
	v.Programs = programs
	p.Data = v
	return a.views.render(c, status, "donation_new", p)
}

func (a *App) recordDonation(c echo.Context) error {
	var f donationForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	req, fe := f.request(a.now())
	if len(fe) == 0 {
		id, existed, err := a.store.RecordDonation(c.Request().Context(), actor(c), req)
		switch {
		case errors.Is(err, domain.ErrKeyReused):
			return a.donationFormAgain(c, nil, err)
		case err != nil:
			var ok bool
			if fe, ok = fieldErrors(err); !ok {
				return err
			}
		case existed:
			a.flash(c, "ok", "donation.already_recorded")
			return c.Redirect(http.StatusSeeOther, "/admin/donations/"+itoa64(id))
		default:
			a.flash(c, "ok", "donation.recorded")
			return c.Redirect(http.StatusSeeOther, "/admin/donations/"+itoa64(id))
		}
	}
	return a.donationFormAgain(c, fe, nil)
}

// donationFormAgain shows the form with what was typed and the same one-time key, so the corrected form still
// records at most once.
func (a *App) donationFormAgain(c echo.Context, fe domain.FieldErrors, refusal error) error {
	p := a.newPage(c, "donation_new.title")
	p.Form, p.Errors = c.Request().PostForm, fe
	problem := ""
	if errors.Is(refusal, domain.ErrKeyReused) {
		p.Form.Set("key", newFormKey()) // that key is spent: this form is a new donation now
		problem, _ = domain.ErrKeyReused.Message()
	}
	return a.renderDonationForm(c, http.StatusUnprocessableEntity, p, problem)
}

// request checks the form and turns it into a repository request.
func (f donationForm) request(now time.Time) (repository.DonationRequest, domain.FieldErrors) {
	in := domain.DonationInput{Channel: f.Channel, Reference: f.Reference, ProgramCode: f.Program, Note: f.Note}
	fe := domain.CheckDonation(f.Amount, f.ReceivedOn, &in, now)
	req := repository.DonationRequest{Key: f.Key, Input: in}
	if f.Key == "" {
		fe.Add("key", "donation.key_missing")
	}
	if f.DonorID == "new" {
		d := domain.Donor{Kind: f.DonorKind, Name: f.DonorName, CreditCode: f.CreditCode, Phone: f.DonorPhone,
			Email: f.DonorEmail, Address: f.DonorAddress, PublishName: f.PublishName != ""}
		for k, v := range d.Check() {
			fe.Add(k, v)
		}
		req.NewDonor = &d
	} else if id, err := strconv.ParseInt(f.DonorID, 10, 64); err == nil && id > 0 {
		req.DonorID = id
	} else {
		fe.Add("donor_id", "error.choose_one")
	}
	return req, fe
}

type donationListView struct {
	Donations []repository.Donation
	Paging    listPaging
	Programs  []repository.Program
}

func (a *App) donationList(c echo.Context) error {
	ctx := c.Request().Context()
	f := repository.DonationFilter{ProgramCode: c.QueryParam("program")}
	f.From, _ = domain.ParseDate(c.QueryParam("from"))
	f.To, _ = domain.ParseDate(c.QueryParam("to"))
	list, err := a.store.ListDonations(ctx, f, cursorParam(c))
	if err != nil {
		return err
	}
	programs, err := a.store.Programs(ctx)
	if err != nil {
		return err
	}
	p := a.newPage(c, "donations.title")
	p.Form = c.QueryParams()
	p.Data = donationListView{Donations: list.Rows, Paging: pagingOf(c.Request().URL, list, ""), Programs: programs}
	return a.views.render(c, http.StatusOK, "donations", p)
}

func (a *App) donationPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := a.store.DonationByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "donation.title")
	p.Data = d
	return a.views.render(c, http.StatusOK, "donation", p)
}

func (a *App) reverseDonation(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f decisionForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	err = a.store.ReverseDonation(c.Request().Context(), actor(c), id, f.Reason)
	return a.afterAction(c, err, "/admin/donations/"+itoa64(id), "donation.reversed")
}

func (a *App) reissueReceipt(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	rid, err := a.store.ReissueReceipt(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/receipts/"+itoa64(rid))
}

func (a *App) receiptPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := a.store.ReceiptByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "receipt.title")
	p.Data = r
	return a.views.render(c, http.StatusOK, "receipt", p)
}

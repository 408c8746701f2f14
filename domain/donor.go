package domain

import (
	"net/mail"
	"regexp"
	"strings"
)

var contactPhone = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,24}$`)

// Donor kinds.
const (
	DonorIndividual   = "individual"
	DonorOrganization = "organization"
)

// Donor is a person or an organisation that gives to the fund.
type Donor struct {
	Kind        string
	Name        string
	CreditCode  string // 统一社会信用代码, organisations only, optional
	Phone       string
	Email       string
	Address     string
	PublishName bool // the donor agreed to their name on the public page
}

// AnonymousName is what the public sees of a donor who did not agree to be named.
const AnonymousName = "爱心人士"

// Check normalises the donor in place and returns what is wrong with it.
func (d *Donor) Check() FieldErrors {
	fe := FieldErrors{}
	if d.Kind != DonorIndividual && d.Kind != DonorOrganization {
		fe.Add("donor_kind", "error.choose_one")
	}
	var key string
	if d.Name, key = cleanText(d.Name, 100); key != "" {
		fe.Add("donor_name", key)
	}
	d.CreditCode = NormalizeCreditCode(d.CreditCode)
	switch {
	case d.CreditCode == "":
	case d.Kind != DonorOrganization:
		fe.Add("credit_code", "error.credit_code_individual")
	case !ValidCreditCode(d.CreditCode):
		fe.Add("credit_code", "error.credit_code_invalid")
	}
	// A donor's phone may be a landline with an area code (0571-8888 8888), so it is not held to the mobile rule.
	if d.Phone = strings.TrimSpace(ToHalfWidth(d.Phone)); d.Phone != "" && !contactPhone.MatchString(d.Phone) {
		fe.Add("donor_phone", "error.contact_phone_invalid")
	}
	if d.Email = strings.TrimSpace(d.Email); d.Email != "" {
		if a, err := mail.ParseAddress(d.Email); err != nil || a.Address != d.Email || len(d.Email) > 200 {
			fe.Add("donor_email", "error.email_invalid")
		}
	}
	if d.Address = strings.TrimSpace(d.Address); d.Address != "" {
		if d.Address, key = cleanText(d.Address, 200); key != "" {
			fe.Add("donor_address", key)
		}
	}
	return fe
}

package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on a machine without zoneinfo too
)

// Donation channels.
var DonationChannels = []string{"bank_transfer", "wechat_pay", "alipay", "cash", "other"}

// IsChannel reports whether c is a donation channel.
func IsChannel(c string) bool {
	for _, x := range DonationChannels {
		if x == c {
			return true
		}
	}
	return false
}

// DonationInput is a donation as a finance operator types it in, before it is recorded.
type DonationInput struct {
	Amount      Money
	Channel     string
	ReceivedOn  time.Time // a date: midnight in Asia/Shanghai
	Reference   string    // the bank or payment reference; unique per channel
	ProgramCode string    // "" for an unrestricted gift
	Note        string
}

// Shanghai is the fund's time zone: dates are Shanghai dates, and every time is shown there.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err) // time/tzdata is embedded, so the zone loads even on a machine without zoneinfo
	}
	return loc
}()

// ParseDate reads a yyyy-mm-dd date (what a date input sends) as midnight in Shanghai.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(ToHalfWidth(s)), Shanghai)
	return t, err == nil
}

// CheckDonation checks the typed fields of a donation: amount as typed, received date as typed, and the rest.
// now is the current time, so a donation cannot be received in the future.
func CheckDonation(amount, receivedOn string, in *DonationInput, now time.Time) FieldErrors {
	fe := FieldErrors{}
	m, err := ParseMoney(amount)
	if me, ok := err.(*MoneyError); ok {
		fe.Add("amount", me.Key)
	}
	in.Amount = m
	if !IsChannel(in.Channel) {
		fe.Add("channel", "error.choose_one")
	}
	d, ok := ParseDate(receivedOn)
	switch {
	case strings.TrimSpace(receivedOn) == "":
		fe.Add("received_on", "error.required")
	case !ok:
		fe.Add("received_on", "error.date_invalid")
	case d.After(now.In(Shanghai)):
		fe.Add("received_on", "error.date_future")
	case d.Year() < 2000:
		fe.Add("received_on", "error.date_invalid")
	}
	in.ReceivedOn = d
	in.Reference = strings.TrimSpace(ToHalfWidth(in.Reference))
	if in.Reference != "" {
		var key string
		if in.Reference, key = cleanText(in.Reference, 100); key != "" {
			fe.Add("reference", key)
		}
	} else if in.Channel != "cash" && in.Channel != "other" {
		fe.Add("reference", "error.reference_required")
	}
	if in.Note = strings.TrimSpace(in.Note); in.Note != "" {
		var key string
		if in.Note, key = cleanText(in.Note, 500); key != "" {
			fe.Add("note", key)
		}
	}
	return fe
}

// Fingerprint identifies a donation's content, so the same one-time form key sent again with other content is
// told apart from a retry.
func (in DonationInput) Fingerprint(donor string) string {
	s := fmt.Sprintf("%s|%d|%s|%s|%s|%s|%s", donor, in.Amount, in.Channel, in.ReceivedOn.Format("2006-01-02"),
		in.Reference, in.ProgramCode, in.Note)
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ReceiptNumber formats a receipt's number: the year and a six-digit sequence, 2020-000123.
func ReceiptNumber(year, seq int) string { return fmt.Sprintf("%d-%06d", year, seq) }

// ReceiptSnapshot is what a receipt says, fixed when it is issued.
type ReceiptSnapshot struct {
	Number     string `json:"number"`
	DonorName  string `json:"donor_name"`
	DonorKind  string `json:"donor_kind"`
	CreditCode string `json:"credit_code,omitempty"`
	Amount     Money  `json:"amount"`
	Capitals   string `json:"amount_capitals"`
	ReceivedOn string `json:"received_on"`
	Channel    string `json:"channel"`
	Purpose    string `json:"purpose"`    // the program's name for a restricted gift, else the fund's
	PurposeEn  string `json:"purpose_en"` // the same in English
	Handler    string `json:"handler"`    // 经办人: the operator who recorded it
	IssuedAt   string `json:"issued_at"`
}

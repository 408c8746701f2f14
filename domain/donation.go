package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
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

package domain

import (
	"fmt"
	"time"
)

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

// ReceiptFacts are what a receipt is made from when its donation is recorded.
type ReceiptFacts struct {
	Number     string
	Donor      Donor
	Amount     Money
	ReceivedOn time.Time
	Channel    string
	Program    *Named // the restricted program, nil for an unrestricted gift
	Handler    string
	IssuedAt   time.Time
}

// NewReceiptSnapshot fixes a receipt's text. The purpose is written in both languages now, as the receipt is a
// record that never changes, whatever the program is called later.
func NewReceiptSnapshot(f ReceiptFacts) ReceiptSnapshot {
	s := ReceiptSnapshot{
		Number: f.Number, DonorName: f.Donor.Name, DonorKind: f.Donor.Kind, CreditCode: f.Donor.CreditCode,
		Amount: f.Amount, Capitals: f.Amount.Capitals(), ReceivedOn: f.ReceivedOn.In(Shanghai).Format(time.DateOnly),
		Channel: f.Channel, Purpose: "医务人员关爱基金（非定向）", PurposeEn: "Medical workers' care fund (unrestricted)",
		Handler: f.Handler, IssuedAt: f.IssuedAt.In(Shanghai).Format(time.RFC3339),
	}
	if f.Program != nil {
		s.Purpose, s.PurposeEn = "定向："+f.Program.Zh, "Restricted: "+f.Program.En
	}
	return s
}

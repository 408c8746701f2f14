package domain

import (
	"strings"
	"testing"
)

func TestGrantFormCheck(t *testing.T) {
	ceiling := Money(1_000_000) // ¥10,000.00
	for _, c := range []struct {
		amount, reason string
		field, key     string
	}{
		{"3000", "住院费用", "", ""},
		{"¥10,000.00", "住院费用", "", ""},
		{"10000.01", "住院费用", "amount", "grants.error.above_ceiling"},
		{"", "住院费用", "amount", "error.required"},
		{"-5", "住院费用", "amount", "error.amount_negative"},
		{"3000", "  ", "reason", "error.required"},
		{"3000", strings.Repeat("难", GrantReasonMaxLen+1), "reason", "error.too_long"},
		{"3000", "第一行\n第二行", "", ""},
		{"3000", "bad\x00", "reason", "error.invalid_characters"},
	} {
		g, fe := GrantForm{Amount: c.amount, Reason: c.reason}.Check(ceiling)
		switch {
		case c.field == "" && len(fe) > 0:
			t.Errorf("%q %q: refused %v", c.amount, c.reason, fe)
		case c.field != "" && fe[c.field] != c.key:
			t.Errorf("%q %q: %s = %q, want %q", c.amount, c.reason, c.field, fe[c.field], c.key)
		}
		if c.field == "" && g.Amount <= 0 {
			t.Errorf("%q: amount %d", c.amount, g.Amount)
		}
	}
}

func TestGrantStage(t *testing.T) {
	for _, c := range []struct{ status, disbursement, want string }{
		{GrantSubmitted, "", StageSubmitted},
		{GrantReviewing, "", StageReviewing},
		{GrantRejected, "", StageRejected},
		{GrantApproved, DisbursementDraft, StageApproved},
		{GrantApproved, DisbursementApproved, StageApproved},
		{GrantApproved, DisbursementPaid, StagePaid},
		{GrantApproved, DisbursementRejected, StageReturned},
		{GrantApproved, DisbursementCancelled, StageReturned},
	} {
		if got := GrantStage(c.status, c.disbursement); got != c.want {
			t.Errorf("%s/%s: %s, want %s", c.status, c.disbursement, got, c.want)
		}
	}
	if CanMoveGrant(GrantApproved, GrantRejected) || CanMoveGrant(GrantRejected, GrantApproved) || !CanMoveGrant(GrantSubmitted, GrantApproved) {
		t.Error("grant moves")
	}
}

func TestClaimRules(t *testing.T) {
	if _, fe := (ClaimForm{Category: "parking", Amount: "15"}).Check(); len(fe) > 0 {
		t.Errorf("parking ¥15: %v", fe)
	}
	if _, fe := (ClaimForm{Category: "dinner", Amount: "15"}).Check(); fe["category"] != "error.choose_one" {
		t.Errorf("an unknown category: %v", fe)
	}
	if _, fe := (ClaimForm{Category: "fuel", Amount: "0"}).Check(); fe["amount"] == "" {
		t.Error("a zero amount is taken")
	}
	ceiling := Money(20_000)
	if ClaimNeedsCoordinator(20_000, ceiling) || !ClaimNeedsCoordinator(20_001, ceiling) || !ClaimNeedsCoordinator(1, 0) {
		t.Error("the ceiling")
	}
	for _, c := range []struct {
		status       string
		needs, staff bool
		want         error
	}{
		{ClaimSubmitted, false, true, nil},
		{ClaimSubmitted, true, true, ErrClaimNeedsCoordinator},
		{ClaimSubmitted, true, false, nil},
		{ClaimConfirmed, false, false, ErrClaimDecided},
		{ClaimRejected, false, true, ErrClaimDecided},
	} {
		if got := CheckClaimDecision(c.status, c.needs, c.staff); got != c.want {
			t.Errorf("%+v: %v", c, got)
		}
	}
}

func TestDocumentName(t *testing.T) {
	long := strings.Repeat("账", 150) + ".pdf"
	for in, want := range map[string]string{
		"账单.jpg":                    "账单.jpg",
		`C:\Users\me\Desktop\a.png`: "a.png",
		"../../etc/passwd":          "passwd",
		"":                          "file",
		"bad\x00name.pdf":           "badname.pdf",
		long:                        strings.Repeat("账", 96) + ".pdf",
	} {
		if got := DocumentName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

package domain

import (
	"errors"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Hardship grants (a `grant` program) and volunteers' expense claims. Each is asked for by one person with
// documents, decided by another, and an approved one becomes a disbursement draft in the care fund, which then goes
// through the fund's own two-person rule (CheckDisbursementMove).

// Grant application states: submitted → reviewing (a coordinator has taken it up) → approved | rejected. Approval
// creates the disbursement; what happens to the money after that is the disbursement's state.
const (
	GrantSubmitted = "submitted"
	GrantReviewing = "reviewing"
	GrantApproved  = "approved"
	GrantRejected  = "rejected"
)

// GrantStates lists every state in the order of the workflow.
var GrantStates = []string{GrantSubmitted, GrantReviewing, GrantApproved, GrantRejected}

var grantMoves = map[string][]string{
	GrantSubmitted: {GrantReviewing, GrantApproved, GrantRejected},
	GrantReviewing: {GrantApproved, GrantRejected},
}

// CanMoveGrant reports whether an application may go from one state to another.
func CanMoveGrant(from, to string) bool { return slices.Contains(grantMoves[from], to) }

// ErrGrantDecided refuses a step on an application that is no longer open (approved or rejected already, perhaps
// by another coordinator a moment ago).
var ErrGrantDecided = refusal("grants.already_decided")

// ErrGrantOwnApplication refuses a coordinator deciding an application of their own account: never the case for
// staff accounts, but the rule is stated rather than assumed.
var ErrGrantOwnApplication = refusal("grants.own_application")

// Grant stages are what the applicant reads: her application's state, and once approved its disbursement's.
const (
	StageSubmitted = "submitted" // 已提交
	StageReviewing = "reviewing" // 审核中
	StageApproved  = "approved"  // 已批准 ¥3,000.00 (finance has yet to pay)
	StagePaid      = "paid"      // 已拨付 2026年3月1日
	StageRejected  = "rejected"  // 未获批准, with the reason
	StageReturned  = "returned"  // approved, but finance rejected or cancelled the payment
)

// GrantStage is the plain status of an application whose disbursement (if any) is in disbursementStatus ("" when
// there is none).
func GrantStage(status, disbursementStatus string) string {
	if status != GrantApproved {
		return status
	}
	switch disbursementStatus {
	case DisbursementPaid:
		return StagePaid
	case DisbursementRejected, DisbursementCancelled:
		return StageReturned
	}
	return StageApproved
}

// GrantReasonMaxLen bounds what she writes about her hardship.
const GrantReasonMaxLen = 1000

// GrantForm is a grant application as typed.
type GrantForm struct {
	Amount string
	Reason string
}

// GrantRequest is a checked application.
type GrantRequest struct {
	Amount Money
	Reason string
}

// Check reads the form against the program's ceiling (0: none set, then only the fund's per-entry limit holds).
func (f GrantForm) Check(ceiling Money) (GrantRequest, FieldErrors) {
	fe := FieldErrors{}
	var g GrantRequest
	g.Amount = moneyField(fe, "amount", f.Amount)
	if _, bad := fe["amount"]; !bad && ceiling > 0 && g.Amount > ceiling {
		fe.Add("amount", "grants.error.above_ceiling")
	}
	g.Reason = longText(fe, "reason", f.Reason, GrantReasonMaxLen, true)
	return g, fe
}

// moneyField parses a typed amount, noting the problem under field.
func moneyField(fe FieldErrors, field, typed string) Money {
	m, err := ParseMoney(typed)
	var me *MoneyError
	if errors.As(err, &me) {
		fe.Add(field, me.Key)
	} else if err != nil {
		fe.Add(field, "error.invalid")
	}
	return m
}

// longText is a text of several lines as typed: required or not, at most max characters, no control characters
// but line breaks and tabs.
func longText(fe FieldErrors, field, s string, most int, required bool) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "" && required:
		fe.Add(field, "error.required")
	case utf8.RuneCountInString(s) > most:
		fe.Add(field, "error.too_long")
	case !PlainText(strings.NewReplacer("\n", "", "\t", "").Replace(s)):
		fe.Add(field, "error.invalid_characters")
	}
	return s
}

// Expense claim states: submitted → confirmed (by the staff member served, or a coordinator) | rejected.
const (
	ClaimSubmitted = "submitted"
	ClaimConfirmed = "confirmed"
	ClaimRejected  = "rejected"
)

// ClaimStates lists every state in the order of the workflow.
var ClaimStates = []string{ClaimSubmitted, ClaimConfirmed, ClaimRejected}

// ClaimCategories are what a volunteer may claim: fuel and parking for a ride, purchases made on an errand.
var ClaimCategories = []string{"fuel", "parking", "purchase"}

// ClaimNoteMaxLen bounds the volunteer's note on a claim.
const ClaimNoteMaxLen = 500

// ClaimForm is an expense claim as typed.
type ClaimForm struct {
	Category string
	Amount   string
	Note     string
}

// ClaimRequest is a checked claim.
type ClaimRequest struct {
	Category string
	Amount   Money
	Note     string
}

// Check reads the form. The ceiling does not refuse a claim: a larger one goes to a coordinator (ClaimNeedsCoordinator).
func (f ClaimForm) Check() (ClaimRequest, FieldErrors) {
	fe := FieldErrors{}
	c := ClaimRequest{Category: strings.TrimSpace(f.Category)}
	if !slices.Contains(ClaimCategories, c.Category) {
		fe.Add("category", "error.choose_one")
	}
	c.Amount = moneyField(fe, "amount", f.Amount)
	c.Note = longText(fe, "note", f.Note, ClaimNoteMaxLen, false)
	return c, fe
}

// ClaimNeedsCoordinator reports whether a claim is above its program's ceiling (0: no ceiling, every claim then
// needs a coordinator — a program nobody set a figure for trusts nobody's word alone).
func ClaimNeedsCoordinator(amount, ceiling Money) bool { return ceiling <= 0 || amount > ceiling }

// Who decides a claim.
var (
	ErrClaimNeedsCoordinator = refusal("claims.needs_coordinator")
	ErrClaimDecided          = refusal("claims.already_decided")
	ErrClaimServiceOpen      = refusal("claims.service_open")
)

// CheckClaimDecision says whether someone may confirm or reject a claim: the staff member served (byStaff) only
// one within the program's ceiling; a coordinator any. The volunteer never decides his own.
func CheckClaimDecision(status string, needsCoordinator, byStaff bool) error {
	switch {
	case status != ClaimSubmitted:
		return ErrClaimDecided
	case byStaff && needsCoordinator:
		return ErrClaimNeedsCoordinator
	}
	return nil
}

// Documents: the files a grant application or a claim carries.
const (
	MaxDocuments      = 5
	MaxDocumentBytes  = 5 << 20
	DocumentNameLen   = 100
	DocumentJPEG      = "image/jpeg"
	DocumentPNG       = "image/png"
	DocumentPDF       = "application/pdf"
	MaxDocumentPixels = 50_000_000 // a 48-megapixel phone photo fits; a "small" PNG that unpacks to gigabytes does not
)

// DocumentTypes are the types a document may be, as its content says.
var DocumentTypes = []string{DocumentJPEG, DocumentPNG, DocumentPDF}

// DocumentName is an uploaded file's name as it is kept and shown: its last path element, without control
// characters, at most DocumentNameLen characters (the extension kept), "file" when nothing is left. The name is a
// label only: the type is never read from it.
func DocumentName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimSpace(StripControl(path.Base(name)))
	if name == "." || name == "/" || name == "" {
		return "file"
	}
	if utf8.RuneCountInString(name) > DocumentNameLen {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:DocumentNameLen-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a person does here; a person has one.
type Role string

const (
	RoleStaff       Role = "staff"
	RoleVolunteer   Role = "volunteer"
	RoleAdmin       Role = "admin"
	RoleFinance     Role = "finance"
	RoleCoordinator Role = "coordinator"
	RoleAuditor     Role = "auditor"
	// RoleVenue is a youth centre's or venue's desk: it redeems benefit vouchers, nothing else.
	RoleVenue Role = "venue"
)

// Roles lists every role, people first, then operators.
var Roles = []Role{RoleStaff, RoleVolunteer, RoleAdmin, RoleFinance, RoleCoordinator, RoleAuditor, RoleVenue}

// OperatorRoles are the roles of the accounts the admin creates, the fund's own people and the venues' desks: the
// audit log's filter offers them, and only the admin may see them (CanSeeAccount). Which pages each may open is the
// route table's (app/routes.go): a desk opens only /venue/* and its account.
var OperatorRoles = []Role{RoleAdmin, RoleFinance, RoleCoordinator, RoleAuditor, RoleVenue}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// IsOperator reports whether r belongs to the fund's own people.
func (r Role) IsOperator() bool { return r.Valid() && r != RoleStaff && r != RoleVolunteer }

// Status is where an account stands.
type Status string

const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusRejected  Status = "rejected"
	StatusSuspended Status = "suspended"
	StatusClosed    Status = "closed"
)

// CanLogIn reports whether an account in this state may hold a session. A pending account may: its home tells
// the person what they are waiting for.
func (s Status) CanLogIn() bool { return s == StatusActive || s == StatusPending }

// User is an account.
type User struct {
	ID             int64
	Phone          string
	Name           string
	Role           Role
	Status         Status
	StatusReason   string
	SessionVersion int
	CreatedAt      time.Time
}

// Password limits: long enough to resist guessing, short enough that a hash of it is cheap to bound.
const (
	PasswordMinLen = 8
	PasswordMaxLen = 128
	NameMaxLen     = 50
)

// CheckPassword returns the message key for a password that breaks the policy, or "".
func CheckPassword(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case n == 0:
		return "error.required"
	case n < PasswordMinLen:
		return "error.password_short"
	case n > PasswordMaxLen:
		return "error.password_long"
	}
	return ""
}

// CleanName trims a person's name and returns the message key for a bad one, or "".
func CleanName(s string) (string, string) {
	return cleanText(s, NameMaxLen)
}

// cleanText trims typed text and checks it is present, not too long, and plain: control characters (a NUL from a
// pasted spreadsheet cell, say) cannot be stored or shown, so they are refused as input rather than failing later.
func cleanText(s string, maxLen int) (string, string) {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return s, "error.required"
	case n > maxLen:
		return s, "error.too_long"
	case !PlainText(s):
		return StripControl(s), "error.invalid_characters"
	}
	return s, ""
}

// PlainText reports whether s is valid UTF-8 without control characters.
func PlainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// StripControl removes control characters and invalid bytes, so a refused value can still be shown back safely.
func StripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// CheckPhone normalises a phone number and returns the message key for a bad one, or "". People may type spaces,
// dashes, dots, brackets and a +86 prefix, in full-width too; a letter is a mistake to point out, never something
// to drop quietly.
func CheckPhone(s string) (string, string) {
	p := NormalizePhone(s)
	switch {
	case strings.TrimSpace(s) == "":
		return p, "error.required"
	case strings.IndexFunc(ToHalfWidth(s), notPhoneRune) >= 0:
		return p, "error.phone_characters"
	case len(p) == 11 && !ValidPhone(p):
		return p, "error.phone_not_mobile"
	case !ValidPhone(p):
		return p, "error.phone_invalid"
	}
	return p, ""
}

func notPhoneRune(r rune) bool { return !(r >= '0' && r <= '9' || strings.ContainsRune(" +-.()", r)) }

// CanSeeAccount reports whether an operator in role viewer may see or act on an account in role subject: the
// fund's own people's accounts (operators) are the admin's business alone, so a coordinator cannot, say, issue
// a reset link for the admin.
func CanSeeAccount(viewer, subject Role) bool { return !subject.IsOperator() || viewer == RoleAdmin }

// ClosedAccountName is the name an account keeps once its person closed it: every personal detail is gone, and
// the money and service records that name the account still read sensibly.
const ClosedAccountName = "已注销用户"

// ReasonAccountClosed is the reason written, as a code the pages put in words, where closing an account cancels
// a request, declines an offer or ends a pairing: the other side reads "账户已注销" rather than someone's text.
const ReasonAccountClosed = "account_closed"

// ReasonMaxLen bounds a typed reason (a rejection, a reversal, a suspension).
const ReasonMaxLen = 500

// CheckReason trims a typed reason and returns the message key for a bad one, or "". A refusal someone will read
// (a rejected registration, a rejected payment) needs one.
func CheckReason(s string, required bool) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return s, "error.reason_required"
		}
		return s, ""
	}
	return cleanText(s, ReasonMaxLen)
}

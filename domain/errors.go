// Package domain holds Guanai's rules in plain Go: no database, no HTTP.
package domain

import (
	"errors"
	"sort"
	"time"
)

// ErrNotFound and ErrForbidden become the 404 and 403 pages. A record the person may not see is ErrNotFound, so
// that guessing ids tells nobody what exists.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
)

// Problem is an error the person is told about in words: a business rule said no. Key is the message's id in the
// translations; Args are name/value pairs the message shows ("Available", "¥1,234.00"). The web layer shows any
// Problem as a message on the page, so a rule and the words for it are kept together, here.
type Problem interface {
	error
	Message() (key string, args []string)
}

// Refusal is a Problem whose message has no values.
type Refusal struct{ Key string }

func (r *Refusal) Error() string                        { return "refused: " + r.Key }
func (r *Refusal) Message() (key string, args []string) { return r.Key, nil }

func refusal(key string) *Refusal { return &Refusal{Key: key} }

// The refusals of the workflows. Compare with errors.Is.
var (
	ErrBadLogin         = refusal("login.bad_credentials")
	ErrAlreadyDecided   = refusal("verification.already_decided")
	ErrResetLinkInvalid = refusal("reset.invalid")

	ErrAlreadyReversed = refusal("donation.already_reversed")
	ErrKeyReused       = refusal("donation.key_reused")

	ErrWrongState       = refusal("disbursement.wrong_state")
	ErrSameMakerChecker = refusal("disbursement.same_maker")
	ErrMakerRejects     = refusal("disbursement.maker_rejects")
	ErrNotMaker         = refusal("disbursement.not_maker")

	ErrImportCommitted = refusal("statement.already_committed")
	ErrImportChanged   = refusal("statement.changed")
	ErrImportHasErrors = refusal("statement.accept_errors_required")
	ErrListConfirmed   = refusal("eligibility.already_confirmed")

	ErrDonorMerged   = refusal("donor.merged_already")
	ErrMergeIntoSelf = refusal("donor.merge_self")
	ErrMergeTwoCodes = refusal("donor.merge_two_codes")
	ErrJustClosed    = refusal("quarters.just_closed")

	ErrQuarterOpen       = refusal("quarters.not_ended")
	ErrQuarterClosed     = refusal("quarters.already_closed")
	ErrQuarterOutOfOrder = refusal("quarters.earlier_open")
)

// FieldErrors maps a form field to the message key of what is wrong with it.
// It is an error so repository methods can return the checks the database made too.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := "invalid input:"
	for _, k := range keys {
		s += " " + k + "=" + fe[k]
	}
	return s
}

// Add records the first problem found for a field; later ones for the same field are less useful.
func (fe FieldErrors) Add(field, key string) {
	if _, ok := fe[field]; !ok {
		fe[field] = key
	}
}

// Err returns fe as an error, or nil when there is nothing wrong.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// LockedError says that logins are refused until a time.
type LockedError struct {
	Until time.Time
}

func (e *LockedError) Error() string { return "login locked until " + e.Until.Format(time.RFC3339) }

// AccountStateError says that an account cannot log in in its current state.
type AccountStateError struct {
	Status Status
	Reason string
}

func (e *AccountStateError) Error() string { return "account is " + string(e.Status) }

// InsufficientFundsError says a pool cannot cover an amount, and how much it has free.
type InsufficientFundsError struct {
	Available Money
}

func (e *InsufficientFundsError) Error() string {
	return "insufficient funds: " + e.Available.String() + " available"
}

// Message says how much the pool has free.
func (e *InsufficientFundsError) Message() (string, []string) {
	return "fund.insufficient", []string{"Available", e.Available.String()}
}

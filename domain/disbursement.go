package domain

import "errors"

// Disbursement states: draft (maker) → approved (a different checker) → paid (with a bank reference); a draft or
// an approved one can be rejected or cancelled with a reason.
const (
	DisbursementDraft     = "draft"
	DisbursementApproved  = "approved"
	DisbursementPaid      = "paid"
	DisbursementRejected  = "rejected"
	DisbursementCancelled = "cancelled"
)

// Errors of the disbursement workflow.
var (
	ErrSameMakerChecker = errors.New("the maker of a disbursement cannot approve it")
	ErrWrongState       = errors.New("not possible in the disbursement's current state")
)

// disbursementMoves lists where each state can go.
var disbursementMoves = map[string][]string{
	DisbursementDraft:    {DisbursementApproved, DisbursementRejected, DisbursementCancelled},
	DisbursementApproved: {DisbursementPaid, DisbursementRejected, DisbursementCancelled},
}

// CanMoveDisbursement reports whether a disbursement may go from one state to another.
func CanMoveDisbursement(from, to string) bool {
	for _, s := range disbursementMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// InsufficientFundsError says a pool cannot cover an amount, and how much it has free.
type InsufficientFundsError struct {
	Available Money
}

func (e *InsufficientFundsError) Error() string {
	return "insufficient funds: " + e.Available.String() + " available"
}

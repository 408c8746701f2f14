package domain

import "slices"

// Disbursement states: draft (maker) → approved (a different checker) → paid (with a bank reference); a draft or
// an approved one can be rejected (by a checker) or cancelled (by its maker) with a reason.
const (
	DisbursementDraft     = "draft"
	DisbursementApproved  = "approved"
	DisbursementPaid      = "paid"
	DisbursementRejected  = "rejected"
	DisbursementCancelled = "cancelled"
)

// DisbursementStates lists every state in the order of the workflow.
var DisbursementStates = []string{DisbursementDraft, DisbursementApproved, DisbursementPaid, DisbursementRejected,
	DisbursementCancelled}

// disbursementMoves lists where each state can go.
var disbursementMoves = map[string][]string{
	DisbursementDraft:    {DisbursementApproved, DisbursementRejected, DisbursementCancelled},
	DisbursementApproved: {DisbursementPaid, DisbursementRejected, DisbursementCancelled},
}

// CanMoveDisbursement reports whether a disbursement may go from one state to another.
func CanMoveDisbursement(from, to string) bool { return slices.Contains(disbursementMoves[from], to) }

// CheckDisbursementMove says whether actor may move a disbursement that maker drafted from one state to another.
// Two people handle every payment: the checker who approves or rejects is never the maker, and only the maker
// withdraws their own draft, so each word in the audit trail means what it says.
func CheckDisbursementMove(from, to string, maker, actor int64) error {
	if !CanMoveDisbursement(from, to) {
		return ErrWrongState
	}
	switch {
	case to == DisbursementApproved && actor == maker:
		return ErrSameMakerChecker
	case to == DisbursementRejected && actor == maker:
		return ErrMakerRejects
	case to == DisbursementCancelled && actor != maker:
		return ErrNotMaker
	}
	return nil
}

// NeedsReason reports whether moving to a state must say why: a rejection or a cancellation is read by the
// person who asked.
func NeedsReason(to string) bool { return to == DisbursementRejected || to == DisbursementCancelled }

// Funds is what a pool holds and how much of it approved, unpaid disbursements have promised.
type Funds struct {
	Balance  Money
	Reserved Money
}

// Available is what can still be promised, moved or taken back.
func (f Funds) Available() Money { return f.Balance - f.Reserved }

// Cover refuses an amount the pool cannot spare, saying how much it can.
func (f Funds) Cover(amount Money) error {
	if amount > f.Available() {
		return &InsufficientFundsError{Available: f.Available()}
	}
	return nil
}

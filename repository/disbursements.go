package repository

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type disbursementRow struct {
	ID                  int64
	AccountID           int64
	Amount              int64
	Payee               string
	PayeeAccount        string
	Purpose             string
	Status              string
	MakerID             int64
	CheckerID           *int64
	ApprovedAt          *time.Time
	PaidBy              *int64
	PaidAt              *time.Time
	BankReference       string
	LedgerTransactionID *int64
	Reason              string
	SourceType          *string
	SourceID            *int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (disbursementRow) TableName() string { return "disbursements" }

// DisbursementDraft is a payment a maker proposes. Source links it to what it pays for (a grant, an expense
// claim: repository/grants.go and claims.go create those drafts).
type DisbursementDraft struct {
	PoolID       int64
	Amount       domain.Money
	Payee        string
	PayeeAccount string
	Purpose      string
	SourceType   string
	SourceID     int64
}

// CreateDisbursement records a draft; it reserves nothing until a checker approves it.
func (s *Store) CreateDisbursement(ctx context.Context, actor Actor, d DisbursementDraft) (int64, error) {
	r := disbursementRow{AccountID: d.PoolID, Amount: int64(d.Amount), Payee: d.Payee, PayeeAccount: d.PayeeAccount,
		Purpose: d.Purpose, Status: domain.DisbursementDraft, MakerID: actor.UserID}
	if d.SourceType != "" {
		r.SourceType, r.SourceID = &d.SourceType, &d.SourceID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return createDisbursement(tx, actor, &r)
	})
	return r.ID, err
}

// createDisbursement writes a draft in the caller's transaction: a grant's approval and a claim's confirmation
// create theirs together with the decision.
func createDisbursement(tx *gorm.DB, actor Actor, r *disbursementRow) error {
	var pool accountRow
	if err := tx.Take(&pool, r.AccountID).Error; err != nil || pool.Kind != "pool" {
		return domain.FieldErrors{"pool": "error.choose_one"}
	}
	if err := tx.Omit("ID").Create(r).Error; err != nil {
		return err
	}
	return audit(tx, actor, "disbursement.create", "disbursement", r.ID, nil,
		map[string]any{"amount": r.Amount, "pool": pool.Code, "status": r.Status})
}

func lockDisbursement(tx *gorm.DB, id int64) (disbursementRow, error) {
	var r disbursementRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.ErrNotFound
	}
	return r, err
}

// ApproveDisbursement is the checker's step: a different operator from the maker approves, and the money is
// reserved in the pool so approved but unpaid disbursements can never together exceed it.
func (s *Store) ApproveDisbursement(ctx context.Context, actor Actor, id int64) error {
	return s.moveDisbursement(ctx, actor, id, domain.DisbursementApproved, "", "", func(tx *gorm.DB, d *disbursementRow, pool, _ accountRow) error {
		if err := pool.funds().Cover(domain.Money(d.Amount)); err != nil {
			return err
		}
		if err := tx.Model(&pool).Update("reserved", gorm.Expr("reserved + ?", d.Amount)).Error; err != nil {
			return err
		}
		at := now(tx)
		d.CheckerID, d.ApprovedAt = &actor.UserID, &at
		return nil
	})
}

// PayDisbursement records that the bank paid an approved disbursement: the reservation becomes a ledger
// transaction out of the pool.
func (s *Store) PayDisbursement(ctx context.Context, actor Actor, id int64, bankReference string) error {
	bankReference = strings.TrimSpace(bankReference)
	if bankReference == "" {
		return domain.FieldErrors{"bank_reference": "error.required"}
	}
	return s.moveDisbursement(ctx, actor, id, domain.DisbursementPaid, "", accountPayees, func(tx *gorm.DB, d *disbursementRow, pool, payees accountRow) error {
		if err := tx.Model(&pool).Update("reserved", gorm.Expr("reserved - ?", d.Amount)).Error; err != nil {
			return err
		}
		txID, err := post(tx, actor, "disbursement", d.Purpose, nil, posting{pool.ID, -domain.Money(d.Amount)}, posting{payees.ID, domain.Money(d.Amount)})
		if err != nil {
			return err
		}
		at := now(tx)
		d.LedgerTransactionID, d.PaidBy, d.PaidAt, d.BankReference = &txID, &actor.UserID, &at, bankReference
		return nil
	})
}

// RejectDisbursement (a checker says no) and CancelDisbursement (the maker withdraws it) end a draft or an
// approved disbursement with a reason; an approved one's reservation is released.
func (s *Store) RejectDisbursement(ctx context.Context, actor Actor, id int64, reason string) error {
	return s.endDisbursement(ctx, actor, id, domain.DisbursementRejected, reason)
}

// CancelDisbursement: see RejectDisbursement.
func (s *Store) CancelDisbursement(ctx context.Context, actor Actor, id int64, reason string) error {
	return s.endDisbursement(ctx, actor, id, domain.DisbursementCancelled, reason)
}

func (s *Store) endDisbursement(ctx context.Context, actor Actor, id int64, to, reason string) error {
	reason, key := domain.CheckReason(reason, domain.NeedsReason(to))
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.moveDisbursement(ctx, actor, id, to, reason, "", func(tx *gorm.DB, d *disbursementRow, pool, _ accountRow) error {
		if d.Status == domain.DisbursementApproved {
			return tx.Model(&pool).Update("reserved", gorm.Expr("reserved - ?", d.Amount)).Error
		}
		return nil
	})
}

// moveDisbursement locks the disbursement, asks domain whether the actor may make the move, locks its pool and the
// other account the move needs (if any) in id order, lets step do the move's work, and saves the new state with
// its reason and an audit row.
func (s *Store) moveDisbursement(ctx context.Context, actor Actor, id int64, to, reason, other string,
	step func(tx *gorm.DB, d *disbursementRow, pool, other accountRow) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		d, err := lockDisbursement(tx, id)
		if err != nil {
			return err
		}
		if err := domain.CheckDisbursementMove(d.Status, to, d.MakerID, actor.UserID); err != nil {
			return err
		}
		ids := []int64{d.AccountID}
		var otherID int64
		if other != "" {
			o, err := accountByCode(tx, other)
			if err != nil {
				return err
			}
			otherID = o.ID
			ids = append(ids, otherID)
		}
		acc, err := lockAccounts(tx, ids...)
		if err != nil {
			return err
		}
		from := d.Status
		if err := step(tx, &d, acc[d.AccountID], acc[otherID]); err != nil {
			return err
		}
		d.Status = to
		if reason != "" {
			d.Reason = reason
		}
		if err := tx.Select("status", "checker_id", "approved_at", "paid_by", "paid_at", "bank_reference",
			"ledger_transaction_id", "reason", "updated_at").Save(&d).Error; err != nil {
			if isCheckViolation(err, "checker_is_not_maker") {
				return domain.ErrSameMakerChecker
			}
			if isCheckViolation(err, "booked_in_open_quarter") {
				return domain.ErrJustClosed
			}
			return err
		}
		if err := sourceMoved(tx, d); err != nil { // the grant or claim it pays for tells its person
			return err
		}
		return audit(tx, actor, "disbursement."+to, "disbursement", id, map[string]any{"status": from},
			map[string]any{"status": to, "amount": d.Amount, "reason": d.Reason, "bank_reference": d.BankReference})
	})
}

// Disbursement is a disbursement as the pages show it.
type Disbursement struct {
	ID            int64
	PoolID        int64
	PoolCode      string
	PoolNameZh    string
	PoolNameEn    string
	Amount        domain.Money
	Payee         string
	PayeeAccount  string
	Purpose       string
	Status        string
	MakerID       int64
	MakerName     string
	CheckerID     *int64
	CheckerName   string
	BankReference string
	Reason        string
	CreatedAt     time.Time
	ApprovedAt    *time.Time
	PaidAt        *time.Time
	SourceType    string // "grant" or "claim" when it pays one, else ""
	SourceID      int64
}

const disbursementSQL = `SELECT d.id, d.account_id AS pool_id, a.code AS pool_code, a.name_zh AS pool_name_zh,
		a.name_en AS pool_name_en, d.amount, d.payee, d.payee_account, d.purpose, d.status, d.maker_id,
		m.name AS maker_name, d.checker_id, coalesce(c.name, '') AS checker_name, d.bank_reference, d.reason,
		d.created_at, d.approved_at, d.paid_at, coalesce(d.source_type, '') AS source_type,
		coalesce(d.source_id, 0) AS source_id
	FROM disbursements d JOIN accounts a ON a.id = d.account_id JOIN users m ON m.id = d.maker_id
	LEFT JOIN users c ON c.id = d.checker_id`

// disbursementPages pages the disbursement list, newest first.
var disbursementPages = keyset{id: "d.id", size: PageSize}

// ListDisbursements returns the page c names of the disbursements in a state ("" for all), newest first, and how
// many there are.
func (s *Store) ListDisbursements(ctx context.Context, status string, c domain.Cursor) (ListPage[Disbursement], error) {
	where, args := "TRUE", []any{}
	if status != "" {
		where, args = "d.status = ?", []any{status}
	}
	db := s.db.WithContext(ctx)
	p, err := pageOf(disbursementPages, c, func(d Disbursement) domain.Cursor { return domain.Cursor{ID: d.ID} },
		func(q pageSQL) ([]Disbursement, error) {
			tail, tailArgs := q.Tail()
			var out []Disbursement
			err := db.Raw(disbursementSQL+" WHERE "+where+tail, append(slices.Clone(args), tailArgs...)...).Scan(&out).Error
			return out, err
		})
	if err == nil {
		p.Count, err = countUpTo(db, "SELECT 1 FROM disbursements d WHERE "+where, args...)
	}
	return p, err
}

// DisbursementByID loads one disbursement.
func (s *Store) DisbursementByID(ctx context.Context, id int64) (Disbursement, error) {
	var out []Disbursement
	if err := s.db.WithContext(ctx).Raw(disbursementSQL+" WHERE d.id = ?", id).Scan(&out).Error; err != nil {
		return Disbursement{}, err
	}
	if len(out) == 0 {
		return Disbursement{}, domain.ErrNotFound
	}
	return out[0], nil
}

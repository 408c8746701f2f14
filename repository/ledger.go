package repository

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Ledger account codes that are not per-program pools.
const (
	accountUnrestricted = "pool:unrestricted"
	accountDonors       = "external:donors"
	accountPayees       = "external:payees"
)

type accountRow struct {
	ID        int64
	Code      string
	Kind      string
	ProgramID *int64
	NameZh    string
	NameEn    string
	Balance   int64
	Reserved  int64
}

func (accountRow) TableName() string { return "accounts" }

func (a accountRow) funds() domain.Funds {
	return domain.Funds{Balance: domain.Money(a.Balance), Reserved: domain.Money(a.Reserved)}
}

// Pool is a pot of the fund's money: the unrestricted fund or a program's restricted pool.
type Pool struct {
	ID          int64
	Code        string
	ProgramCode string
	NameZh      string
	NameEn      string
	Balance     domain.Money
	Reserved    domain.Money // promised to approved, unpaid disbursements
}

// Available is what can still be promised or moved.
func (p Pool) Available() domain.Money { return p.Balance - p.Reserved }

// Name is the pool's name in a language.
func (p Pool) Name(lang string) string {
	if lang == "en" {
		return p.NameEn
	}
	return p.NameZh
}

// Pools lists the pools, the unrestricted fund first, then the programs in their order.
func (s *Store) Pools(ctx context.Context) ([]Pool, error) {
	var out []Pool
	err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.code, coalesce(p.code, '') AS program_code, a.name_zh, a.name_en,
			a.balance, a.reserved
		FROM accounts a LEFT JOIN programs p ON p.id = a.program_id
		WHERE a.kind = 'pool' ORDER BY p.position NULLS FIRST, a.id`).Scan(&out).Error
	return out, err
}

type ledgerTransactionRow struct {
	ID         int64
	Kind       string
	Memo       string
	CreatedBy  *int64
	CreatedAt  time.Time
	ReversesID *int64
}

func (ledgerTransactionRow) TableName() string { return "ledger_transactions" }

type ledgerEntryRow struct {
	ID            int64
	TransactionID int64
	AccountID     int64
	Amount        int64
}

func (ledgerEntryRow) TableName() string { return "ledger_entries" }

// posting is one line of a ledger transaction: a positive amount raises the account's balance.
type posting struct {
	account int64
	amount  domain.Money
}

// lockAccounts takes the accounts' rows in id order — the one order every transaction uses, so two money
// movements never wait on each other in a circle — and returns them by id.
func lockAccounts(tx *gorm.DB, ids ...int64) (map[int64]accountRow, error) {
	sorted := append([]int64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var rows []accountRow
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN ?", sorted).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]accountRow, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	if len(out) != len(uniq(sorted)) {
		return nil, domain.ErrNotFound
	}
	return out, nil
}

func uniq(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// post writes one ledger transaction. The accounts must be locked already (lockAccounts); the database checks
// at commit that the entries sum to zero and, at once, that no pool goes below zero.
func post(tx *gorm.DB, actor Actor, kind, memo string, reverses *int64, lines ...posting) (int64, error) {
	t := ledgerTransactionRow{Kind: kind, Memo: memo, ReversesID: reverses}
	if actor.UserID != 0 {
		t.CreatedBy = &actor.UserID
	}
	if err := tx.Omit("ID").Create(&t).Error; err != nil {
		if isUniqueViolation(err, "ledger_transactions_reverses_id_key") {
			return 0, domain.ErrAlreadyReversed
		}
		return 0, err
	}
	// One statement for all the lines, so the balances move together once (the trigger is per statement).
	rows := make([]ledgerEntryRow, len(lines))
	for i, l := range lines {
		rows[i] = ledgerEntryRow{TransactionID: t.ID, AccountID: l.account, Amount: int64(l.amount)}
	}
	if err := tx.Create(&rows).Error; err != nil {
		if isCheckViolation(err, "pool_never_negative") {
			return 0, &domain.InsufficientFundsError{}
		}
		return 0, err
	}
	return t.ID, nil
}

func isCheckViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.ConstraintName == constraint
}

func accountByCode(tx *gorm.DB, code string) (accountRow, error) {
	var a accountRow
	err := tx.Where("code = ?", code).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return a, domain.ErrNotFound
	}
	return a, err
}

// Allocate moves money from one pool to another, with a reason.
func (s *Store) Allocate(ctx context.Context, actor Actor, from, to int64, amount domain.Money, reason string) (int64, error) {
	if from == to {
		return 0, domain.FieldErrors{"to": "error.same_pool"}
	}
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return 0, domain.FieldErrors{"reason": key}
	}
	var txID int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		acc, err := lockAccounts(tx, from, to)
		if err != nil {
			return err
		}
		src, dst := acc[from], acc[to]
		if src.Kind != "pool" || dst.Kind != "pool" {
			return domain.ErrNotFound
		}
		if err := src.funds().Cover(amount); err != nil {
			return err
		}
		if txID, err = post(tx, actor, "allocation", reason, nil, posting{from, -amount}, posting{to, amount}); err != nil {
			return err
		}
		return audit(tx, actor, "ledger.allocate", "ledger_transaction", txID, nil,
			map[string]any{"from": src.Code, "to": dst.Code, "amount": amount, "reason": reason})
	})
	return txID, err
}

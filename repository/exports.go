package repository

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// ExportFilter chooses the rows of an export: a range of Asia/Shanghai dates, both ends included, and the pool.
// Only the Shanghai calendar date of From and To counts, whatever their time of day or location.
type ExportFilter struct {
	From, To     time.Time
	ProgramCode  string // only this program's restricted pool
	Unrestricted bool   // only the unrestricted fund; ignored when ProgramCode is set
}

// days returns the filter's dates as Shanghai midnights and the instant the day after To begins, so a timestamp
// column is compared as a plain range [from, next) — which an index could serve — never cast to a date per row.
func (f ExportFilter) days() (from, to, next time.Time) {
	midnight := func(t time.Time) time.Time {
		y, m, d := t.In(domain.Shanghai).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, domain.Shanghai)
	}
	from, to = midnight(f.From), midnight(f.To)
	return from, to, to.AddDate(0, 0, 1)
}

// ExportDonations calls each with every donation received in the filter's dates, oldest first, from one snapshot.
// A reversed donation is included (its ReversedAt says so), whenever it was reversed.
func (s *Store) ExportDonations(ctx context.Context, f ExportFilter, each func(Donation) error) error {
	from, to, _ := f.days()
	where, args, err := DonationFilter{ProgramCode: f.ProgramCode, From: from, To: to}.where(s.db.WithContext(ctx))
	if err != nil {
		return err
	}
	if f.ProgramCode == "" && f.Unrestricted {
		where += " AND n.program_id IS NULL"
	}
	return s.exportRows(ctx, donationSQL+" WHERE "+where+" ORDER BY n.received_on, n.id", args, func(tx *gorm.DB, rows *sql.Rows) error {
		var d Donation
		if err := tx.ScanRows(rows, &d); err != nil {
			return err
		}
		return each(d)
	})
}

// poolClause narrows a query on the accounts aliased a to the filter's pool: one program's, or the unrestricted.
func (f ExportFilter) poolClause(where string, args []any) (string, []any) {
	switch {
	case f.ProgramCode != "":
		return where + " AND a.program_id = (SELECT id FROM programs WHERE code = ?)", append(args, f.ProgramCode)
	case f.Unrestricted:
		return where + " AND a.code = ?", append(args, accountUnrestricted)
	}
	return where, args
}

// ExportDisbursements calls each with every disbursement created in the filter's dates, whatever its state,
// oldest first, from one snapshot.
func (s *Store) ExportDisbursements(ctx context.Context, f ExportFilter, each func(Disbursement) error) error {
	from, _, next := f.days()
	where, args := "d.created_at >= ? AND d.created_at < ?", []any{from, next}
	where, args = f.poolClause(where, args)
	return s.exportRows(ctx, disbursementSQL+" WHERE "+where+" ORDER BY d.created_at, d.id", args, func(tx *gorm.DB, rows *sql.Rows) error {
		var d Disbursement
		if err := tx.ScanRows(rows, &d); err != nil {
			return err
		}
		return each(d)
	})
}

// LedgerExportLine is one ledger entry with its transaction and what the transaction was for: the donation and
// its receipt (for a donation or its reversal), or the disbursement (for a payment).
type LedgerExportLine struct {
	TransactionID  int64
	Kind           string
	Memo           string
	CreatedAt      time.Time
	ReversesID     *int64
	EntryID        int64
	AccountCode    string
	AccountNameZh  string
	AccountNameEn  string
	Amount         domain.Money // positive raises the account's balance (a debit), negative lowers it (a credit)
	ReceiptNumber  string
	DonorName      string
	DisbursementID *int64
	Payee          string
}

const ledgerExportSQL = `SELECT t.id AS transaction_id, t.kind, t.memo, t.created_at, t.reverses_id,
		e.id AS entry_id, a.code AS account_code, a.name_zh AS account_name_zh, a.name_en AS account_name_en, e.amount,
		coalesce(r.number, '') AS receipt_number, coalesce(dn.name, '') AS donor_name,
		d.id AS disbursement_id, coalesce(d.payee, '') AS payee
	FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id JOIN accounts a ON a.id = e.account_id
	LEFT JOIN donations n ON n.ledger_transaction_id = t.id
	LEFT JOIN donations nr ON nr.reversal_transaction_id = t.id
	LEFT JOIN donors dn ON dn.id = coalesce(n.donor_id, nr.donor_id)
	LEFT JOIN receipts r ON r.donation_id = coalesce(n.id, nr.id) AND r.copy_of IS NULL
	LEFT JOIN disbursements d ON d.ledger_transaction_id = t.id`

// ExportLedger calls each with every entry of the ledger transactions made in the filter's dates, in transaction
// order, from one snapshot. With a pool chosen, only the entries on that pool are given, so the lines no longer
// sum to zero per transaction: they sum to the pool's change over the dates.
func (s *Store) ExportLedger(ctx context.Context, f ExportFilter, each func(LedgerExportLine) error) error {
	from, _, next := f.days()
	where, args := "t.created_at >= ? AND t.created_at < ?", []any{from, next}
	where, args = f.poolClause(where, args)
	return s.exportRows(ctx, ledgerExportSQL+" WHERE "+where+" ORDER BY t.id, e.id", args, func(tx *gorm.DB, rows *sql.Rows) error {
		var l LedgerExportLine
		if err := tx.ScanRows(rows, &l); err != nil {
			return err
		}
		return each(l)
	})
}

// exportRows runs one export query in a read-only, repeatable-read transaction — one snapshot, so the rows agree
// with each other (a transaction is never half in, totals match) even while money moves — and hands the rows
// over one at a time rather than loading them all.
func (s *Store) exportRows(ctx context.Context, query string, args []any, row func(tx *gorm.DB, rows *sql.Rows) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := tx.Raw(query, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(tx, rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

// RecordExport writes who downloaded which export to the audit log.
func (s *Store) RecordExport(ctx context.Context, actor Actor, file string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return audit(tx, actor, "export.download", "export", 0, nil, map[string]any{"file": file})
	})
}

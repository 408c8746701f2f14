package repository

import (
	"context"
	"time"

	"guanai/domain"
)

// LedgerLine is one entry of a ledger transaction, for the ledger page.
type LedgerLine struct {
	TransactionID int64
	Kind          string
	Memo          string
	CreatedAt     time.Time
	CreatorName   string
	AccountCode   string
	AccountNameZh string
	AccountNameEn string
	Amount        domain.Money
}

// RecentLedger returns the entries of the newest ledger transactions, newest first.
func (s *Store) RecentLedger(ctx context.Context, transactions int) ([]LedgerLine, error) {
	var out []LedgerLine
	err := s.db.WithContext(ctx).Raw(`SELECT t.id AS transaction_id, t.kind, t.memo, t.created_at,
			coalesce(u.name, '') AS creator_name, a.code AS account_code, a.name_zh AS account_name_zh,
			a.name_en AS account_name_en, e.amount
		FROM (SELECT * FROM ledger_transactions ORDER BY id DESC LIMIT ?) t
		JOIN ledger_entries e ON e.transaction_id = t.id JOIN accounts a ON a.id = e.account_id
		LEFT JOIN users u ON u.id = t.created_by
		ORDER BY t.id DESC, e.id`, transactions).Scan(&out).Error
	return out, err
}

// FundSummary is what the finance home shows at the top.
type FundSummary struct {
	Raised     domain.Money // donations less reversals, from the ledger
	Disbursed  domain.Money
	Goal       domain.Money
	DraftCount int64 // disbursements waiting for a checker
	ToPayCount int64 // approved, waiting for the bank
}

// GoalPercent is how far the fund is toward its fundraising goal, 0-100.
func (f FundSummary) GoalPercent() int {
	if f.Goal <= 0 {
		return 0
	}
	return int(min(100, int64(f.Raised)*100/int64(f.Goal)))
}

// FundHome reads the finance home's figures in one query.
func (s *Store) FundHome(ctx context.Context) (FundSummary, error) {
	var f FundSummary
	err := s.db.WithContext(ctx).Raw(`SELECT
		-(SELECT balance FROM accounts WHERE code = 'external:donors') AS raised,
		(SELECT balance FROM accounts WHERE code = 'external:payees') AS disbursed,
		(SELECT fundraising_goal FROM fund_settings WHERE id = 1) AS goal,
		(SELECT count(*) FROM disbursements WHERE status = 'draft') AS draft_count,
		(SELECT count(*) FROM disbursements WHERE status = 'approved') AS to_pay_count`).
		Scan(&f).Error
	return f, err
}

// Program is a care program as the fund pages need it.
type Program struct {
	ID     int64
	Code   string
	Kind   string
	NameZh string
	NameEn string
	Active bool
}

// Name is the program's name in a language.
func (p Program) Name(lang string) string {
	if lang == "en" {
		return p.NameEn
	}
	return p.NameZh
}

// Programs lists the programs in their order.
func (s *Store) Programs(ctx context.Context) ([]Program, error) {
	var out []Program
	err := s.db.WithContext(ctx).Table("programs").Select("id, code, kind, name_zh, name_en, active").Order("position").Scan(&out).Error
	return out, err
}

// recentGifts is how many of the newest gifts RecentDonors looks through for their donors.
const recentGifts = 500

// RecentDonors lists the donors who gave most recently, for the donation form's chooser before anything is
// searched: the donors of the newest gifts (by the day received, then as recorded), each once, at most limit of
// them. It reads the newest recentGifts entries of donations_received_idx and no further, so it costs the same
// however many gifts there are; should those few gifts come from fewer donors than limit, fewer are shown. (A
// last-gift column on donors would need every gift to update its donor's row, which a gift only share-locks so
// that gifts from one donor can be recorded side by side.)
func (s *Store) RecentDonors(ctx context.Context, limit int) ([]DonorSummary, error) {
	var out []DonorSummary
	err := s.db.WithContext(ctx).Raw(`SELECT `+donorColumns+` FROM (SELECT * FROM (
				SELECT DISTINCT ON (donor_id) donor_id, received_on, id FROM (
					SELECT donor_id, received_on, id FROM donations ORDER BY received_on DESC, id DESC LIMIT ?) newest
				ORDER BY donor_id, received_on DESC, id DESC) each_once
			ORDER BY received_on DESC, id DESC LIMIT ?) latest
		JOIN donors d ON d.id = latest.donor_id `+donorGiving+`
		ORDER BY latest.received_on DESC, latest.id DESC`, recentGifts, limit).Scan(&out).Error
	return out, err
}

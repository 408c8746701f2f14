package repository

import (
	"context"
	"database/sql"
	"fmt"
)

// ledgerChecks are the reconciliation queries: each returns one text row per problem, so an empty result is a
// pass. They read the ledger, never the balances' own bookkeeping, so a wrong balance cannot hide itself.
var ledgerChecks = []struct{ name, sql string }{
	{"transactions_balanced", `SELECT 'transaction ' || t.id || ': ' || count(e.id) || ' entries summing to ' || coalesce(sum(e.amount), 0)
		FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
		GROUP BY t.id HAVING count(e.id) < 2 OR coalesce(sum(e.amount), 0) <> 0 ORDER BY t.id LIMIT 20`},
	{"balances_match_entries", `SELECT a.code || ': balance ' || a.balance || ', entries ' || coalesce(sum(e.amount), 0)
		FROM accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
		GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0) ORDER BY a.id`},
	{"accounts_sum_to_zero", `SELECT 'total of all balances is ' || sum(balance) FROM accounts HAVING sum(balance) <> 0`},
	{"pools_not_negative", `SELECT code || ': balance ' || balance || ', reserved ' || reserved
		FROM accounts WHERE kind = 'pool' AND (balance < 0 OR reserved < 0 OR reserved > balance)`},
	{"reservations_match", `SELECT a.code || ': reserved ' || a.reserved || ', approved ' || coalesce(sum(d.amount), 0)
		FROM accounts a LEFT JOIN disbursements d ON d.account_id = a.id AND d.status = 'approved'
		WHERE a.kind = 'pool' GROUP BY a.id HAVING a.reserved <> coalesce(sum(d.amount), 0)`},
	{"receipts_gap_free", `SELECT year || ': ' || count(*) || ' receipts numbered up to ' || max(seq)
		FROM receipts WHERE copy_of IS NULL GROUP BY year HAVING count(*) <> max(seq) OR count(DISTINCT seq) <> count(*)`},
	{"one_receipt_each", `SELECT 'donation ' || n.id || ' has ' || count(r.id) || ' receipts'
		FROM donations n LEFT JOIN receipts r ON r.donation_id = n.id AND r.copy_of IS NULL
		GROUP BY n.id HAVING count(r.id) <> 1 ORDER BY n.id LIMIT 20`},
	{"donations_posted", `SELECT 'donation ' || n.id || ': ' || n.amount || ' recorded, ' || coalesce(e.amount, 0) || ' posted'
		FROM donations n LEFT JOIN ledger_entries e ON e.transaction_id = n.ledger_transaction_id
			AND e.account_id = (SELECT id FROM accounts WHERE code = 'external:donors')
		WHERE coalesce(-e.amount, 0) <> n.amount ORDER BY n.id LIMIT 20`},
	{"public_totals_match", `SELECT 'raised ' || raised || ' but the ledger says ' || -ledger_in
			|| '; disbursed ' || disbursed || ' but the ledger says ' || ledger_out
		FROM (SELECT
			(SELECT coalesce(sum(amount), 0) FROM donations WHERE reversed_at IS NULL) AS raised,
			(SELECT balance FROM accounts WHERE code = 'external:donors') AS ledger_in,
			(SELECT coalesce(sum(amount), 0) FROM disbursements WHERE status = 'paid') AS disbursed,
			(SELECT balance FROM accounts WHERE code = 'external:payees') AS ledger_out) t
		WHERE raised <> -ledger_in OR disbursed <> ledger_out`},
	{"public_figures_match", `SELECT coalesce(e.month, f.month) || ' ' || coalesce(e.kind, f.kind) || ' into/from account '
			|| coalesce(e.account_id, f.account_id) || ': the public figures count ' || coalesce(f.count, 0) || ' for '
			|| coalesce(f.amount, 0) || ', the records ' || coalesce(e.count, 0) || ' for ' || coalesce(e.amount, 0)
		FROM fund_flows_expected e FULL JOIN fund_flows f ON (e.month, e.kind, e.account_id, e.channel, e.late, e.correction)
			= (f.month, f.kind, f.account_id, f.channel, f.late, f.correction)
		WHERE e.count IS DISTINCT FROM f.count OR e.amount IS DISTINCT FROM f.amount
		ORDER BY 1 LIMIT 20`},
}

// LedgerCheck is one reconciliation check, by its code (receipts_gap_free, ...), and the problems it found; stored
// in ledger_reconciliations as {"name": ..., "problems": [...]}.
type LedgerCheck struct {
	Name     string   `json:"name"`
	Problems []string `json:"problems"`
}

// VerifyLedger runs every reconciliation check in one snapshot.
func (s *Store) VerifyLedger(ctx context.Context) ([]LedgerCheck, error) {
	out := make([]LedgerCheck, 0, len(ledgerChecks))
	tx, err := s.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	for _, c := range ledgerChecks {
		rows, err := tx.QueryContext(ctx, c.sql)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", c.name, err)
		}
		check := LedgerCheck{Name: c.name, Problems: []string{}} // a stored pass says [], not null
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, err
			}
			check.Problems = append(check.Problems, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out = append(out, check)
	}
	return out, nil
}

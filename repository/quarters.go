package repository

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// ClosedQuarter is a quarter whose report finance has published and closed.
type ClosedQuarter struct {
	domain.Quarter
	ClosedBy string
	ClosedAt time.Time
}

// books reads which quarters are closed.
func books(tx *gorm.DB) (domain.Books, error) {
	var b domain.Books
	var rows []struct{ Year, Quarter int }
	if err := tx.Raw(`SELECT year, quarter FROM closed_quarters ORDER BY year DESC, quarter DESC LIMIT 1`).Scan(&rows).Error; err != nil {
		return b, err
	}
	if len(rows) == 1 {
		b.ClosedThrough = domain.Quarter{Year: rows[0].Year, Q: rows[0].Quarter}
	}
	return b, nil
}

// ClosedQuarters lists the closed quarters, newest first, with who closed them and when.
func (s *Store) ClosedQuarters(ctx context.Context) ([]ClosedQuarter, error) {
	var rows []struct {
		Year, Quarter int
		ClosedBy      string
		ClosedAt      time.Time
	}
	err := s.db.WithContext(ctx).Raw(`SELECT q.year, q.quarter, u.name AS closed_by, q.closed_at
		FROM closed_quarters q JOIN users u ON u.id = q.closed_by ORDER BY q.year DESC, q.quarter DESC`).Scan(&rows).Error
	out := make([]ClosedQuarter, len(rows))
	for i, r := range rows {
		out[i] = ClosedQuarter{Quarter: domain.Quarter{Year: r.Year, Q: r.Quarter}, ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt}
	}
	return out, err
}

// firstReportQuarter is the quarter of the first gift received, or the current quarter before any.
func firstReportQuarter(tx *gorm.DB, now time.Time) (domain.Quarter, error) {
	var first sql.NullTime
	if err := tx.Raw(`SELECT min(received_on) FROM donations`).Scan(&first).Error; err != nil {
		return domain.Quarter{}, err
	}
	if !first.Valid {
		return domain.QuarterOf(now), nil
	}
	return domain.QuarterOf(domain.CalendarDay(first.Time)), nil
}

// CloseQuarter closes a quarter whose report is published: from now on nothing is booked into it. It takes the
// donors' and payees' accounts first — every gift, reversal and payment locks one of them — so nothing being
// recorded at the same moment can still slip into the quarter after it is closed.
func (s *Store) CloseQuarter(ctx context.Context, actor Actor, q domain.Quarter) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		donors, err := accountByCode(tx, accountDonors)
		if err != nil {
			return err
		}
		payees, err := accountByCode(tx, accountPayees)
		if err != nil {
			return err
		}
		if _, err := lockAccounts(tx, donors.ID, payees.ID); err != nil {
			return err
		}
		b, err := books(tx)
		if err != nil {
			return err
		}
		first, err := firstReportQuarter(tx, now(tx))
		if err != nil {
			return err
		}
		if err := b.CheckClose(q, first, now(tx)); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO closed_quarters (year, quarter, closed_by, closed_at) VALUES (?, ?, ?, ?)`,
			q.Year, q.Q, actor.UserID, now(tx)).Error; err != nil {
			return err
		}
		return audit(tx, actor, "quarter.close", "quarter", int64(q.Year*10+q.Q), nil, map[string]any{"quarter": q.String()})
	})
}

package repository

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// The public transparency figures. They come from the ledger and from the donations and disbursements that posted
// to it, and nothing else: no query here reads a donor's phone, e-mail or address, a payee, or an unpublished
// donor name, so none of them can reach a public page by mistake.
//
// Every figure is dated the way the fund reports it: a donation by the day it is booked (booked_on, a Shanghai date:
// the day it was received, unless that quarter was already closed), a disbursement by the moment it was paid
// (paid_at, in Asia/Shanghai). A reversed donation counts nowhere, as if it had never been received — unless its
// quarter was closed, when the reversal is a correction in the quarter it was made in. So the months and quarters
// always add up to the totals, the totals to the ledger, and a published quarter never changes.

// PublicPageSize is how many donations one page of the public list shows.
const PublicPageSize = 20

// FundTotals are the fund's headline figures, equal to the ledger: raised is what the donors' account gave
// (donations less reversals), disbursed what the payees' account received, balance what the pools hold.
type FundTotals struct {
	Raised        domain.Money
	Disbursed     domain.Money
	Balance       domain.Money
	Donations     int64 // donations not reversed
	Disbursements int64 // disbursements paid
}

// ProgramFigures is one line of the fund by program: a program's restricted pool, or the unrestricted fund
// (ProgramCode "").
type ProgramFigures struct {
	ProgramCode string
	NameZh      string
	NameEn      string
	Received    domain.Money // gifts received into the pool, not reversed
	Paid        domain.Money // disbursements paid from the pool
	Balance     domain.Money // what the pool holds now
}

// Transfers is the net of the allocations into and out of the pool, so that a line adds up:
// received − paid + transfers = balance.
func (p ProgramFigures) Transfers() domain.Money { return p.Balance - p.Received + p.Paid }

// Name is the line's name in a language; the unrestricted fund's name is the caller's to translate.
func (p ProgramFigures) Name(lang string) string {
	if lang == "en" && p.NameEn != "" {
		return p.NameEn
	}
	return p.NameZh
}

// MonthFigures is one calendar month (Asia/Shanghai) of money in and out.
type MonthFigures struct {
	Month     time.Time // the first day of the month, midnight in Shanghai
	Raised    domain.Money
	Disbursed domain.Money
}

// TransparencyOverview is everything the public page shows above the donation list, read in one snapshot so
// that its figures agree with each other.
type TransparencyOverview struct {
	Totals   FundTotals
	Programs []ProgramFigures
	Months   []MonthFigures   // the last twelve months, oldest first, the current one last
	Quarters []domain.Quarter // the quarters that have a report, newest first (as ReportQuarters)
}

// transparencySnapshot runs fn in one read-only, repeatable-read transaction: every query sees the same moment.
func (s *Store) transparencySnapshot(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

// TransparencyOverview reads the public figures as of now. The totals are the ledger's own balances; the lines by
// program and by month come from the month totals (fund_flows), about a thousand rows for three years, however many donations there are.
func (s *Store) TransparencyOverview(ctx context.Context) (TransparencyOverview, error) {
	var out TransparencyOverview
	now := s.Now()
	first := shanghaiMonthStart(now).AddDate(0, -11, 0)
	end := shanghaiMonthStart(now).AddDate(0, 1, 0)
	err := s.transparencySnapshot(ctx, func(tx *gorm.DB) error {
		var totals struct {
			FundTotals
			FirstReceived sql.NullTime
		}
		if err := tx.Raw(`SELECT
				(SELECT -balance FROM accounts WHERE code = ?) AS raised,
				(SELECT balance FROM accounts WHERE code = ?) AS disbursed,
				(SELECT coalesce(sum(balance), 0)::bigint FROM accounts WHERE kind = 'pool') AS balance,
				(SELECT min(received_on) FROM donations) AS first_received`,
			accountDonors, accountPayees).Scan(&totals).Error; err != nil {
			return err
		}
		out.Totals, out.Quarters = totals.FundTotals, reportQuarters(totals.FirstReceived, now)
		// Money in and out by pool and by month, from the month totals the postings keep (fund_flows): gifts by the
		// day they are booked, less reversals by the day theirs are (see QuarterReport), so the months add up to
		// the quarterly reports and the totals to the ledger. A month outside the chart's twelve is NULL.
		var flows []struct {
			Kind    string
			Account int64
			Month   *time.Time
			Count   int64
			Amount  int64
		}
		if err := tx.Raw(`SELECT kind, account_id AS account,
				CASE WHEN month >= ?::date AND month < ?::date THEN month END AS month,
				sum(count)::bigint AS count, sum(amount)::bigint AS amount
			FROM fund_flows GROUP BY 1, 2, 3`,
			first.Format(time.DateOnly), end.Format(time.DateOnly)).Scan(&flows).Error; err != nil {
			return err
		}
		var pools []struct {
			ID        int64
			Code      string
			ProgramID *int64
			ProgramFigures
			Active bool
		}
		if err := tx.Raw(`SELECT a.id, a.code, a.program_id, coalesce(p.code, '') AS program_code,
				coalesce(p.name_zh, a.name_zh) AS name_zh, coalesce(p.name_en, a.name_en) AS name_en, a.balance,
				coalesce(p.active, true) AS active
			FROM accounts a LEFT JOIN programs p ON p.id = a.program_id
			WHERE a.kind = 'pool' ORDER BY p.position NULLS FIRST, a.id`).Scan(&pools).Error; err != nil {
			return err
		}

		months := map[string]*MonthFigures{}
		out.Months = make([]MonthFigures, 12)
		for i := range out.Months {
			out.Months[i].Month = first.AddDate(0, i, 0)
			months[out.Months[i].Month.Format("2006-01")] = &out.Months[i]
		}
		received := map[int64]domain.Money{} // by pool
		paidFrom := map[int64]domain.Money{} // by pool
		for _, f := range flows {
			m := chartMonthOf(months, f.Month)
			switch f.Kind {
			case "gift", "reversal":
				sign := int64(1)
				if f.Kind == "reversal" {
					sign = -1
				}
				received[f.Account] += domain.Money(sign * f.Amount)
				out.Totals.Donations += sign * f.Count
				if m != nil {
					m.Raised += domain.Money(sign * f.Amount)
				}
			case "payment":
				paidFrom[f.Account] += domain.Money(f.Amount)
				out.Totals.Disbursements += f.Count
				if m != nil {
					m.Disbursed += domain.Money(f.Amount)
				}
			}
		}
		for _, p := range pools {
			f := p.ProgramFigures
			f.Received, f.Paid = received[p.ID], paidFrom[p.ID]
			// A program that was closed is left out once it is empty, if it never received or paid anything.
			if !p.Active && f.Received == 0 && f.Paid == 0 && f.Balance == 0 {
				continue
			}
			out.Programs = append(out.Programs, f)
		}
		return nil
	})
	return out, err
}

// chartMonthOf finds a month of the chart by the first day a query returned (a date, read back as midnight UTC).
func chartMonthOf(months map[string]*MonthFigures, day *time.Time) *MonthFigures {
	if day == nil {
		return nil
	}
	return months[day.Format("2006-01")]
}

// shanghaiMonthStart is the first moment of t's month in Shanghai.
func shanghaiMonthStart(t time.Time) time.Time {
	t = t.In(domain.Shanghai)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, domain.Shanghai)
}

// PublicDonation is a donation as the public sees it: no donor unless they agreed to be named.
type PublicDonation struct {
	ID            int64
	ReceivedOn    time.Time // midnight in Shanghai
	PublicName    string    // the donor's name if they agreed to publish it, else ""
	Amount        domain.Money
	ProgramCode   string // "" for an unrestricted gift
	ProgramNameZh string
	ProgramNameEn string
}

// ProgramName is the gift's program in a language, or "" for an unrestricted gift.
func (d PublicDonation) ProgramName(lang string) string {
	if lang == "en" && d.ProgramNameEn != "" {
		return d.ProgramNameEn
	}
	return d.ProgramNameZh
}

// publicPages pages the public list of gifts as the donation list is paged: by the day received, then id.
var publicPages = keyset{key: "n.received_on", id: "n.id", value: dayKey, size: PublicPageSize}

// PublicDonations returns the page c names of the donations not reversed, newest first; the overview's
// Totals.Donations says how many there are. An unpublished name is blanked in the query itself: it never leaves the
// database.
func (s *Store) PublicDonations(ctx context.Context, c domain.Cursor) (ListPage[PublicDonation], error) {
	db := s.db.WithContext(ctx)
	return pageOf(publicPages, c, func(d PublicDonation) domain.Cursor {
		return domain.Cursor{Key: d.ReceivedOn.Format(time.DateOnly), ID: d.ID}
	}, func(q pageSQL) ([]PublicDonation, error) {
		tail, args := q.Tail()
		var out []PublicDonation
		err := db.Raw(`SELECT n.id, n.received_on, CASE WHEN d.publish_name THEN d.name ELSE '' END AS public_name,
				n.amount, coalesce(p.code, '') AS program_code, coalesce(p.name_zh, '') AS program_name_zh,
				coalesce(p.name_en, '') AS program_name_en
			FROM donations n JOIN donors d ON d.id = n.donor_id LEFT JOIN programs p ON p.id = n.program_id
			WHERE n.reversed_at IS NULL`+tail, args...).Scan(&out).Error
		for i := range out {
			out[i].ReceivedOn = dateInShanghai(out[i].ReceivedOn)
		}
		return out, err
	})
}

// dateInShanghai turns a date column (read back as midnight UTC) into the same day at midnight in Shanghai.
func dateInShanghai(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.Shanghai)
}

// ReportQuarters lists the quarters that have a report, newest first: from the first donation's quarter to
// now's. With no donation yet it is just the current quarter.
func (s *Store) ReportQuarters(ctx context.Context) ([]domain.Quarter, error) {
	var first sql.NullTime
	if err := s.db.WithContext(ctx).Raw(`SELECT min(received_on) FROM donations`).Scan(&first).Error; err != nil {
		return nil, err
	}
	return reportQuarters(first, s.Now()), nil
}

// reportQuarters are the quarters from the first donation's (received on first) to now's, newest first.
func reportQuarters(first sql.NullTime, now time.Time) []domain.Quarter {
	last := domain.QuarterOf(now)
	from := last
	if first.Valid {
		from = domain.QuarterOf(dateInShanghai(first.Time))
	}
	var out []domain.Quarter
	for q := last; !q.Before(from); q = q.Prev() {
		out = append(out, q)
	}
	return out
}

// ReportLine is one line of a quarterly report: a channel or a program (Code "" for the unrestricted fund), with
// how many donations or disbursements it counts and their sum.
type ReportLine struct {
	Code   string
	NameZh string
	NameEn string
	Count  int64
	Amount domain.Money
}

// Name is a program line's name in a language; the unrestricted fund's and the channels' names are the caller's
// to translate.
func (l ReportLine) Name(lang string) string {
	if lang == "en" && l.NameEn != "" {
		return l.NameEn
	}
	return l.NameZh
}

// QuarterReport is the fund's accounts for one quarter. Opening + Income − Expenditure = Closing, and the closing
// balance of the current quarter is the fund's balance now.
//
// A gift counts in the quarter it is booked in (see domain.Books): the day it was received, unless that quarter's
// report was published by the time it was recorded. A reversal takes its gift out of that same quarter while the
// quarter is open, so the gift counts nowhere; once the quarter is closed, a reversal is a correction in the
// quarter it is made in, and the published report stands.
type QuarterReport struct {
	Quarter              domain.Quarter
	Closed               bool // the report is published and no longer changes
	Opening              domain.Money
	Received             domain.Money // the gifts counted in the quarter
	Income               domain.Money // Received less the Corrections
	Expenditure          domain.Money
	Closing              domain.Money
	Donations            int64
	Disbursements        int64
	IncomeByChannel      []ReportLine // every channel, in the fixed order of domain.DonationChannels
	IncomeByProgram      []ReportLine // the unrestricted fund first, then programs with income
	Late                 ReportLine   // of the gifts counted, those received in an earlier, closed quarter
	Corrections          ReportLine   // reversals, made this quarter, of gifts counted in an earlier, closed one
	ExpenditureByProgram []ReportLine // the unrestricted fund first, then programs with expenditure
}

// countedFlow is the condition for a month total (fund_flows) that counts in a quarter's income [?, ?): its gifts, and
// the reversals booked on their own gift's day — a gift reversed while its quarter is open counts nowhere.
const countedFlow = `f.month >= ?::date AND f.month < ?::date AND (f.kind = 'gift' OR (f.kind = 'reversal' AND NOT f.correction))`

// countedLate is, of the month totals of a quarter, the gifts counted in it that were received in an earlier, closed
// quarter (countedFlow, late).
const countedLate = `f.late AND (f.kind = 'gift' OR (f.kind = 'reversal' AND NOT f.correction))`

// signed counts a gift month total up and a reversal down.
const (
	signedCount  = `sum(CASE f.kind WHEN 'reversal' THEN -f.count ELSE f.count END)::bigint`
	signedAmount = `sum(CASE f.kind WHEN 'reversal' THEN -f.amount ELSE f.amount END)::bigint`
)

// QuarterReport reads one quarter's report in one snapshot.
func (s *Store) QuarterReport(ctx context.Context, q domain.Quarter) (QuarterReport, error) {
	r := QuarterReport{Quarter: q}
	start, end := q.Start(), q.End()
	startDay, endDay := start.Format(time.DateOnly), end.Format(time.DateOnly)
	in := []any{startDay, endDay}
	err := s.transparencySnapshot(ctx, func(tx *gorm.DB) error {
		b, err := books(tx)
		if err != nil {
			return err
		}
		r.Closed = b.Closed(q)
		// The opening balance is everything booked before the quarter less the reversals booked before it and
		// everything paid before it; the closing balance follows from the quarter's own lines.
		var opening int64
		if err := tx.Raw(`SELECT coalesce(sum(CASE kind WHEN 'gift' THEN amount ELSE -amount END), 0)::bigint
			FROM fund_flows WHERE month < ?::date`, startDay).Scan(&opening).Error; err != nil {
			return err
		}
		r.Opening = domain.Money(opening)

		var channels []ReportLine
		if err := tx.Raw(`SELECT f.channel AS code, `+signedCount+` AS count, `+signedAmount+` AS amount FROM fund_flows f
			WHERE `+countedFlow+` GROUP BY f.channel`, in...).Scan(&channels).Error; err != nil {
			return err
		}
		byChannel := map[string]ReportLine{}
		for _, c := range channels {
			byChannel[c.Code] = c
		}
		for _, ch := range domain.DonationChannels {
			l := byChannel[ch]
			l.Code = ch
			r.IncomeByChannel = append(r.IncomeByChannel, l)
			r.Received += l.Amount
			r.Donations += l.Count
		}
		if err := tx.Raw(`SELECT coalesce(p.code, '') AS code, coalesce(p.name_zh, '') AS name_zh,
				coalesce(p.name_en, '') AS name_en, `+signedCount+` AS count, `+signedAmount+` AS amount
			FROM fund_flows f JOIN accounts a ON a.id = f.account_id LEFT JOIN programs p ON p.id = a.program_id
			WHERE `+countedFlow+` GROUP BY p.id HAVING `+signedCount+` <> 0 ORDER BY p.position NULLS FIRST`,
			in...).Scan(&r.IncomeByProgram).Error; err != nil {
			return err
		}
		// The late gifts and the corrections, both of the quarter's months, in one statement.
		var lc struct{ LateCount, LateAmount, CorrectionCount, CorrectionAmount int64 }
		if err := tx.Raw(`SELECT
				coalesce(sum(CASE f.kind WHEN 'reversal' THEN -f.count ELSE f.count END) FILTER (WHERE `+countedLate+`), 0)::bigint AS late_count,
				coalesce(sum(CASE f.kind WHEN 'reversal' THEN -f.amount ELSE f.amount END) FILTER (WHERE `+countedLate+`), 0)::bigint AS late_amount,
				coalesce(sum(f.count) FILTER (WHERE f.kind = 'reversal' AND f.correction), 0)::bigint AS correction_count,
				coalesce(sum(f.amount) FILTER (WHERE f.kind = 'reversal' AND f.correction), 0)::bigint AS correction_amount
			FROM fund_flows f WHERE f.month >= ?::date AND f.month < ?::date`, startDay, endDay).Scan(&lc).Error; err != nil {
			return err
		}
		r.Late = ReportLine{Count: lc.LateCount, Amount: domain.Money(lc.LateAmount)}
		r.Corrections = ReportLine{Count: lc.CorrectionCount, Amount: domain.Money(lc.CorrectionAmount)}
		r.Income = r.Received - r.Corrections.Amount
		if err := tx.Raw(`SELECT coalesce(p.code, '') AS code, coalesce(p.name_zh, '') AS name_zh,
				coalesce(p.name_en, '') AS name_en, sum(f.count)::bigint AS count, sum(f.amount)::bigint AS amount
			FROM fund_flows f JOIN accounts a ON a.id = f.account_id LEFT JOIN programs p ON p.id = a.program_id
			WHERE f.kind = 'payment' AND f.month >= ?::date AND f.month < ?::date
			GROUP BY p.id ORDER BY p.position NULLS FIRST`, startDay, endDay).Scan(&r.ExpenditureByProgram).Error; err != nil {
			return err
		}
		for _, l := range r.ExpenditureByProgram {
			r.Expenditure += l.Amount
			r.Disbursements += l.Count
		}
		r.Closing = r.Opening + r.Income - r.Expenditure
		return nil
	})
	return r, err
}

// PublicVersion names the state of everything the public pages show: the accounts' row versions (every posting
// rewrites its accounts' balances) and the public epoch's, which the other changes a public page shows rewrite (see
// migration 00009). Equal names, equal pages. Read it before the figures: a page kept under a name is then never
// older than that name.
func (s *Store) PublicVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.WithContext(ctx).Raw(`SELECT (SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM accounts)
		|| '/' || (SELECT xmin::text FROM public_epoch)`).Scan(&v).Error
	return v, err
}

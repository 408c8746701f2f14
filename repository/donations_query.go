package repository

import (
	"context"
	"time"

	"guanai/domain"
)

// Donation is a donation as the finance pages show it.
type Donation struct {
	ID             int64
	DonorID        int64
	DonorName      string
	DonorKind      string
	PublishName    bool
	Amount         domain.Money
	Channel        string
	ReceivedOn     time.Time
	BookedOn       time.Time  // when it counts in the reports: later than ReceivedOn if that quarter was closed
	ReversalBooked *time.Time // when its reversal counts
	Reference      string
	ProgramCode    string
	ProgramNameZh  string
	ProgramNameEn  string
	Note           string
	RecorderName   string
	ReceiptID      int64
	ReceiptNumber  string
	ReversedAt     *time.Time
	ReversalReason string
	CreatedAt      time.Time
}

// DonationFilter narrows the donation list and exports.
type DonationFilter struct {
	DonorID     int64
	ProgramCode string
	From, To    time.Time // received dates, inclusive; zero means open
	Page        int
	All         bool // every match, for exports
}

const donationSQL = `SELECT n.id, n.donor_id, d.name AS donor_name, d.kind AS donor_kind, d.publish_name, n.amount,
		n.channel, n.received_on, n.booked_on, n.reversal_booked_on AS reversal_booked, n.reference, coalesce(p.code, '') AS program_code,
		coalesce(p.name_zh, '') AS program_name_zh, coalesce(p.name_en, '') AS program_name_en, n.note,
		u.name AS recorder_name, r.id AS receipt_id, r.number AS receipt_number, n.reversed_at, n.reversal_reason,
		n.created_at
	FROM donations n JOIN donors d ON d.id = n.donor_id JOIN users u ON u.id = n.recorded_by
	LEFT JOIN programs p ON p.id = n.program_id
	LEFT JOIN receipts r ON r.donation_id = n.id AND r.copy_of IS NULL`

func (f DonationFilter) where() (string, []any) {
	where, args := "TRUE", []any{}
	if f.DonorID != 0 {
		where += " AND n.donor_id = ?"
		args = append(args, f.DonorID)
	}
	if f.ProgramCode != "" {
		where += " AND n.program_id = (SELECT id FROM programs WHERE code = ?)"
		args = append(args, f.ProgramCode)
	}
	if !f.From.IsZero() {
		where += " AND n.received_on >= ?"
		args = append(args, f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		where += " AND n.received_on <= ?"
		args = append(args, f.To.Format("2006-01-02"))
	}
	return where, args
}

// ListDonations returns one page (or, with All, every one) of the matching donations, newest first, and the count.
func (s *Store) ListDonations(ctx context.Context, f DonationFilter) ([]Donation, int64, error) {
	where, args := f.where()
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) FROM donations n WHERE "+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	q := donationSQL + " WHERE " + where + " ORDER BY n.received_on DESC, n.id DESC"
	if !f.All {
		q += " LIMIT ? OFFSET ?"
		args = append(args, PageSize, max(f.Page-1, 0)*PageSize)
	}
	var out []Donation
	err := db.Raw(q, args...).Scan(&out).Error
	return out, total, err
}

// BookedLate reports whether the gift counts in a later quarter than it was received in, because that quarter's
// report had been published when it was recorded.
func (d Donation) BookedLate() bool {
	return domain.QuarterOf(domain.CalendarDay(d.BookedOn)) != domain.QuarterOf(domain.CalendarDay(d.ReceivedOn))
}

// ReversalBookedDay is the day the reversal counts (zero when not reversed).
func (d Donation) ReversalBookedDay() time.Time {
	if d.ReversalBooked == nil {
		return time.Time{}
	}
	return *d.ReversalBooked
}

// ReversalBookedLate reports whether the reversal counts in a later quarter than the gift.
func (d Donation) ReversalBookedLate() bool {
	return d.ReversalBooked != nil &&
		domain.QuarterOf(domain.CalendarDay(*d.ReversalBooked)) != domain.QuarterOf(domain.CalendarDay(d.BookedOn))
}

// DonationByID loads one donation.
func (s *Store) DonationByID(ctx context.Context, id int64) (Donation, error) {
	var out []Donation
	if err := s.db.WithContext(ctx).Raw(donationSQL+" WHERE n.id = ?", id).Scan(&out).Error; err != nil {
		return Donation{}, err
	}
	if len(out) == 0 {
		return Donation{}, domain.ErrNotFound
	}
	return out[0], nil
}

// DonationKeyExists reports whether a donation was recorded under a form key.
func (s *Store) DonationKeyExists(ctx context.Context, key string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&donationRow{}).Where("idempotency_key = ?", key).Count(&n).Error
	return n > 0, err
}

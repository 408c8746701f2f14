package repository

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

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
}

const donationSQL = `SELECT n.id, n.donor_id, d.name AS donor_name, d.kind AS donor_kind, d.publish_name, n.amount,
		n.channel, n.received_on, n.booked_on, n.reversal_booked_on AS reversal_booked, n.reference, coalesce(p.code, '') AS program_code,
		coalesce(p.name_zh, '') AS program_name_zh, coalesce(p.name_en, '') AS program_name_en, n.note,
		u.name AS recorder_name, r.id AS receipt_id, r.number AS receipt_number, n.reversed_at, n.reversal_reason,
		n.created_at
	FROM donations n JOIN donors d ON d.id = n.donor_id JOIN users u ON u.id = n.recorded_by
	LEFT JOIN programs p ON p.id = n.program_id
	LEFT JOIN receipts r ON r.donation_id = n.id AND r.copy_of IS NULL`

// where is the filter as SQL over donations n. The program is looked up first, so that the planner sees which
// one it is: a program few gifts went to is read from donations_program_received_idx, not found by reading the
// newest gifts of every program until a page of its own turns up.
func (f DonationFilter) where(db *gorm.DB) (string, []any, error) {
	where, args := "TRUE", []any{}
	if f.DonorID != 0 {
		where += " AND n.donor_id = ?"
		args = append(args, f.DonorID)
	}
	if f.ProgramCode != "" {
		var ids []int64
		if err := db.Raw("SELECT id FROM programs WHERE code = ?", f.ProgramCode).Scan(&ids).Error; err != nil {
			return "", nil, err
		}
		if len(ids) == 0 { // no such program: nothing is in it
			return "FALSE", nil, nil
		}
		where += " AND n.program_id = ?"
		args = append(args, ids[0])
	}
	if !f.From.IsZero() {
		where += " AND n.received_on >= ?"
		args = append(args, f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		where += " AND n.received_on <= ?"
		args = append(args, f.To.Format("2006-01-02"))
	}
	return where, args, nil
}

// donationPages pages the donation lists by the day a gift was received, then by id: ties on a busy day are
// kept in order.
var donationPages = keyset{key: "n.received_on", id: "n.id", value: dayKey, size: PageSize}

// donationAt is a donation's place in those lists.
func donationAt(d Donation) domain.Cursor {
	return domain.Cursor{Key: d.ReceivedOn.Format(time.DateOnly), ID: d.ID}
}

// ListDonations returns the page c names of the matching donations, newest first, and how many match.
func (s *Store) ListDonations(ctx context.Context, f DonationFilter, c domain.Cursor) (ListPage[Donation], error) {
	db := s.db.WithContext(ctx)
	where, args, err := f.where(db)
	if err != nil {
		return ListPage[Donation]{}, err
	}
	p, err := pageOf(donationPages, c, donationAt, func(q pageSQL) ([]Donation, error) {
		tail, tailArgs := q.Tail()
		var out []Donation
		err := db.Raw(donationSQL+" WHERE "+where+tail, append(slices.Clone(args), tailArgs...)...).Scan(&out).Error
		return out, err
	})
	if err == nil {
		p.Count, err = countUpTo(db, "SELECT 1 FROM donations n WHERE "+where, args...)
	}
	return p, err
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

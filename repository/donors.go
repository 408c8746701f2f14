package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type donorRow struct {
	ID          int64
	Kind        string
	Name        string
	CreditCode  *string
	Phone       string
	Email       string
	Address     string
	PublishName bool
	CreatedBy   *int64
	CreatedAt   time.Time
}

func (donorRow) TableName() string { return "donors" }

func (r donorRow) donor() domain.Donor {
	d := domain.Donor{Kind: r.Kind, Name: r.Name, Phone: r.Phone, Email: r.Email, Address: r.Address, PublishName: r.PublishName}
	if r.CreditCode != nil {
		d.CreditCode = *r.CreditCode
	}
	return d
}

// DonorSummary is a donor with their giving.
type DonorSummary struct {
	ID int64
	domain.Donor
	Donations int64
	Total     domain.Money
	Last      *time.Time
	CreatedAt time.Time
}

// createDonor inserts a checked donor in the caller's transaction.
func createDonor(tx *gorm.DB, actor Actor, d domain.Donor) (int64, error) {
	r := donorRow{Kind: d.Kind, Name: d.Name, Phone: d.Phone, Email: d.Email, Address: d.Address, PublishName: d.PublishName}
	if d.CreditCode != "" {
		r.CreditCode = &d.CreditCode
	}
	if actor.UserID != 0 {
		r.CreatedBy = &actor.UserID
	}
	if err := tx.Omit("ID").Create(&r).Error; err != nil {
		if isUniqueViolation(err, "donors_credit_code_key") {
			return 0, domain.FieldErrors{"credit_code": "error.credit_code_taken"}
		}
		return 0, err
	}
	return r.ID, audit(tx, actor, "donor.create", "donor", r.ID, nil, map[string]any{"kind": d.Kind, "publish_name": d.PublishName})
}

// CreateDonor records a donor on their own.
func (s *Store) CreateDonor(ctx context.Context, actor Actor, d domain.Donor) (int64, error) {
	if fe := d.Check(); len(fe) > 0 {
		return 0, fe
	}
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		id, err = createDonor(tx, actor, d)
		return err
	})
	return id, err
}

const donorSummarySQL = `SELECT d.id, d.kind, d.name, coalesce(d.credit_code, '') AS credit_code, d.phone, d.email, d.address,
		d.publish_name, d.created_at,
		count(n.id) FILTER (WHERE n.reversed_at IS NULL) AS donations,
		coalesce(sum(n.amount) FILTER (WHERE n.reversed_at IS NULL), 0) AS total,
		max(n.received_on)::timestamptz AS last
	FROM donors d LEFT JOIN donations n ON n.donor_id = d.id`

// ListDonors returns one page of donors matching a name fragment, most recent first, and the total count.
func (s *Store) ListDonors(ctx context.Context, query string, page int) ([]DonorSummary, int64, error) {
	db := s.db.WithContext(ctx)
	where, args := "TRUE", []any{}
	if query != "" {
		where, args = "d.name LIKE ?", []any{"%" + escapeLike(query) + "%"}
	}
	var total int64
	if err := db.Raw("SELECT count(*) FROM donors d WHERE "+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []DonorSummary
	err := db.Raw(donorSummarySQL+" WHERE "+where+" GROUP BY d.id ORDER BY d.id DESC LIMIT ? OFFSET ?",
		append(args, PageSize, max(page-1, 0)*PageSize)...).Scan(&out).Error
	return out, total, err
}

// DonorByID returns a donor with their giving.
func (s *Store) DonorByID(ctx context.Context, id int64) (DonorSummary, error) {
	var out []DonorSummary
	if err := s.db.WithContext(ctx).Raw(donorSummarySQL+" WHERE d.id = ? GROUP BY d.id", id).Scan(&out).Error; err != nil {
		return DonorSummary{}, err
	}
	if len(out) == 0 {
		return DonorSummary{}, domain.ErrNotFound
	}
	return out[0], nil
}

// lockDonor takes a share lock on a donor: any number of gifts from them may be recorded at once, but an edit or a
// merge of the donor waits until they are, so a receipt never names a donor as they were a moment ago.
func lockDonor(tx *gorm.DB, id int64) (donorRow, error) {
	var r donorRow
	err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.FieldErrors{"donor_id": "error.donor_unknown"}
	}
	return r, err
}

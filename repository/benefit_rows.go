package repository

import (
	"time"

	"guanai/domain"
)

// Benefits (migrations/00013_benefits.sql): a benefit program's places (classes or venues, each redeemed at one
// venue account's desk), the staff's applications, and the vouchers approvals issue.
//
// Lock order, in every operation that takes more than one of these: the staff member's users row first (her
// quotas, per child too, are hers), then the application, then the voucher. Applying and approving both take her
// users row FOR UPDATE before counting her quota, so two approvals (or an application and an approval) of hers
// at once run one after the other and the second counts what the first wrote. Closing her account takes the same
// row first. Redeeming locks the voucher alone.

type benefitPlaceRow struct {
	ID        int64
	ProgramID int64
	VenueID   int64
	NameZh    string
	NameEn    string
	Address   string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (benefitPlaceRow) TableName() string { return "benefit_places" }

type benefitApplicationRow struct {
	ID          int64
	ProgramID   int64
	StaffID     int64
	PerChild    bool
	ChildID     *int64
	PlaceID     int64
	ConsentID   *int64
	PeriodStart string
	PeriodEnd   string
	Status      string
	Reason      string
	DecidedBy   *int64
	DecidedAt   *time.Time
	CreatedAt   time.Time
}

func (benefitApplicationRow) TableName() string { return "benefit_applications" }

type voucherRow struct {
	ID            int64
	ApplicationID int64
	Code          string
	StaffID       int64
	PlaceID       int64
	IssuedAt      time.Time
	ExpiresAt     time.Time
	RedeemedAt    *time.Time
	RedeemedBy    *int64
}

func (voucherRow) TableName() string { return "vouchers" }

// Benefit is a benefit program's quota and period as domain reads them.
func (p careProgramRow) Benefit() domain.BenefitSettings {
	b := domain.BenefitSettings{TermStart: p.TermStart, TermEnd: p.TermEnd}
	if p.Quota != nil {
		b.Quota = *p.Quota
	}
	if p.QuotaPer != nil {
		b.QuotaPer = *p.QuotaPer
	}
	if p.Period != nil {
		b.Period = *p.Period
	}
	return b
}

// PerChild reports whether the program's quota counts per child.
func (p careProgramRow) PerChild() bool {
	return p.QuotaPer != nil && *p.QuotaPer == domain.QuotaPerChild
}

// dateText is a date as the database reads it (yyyy-mm-dd, the Shanghai date), or nil.
func dateText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := domain.Today(*t).Format(time.DateOnly)
	return &s
}

// shanghaiDate reads a date the database returned (yyyy-mm-dd, or a time at midnight UTC) as midnight in Shanghai.
func shanghaiDate(s string) time.Time {
	if len(s) > 10 {
		s = s[:10]
	}
	d, _ := time.ParseInLocation(time.DateOnly, s, domain.Shanghai)
	return d
}

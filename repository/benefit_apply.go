package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// A staff member's side of benefits: the programs on her home with her applications and vouchers, a program's
// page (its places, her children, how many of her quota are left), applying, and her printable voucher.

// StaffBenefitLine is one of her applications, with its voucher once issued.
type StaffBenefitLine struct {
	ID            int64
	ProgramCode   string
	ProgramNameZh string
	ProgramNameEn string
	PlaceNameZh   string
	PlaceNameEn   string
	ChildName     string // the child's given name; "" for a per-staff program
	Status        string
	Reason        string
	CreatedAt     time.Time
	VoucherID     int64 // 0 until approved
	ExpiresAt     *time.Time
	RedeemedAt    *time.Time
}

// ProgramName is the program's name in a language.
func (l StaffBenefitLine) ProgramName(lang string) string {
	return inLang(lang, l.ProgramNameZh, l.ProgramNameEn)
}

// PlaceName is the place's name in a language.
func (l StaffBenefitLine) PlaceName(lang string) string {
	return inLang(lang, l.PlaceNameZh, l.PlaceNameEn)
}

// Expired reports whether its voucher ran out unredeemed by now.
func (l StaffBenefitLine) Expired(now time.Time) bool {
	return l.ExpiresAt != nil && l.RedeemedAt == nil && !now.Before(*l.ExpiresAt)
}

// staffBenefitsShown bounds the lists of her applications: a handful a year.
const staffBenefitsShown = 50

const staffBenefitLineSQL = `SELECT a.id, pr.code AS program_code, pr.name_zh AS program_name_zh,
		pr.name_en AS program_name_en, pl.name_zh AS place_name_zh, pl.name_en AS place_name_en,
		coalesce(c.name, '') AS child_name, a.status, a.reason, a.created_at, coalesce(v.id, 0) AS voucher_id,
		v.expires_at, v.redeemed_at
	FROM benefit_applications a JOIN programs pr ON pr.id = a.program_id JOIN benefit_places pl ON pl.id = a.place_id
		LEFT JOIN staff_children c ON c.id = a.child_id LEFT JOIN vouchers v ON v.application_id = a.id`

func scanBenefitLines(db *gorm.DB, where string, args ...any) ([]StaffBenefitLine, error) {
	var out []StaffBenefitLine
	err := db.Raw(staffBenefitLineSQL+" WHERE "+where+" ORDER BY a.id DESC LIMIT ?", append(args, staffBenefitsShown)...).
		Scan(&out).Error
	for i := range out {
		out[i].ChildName = domain.GivenName(out[i].ChildName)
	}
	return out, err
}

// StaffBenefits is what her home page shows of benefits.
type StaffBenefits struct {
	Programs     []CareProgram // the active benefit programs
	Applications []StaffBenefitLine
}

// StaffBenefitHome loads the benefit programs and her latest applications: two statements.
func (s *Store) StaffBenefitHome(ctx context.Context, staffID int64) (StaffBenefits, error) {
	db := s.db.WithContext(ctx)
	var h StaffBenefits
	if err := db.Where("kind = ? AND active", domain.ProgramBenefit).Order("position, id").Find(&h.Programs).Error; err != nil {
		return h, err
	}
	var err error
	h.Applications, err = scanBenefitLines(db, "a.staff_id = ?", staffID)
	return h, err
}

// BenefitStart is a program's page for her: the program (nil when no benefit program has the code), the period
// an application now falls in, the active places, her children, what each holder has used of the quota in the
// period, and her applications in the program.
type BenefitStart struct {
	Program      *CareProgram
	PeriodStart  time.Time
	PeriodEnd    time.Time
	Open         bool // a period is under way (a term program between its term's dates)
	Places       []BenefitPlace
	Children     []ChildRecord
	Used         map[int64]int // child id (0 for a per-staff program) → applications submitted or approved
	Applications []StaffBenefitLine
}

// Left is how many of the quota are left for a child (per-child programs) or for her.
func (b BenefitStart) Left(childID int64) int {
	if b.Program == nil {
		return 0
	}
	if !b.Program.PerChild() {
		childID = 0
	}
	return domain.QuotaLeft(b.Program.Benefit().Quota, b.Used[childID])
}

// StaffBenefitStart loads a program's page for her: five statements.
func (s *Store) StaffBenefitStart(ctx context.Context, staffID int64, code string) (BenefitStart, error) {
	db := s.db.WithContext(ctx)
	var b BenefitStart
	var pr CareProgram
	err := db.Where("code = ? AND kind = ?", code, domain.ProgramBenefit).Take(&pr).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return b, nil
	}
	if err != nil {
		return b, err
	}
	b.Program = &pr
	b.PeriodStart, b.PeriodEnd, b.Open = pr.Benefit().BenefitPeriod(s.Now())
	if err := db.Raw(`SELECT p.id, p.program_id, p.venue_id, p.name_zh, p.name_en, p.address, p.active
		FROM benefit_places p WHERE p.program_id = ? AND p.active ORDER BY p.id`, pr.ID).Scan(&b.Places).Error; err != nil {
		return b, err
	}
	if err := db.Where("user_id = ?", staffID).Order("id").Find(&b.Children).Error; err != nil {
		return b, err
	}
	if b.Used, err = quotaUsed(db, pr, staffID, b.PeriodStart); err != nil {
		return b, err
	}
	b.Applications, err = scanBenefitLines(db, "a.staff_id = ? AND a.program_id = ?", staffID, pr.ID)
	return b, err
}

// quotaUsed counts her submitted and approved applications in a program's period, by child (per-child programs)
// or all together under 0: one statement on benefit_applications_holder_idx.
func quotaUsed(db *gorm.DB, pr CareProgram, staffID int64, periodStart time.Time) (map[int64]int, error) {
	var rows []struct {
		ChildID int64
		N       int
	}
	holder := "0"
	if pr.PerChild() {
		holder = "coalesce(child_id, 0)"
	}
	err := db.Raw(`SELECT `+holder+` AS child_id, count(*) AS n FROM benefit_applications
		WHERE program_id = ? AND staff_id = ? AND period_start = ? AND status IN ? GROUP BY 1`,
		pr.ID, staffID, periodStart.Format(time.DateOnly), []string{domain.ApplicationSubmitted, domain.ApplicationApproved}).
		Scan(&rows).Error
	used := map[int64]int{}
	for _, r := range rows {
		used[r.ChildID] = r.N
	}
	return used, err
}

// errStaffNotActive refuses an application from a staff member not verified (or no longer active).
var errStaffNotActive = &domain.Refusal{Key: "care_staff.not_verified"}

// ApplyBenefit records her application in a benefit program, within its quota: the count and the insert happen
// under her users row's lock, so two applications at once cannot both take the last one. A per-child
// application records the separate consent for the child's data (PIPL Art. 31) with its version.
func (s *Store) ApplyBenefit(ctx context.Context, actor Actor, code string, f domain.BenefitApplicationForm) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := lockUser(tx, actor.UserID)
		if err != nil {
			return err
		}
		if u.Role != string(domain.RoleStaff) || u.Status != string(domain.StatusActive) {
			return errStaffNotActive
		}
		var pr CareProgram
		err = tx.Where("code = ? AND kind = ?", code, domain.ProgramBenefit).Take(&pr).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if !pr.Active {
			return domain.ErrBenefitInactive
		}
		at := now(tx)
		start, end, open := pr.Benefit().BenefitPeriod(at)
		if !open {
			return domain.ErrNoTermUnderWay
		}
		var places, children []int64
		if err := tx.Raw(`SELECT id FROM benefit_places WHERE program_id = ? AND active ORDER BY id`, pr.ID).Scan(&places).Error; err != nil {
			return err
		}
		if pr.PerChild() {
			if err := tx.Raw(`SELECT id FROM staff_children WHERE user_id = ? ORDER BY id`, u.ID).Scan(&children).Error; err != nil {
				return err
			}
		}
		a, fe := f.Check(pr.PerChild(), places, children)
		if len(fe) > 0 {
			return fe
		}
		used, err := quotaUsed(tx, pr, u.ID, start)
		if err != nil {
			return err
		}
		quota := pr.Benefit().Quota
		if n := used[a.ChildID]; n >= quota {
			return &domain.QuotaExhaustedError{Quota: quota, Used: n, PerChild: pr.PerChild()}
		}
		row := benefitApplicationRow{ProgramID: pr.ID, StaffID: u.ID, PerChild: pr.PerChild(), PlaceID: a.PlaceID,
			PeriodStart: start.Format(time.DateOnly), PeriodEnd: end.Format(time.DateOnly), Status: domain.ApplicationSubmitted,
			CreatedAt: at}
		if pr.PerChild() {
			c := consentRow{UserID: u.ID, Kind: domain.ConsentChildren, Version: domain.CareConsentVersion, IP: actor.IP, GivenAt: at}
			if err := tx.Omit("ID").Create(&c).Error; err != nil {
				return err
			}
			row.ChildID, row.ConsentID = &a.ChildID, &c.ID
		}
		if err := tx.Omit("ID").Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		return audit(tx, actor, "benefit.apply", "benefit_application", row.ID, nil,
			map[string]any{"status": row.Status, "program": pr.Code, "place_id": row.PlaceID, "period_start": row.PeriodStart})
	})
	return id, err
}

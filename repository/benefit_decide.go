package repository

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// A coordinator's side of benefits: the queue of submitted applications, and the decision on each. Approval
// checks the quota again in its own transaction and issues the voucher there.

// Notification kinds of benefits.
const (
	NoteBenefitApproved = "benefit_approved"
	NoteBenefitRejected = "benefit_rejected"
)

// BenefitQueueLine is a submitted application as the coordinator weighs it.
type BenefitQueueLine struct {
	ID            int64
	CreatedAt     time.Time
	ProgramNameZh string
	ProgramNameEn string
	PlaceNameZh   string
	PlaceNameEn   string
	StaffID       int64
	StaffName     string
	Hospital      string
	ChildName     string // given name; "" for a per-staff program
	ChildYear     int
	PerChild      bool
	Quota         int
	Approved      int // approved already for the same holder in the same period
	PeriodStart   time.Time
	PeriodEnd     time.Time
}

// ProgramName is the program's name in a language.
func (l BenefitQueueLine) ProgramName(lang string) string {
	return inLang(lang, l.ProgramNameZh, l.ProgramNameEn)
}

// PlaceName is the place's name in a language.
func (l BenefitQueueLine) PlaceName(lang string) string {
	return inLang(lang, l.PlaceNameZh, l.PlaceNameEn)
}

// Left is how many the holder has left once those approved are counted.
func (l BenefitQueueLine) Left() int { return domain.QuotaLeft(l.Quota, l.Approved) }

// benefitQueuePages pages the queue newest first on benefit_applications_queue_idx.
var benefitQueuePages = keyset{id: "a.id", size: PageSize}

// BenefitQueue is a page of the submitted applications, newest first, each with what its holder has had approved
// in the period: one statement (the count is a lookup per line on benefit_applications_holder_idx, at most a page).
func (s *Store) BenefitQueue(ctx context.Context, c domain.Cursor) (ListPage[BenefitQueueLine], error) {
	db := s.db.WithContext(ctx)
	return pageOf(benefitQueuePages, c, func(l BenefitQueueLine) domain.Cursor { return domain.Cursor{ID: l.ID} },
		func(q pageSQL) ([]BenefitQueueLine, error) {
			tail, args := q.Tail()
			var rows []struct {
				BenefitQueueLine
				PStart, PEnd string
			}
			err := db.Raw(`SELECT a.id, a.created_at, pr.name_zh AS program_name_zh, pr.name_en AS program_name_en,
					pl.name_zh AS place_name_zh, pl.name_en AS place_name_en, a.staff_id, u.name AS staff_name,
					coalesce(sp.hospital, '') AS hospital, coalesce(c.name, '') AS child_name,
					coalesce(c.birth_year, 0) AS child_year, a.per_child, coalesce(pr.quota, 0) AS quota,
					a.period_start AS p_start, a.period_end AS p_end,
					(SELECT count(*) FROM benefit_applications o WHERE o.program_id = a.program_id AND o.staff_id = a.staff_id
						AND o.period_start = a.period_start AND o.status = 'approved'
						AND (NOT a.per_child OR o.child_id = a.child_id)) AS approved
				FROM benefit_applications a JOIN programs pr ON pr.id = a.program_id
					JOIN benefit_places pl ON pl.id = a.place_id JOIN users u ON u.id = a.staff_id
					LEFT JOIN staff_profiles sp ON sp.user_id = a.staff_id LEFT JOIN staff_children c ON c.id = a.child_id
				WHERE a.status = 'submitted'`+tail, args...).Scan(&rows).Error
			out := make([]BenefitQueueLine, len(rows))
			for i, r := range rows {
				out[i] = r.BenefitQueueLine
				out[i].PeriodStart, out[i].PeriodEnd = shanghaiDate(r.PStart), shanghaiDate(r.PEnd)
				out[i].ChildName = domain.GivenName(r.ChildName)
			}
			return out, err
		})
}

// lockApplication takes, in the lock order of benefit_rows.go, the staff member's row and then the application's.
func lockApplication(tx *gorm.DB, id int64) (benefitApplicationRow, error) {
	var staffID int64
	if err := tx.Raw(`SELECT staff_id FROM benefit_applications WHERE id = ?`, id).Scan(&staffID).Error; err != nil {
		return benefitApplicationRow{}, err
	}
	if staffID == 0 {
		return benefitApplicationRow{}, domain.ErrNotFound
	}
	if _, err := lockUser(tx, staffID); err != nil {
		return benefitApplicationRow{}, err
	}
	var a benefitApplicationRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&a, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return a, domain.ErrNotFound
	}
	return a, err
}

// voucherDraws is how many codes approval draws before it gives up: with 2^50 codes, a second collision in a row
// means something other than chance is wrong.
const voucherDraws = 5

// ApproveApplication approves a submitted application within its program's quota and issues its voucher, valid
// to the end of the application's period; the staff member is told. It returns the voucher's id. The quota is
// counted under her users row's lock (see benefit_rows.go), so two approvals at once cannot overspend it.
func (s *Store) ApproveApplication(ctx context.Context, actor Actor, id int64) (int64, error) {
	var voucherID int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := lockApplication(tx, id)
		if err != nil {
			return err
		}
		if a.Status != domain.ApplicationSubmitted {
			return domain.ErrApplicationDone
		}
		var pr CareProgram
		if err := tx.Take(&pr, a.ProgramID).Error; err != nil {
			return err
		}
		quota := pr.Benefit().Quota
		var approved int
		q := `SELECT count(*) FROM benefit_applications WHERE program_id = ? AND staff_id = ? AND period_start = ?
			AND status = 'approved'`
		args := []any{a.ProgramID, a.StaffID, shanghaiDate(a.PeriodStart).Format(time.DateOnly)}
		if a.PerChild {
			q, args = q+` AND child_id = ?`, append(args, a.ChildID)
		}
		if err := tx.Raw(q, args...).Scan(&approved).Error; err != nil {
			return err
		}
		if approved >= quota {
			return &domain.QuotaExhaustedError{Quota: quota, Used: approved, PerChild: a.PerChild}
		}
		at := now(tx)
		expires := domain.VoucherExpiry(shanghaiDate(a.PeriodEnd))
		if !at.Before(expires) {
			return domain.ErrPeriodOver
		}
		if voucherID, err = issueVoucher(tx, a, at, expires); err != nil {
			return err
		}
		if err := tx.Model(&benefitApplicationRow{ID: id}).Updates(map[string]any{"status": domain.ApplicationApproved,
			"decided_by": actor.UserID, "decided_at": at}).Error; err != nil {
			return err
		}
		if err := notify(tx, NoteBenefitApproved, noteAbout{Application: id, Voucher: voucherID}, a.StaffID); err != nil {
			return err
		}
		return audit(tx, actor, "benefit.approve", "benefit_application", id, map[string]any{"status": a.Status},
			map[string]any{"status": domain.ApplicationApproved, "voucher_id": voucherID})
	})
	return voucherID, err
}

// issueVoucher inserts the application's voucher with a fresh code, drawing again on the rare collision (ON
// CONFLICT leaves the transaction usable, where a unique violation would abort it).
func issueVoucher(tx *gorm.DB, a benefitApplicationRow, at, expires time.Time) (int64, error) {
	for range voucherDraws {
		code, err := domain.RandomVoucherCode()
		if err != nil {
			return 0, err
		}
		var ids []int64
		if err := tx.Raw(`INSERT INTO vouchers (application_id, code, staff_id, place_id, issued_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING id`,
			a.ID, code, a.StaffID, a.PlaceID, at, expires).Scan(&ids).Error; err != nil {
			return 0, err
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	return 0, fmt.Errorf("voucher for application %d: %d codes drawn, all taken", a.ID, voucherDraws)
}

// RejectApplication rejects a submitted application with a reason she reads; she is told.
func (s *Store) RejectApplication(ctx context.Context, actor Actor, id int64, reason string) error {
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		a, err := lockApplication(tx, id)
		if err != nil {
			return err
		}
		if a.Status != domain.ApplicationSubmitted {
			return domain.ErrApplicationDone
		}
		if err := tx.Model(&benefitApplicationRow{ID: id}).Updates(map[string]any{"status": domain.ApplicationRejected,
			"reason": reason, "decided_by": actor.UserID, "decided_at": now(tx)}).Error; err != nil {
			return err
		}
		if err := notify(tx, NoteBenefitRejected, noteAbout{Application: id, Detail: reason}, a.StaffID); err != nil {
			return err
		}
		return audit(tx, actor, "benefit.reject", "benefit_application", id, map[string]any{"status": a.Status},
			map[string]any{"status": domain.ApplicationRejected, "reason": reason})
	})
}

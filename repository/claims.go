package repository

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Expense claims: a volunteer claims what one of his services cost him (fuel, parking, a purchase on an errand)
// with a photo of the receipt. The staff member he served confirms it, or a coordinator does — only a coordinator
// when it is above the program's ceiling. Confirmation writes the disbursement draft in the same transaction
// (source 'claim'), drawn from the program's pool when it has the money, otherwise from the unrestricted fund.

type claimRow struct {
	ID               int64
	VolunteerID      int64
	ServiceID        int64
	StaffID          int64
	ProgramID        int64
	Category         string
	Amount           int64
	Note             string
	NeedsCoordinator bool
	Status           string
	SubmittedAt      time.Time
	DecidedBy        *int64
	DecidedAt        *time.Time
	RejectReason     string
	DisbursementID   *int64
	UpdatedAt        time.Time
}

func (claimRow) TableName() string { return "expense_claims" }

// ClaimableService is one of the volunteer's services he may claim for: checked out or confirmed.
type ClaimableService struct {
	ID            int64
	RequestID     int64
	Category      string // the request's kind of help
	ProgramID     int64
	ProgramNameZh string
	ProgramNameEn string
	StaffName     string // masked
	CheckedInAt   time.Time
	Status        string
	Ceiling       domain.Money // the program's claim ceiling, 0 when none
}

// ProgramName is the program's name in a language.
func (c ClaimableService) ProgramName(lang string) string {
	return inLang(lang, c.ProgramNameZh, c.ProgramNameEn)
}

const claimableSQL = `SELECT sv.id, sv.request_id, r.category, r.program_id, p.name_zh AS program_name_zh,
		p.name_en AS program_name_en, u.name AS staff_name, sv.checked_in_at, sv.status,
		coalesce(p.claim_ceiling, 0) AS ceiling
	FROM care_services sv JOIN care_requests r ON r.id = sv.request_id JOIN programs p ON p.id = r.program_id
	JOIN users u ON u.id = sv.staff_id
	WHERE sv.volunteer_id = ? AND sv.status IN ('checked_out', 'confirmed')`

// ClaimableShown is how many of his latest services the claim page offers.
const ClaimableShown = 20

// ClaimableServices lists the volunteer's latest services he may claim for, newest first.
func (s *Store) ClaimableServices(ctx context.Context, volunteerID int64) ([]ClaimableService, error) {
	var out []ClaimableService
	err := s.db.WithContext(ctx).Raw(claimableSQL+` ORDER BY sv.checked_in_at DESC, sv.id DESC LIMIT ?`, volunteerID, ClaimableShown).
		Scan(&out).Error
	for i := range out {
		out[i].StaffName = domain.MaskName(out[i].StaffName)
	}
	return out, err
}

// ClaimableService is one of his services to claim for; a service of anyone else, or one still under way, is not
// found.
func (s *Store) ClaimableService(ctx context.Context, volunteerID, serviceID int64) (ClaimableService, error) {
	var out []ClaimableService
	err := s.db.WithContext(ctx).Raw(claimableSQL+` AND sv.id = ?`, volunteerID, serviceID).Scan(&out).Error
	if err != nil {
		return ClaimableService{}, err
	}
	if len(out) == 0 {
		return ClaimableService{}, domain.ErrNotFound
	}
	out[0].StaffName = domain.MaskName(out[0].StaffName)
	return out[0], nil
}

// SubmitClaim records a volunteer's claim for one of his services with its receipt, and tells the staff member
// served (and the coordinators, when only they may confirm it).
func (s *Store) SubmitClaim(ctx context.Context, actor Actor, serviceID int64, f domain.ClaimForm, files []Upload) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var sv []struct {
			ID, StaffID, ProgramID, Ceiling int64
			Status                          string
		}
		if err := tx.Raw(`SELECT sv.id, sv.staff_id, r.program_id, coalesce(p.claim_ceiling, 0) AS ceiling, sv.status
			FROM care_services sv JOIN care_requests r ON r.id = sv.request_id JOIN programs p ON p.id = r.program_id
			WHERE sv.id = ? AND sv.volunteer_id = ? FOR SHARE OF sv`, serviceID, actor.UserID).Scan(&sv).Error; err != nil {
			return err
		}
		if len(sv) == 0 {
			return domain.ErrNotFound
		}
		if sv[0].Status == domain.ServiceCheckedIn {
			return domain.ErrClaimServiceOpen
		}
		c, fe := f.Check()
		if len(files) == 0 {
			fe.Add("files", "claims.error.receipt_required")
		}
		if len(fe) > 0 {
			return fe
		}
		at := now(tx)
		r := claimRow{VolunteerID: actor.UserID, ServiceID: serviceID, StaffID: sv[0].StaffID, ProgramID: sv[0].ProgramID,
			Category: c.Category, Amount: int64(c.Amount), Note: c.Note, Status: domain.ClaimSubmitted, SubmittedAt: at,
			NeedsCoordinator: domain.ClaimNeedsCoordinator(c.Amount, domain.Money(sv[0].Ceiling)), UpdatedAt: at}
		if err := tx.Omit("ID").Create(&r).Error; err != nil {
			if isUniqueViolation(err, "expense_claims_one_per_category") {
				return domain.FieldErrors{"category": "claims.error.already_claimed"}
			}
			return err
		}
		id = r.ID
		if err := saveDocuments(tx, actor.UserID, nil, &r.ID, files); err != nil {
			return err
		}
		recipients := []int64{r.StaffID}
		if r.NeedsCoordinator {
			coordinators, err := activeIDs(tx, domain.RoleCoordinator)
			if err != nil {
				return err
			}
			recipients = append(recipients, coordinators...)
		}
		if err := notify(tx, NoteClaimSubmitted, noteAbout{Claim: r.ID}, recipients...); err != nil {
			return err
		}
		return audit(tx, actor, "claim.submit", "claim", r.ID, nil, map[string]any{"amount": c.Amount,
			"category": c.Category, "files": len(files), "status": r.Status})
	})
	return id, err
}

// ClaimLine is a claim in a list.
type ClaimLine struct {
	ID                 int64
	VolunteerID        int64
	VolunteerName      string
	StaffID            int64
	StaffName          string
	ServiceID          int64
	RequestID          int64
	ServiceAt          time.Time
	ProgramNameZh      string
	ProgramNameEn      string
	Category           string
	Amount             domain.Money
	Status             string
	NeedsCoordinator   bool
	SubmittedAt        time.Time
	DecidedAt          *time.Time
	DisbursementID     *int64
	DisbursementStatus string
	PaidAt             *time.Time
}

// Stage is what the volunteer reads: submitted, confirmed (to be paid), paid, rejected, or returned by finance.
func (c ClaimLine) Stage() string {
	switch {
	case c.Status != domain.ClaimConfirmed:
		return c.Status
	case c.DisbursementStatus == domain.DisbursementPaid:
		return domain.StagePaid
	case c.DisbursementStatus == domain.DisbursementRejected || c.DisbursementStatus == domain.DisbursementCancelled:
		return domain.StageReturned
	}
	return domain.ClaimConfirmed
}

// ProgramName is the program's name in a language.
func (c ClaimLine) ProgramName(lang string) string {
	return inLang(lang, c.ProgramNameZh, c.ProgramNameEn)
}

const claimLineSQL = `SELECT c.id, c.volunteer_id, v.name AS volunteer_name, c.staff_id, st.name AS staff_name,
		c.service_id, sv.request_id, sv.checked_in_at AS service_at, p.name_zh AS program_name_zh,
		p.name_en AS program_name_en, c.category, c.amount, c.status, c.needs_coordinator, c.submitted_at, c.decided_at,
		c.disbursement_id, coalesce(d.status, '') AS disbursement_status, d.paid_at
	FROM expense_claims c JOIN users v ON v.id = c.volunteer_id JOIN users st ON st.id = c.staff_id
	JOIN care_services sv ON sv.id = c.service_id JOIN programs p ON p.id = c.program_id
	LEFT JOIN disbursements d ON d.id = c.disbursement_id`

// MyClaimsShown is how many claims the volunteer's and the staff member's lists show.
const MyClaimsShown = 50

// VolunteerClaims lists the volunteer's claims, newest first.
func (s *Store) VolunteerClaims(ctx context.Context, volunteerID int64) ([]ClaimLine, error) {
	return s.claimLines(ctx, "c.volunteer_id = ?", volunteerID)
}

// StaffClaims lists the claims for services she got, newest first; the volunteer's name is masked.
func (s *Store) StaffClaims(ctx context.Context, staffID int64) ([]ClaimLine, error) {
	out, err := s.claimLines(ctx, "c.staff_id = ?", staffID)
	for i := range out {
		out[i].VolunteerName = domain.MaskName(out[i].VolunteerName)
	}
	return out, err
}

func (s *Store) claimLines(ctx context.Context, where string, id int64) ([]ClaimLine, error) {
	var out []ClaimLine
	err := s.db.WithContext(ctx).Raw(claimLineSQL+" WHERE "+where+" ORDER BY c.id DESC LIMIT ?", id, MyClaimsShown).
		Scan(&out).Error
	return out, err
}

var claimPages = keyset{id: "c.id", size: PageSize}

// ClaimQueue returns the page c names of the claims in a state ("open": those a coordinator must decide, above
// their ceiling; "submitted": every undecided one; "" all), newest first, and how many there are.
func (s *Store) ClaimQueue(ctx context.Context, status string, c domain.Cursor) (ListPage[ClaimLine], error) {
	where, args := queueWhere("c", status, domain.ClaimStates, []string{domain.ClaimSubmitted})
	if status == "open" {
		where += " AND c.needs_coordinator"
	}
	db := s.db.WithContext(ctx)
	p, err := pageOf(claimPages, c, func(l ClaimLine) domain.Cursor { return domain.Cursor{ID: l.ID} },
		func(q pageSQL) ([]ClaimLine, error) {
			tail, tailArgs := q.Tail()
			var out []ClaimLine
			err := db.Raw(claimLineSQL+" WHERE "+where+tail, append(slices.Clone(args), tailArgs...)...).Scan(&out).Error
			return out, err
		})
	if err == nil {
		p.Count, err = countUpTo(db, "SELECT 1 FROM expense_claims c WHERE "+where, args...)
	}
	return p, err
}

// ClaimFacts are a claim's own columns, as its pages show them.
type ClaimFacts struct {
	ClaimLine
	Note          string
	RejectReason  string
	DeciderName   string
	Ceiling       domain.Money
	ServiceStatus string
	Minutes       *int
}

// ClaimView is one claim as its pages show it: its facts, receipt and disbursement.
type ClaimView struct {
	ClaimFacts
	Paying
}

func (s *Store) claimView(db *gorm.DB, where string, args ...any) (ClaimView, error) {
	var rows []ClaimFacts
	err := db.Raw(`SELECT l.*, c.note, c.reject_reason, coalesce(dc.name, '') AS decider_name,
			coalesce(p.claim_ceiling, 0) AS ceiling, sv.status AS service_status, sv.minutes
		FROM (`+claimLineSQL+`) l JOIN expense_claims c ON c.id = l.id JOIN programs p ON p.id = c.program_id
		JOIN care_services sv ON sv.id = c.service_id LEFT JOIN users dc ON dc.id = c.decided_by
		WHERE `+where, args...).Scan(&rows).Error
	if err != nil {
		return ClaimView{}, err
	}
	if len(rows) == 0 {
		return ClaimView{}, domain.ErrNotFound
	}
	v := ClaimView{ClaimFacts: rows[0]}
	v.Paying, err = payingOf(db, "claim_id", v.ID, v.DisbursementID)
	return v, err
}

// VolunteerClaim is one of his claims; anyone else's is not found.
func (s *Store) VolunteerClaim(ctx context.Context, volunteerID, id int64) (ClaimView, error) {
	return s.claimView(s.db.WithContext(ctx), "c.id = ? AND c.volunteer_id = ?", id, volunteerID)
}

// StaffClaim is a claim for a service she got; any other is not found. The volunteer's name is masked, and the
// receipt is not hers to open (the volunteer and the operators read it): she sees that there is one.
func (s *Store) StaffClaim(ctx context.Context, staffID, id int64) (ClaimView, error) {
	v, err := s.claimView(s.db.WithContext(ctx), "c.id = ? AND c.staff_id = ?", id, staffID)
	v.VolunteerName = domain.MaskName(v.VolunteerName)
	return v, err
}

// ClaimForReview is a claim as the operators read it.
func (s *Store) ClaimForReview(ctx context.Context, id int64) (ClaimView, error) {
	return s.claimView(s.db.WithContext(ctx), "c.id = ?", id)
}

// ClaimOfDisbursement is the claim a disbursement repays, if any.
func (s *Store) ClaimOfDisbursement(ctx context.Context, disbursementID int64) (ClaimLine, bool, error) {
	var out []ClaimLine
	err := s.db.WithContext(ctx).Raw(claimLineSQL+" WHERE c.disbursement_id = ?", disbursementID).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return ClaimLine{}, false, err
	}
	return out[0], true, nil
}

// decideClaim locks a claim and lets decide do the decision. byStaff: the actor is the staff member served, who
// may decide only a claim for her service, within its ceiling; otherwise a coordinator.
func (s *Store) decideClaim(ctx context.Context, actor Actor, id int64, byStaff bool, decide func(tx *gorm.DB, c *claimRow) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var c claimRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && byStaff && c.StaffID != actor.UserID {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if c.VolunteerID == actor.UserID {
			return domain.ErrNotFound
		}
		if err := domain.CheckClaimDecision(c.Status, c.NeedsCoordinator, byStaff); err != nil {
			return err
		}
		at := now(tx)
		c.DecidedBy, c.DecidedAt, c.UpdatedAt = &actor.UserID, &at, at
		if err := decide(tx, &c); err != nil {
			return err
		}
		return tx.Select("status", "decided_by", "decided_at", "reject_reason", "disbursement_id", "updated_at").Save(&c).Error
	})
}

// ConfirmClaim confirms a claim and writes its disbursement draft in the same transaction, the confirming person
// its maker. Two confirmations at once (a double click, the staff member and a coordinator) make one draft: the
// second waits for the claim's lock and finds it decided.
func (s *Store) ConfirmClaim(ctx context.Context, actor Actor, id int64, byStaff bool) (disbursementID int64, err error) {
	err = s.decideClaim(ctx, actor, id, byStaff, func(tx *gorm.DB, c *claimRow) error {
		var payee string
		if err := tx.Raw(`SELECT name FROM users WHERE id = ?`, c.VolunteerID).Scan(&payee).Error; err != nil {
			return err
		}
		pool, err := payingPool(tx, c.ProgramID, domain.Money(c.Amount))
		if err != nil {
			return err
		}
		d := disbursementRow{AccountID: pool, Amount: c.Amount, Payee: payee, Status: domain.DisbursementDraft,
			Purpose: fmt.Sprintf("志愿者垫付费用报销（报销 #%d）", c.ID), MakerID: actor.UserID,
			SourceType: ptr(SourceClaim), SourceID: &c.ID}
		if err := createDisbursement(tx, actor, &d); err != nil {
			return err
		}
		disbursementID = d.ID
		c.Status, c.DisbursementID = domain.ClaimConfirmed, &d.ID
		if err := notify(tx, NoteClaimConfirmed, noteAbout{Claim: c.ID}, c.VolunteerID); err != nil {
			return err
		}
		if err := tellFinance(tx, actor, 0, c.ID); err != nil {
			return err
		}
		return audit(tx, actor, "claim.confirm", "claim", c.ID, map[string]any{"status": domain.ClaimSubmitted},
			map[string]any{"status": c.Status, "amount": c.Amount, "disbursement": d.ID})
	})
	return disbursementID, err
}

// RejectClaim turns a claim down with a reason the volunteer reads.
func (s *Store) RejectClaim(ctx context.Context, actor Actor, id int64, byStaff bool, reason string) error {
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.decideClaim(ctx, actor, id, byStaff, func(tx *gorm.DB, c *claimRow) error {
		c.Status, c.RejectReason = domain.ClaimRejected, reason
		if err := notify(tx, NoteClaimRejected, noteAbout{Claim: c.ID, Detail: reason}, c.VolunteerID); err != nil {
			return err
		}
		return audit(tx, actor, "claim.reject", "claim", c.ID, map[string]any{"status": domain.ClaimSubmitted},
			map[string]any{"status": c.Status, "amount": c.Amount, "reason": reason})
	})
}

func disbursementByID(db *gorm.DB, id int64) (Disbursement, error) {
	var out []Disbursement
	if err := db.Raw(disbursementSQL+" WHERE d.id = ?", id).Scan(&out).Error; err != nil {
		return Disbursement{}, err
	}
	if len(out) == 0 {
		return Disbursement{}, domain.ErrNotFound
	}
	return out[0], nil
}

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

// Hardship grants: a staff member applies in a `grant` program (amount within its ceiling, why, documents); a
// coordinator takes the application up and approves or rejects it. Approval writes a disbursement draft in the same
// transaction (source 'grant'), which finance then approves and pays like any other: the application reads its
// disbursement's state for what the applicant sees, and the disbursement tells her when it is paid (sourceMoved).

// Notification kinds of grants and claims.
const (
	NoteGrantSubmitted      = "grant_submitted"       // to the coordinators: a new application
	NoteGrantReviewing      = "grant_reviewing"       // to the applicant: a coordinator took it up
	NoteGrantApproved       = "grant_approved"        // to the applicant
	NoteGrantRejected       = "grant_rejected"        // to the applicant, with the reason
	NoteGrantPaid           = "grant_paid"            // to the applicant: the money went out
	NoteGrantReturned       = "grant_returned"        // to the applicant and the coordinator who approved: finance did not pay
	NoteClaimSubmitted      = "claim_submitted"       // to the staff member served (and the coordinators when it needs one)
	NoteClaimConfirmed      = "claim_confirmed"       // to the volunteer
	NoteClaimRejected       = "claim_rejected"        // to the volunteer, with the reason
	NoteClaimPaid           = "claim_paid"            // to the volunteer
	NoteClaimReturned       = "claim_returned"        // to the volunteer: finance did not pay
	NoteDisbursementToCheck = "disbursement_to_check" // to finance: a grant's or claim's draft waits for a checker
)

// Disbursement sources.
const (
	SourceGrant = "grant"
	SourceClaim = "claim"
)

type grantRow struct {
	ID             int64
	StaffID        int64
	ProgramID      int64
	Amount         int64
	Reason         string
	Status         string
	SubmittedAt    time.Time
	ReviewerID     *int64
	ReviewingAt    *time.Time
	DecidedBy      *int64
	DecidedAt      *time.Time
	RejectReason   string
	DisbursementID *int64
	UpdatedAt      time.Time
}

func (grantRow) TableName() string { return "grant_applications" }

// GrantProgram is a program that gives grants, with its ceiling (0: none set).
type GrantProgram struct {
	ID      int64
	Code    string
	NameZh  string
	NameEn  string
	Active  bool
	Ceiling domain.Money
}

// Name is the program's name in a language.
func (p GrantProgram) Name(lang string) string { return inLang(lang, p.NameZh, p.NameEn) }

// GrantPrograms lists the grant programs, active or not, in the catalogue's order.
func (s *Store) GrantPrograms(ctx context.Context) ([]GrantProgram, error) {
	var out []GrantProgram
	err := s.db.WithContext(ctx).Raw(`SELECT id, code, name_zh, name_en, active, coalesce(grant_ceiling, 0) AS ceiling
		FROM programs WHERE kind = 'grant' ORDER BY position, id`).Scan(&out).Error
	return out, err
}

// errNoGrantProgram refuses an application to a program that does not give grants or no longer takes them.
var errNoGrantProgram = domain.FieldErrors{"program": "grants.error.program"}

// ApplyForGrant records a staff member's application with its documents, and tells the coordinators.
func (s *Store) ApplyForGrant(ctx context.Context, actor Actor, programCode string, f domain.GrantForm, files []Upload) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var p []GrantProgram
		if err := tx.Raw(`SELECT id, code, active, coalesce(grant_ceiling, 0) AS ceiling FROM programs
			WHERE code = ? AND kind = 'grant'`, programCode).Scan(&p).Error; err != nil {
			return err
		}
		if len(p) == 0 || !p[0].Active {
			return errNoGrantProgram
		}
		g, fe := f.Check(p[0].Ceiling)
		if len(fe) > 0 {
			return fe
		}
		at := now(tx)
		r := grantRow{StaffID: actor.UserID, ProgramID: p[0].ID, Amount: int64(g.Amount), Reason: g.Reason,
			Status: domain.GrantSubmitted, SubmittedAt: at, UpdatedAt: at}
		if err := tx.Omit("ID").Create(&r).Error; err != nil {
			return err
		}
		id = r.ID
		if err := saveDocuments(tx, actor.UserID, &r.ID, nil, files); err != nil {
			return err
		}
		coordinators, err := activeIDs(tx, domain.RoleCoordinator)
		if err != nil {
			return err
		}
		if err := notify(tx, NoteGrantSubmitted, noteAbout{Grant: r.ID}, coordinators...); err != nil {
			return err
		}
		return audit(tx, actor, "grant.submit", "grant", r.ID, nil, map[string]any{"amount": g.Amount,
			"program": programCode, "files": len(files), "status": r.Status})
	})
	return id, err
}

// activeIDs are the active accounts of a role: who an event for "the coordinators" or "finance" reaches.
func activeIDs(tx *gorm.DB, role domain.Role) ([]int64, error) {
	var ids []int64
	err := tx.Table("users").Where("role = ? AND status = 'active'", role).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// GrantLine is an application in a list.
type GrantLine struct {
	ID                 int64
	StaffID            int64
	StaffName          string
	ProgramNameZh      string
	ProgramNameEn      string
	Amount             domain.Money
	Status             string
	SubmittedAt        time.Time
	DecidedAt          *time.Time
	DisbursementID     *int64
	DisbursementStatus string
	PaidAt             *time.Time
}

// Stage is what the applicant reads: domain.GrantStage.
func (g GrantLine) Stage() string { return domain.GrantStage(g.Status, g.DisbursementStatus) }

// ProgramName is the program's name in a language.
func (g GrantLine) ProgramName(lang string) string {
	return inLang(lang, g.ProgramNameZh, g.ProgramNameEn)
}

const grantLineSQL = `SELECT g.id, g.staff_id, u.name AS staff_name, p.name_zh AS program_name_zh,
		p.name_en AS program_name_en, g.amount, g.status, g.submitted_at, g.decided_at, g.disbursement_id,
		coalesce(d.status, '') AS disbursement_status, d.paid_at
	FROM grant_applications g JOIN users u ON u.id = g.staff_id JOIN programs p ON p.id = g.program_id
	LEFT JOIN disbursements d ON d.id = g.disbursement_id`

// MyGrantsShown is how many of her applications her page lists: a hardship grant is asked for rarely.
const MyGrantsShown = 50

// StaffGrants lists a staff member's applications, newest first.
func (s *Store) StaffGrants(ctx context.Context, staffID int64) ([]GrantLine, error) {
	var out []GrantLine
	err := s.db.WithContext(ctx).Raw(grantLineSQL+` WHERE g.staff_id = ? ORDER BY g.id DESC LIMIT ?`, staffID, MyGrantsShown).
		Scan(&out).Error
	return out, err
}

// grantPages pages the coordinators' queue, newest first within a state.
var grantPages = keyset{id: "g.id", size: PageSize}

// GrantQueue returns the page c names of the applications in a state ("open": submitted or reviewing; "" all),
// newest first, and how many there are.
func (s *Store) GrantQueue(ctx context.Context, status string, c domain.Cursor) (ListPage[GrantLine], error) {
	where, args := queueWhere("g", status, domain.GrantStates, []string{domain.GrantSubmitted, domain.GrantReviewing})
	db := s.db.WithContext(ctx)
	p, err := pageOf(grantPages, c, func(g GrantLine) domain.Cursor { return domain.Cursor{ID: g.ID} },
		func(q pageSQL) ([]GrantLine, error) {
			tail, tailArgs := q.Tail()
			var out []GrantLine
			err := db.Raw(grantLineSQL+" WHERE "+where+tail, append(slices.Clone(args), tailArgs...)...).Scan(&out).Error
			return out, err
		})
	if err == nil {
		p.Count, err = countUpTo(db, "SELECT 1 FROM grant_applications g WHERE "+where, args...)
	}
	return p, err
}

// queueWhere is a queue's filter: "open" is the states that wait for someone, a state is itself, anything else all.
func queueWhere(alias, status string, states, open []string) (string, []any) {
	switch {
	case status == "open":
		return alias + ".status IN ?", []any{open}
	case slices.Contains(states, status):
		return alias + ".status = ?", []any{status}
	}
	return "TRUE", nil
}

// GrantFacts are an application's own columns, as its pages show them.
type GrantFacts struct {
	GrantLine
	ProgramCode   string
	Reason        string
	RejectReason  string
	ReviewerName  string
	ReviewingAt   *time.Time
	DeciderName   string
	Hospital      string
	Department    string
	OwnerClosed   bool  // the applicant closed her account: the reason and files are gone
	ApprovedCount int64 // the applicant's earlier approved applications (for the reviewer)
}

// GrantView is one application as its pages show it: its facts, documents and disbursement.
type GrantView struct {
	GrantFacts
	Paying
}

// Paying is what the page of a grant or a claim shows beside its facts: its documents, and the disbursement that
// pays it, with finance's reason when it rejected or cancelled the payment.
type Paying struct {
	Documents    []DocumentInfo
	Disbursement *Disbursement // nil before approval
	PayoutWhyNot string
}

// payingOf reads a grant's or a claim's documents (by their column in documents) and its disbursement, if any.
func payingOf(db *gorm.DB, column string, id int64, disbursementID *int64) (Paying, error) {
	var p Paying
	var err error
	if p.Documents, err = documentsOf(db, column, id); err != nil || disbursementID == nil {
		return p, err
	}
	d, err := disbursementByID(db, *disbursementID)
	if err != nil {
		return p, err
	}
	p.Disbursement = &d
	if d.Status == domain.DisbursementRejected || d.Status == domain.DisbursementCancelled {
		p.PayoutWhyNot = d.Reason
	}
	return p, nil
}

func (s *Store) grantView(db *gorm.DB, where string, args ...any) (GrantView, error) {
	var rows []GrantFacts
	err := db.Raw(`SELECT l.*, p.code AS program_code, g.reason, g.reject_reason, coalesce(r.name, '') AS reviewer_name,
			g.reviewing_at, coalesce(dc.name, '') AS decider_name, coalesce(sp.hospital, '') AS hospital,
			coalesce(sp.department, '') AS department, u.status = 'closed' AS owner_closed,
			(SELECT count(*) FROM grant_applications o WHERE o.staff_id = g.staff_id AND o.status = 'approved' AND o.id <> g.id) AS approved_count
		FROM (`+grantLineSQL+`) l JOIN grant_applications g ON g.id = l.id JOIN programs p ON p.id = g.program_id
		JOIN users u ON u.id = g.staff_id LEFT JOIN users r ON r.id = g.reviewer_id
		LEFT JOIN users dc ON dc.id = g.decided_by LEFT JOIN staff_profiles sp ON sp.user_id = g.staff_id
		WHERE `+where, args...).Scan(&rows).Error
	if err != nil {
		return GrantView{}, err
	}
	if len(rows) == 0 {
		return GrantView{}, domain.ErrNotFound
	}
	v := GrantView{GrantFacts: rows[0]}
	v.Paying, err = payingOf(db, "grant_id", v.ID, v.DisbursementID)
	return v, err
}

// StaffGrant is one of her applications; anyone else's is not found.
func (s *Store) StaffGrant(ctx context.Context, staffID, id int64) (GrantView, error) {
	return s.grantView(s.db.WithContext(ctx), "g.id = ? AND g.staff_id = ?", id, staffID)
}

// GrantForReview is an application as the operators read it.
func (s *Store) GrantForReview(ctx context.Context, id int64) (GrantView, error) {
	return s.grantView(s.db.WithContext(ctx), "g.id = ?", id)
}

// GrantOfDisbursement is the application a disbursement pays, if it pays one (ok false otherwise).
func (s *Store) GrantOfDisbursement(ctx context.Context, disbursementID int64) (GrantLine, bool, error) {
	var out []GrantLine
	err := s.db.WithContext(ctx).Raw(grantLineSQL+" WHERE g.disbursement_id = ?", disbursementID).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return GrantLine{}, false, err
	}
	return out[0], true, nil
}

func lockGrant(tx *gorm.DB, id int64) (grantRow, error) {
	var g grantRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&g, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return g, domain.ErrNotFound
	}
	return g, err
}

// moveGrant locks an application, checks the move, lets step do its work and saves the new state.
func (s *Store) moveGrant(ctx context.Context, actor Actor, id int64, to string, step func(tx *gorm.DB, g *grantRow) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		g, err := lockGrant(tx, id)
		if err != nil {
			return err
		}
		if !domain.CanMoveGrant(g.Status, to) {
			return domain.ErrGrantDecided
		}
		if g.StaffID == actor.UserID {
			return domain.ErrGrantOwnApplication
		}
		from := g.Status
		if err := step(tx, &g); err != nil {
			return err
		}
		g.Status, g.UpdatedAt = to, now(tx)
		if err := tx.Select("status", "reviewer_id", "reviewing_at", "decided_by", "decided_at", "reject_reason",
			"disbursement_id", "updated_at").Save(&g).Error; err != nil {
			return err
		}
		after := map[string]any{"status": to, "amount": g.Amount, "reason": g.RejectReason}
		if g.DisbursementID != nil {
			after["disbursement"] = *g.DisbursementID
		}
		switch to {
		case domain.GrantReviewing:
			err = audit(tx, actor, "grant.review", "grant", id, map[string]any{"status": from}, after)
		case domain.GrantApproved:
			err = audit(tx, actor, "grant.approve", "grant", id, map[string]any{"status": from}, after)
		default:
			err = audit(tx, actor, "grant.reject", "grant", id, map[string]any{"status": from}, after)
		}
		return err
	})
}

// TakeUpGrant is a coordinator starting the review: the applicant reads 审核中, and the others see who has it.
func (s *Store) TakeUpGrant(ctx context.Context, actor Actor, id int64) error {
	return s.moveGrant(ctx, actor, id, domain.GrantReviewing, func(tx *gorm.DB, g *grantRow) error {
		at := now(tx)
		g.ReviewerID, g.ReviewingAt = &actor.UserID, &at
		return notify(tx, NoteGrantReviewing, noteAbout{Grant: g.ID}, g.StaffID)
	})
}

// ApproveGrant approves an application and writes its disbursement draft in the same transaction, the
// coordinator its maker: a finance operator other than the coordinator then approves and pays it.
func (s *Store) ApproveGrant(ctx context.Context, actor Actor, id int64) (disbursementID int64, err error) {
	err = s.moveGrant(ctx, actor, id, domain.GrantApproved, func(tx *gorm.DB, g *grantRow) error {
		var payee string
		if err := tx.Raw(`SELECT name FROM users WHERE id = ?`, g.StaffID).Scan(&payee).Error; err != nil {
			return err
		}
		pool, err := payingPool(tx, g.ProgramID, domain.Money(g.Amount))
		if err != nil {
			return err
		}
		at := now(tx)
		d := disbursementRow{AccountID: pool, Amount: g.Amount, Payee: payee, Status: domain.DisbursementDraft,
			Purpose: fmt.Sprintf("关爱基金困难补助（申请 #%d）", g.ID), MakerID: actor.UserID,
			SourceType: ptr(SourceGrant), SourceID: &g.ID, CreatedAt: at, UpdatedAt: at}
		if err := createDisbursement(tx, actor, &d); err != nil {
			return err
		}
		disbursementID = d.ID
		if g.ReviewerID == nil {
			g.ReviewerID, g.ReviewingAt = &actor.UserID, &at
		}
		g.DecidedBy, g.DecidedAt, g.DisbursementID = &actor.UserID, &at, &d.ID
		if err := notify(tx, NoteGrantApproved, noteAbout{Grant: g.ID}, g.StaffID); err != nil {
			return err
		}
		return tellFinance(tx, actor, g.ID, 0)
	})
	return disbursementID, err
}

// tellFinance tells the finance operators (but the maker) that a draft waits for a checker.
func tellFinance(tx *gorm.DB, maker Actor, grantID, claimID int64) error {
	finance, err := activeIDs(tx, domain.RoleFinance)
	if err != nil {
		return err
	}
	finance = slices.DeleteFunc(finance, func(id int64) bool { return id == maker.UserID })
	return notify(tx, NoteDisbursementToCheck, noteAbout{Grant: grantID, Claim: claimID}, finance...)
}

func ptr[T any](v T) *T { return &v }

// payingPool is the pool a grant's or claim's disbursement is drawn from: the program's own (restricted) pool when
// it has the amount free now, otherwise the unrestricted fund. The check is the maker's choice, not a promise:
// finance's approval checks and reserves the money (ApproveDisbursement).
func payingPool(tx *gorm.DB, programID int64, amount domain.Money) (int64, error) {
	var pools []accountRow
	if err := tx.Where("kind = 'pool' AND (program_id = ? OR code = 'pool:unrestricted')", programID).
		Order("program_id NULLS LAST").Find(&pools).Error; err != nil {
		return 0, err
	}
	var unrestricted int64
	for _, p := range pools {
		if p.ProgramID != nil && p.funds().Available() >= amount {
			return p.ID, nil
		}
		if p.ProgramID == nil {
			unrestricted = p.ID
		}
	}
	if unrestricted == 0 {
		return 0, errors.New("no unrestricted pool")
	}
	return unrestricted, nil
}

// RejectGrant turns an application down with a reason the applicant reads.
func (s *Store) RejectGrant(ctx context.Context, actor Actor, id int64, reason string) error {
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.moveGrant(ctx, actor, id, domain.GrantRejected, func(tx *gorm.DB, g *grantRow) error {
		at := now(tx)
		g.DecidedBy, g.DecidedAt, g.RejectReason = &actor.UserID, &at, reason
		return notify(tx, NoteGrantRejected, noteAbout{Grant: g.ID, Detail: reason}, g.StaffID)
	})
}

// sourceMoved is called in the transaction that moves a disbursement: when it pays a grant or a claim, the person
// who asked hears that it was paid, or that finance did not pay it (and why).
func sourceMoved(tx *gorm.DB, d disbursementRow) error {
	if d.SourceType == nil || d.SourceID == nil {
		return nil
	}
	var paid, returned string
	var owner, decider int64
	about := noteAbout{}
	switch *d.SourceType {
	case SourceGrant:
		paid, returned, about.Grant = NoteGrantPaid, NoteGrantReturned, *d.SourceID
		if err := tx.Raw(`SELECT staff_id, coalesce(decided_by, 0) FROM grant_applications WHERE id = ?`, *d.SourceID).
			Row().Scan(&owner, &decider); err != nil {
			return err
		}
	case SourceClaim:
		paid, returned, about.Claim = NoteClaimPaid, NoteClaimReturned, *d.SourceID
		if err := tx.Raw(`SELECT volunteer_id, coalesce(decided_by, 0) FROM expense_claims WHERE id = ?`, *d.SourceID).
			Row().Scan(&owner, &decider); err != nil {
			return err
		}
	default:
		return nil
	}
	switch d.Status {
	case domain.DisbursementPaid:
		return notify(tx, paid, about, owner)
	case domain.DisbursementRejected, domain.DisbursementCancelled:
		about.Detail = d.Reason
		recipients := []int64{owner}
		if decider != 0 && decider != owner {
			recipients = append(recipients, decider)
		}
		return notify(tx, returned, about, recipients...)
	}
	return nil
}

// HasGrantsOrClaims reports whether any application or claim exists: the demo tells its story of them once.
func (s *Store) HasGrantsOrClaims(ctx context.Context) (bool, error) {
	var yes bool
	err := s.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM grant_applications) OR EXISTS (SELECT 1 FROM expense_claims)`).
		Scan(&yes).Error
	return yes, err
}

package repository

import (
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// A person's grant applications and expense claims in the download of their own data, and what closing the
// account leaves of them: the amounts, dates and states (money records keep their numbers); the reasons, notes and
// files go, and the disbursements that paid them no longer name the person.

// MyGrant is one of her applications as the download tells it: the documents by name, not their content.
type MyGrant struct {
	ID                 int64      `json:"id"`
	Program            string     `json:"program"`
	AmountFen          int64      `json:"-"`
	Amount             string     `json:"amount"`
	Reason             string     `json:"reason"`
	Status             string     `json:"status"`
	SubmittedAt        time.Time  `json:"submitted_at"`
	DecidedAt          *time.Time `json:"decided_at,omitempty"`
	RejectReason       string     `json:"reject_reason,omitempty"`
	DisbursementStatus string     `json:"disbursement_status,omitempty"`
	PaidAt             *time.Time `json:"paid_at,omitempty"`
	Documents          textArray  `json:"documents"`
}

// MyClaim is one of his expense claims as the download tells it.
type MyClaim struct {
	ID                 int64      `json:"id"`
	ServiceID          int64      `json:"service_id"`
	Category           string     `json:"category"`
	AmountFen          int64      `json:"-"`
	Amount             string     `json:"amount"`
	Note               string     `json:"note"`
	Status             string     `json:"status"`
	SubmittedAt        time.Time  `json:"submitted_at"`
	DecidedAt          *time.Time `json:"decided_at,omitempty"`
	RejectReason       string     `json:"reject_reason,omitempty"`
	DisbursementStatus string     `json:"disbursement_status,omitempty"`
	PaidAt             *time.Time `json:"paid_at,omitempty"`
	Documents          textArray  `json:"documents"`
}

// myGrantsAndClaims reads a person's applications (staff) or claims (a volunteer): one statement, none for an
// operator.
func myGrantsAndClaims(db *gorm.DB, userID int64, role domain.Role) ([]MyGrant, []MyClaim, error) {
	var grants []MyGrant
	var claims []MyClaim
	var err error
	switch role {
	case domain.RoleStaff:
		err = db.Raw(`SELECT g.id, p.code AS program, g.amount AS amount_fen, g.reason, g.status, g.submitted_at,
				g.decided_at, g.reject_reason, coalesce(d.status, '') AS disbursement_status, d.paid_at,
				coalesce((SELECT array_agg(name ORDER BY id) FROM documents WHERE grant_id = g.id), '{}') AS documents
			FROM grant_applications g JOIN programs p ON p.id = g.program_id LEFT JOIN disbursements d ON d.id = g.disbursement_id
			WHERE g.staff_id = ? ORDER BY g.id`, userID).Scan(&grants).Error
	case domain.RoleVolunteer:
		err = db.Raw(`SELECT c.id, c.service_id, c.category, c.amount AS amount_fen, c.note, c.status, c.submitted_at,
				c.decided_at, c.reject_reason, coalesce(d.status, '') AS disbursement_status, d.paid_at,
				coalesce((SELECT array_agg(name ORDER BY id) FROM documents WHERE claim_id = c.id), '{}') AS documents
			FROM expense_claims c LEFT JOIN disbursements d ON d.id = c.disbursement_id
			WHERE c.volunteer_id = ? ORDER BY c.id`, userID).Scan(&claims).Error
	}
	for i := range grants {
		grants[i].Amount = domain.Money(grants[i].AmountFen).String()
	}
	for i := range claims {
		claims[i].Amount = domain.Money(claims[i].AmountFen).String()
	}
	return grants, claims, err
}

// closeGrantsAndClaims is closing an account's part for grants and claims, in its transaction.
func closeGrantsAndClaims(tx *gorm.DB, userID int64) error {
	steps := []string{
		`UPDATE disbursements SET payee = ?, payee_account = '' WHERE
			(source_type = 'grant' AND source_id IN (SELECT id FROM grant_applications WHERE staff_id = ?))
			OR (source_type = 'claim' AND source_id IN (SELECT id FROM expense_claims WHERE volunteer_id = ?))`,
		`UPDATE grant_applications SET reason = '' WHERE staff_id = ?`,
		`UPDATE expense_claims SET note = '' WHERE volunteer_id = ?`,
		`DELETE FROM documents WHERE owner_id = ?`,
	}
	if err := tx.Exec(steps[0], domain.ClosedAccountName, userID, userID).Error; err != nil {
		return err
	}
	for _, q := range steps[1:] {
		if err := tx.Exec(q, userID).Error; err != nil {
			return err
		}
	}
	return nil
}

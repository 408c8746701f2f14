package repository

import (
	"time"

	"gorm.io/gorm"
)

// MyBenefit is one of her benefit applications in her data download, with its voucher once issued.
type MyBenefit struct {
	ID          int64      `json:"id"`
	Program     string     `json:"program"`
	Place       string     `json:"place"`
	Child       string     `json:"child,omitempty"`
	PeriodStart string     `json:"period_start"`
	PeriodEnd   string     `json:"period_end"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason,omitempty"`
	AppliedAt   time.Time  `json:"applied_at"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	VoucherCode string     `json:"voucher_code,omitempty"`
	IssuedAt    *time.Time `json:"voucher_issued_at,omitempty"`
	ExpiresAt   *time.Time `json:"voucher_expires_at,omitempty"`
	RedeemedAt  *time.Time `json:"voucher_redeemed_at,omitempty"`
}

// myBenefits are all her applications and vouchers, oldest first: one statement.
func myBenefits(db *gorm.DB, userID int64) ([]MyBenefit, error) {
	var out []MyBenefit
	err := db.Raw(`SELECT a.id, pr.code AS program, pl.name_zh AS place, coalesce(c.name, '') AS child,
			to_char(a.period_start, 'YYYY-MM-DD') AS period_start, to_char(a.period_end, 'YYYY-MM-DD') AS period_end,
			a.status, a.reason, a.created_at AS applied_at, a.decided_at, coalesce(v.code, '') AS voucher_code,
			v.issued_at, v.expires_at, v.redeemed_at
		FROM benefit_applications a JOIN programs pr ON pr.id = a.program_id JOIN benefit_places pl ON pl.id = a.place_id
			LEFT JOIN staff_children c ON c.id = a.child_id LEFT JOIN vouchers v ON v.application_id = a.id
		WHERE a.staff_id = ? ORDER BY a.id`, userID).Scan(&out).Error
	return out, err
}

// closeBenefitsSQL anonymises her applications when she closes her account: the link to her child goes (the
// child's row is deleted next); the applications, their vouchers, periods and decisions keep their numbers.
const closeBenefitsSQL = `UPDATE benefit_applications SET child_id = NULL WHERE staff_id = ?`

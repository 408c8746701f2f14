package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// MyData is everything Guanai keeps about a person, for the download their right of access (PIPL Art. 45) gives.
type MyData struct {
	ExportedAt     time.Time            `json:"exported_at"`
	Account        map[string]any       `json:"account"`
	StaffProfile   *staffProfileRow     `json:"staff_profile,omitempty"`
	Children       []childRow           `json:"children,omitempty"`
	Volunteer      *volunteerProfileRow `json:"volunteer_profile,omitempty"`
	Qualifications []Qualification      `json:"qualifications,omitempty"`
	Consents       []consentRow         `json:"consents"`
	Benefits       []MyBenefit          `json:"benefits,omitempty"`
	Grants         []MyGrant            `json:"grant_applications,omitempty"`
	Claims         []MyClaim            `json:"expense_claims,omitempty"`
	Certificates   []Certificate        `json:"certificates,omitempty"`
	Mail           map[string]any       `json:"mail,omitempty"` // the e-mail address, its verification and the choices of what is mailed
	CareRequests   []MyCareRequest      `json:"care_requests,omitempty"`
	Pairings       []MyPairing          `json:"pairings,omitempty"`
	Services       []MyService          `json:"services,omitempty"`
	Offers         []MyOffer            `json:"offers,omitempty"`
	Ratings        []MyRating           `json:"ratings,omitempty"`
	Activity       []AuditEntry         `json:"activity"`
}

// ExportMyData gathers a person's own data.
func (s *Store) ExportMyData(ctx context.Context, userID int64) (MyData, error) {
	p, err := s.PersonByID(ctx, userID)
	if err != nil {
		return MyData{}, err
	}
	d := MyData{ExportedAt: s.Now().UTC(), StaffProfile: p.Staff, Children: p.Children, Volunteer: p.Volunteer, Qualifications: p.Qualifications,
		Account: map[string]any{"id": p.ID, "phone": p.Phone, "name": p.Name, "role": p.Role, "status": p.Status, "created_at": p.CreatedAt}}
	db := s.db.WithContext(ctx)
	if err := db.Where("user_id = ?", userID).Order("id").Find(&d.Consents).Error; err != nil {
		return d, err
	}
	// A person has one role: only staff apply for benefits and grants, only volunteers claim expenses.
	if p.Role == domain.RoleStaff {
		if d.Benefits, err = myBenefits(db, userID); err != nil {
			return d, err
		}
	}
	if d.Grants, d.Claims, err = myGrantsAndClaims(db, userID, p.Role); err != nil {
		return d, err
	}
	if d.Mail, err = myMail(db, userID); err != nil {
		return d, err
	}
	if p.Volunteer != nil {
		if err := db.Where("volunteer_id = ?", userID).Order("id").Find(&d.Certificates).Error; err != nil {
			return d, err
		}
	}
	if err := myCare(db, &d, userID, p.Role); err != nil {
		return d, err
	}
	activity, err := s.AuditLog(ctx, AuditFilter{SubjectUserID: userID, Limit: 1000}, domain.Cursor{})
	d.Activity = activity.Rows
	return d, err
}

// CloseAccount anonymises a person's data at their request: name, phone, address, e-mail, children and ID number go
// (and the mails still waiting for them);
// consents and the audit trail stay, as money and service records keep their numbers (certificates too, under
// the masked name). Every session ends.
//
// What is under way ends first (closeCare: her open requests cancelled, his offers declined, their pairings ended,
// the other side told), while the account's row is locked FOR NO KEY UPDATE: that keeps out a new request, a
// benefit application or a second close (they lock the row more strongly), yet lets a volunteer's acceptance at
// this moment finish (its foreign keys only share the key), so the request it won is then cancelled rather than
// the two waiting for each other. The row itself changes last.
func (s *Store) CloseAccount(ctx context.Context, actor Actor, password string) error {
	var err error
	for range careCloseRetries {
		if err = s.closeAccount(ctx, actor, password); !isDeadlock(err) {
			return err
		}
	}
	return err
}

func (s *Store) closeAccount(ctx context.Context, actor Actor, password string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var r userRow
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Take(&r, actor.UserID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		} else if err != nil {
			return err
		}
		if ok, err := domain.PasswordMatches(r.PasswordHash, password); err != nil {
			return err
		} else if !ok {
			return domain.FieldErrors{"password": "error.password_wrong"}
		}
		if err := s.closeCare(ctx, tx, actor, domain.Role(r.Role)); err != nil {
			return err
		}
		phone := *r.Phone                           // the update below clears it in r too
		if err := closeMail(tx, r.ID); err != nil { // before the status: a closed account has no address
			return err
		}
		junk := make([]byte, 16)
		if _, err := rand.Read(junk); err != nil {
			return err
		}
		err := tx.Model(&r).Updates(map[string]any{"phone": nil, "name": domain.ClosedAccountName, "status": domain.StatusClosed,
			"status_reason": "", "password_hash": "closed:" + hex.EncodeToString(junk), "session_version": r.SessionVersion + 1,
			"updated_at": now(tx)}).Error
		if err != nil {
			return err
		}
		steps := []string{
			`UPDATE staff_profiles SET department = '', position = '', address = '', eligibility_entry_id = NULL WHERE user_id = ?`,
			closeBenefitsSQL, // before her children go: her applications keep their numbers, not the child
			`DELETE FROM staff_children WHERE user_id = ?`,
			`UPDATE volunteer_profiles SET id_number_masked = '', id_number_hash = NULL WHERE user_id = ?`,
			`UPDATE volunteer_qualifications SET detail = '' WHERE user_id = ?`,
			// A certificate stays, its figures and number unchanged (its verification link still answers), under the
			// masked name and without the masked ID number: the one change its trigger allows.
			`UPDATE certificates SET holder_name = holder_name_masked, id_number_masked = '' WHERE volunteer_id = ?`,
			`DELETE FROM password_resets WHERE user_id = ?`,
		}
		for _, q := range steps {
			if err := tx.Exec(q, r.ID).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(`DELETE FROM login_attempts WHERE phone = ?`, phone).Error; err != nil {
			return err
		}
		if err := closeGrantsAndClaims(tx, r.ID); err != nil {
			return err
		}
		return audit(tx, actor, "account.close", "user", r.ID, map[string]any{"status": r.Status}, map[string]any{"status": "closed"})
	})
}

package repository

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// VerificationQueue lists pending staff and volunteers, oldest first, and active volunteers with qualifications
// still to check.
func (s *Store) VerificationQueue(ctx context.Context) ([]Person, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&userRow{}).
		// status IN (...) repeats what the OR says, so the planner takes the queue's index (users_queue_idx).
		Where(`role IN ('staff', 'volunteer') AND status IN ('pending', 'active') AND (status = 'pending' OR (status = 'active' AND id IN
			(SELECT user_id FROM volunteer_qualifications WHERE status = ?)))`, domain.QualificationPending).
		Order("created_at, id").Limit(200).Pluck("id", &ids).Error
	if err != nil {
		return nil, err
	}
	return s.peopleByIDs(ctx, ids)
}

// peopleByIDs loads accounts with their profiles in the order of ids: one query per table, however many people.
func (s *Store) peopleByIDs(ctx context.Context, ids []int64) ([]Person, error) {
	db := s.db.WithContext(ctx)
	var users []userRow
	var staff []staffProfileRow
	var children []childRow
	var volunteers []volunteerProfileRow
	var quals []Qualification
	for _, q := range []struct {
		query *gorm.DB
		dest  any
	}{
		{db.Select("id", "phone", "name", "role", "status", "status_reason", "session_version", "created_at").Where("id IN ?", ids), &users},
		{db.Where("user_id IN ?", ids), &staff},
		{db.Where("user_id IN ?", ids).Order("id"), &children},
		{db.Where("user_id IN ?", ids), &volunteers},
		{db.Model(&qualificationRow{}).Where("user_id IN ?", ids).Order("id"), &quals},
	} {
		if len(ids) == 0 {
			break
		}
		if err := q.query.Find(q.dest).Error; err != nil {
			return nil, err
		}
	}
	byID := map[int64]*Person{}
	for _, u := range users {
		byID[u.ID] = &Person{User: u.user()}
	}
	for i := range staff {
		byID[staff[i].UserID].Staff = &staff[i]
	}
	for _, c := range children {
		byID[c.UserID].Children = append(byID[c.UserID].Children, c)
	}
	for i := range volunteers {
		byID[volunteers[i].UserID].Volunteer = &volunteers[i]
	}
	for _, q := range quals {
		byID[q.UserID].Qualifications = append(byID[q.UserID].Qualifications, q)
	}
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, *p)
		}
	}
	return out, nil
}

// DecideAccount approves or rejects a pending registration. Rejection needs a reason, which the person sees.
func (s *Store) DecideAccount(ctx context.Context, actor Actor, id int64, approve bool, reason string) error {
	reason, key := domain.CheckReason(reason, !approve)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := lockUser(tx, id)
		if err != nil {
			return err
		}
		if r.Role != string(domain.RoleStaff) && r.Role != string(domain.RoleVolunteer) {
			return domain.ErrNotFound
		}
		if r.Status != string(domain.StatusPending) {
			return domain.ErrAlreadyDecided
		}
		before := r.auditView()
		r.Status, r.StatusReason = string(domain.StatusActive), ""
		if !approve {
			r.Status, r.StatusReason = string(domain.StatusRejected), reason
		}
		if err := tx.Model(&r).Select("status", "status_reason", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		return audit(tx, actor, "account.verify", "user", id, before, r.auditView())
	})
}

// DecideQualification verifies or rejects one qualification of a volunteer; a rejection says why.
func (s *Store) DecideQualification(ctx context.Context, actor Actor, id int64, approve bool, reason string) (int64, error) {
	reason, key := domain.CheckReason(reason, !approve)
	if key != "" {
		return 0, domain.FieldErrors{"reason": key}
	}
	var q qualificationRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&q, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if q.Status != domain.QualificationPending {
			return domain.ErrAlreadyDecided
		}
		before := map[string]any{"code": q.Code, "status": q.Status}
		status := domain.QualificationVerified
		if !approve {
			status = domain.QualificationRejected
		}
		if err := tx.Model(&q).Updates(map[string]any{"status": status, "reason": reason, "decided_by": actor.UserID, "decided_at": now(tx)}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "qualification.verify", "user", q.UserID, before, map[string]any{"code": q.Code, "status": status, "reason": reason})
	})
	return q.UserID, err
}

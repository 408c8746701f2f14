package repository

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// QueueSize is how many people the verification queue shows at once: the ones who have waited longest. A coordinator
// works from the top, and each decision lets the next one up.
const QueueSize = 25

// queueSQL is who waits for a coordinator: pending staff and volunteers, and active volunteers with qualifications
// still to check, oldest first. status IN (...) repeats what the OR says, so the planner takes the queue's index
// (users_queue_idx) and stops after the first rows it needs.
const queueSQL = `SELECT id FROM users WHERE role IN ('staff', 'volunteer') AND status IN ('pending', 'active')
	AND (status = 'pending' OR (status = 'active' AND id IN (SELECT user_id FROM volunteer_qualifications WHERE status = 'pending')))
	ORDER BY created_at, id`

// queueCountSQL counts the queue's two kinds apart, each up to a thousand and one: the pending people from the
// index on (role, status), the active volunteers with qualifications to check by a semi-join. Counting queueSQL
// itself built a hash of every pending qualification for each view (22 ms on the seeded city, 0.5 ms so).
const queueCountSQL = `SELECT count(*) FROM (
	(SELECT id FROM users WHERE role IN ('staff', 'volunteer') AND status = 'pending' LIMIT ?)
	UNION ALL
	(SELECT u.id FROM users u WHERE u.role IN ('staff', 'volunteer') AND u.status = 'active'
		AND EXISTS (SELECT 1 FROM volunteer_qualifications q WHERE q.user_id = u.id AND q.status = 'pending') LIMIT ?)
	LIMIT ?) capped`

// VerificationQueue returns the QueueSize people who have waited longest, and how many wait in all (counted up to
// a thousand).
func (s *Store) VerificationQueue(ctx context.Context) ([]Person, Count, error) {
	db := s.db.WithContext(ctx)
	var ids []int64
	if err := db.Raw(queueSQL+" LIMIT ?", QueueSize).Scan(&ids).Error; err != nil {
		return nil, Count{}, err
	}
	var n int64
	if err := db.Raw(queueCountSQL, countCap+1, countCap+1, countCap+1).Scan(&n).Error; err != nil {
		return nil, Count{}, err
	}
	waiting := Count{N: min(n, countCap), More: n > countCap}
	people, err := s.peopleByIDs(ctx, ids)
	return people, waiting, err
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

package repository

import (
	"context"
	"errors"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// UpdateVolunteerFacts saves what a volunteer keeps up to date for matching: districts, availability, capacity,
// qualifications, a driver's seats and a tutor's subjects and grades. A qualification added, or whose detail
// changed, goes back to a coordinator to verify (what was verified was the old plate or licence); one unchanged
// keeps its status, a rejected one included; one no longer claimed is removed. It returns how many went back to be
// verified.
func (s *Store) UpdateVolunteerFacts(ctx context.Context, actor Actor, userID int64, f domain.VolunteerFacts) (int, error) {
	reverify := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var p volunteerProfileRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&p, "user_id = ?", userID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		// Locked as a coordinator's decision locks them: a decision and a change of detail never cross.
		var quals []qualificationRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ?", userID).Order("id").Find(&quals).Error; err != nil {
			return err
		}
		before := volunteerFactsView(p, quals)
		kept := quals[:0:0]
		for _, q := range quals {
			i := slices.IndexFunc(f.Qualifications, func(c domain.QualificationClaim) bool { return c.Code == q.Code })
			switch {
			case i < 0:
				if err := tx.Delete(&qualificationRow{}, q.ID).Error; err != nil {
					return err
				}
				continue
			case f.Qualifications[i].Detail != q.Detail:
				q.Detail, q.Status, q.Reason = f.Qualifications[i].Detail, domain.QualificationPending, ""
				if err := tx.Model(&qualificationRow{ID: q.ID}).Updates(map[string]any{"detail": q.Detail, "status": q.Status,
					"reason": "", "decided_by": nil, "decided_at": nil}).Error; err != nil {
					return err
				}
				reverify++
			}
			kept = append(kept, q)
		}
		for _, c := range f.Qualifications {
			if slices.ContainsFunc(quals, func(q qualificationRow) bool { return q.Code == c.Code }) {
				continue
			}
			q := qualificationRow{UserID: userID, Code: c.Code, Detail: c.Detail, Status: domain.QualificationPending}
			if err := tx.Create(&q).Error; err != nil {
				return err
			}
			kept = append(kept, q)
			reverify++
		}
		p.Districts, p.Availability, p.Capacity, p.Subjects = f.Districts, f.Availability, f.Capacity, f.Subjects
		p.VehicleSeats, p.GradeFrom, p.GradeTo = optionalInt(f.VehicleSeats, 0), optionalInt(f.GradeFrom, -1), optionalInt(f.GradeTo, -1)
		if err := tx.Model(&volunteerProfileRow{}).Where("user_id = ?", userID).Updates(map[string]any{
			"districts": p.Districts, "availability": p.Availability, "capacity": p.Capacity, "vehicle_seats": p.VehicleSeats,
			"subjects": p.Subjects, "grade_from": p.GradeFrom, "grade_to": p.GradeTo}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "account.profile", "user", userID, before, volunteerFactsView(p, kept))
	})
	return reverify, err
}

// optionalInt is n, or NULL when it is none.
func optionalInt(n, none int) *int {
	if n == none {
		return nil
	}
	return &n
}

// volunteerFactsView is what the audit log keeps of a volunteer's facts: no plate or licence number (they are
// personal), only what is offered and where each qualification's check stands.
func volunteerFactsView(p volunteerProfileRow, quals []qualificationRow) map[string]any {
	status := map[string]any{}
	for _, q := range domain.Reference.VolunteerQualifications {
		status[q.Code] = nil // a qualification not claimed is told as gone
	}
	for _, q := range quals {
		status[q.Code] = q.Status
	}
	return map[string]any{"districts": p.Districts, "availability": p.Availability, "capacity": p.Capacity,
		"vehicle_seats": p.VehicleSeats, "subjects": p.Subjects, "grade_from": p.GradeFrom, "grade_to": p.GradeTo,
		"qualifications": status}
}

// GradeCodes is a tutor's range of grades as the codes of domain.Grades, first and last; nil for any grade.
func (v volunteerProfileRow) GradeCodes() []string {
	if v.GradeFrom == nil || v.GradeTo == nil || *v.GradeFrom < 0 || *v.GradeTo >= len(domain.Grades) || *v.GradeFrom > *v.GradeTo {
		return nil
	}
	return []string{domain.Grades[*v.GradeFrom], domain.Grades[*v.GradeTo]}
}

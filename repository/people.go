package repository

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// Person is an account with its profile, as operators and the person see it.
type Person struct {
	domain.User
	Staff          *staffProfileRow
	Children       []childRow
	Volunteer      *volunteerProfileRow
	Qualifications []Qualification
}

// Qualification is a volunteer's qualification and where its check stands.
type Qualification struct {
	ID        int64
	UserID    int64
	Code      string
	Detail    string
	Status    domain.QualificationStatus
	Reason    string
	DecidedAt *time.Time
}

// StaffProfile and VolunteerProfile are exported views of the profile rows for templates.
type (
	StaffProfile     = staffProfileRow
	VolunteerProfile = volunteerProfileRow
	ChildRecord      = childRow
)

// PersonByID loads an account with its profile.
func (s *Store) PersonByID(ctx context.Context, id int64) (Person, error) {
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return Person{}, err
	}
	return s.PersonOf(ctx, u)
}

// PersonOf is an account already read (the signed-in person, read with every request) with its profile.
func (s *Store) PersonOf(ctx context.Context, u domain.User) (Person, error) {
	id := u.ID
	p := Person{User: u}
	db := s.db.WithContext(ctx)
	switch u.Role {
	case domain.RoleStaff:
		var sp staffProfileRow
		if err := db.Take(&sp, "user_id = ?", id).Error; err == nil {
			p.Staff = &sp
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return p, err
		}
		if err := db.Where("user_id = ?", id).Order("id").Find(&p.Children).Error; err != nil {
			return p, err
		}
	case domain.RoleVolunteer:
		var vp volunteerProfileRow
		if err := db.Take(&vp, "user_id = ?", id).Error; err == nil {
			p.Volunteer = &vp
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return p, err
		}
		if err := db.Model(&qualificationRow{}).Where("user_id = ?", id).Order("id").Find(&p.Qualifications).Error; err != nil {
			return p, err
		}
	}
	return p, nil
}

// PersonFor loads an account with its profile for the operator who asks, if they may see it
// (domain.CanSeeAccount): an account they may not see is not found, whoever calls.
func (s *Store) PersonFor(ctx context.Context, actor Actor, id int64) (Person, error) {
	p, err := s.PersonByID(ctx, id)
	if err == nil && !domain.CanSeeAccount(actor.Role, p.Role) {
		return Person{}, domain.ErrNotFound
	}
	return p, err
}

// lockVisibleUser locks an account the actor acts on, refusing one they may not see.
func lockVisibleUser(tx *gorm.DB, actor Actor, id int64) (userRow, error) {
	r, err := lockUser(tx, id)
	if err == nil && !domain.CanSeeAccount(actor.Role, domain.Role(r.Role)) {
		return userRow{}, domain.ErrNotFound
	}
	return r, err
}

// PeopleFilter narrows the people list.
type PeopleFilter struct {
	Role   domain.Role
	Status domain.Status
	Query  string // a name fragment or the last digits of a phone
}

// PageSize is the length of operators' lists.
const PageSize = 25

// peoplePages pages the people list, newest account first.
var peoplePages = keyset{id: "id", size: PageSize}

// ListPeople returns the page c names of the accounts a filter matches, newest first, and how many it matches.
func (s *Store) ListPeople(ctx context.Context, f PeopleFilter, c domain.Cursor) (ListPage[domain.User], error) {
	where, args := f.where()
	db := s.db.WithContext(ctx)
	p, err := pageOf(peoplePages, c, func(u domain.User) domain.Cursor { return domain.Cursor{ID: u.ID} },
		func(q pageSQL) ([]domain.User, error) {
			tail, tailArgs := q.Tail()
			var rows []userRow
			err := db.Raw("SELECT id, phone, name, role, status, status_reason, session_version, created_at FROM users WHERE "+where+tail, append(slices.Clone(args), tailArgs...)...).Scan(&rows).Error
			out := make([]domain.User, len(rows))
			for i, r := range rows {
				out[i] = r.user()
			}
			return out, err
		})
	if err == nil {
		p.Count, err = countUpTo(db, "SELECT 1 FROM users WHERE "+where, args...)
	}
	return p, err
}

// where is the filter as SQL over users. Closed accounts are no one's to see.
func (f PeopleFilter) where() (string, []any) {
	where, args := "status <> 'closed'", []any{}
	if f.Role != "" {
		where, args = where+" AND role = ?", append(args, f.Role)
	}
	if f.Status != "" {
		where, args = where+" AND status = ?", append(args, f.Status)
	}
	if f.Query != "" {
		where += " AND (name LIKE ? OR phone LIKE ?)"
		args = append(args, "%"+escapeLike(f.Query)+"%", "%"+escapeLike(f.Query))
	}
	return where, args
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// RevealPhone returns an account's full phone number and records who looked, when and from where.
func (s *Store) RevealPhone(ctx context.Context, actor Actor, id int64) (string, error) {
	var phone string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var r userRow
		if err := tx.Select("id", "phone", "role").Take(&r, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		} else if err != nil {
			return err
		}
		if !domain.CanSeeAccount(actor.Role, domain.Role(r.Role)) {
			return domain.ErrNotFound
		}
		if r.Phone != nil {
			phone = *r.Phone
		}
		return audit(tx, actor, "phone.reveal", "user", id, nil, nil)
	})
	return phone, err
}

// SetStatus suspends or reactivates an account. Suspension ends its sessions at once and says why.
func (s *Store) SetStatus(ctx context.Context, actor Actor, id int64, status domain.Status, reason string) error {
	reason, key := domain.CheckReason(reason, status == domain.StatusSuspended)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := lockVisibleUser(tx, actor, id)
		if err != nil {
			return err
		}
		if r.Status == string(domain.StatusClosed) || r.ID == actor.UserID {
			return domain.ErrForbidden
		}
		before := r.auditView()
		r.Status, r.StatusReason = string(status), reason
		if status == domain.StatusSuspended {
			r.SessionVersion++
		}
		if err := tx.Model(&r).Select("status", "status_reason", "session_version", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		return audit(tx, actor, "account.status", "user", id, before, r.auditView())
	})
}

// Counts are the figures on the operators' home.
type Counts struct {
	PendingPeople, PendingQualifications, ActiveStaff, ActiveVolunteers, EligibilityEntries int64
}

// HomeCounts reads the operators' home figures in one query.
func (s *Store) HomeCounts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.WithContext(ctx).Raw(`SELECT
		(SELECT count(*) FROM users WHERE status = 'pending' AND role IN ('staff', 'volunteer')) AS pending_people,
		(SELECT count(*) FROM volunteer_qualifications q JOIN users u ON u.id = q.user_id
			WHERE q.status = 'pending' AND u.status = 'active') AS pending_qualifications,
		(SELECT count(*) FROM users WHERE status = 'active' AND role = 'staff') AS active_staff,
		(SELECT count(*) FROM users WHERE status = 'active' AND role = 'volunteer') AS active_volunteers,
		(SELECT count(*) FROM eligibility_entries) AS eligibility_entries`).Scan(&c).Error
	return c, err
}

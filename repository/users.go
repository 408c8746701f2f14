package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type userRow struct {
	ID             int64
	Phone          *string
	PasswordHash   string
	Name           string
	Role           string
	Status         string
	StatusReason   string
	SessionVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) user() domain.User {
	u := domain.User{ID: r.ID, Name: r.Name, Role: domain.Role(r.Role), Status: domain.Status(r.Status),
		StatusReason: r.StatusReason, SessionVersion: r.SessionVersion, CreatedAt: r.CreatedAt}
	if r.Phone != nil {
		u.Phone = *r.Phone
	}
	return u
}

// auditView is what the audit log keeps of an account: its role and state, never its name, phone or password
// hash, so the append-only log holds no personal data that closing an account would have to erase.
func (r userRow) auditView() map[string]any {
	return map[string]any{"role": r.Role, "status": r.Status, "reason": r.StatusReason}
}

// UserByID loads an account; it is called on every request with a session, so it reads one narrow row.
func (s *Store) UserByID(ctx context.Context, id int64) (domain.User, error) {
	var r userRow
	err := s.db.WithContext(ctx).Select("id", "phone", "name", "role", "status", "status_reason", "session_version", "created_at").
		Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.User{}, domain.ErrNotFound
	}
	return r.user(), err
}

type signedInRow struct {
	User   userRow `gorm:"embedded"`
	Unread int64
}

// SignedIn is the person a session belongs to, with how many of their notifications are unread, in one
// statement: every signed-in page needs both (the second for the header's inbox link), and it is the one lookup
// every signed-in request makes.
func (s *Store) SignedIn(ctx context.Context, id int64) (domain.User, Count, error) {
	var rows []signedInRow
	err := s.db.WithContext(ctx).Raw(`SELECT id, phone, name, role, status, status_reason, session_version, created_at,
			(`+unreadSQL+`) AS unread
		FROM users WHERE id = ?`, id, UnreadCap+1, id).Scan(&rows).Error
	if err != nil {
		return domain.User{}, Count{}, err
	}
	if len(rows) == 0 {
		return domain.User{}, Count{}, domain.ErrNotFound
	}
	return rows[0].User.user(), cappedUnread(rows[0].Unread), nil
}

func lockUser(tx *gorm.DB, id int64) (userRow, error) {
	var r userRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.ErrNotFound
	}
	return r, err
}

// NewAccount is an account made by an operator or the demo seed: it is active at once.
type NewAccount struct {
	Phone, Password, Name string
	Role                  domain.Role
}

// CreateOperator makes an active account with any role, for `guanai admin create` and the demo data.
func (s *Store) CreateOperator(ctx context.Context, actor Actor, a NewAccount) (domain.User, error) {
	fe := domain.FieldErrors{}
	var key string
	if a.Phone, key = domain.CheckPhone(a.Phone); key != "" {
		fe.Add("phone", key)
	}
	if a.Name, key = domain.CleanName(a.Name); key != "" {
		fe.Add("name", key)
	}
	if key = domain.CheckPassword(a.Password); key != "" {
		fe.Add("password", key)
	}
	if !a.Role.Valid() {
		fe.Add("role", "error.choose_one")
	}
	if err := fe.Err(); err != nil {
		return domain.User{}, err
	}
	hash, err := domain.HashPassword(a.Password)
	if err != nil {
		return domain.User{}, err
	}
	var out userRow
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if out, err = createAccount(tx, domain.Account{Phone: a.Phone, Name: a.Name}, hash, a.Role, domain.StatusActive); err != nil {
			return err
		}
		return audit(tx, actor, "account.create", "user", out.ID, nil, out.auditView())
	})
	return out.user(), err
}

// UserByPhone loads an account by its phone number.
func (s *Store) UserByPhone(ctx context.Context, phone string) (domain.User, error) {
	var r userRow
	err := s.db.WithContext(ctx).Where("phone = ?", domain.NormalizePhone(phone)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.User{}, domain.ErrNotFound
	}
	return r.user(), err
}

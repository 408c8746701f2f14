package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

type staffProfileRow struct {
	UserID             int64 `gorm:"primaryKey"`
	Hospital           string
	Department         string
	Position           string
	Category           string
	District           string
	Address            string
	EligibilityEntryID *int64
}

func (staffProfileRow) TableName() string { return "staff_profiles" }

type childRow struct {
	ID        int64
	UserID    int64
	Name      string
	BirthYear int
	Grade     string
}

func (childRow) TableName() string { return "staff_children" }

type volunteerProfileRow struct {
	UserID         int64 `gorm:"primaryKey"`
	IDNumberMasked string
	IDNumberHash   *string
	Districts      textArray `gorm:"type:text[]"`
	Availability   textArray `gorm:"type:text[]"`
	Capacity       int
	// The facts matching reads of a driver and a tutor (migrations/00011_care.sql); grades are places in
	// domain.Grades.
	VehicleSeats *int
	Subjects     textArray `gorm:"type:text[]"`
	GradeFrom    *int
	GradeTo      *int
}

func (volunteerProfileRow) TableName() string { return "volunteer_profiles" }

type qualificationRow struct {
	ID     int64
	UserID int64
	Code   string
	Detail string
	Status domain.QualificationStatus
	Reason string
}

func (qualificationRow) TableName() string { return "volunteer_qualifications" }

type consentRow struct {
	ID      int64
	UserID  int64
	Kind    string
	Version string
	IP      string
	GivenAt time.Time
}

func (consentRow) TableName() string { return "consents" }

// RegisterStaff creates a staff account from a checked registration. A person on the eligibility list (same phone
// and name) is active at once; anyone else waits for a coordinator.
func (s *Store) RegisterStaff(ctx context.Context, ip string, r domain.StaffRegistration) (domain.User, error) {
	hash, err := domain.HashPassword(r.Password)
	if err != nil {
		return domain.User{}, err
	}
	var u userRow
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// Shared with other registrations, exclusive with a list being confirmed: a person who registers while
		// the list that names them is confirmed is matched by one side or the other, never missed by both.
		if err := tx.Exec("SELECT pg_advisory_xact_lock_shared(?)", eligibilityLock).Error; err != nil {
			return err
		}
		entryID, err := eligibleEntry(tx, r.Phone, r.Name)
		if err != nil {
			return err
		}
		status := domain.StatusPending
		if entryID != nil {
			status = domain.StatusActive
		}
		if u, err = createAccount(tx, r.Account, hash, domain.RoleStaff, status); err != nil {
			return err
		}
		p := r.Profile
		if err := tx.Create(&staffProfileRow{UserID: u.ID, Hospital: p.Hospital, Department: p.Department, Position: p.Position,
			Category: p.Category, District: p.District, Address: p.Address, EligibilityEntryID: entryID}).Error; err != nil {
			return err
		}
		for _, c := range p.Children {
			if err := tx.Create(&childRow{UserID: u.ID, Name: c.Name, BirthYear: c.BirthYear, Grade: c.Grade}).Error; err != nil {
				return err
			}
		}
		if err := recordConsents(tx, u.ID, ip, len(p.Children) > 0 && r.ChildrenConsent); err != nil {
			return err
		}
		after := u.auditView()
		after["eligible"] = entryID != nil
		return audit(tx, Actor{UserID: u.ID, IP: ip}, "account.register", "user", u.ID, nil, after)
	})
	return u.user(), err
}

// RegisterVolunteer creates a pending volunteer account with its qualifications, each waiting to be verified.
func (s *Store) RegisterVolunteer(ctx context.Context, ip string, r domain.VolunteerRegistration) (domain.User, error) {
	hash, err := domain.HashPassword(r.Password)
	if err != nil {
		return domain.User{}, err
	}
	var u userRow
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if u, err = createAccount(tx, r.Account, hash, domain.RoleVolunteer, domain.StatusPending); err != nil {
			return err
		}
		p := r.Profile
		idHash := domain.HashIDNumber(s.idKey, p.IDNumber)
		err := tx.Create(&volunteerProfileRow{UserID: u.ID, IDNumberMasked: domain.MaskIDNumber(p.IDNumber), IDNumberHash: &idHash,
			Districts: p.Districts, Availability: p.Availability, Capacity: p.Capacity}).Error
		if isUniqueViolation(err, "volunteer_profiles_id_number_hash_key") {
			return domain.FieldErrors{"id_number": "error.id_number_taken"}
		}
		if err != nil {
			return err
		}
		for _, q := range p.Qualifications {
			if err := tx.Create(&qualificationRow{UserID: u.ID, Code: q.Code, Detail: q.Detail, Status: domain.QualificationPending}).Error; err != nil {
				return err
			}
		}
		if err := recordConsents(tx, u.ID, ip, false); err != nil {
			return err
		}
		return audit(tx, Actor{UserID: u.ID, IP: ip}, "account.register", "user", u.ID, nil, u.auditView())
	})
	return u.user(), err
}

func createAccount(tx *gorm.DB, a domain.Account, hash string, role domain.Role, status domain.Status) (userRow, error) {
	u := userRow{Phone: &a.Phone, PasswordHash: hash, Name: a.Name, Role: string(role), Status: string(status), SessionVersion: 1}
	err := tx.Create(&u).Error
	if isUniqueViolation(err, "users_phone_key") {
		return u, domain.FieldErrors{"phone": "error.phone_taken"}
	}
	return u, err
}

func recordConsents(tx *gorm.DB, userID int64, ip string, children bool) error {
	at := now(tx)
	rows := []consentRow{{UserID: userID, Kind: domain.ConsentPrivacy, Version: domain.PrivacyNoticeVersion, IP: ip, GivenAt: at}}
	if children {
		rows = append(rows, consentRow{UserID: userID, Kind: domain.ConsentChildren, Version: domain.PrivacyNoticeVersion, IP: ip, GivenAt: at})
	}
	return tx.Create(&rows).Error
}

// eligibleEntry finds the eligibility list entry with this phone and name, if any.
func eligibleEntry(tx *gorm.DB, phone, name string) (*int64, error) {
	var e eligibilityEntryRow
	err := tx.Where("phone = ? AND name = ?", phone, name).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e.ID, nil
}

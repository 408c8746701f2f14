package repository

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// Hours certificates (志愿服务证明). Issuing reads the volunteer's confirmed services of the period and stores every
// figure with the certificate; nothing here updates one (the trigger of migrations/00015 refuses it, but for the
// anonymising of a closed account, privacy.go). A volunteer reads his own only: another's id is not found. The
// public check by code reads the masked name, the hours and the period, and no other column.

// CertificateProgram is one program's confirmed time on a certificate.
type CertificateProgram struct {
	ProgramZh string `json:"program_zh"`
	ProgramEn string `json:"program_en"`
	Minutes   int64  `json:"minutes"`
	Services  int    `json:"services"`
}

// Program is the program's name in lang.
func (p CertificateProgram) Program(lang string) string {
	return ProgramNames{p.ProgramZh, p.ProgramEn}.Program(lang)
}

// CertificateService is one service a certificate counts.
type CertificateService struct {
	Date      string `json:"date"` // the Shanghai day it was given, 2006-01-02
	ProgramZh string `json:"program_zh"`
	ProgramEn string `json:"program_en"`
	Minutes   int    `json:"minutes"`
}

// Program is the program's name in lang.
func (p CertificateService) Program(lang string) string {
	return ProgramNames{p.ProgramZh, p.ProgramEn}.Program(lang)
}

// Certificate is an issued certificate, as printed.
type Certificate struct {
	ID               int64                            `json:"id"`
	VolunteerID      int64                            `json:"-"`
	Number           string                           `json:"number"`
	Code             string                           `json:"verification_code"`
	PeriodFrom       time.Time                        `json:"period_from"`
	PeriodTo         time.Time                        `json:"period_to"`
	HolderName       string                           `json:"name"`
	HolderNameMasked string                           `json:"name_masked"`
	IDNumberMasked   string                           `json:"id_number_masked"`
	Minutes          int64                            `json:"minutes"` // confirmed in the period
	ServiceCount     int                              `json:"service_count"`
	TotalMinutes     int64                            `json:"total_minutes"` // all confirmed time at issue: the star level's
	StarLevel        int                              `json:"star_level"`
	OrganisationZh   string                           `json:"organisation_zh"`
	OrganisationEn   string                           `json:"organisation_en"`
	Programs         jsonColumn[[]CertificateProgram] `json:"programs"`
	Services         jsonColumn[[]CertificateService] `json:"services"`
	IssuedAt         time.Time                        `json:"issued_at"`
}

func (Certificate) TableName() string { return "certificates" }

// Organisation is the issuer's name in lang.
func (c Certificate) Organisation(lang string) string {
	if lang == "en" {
		return c.OrganisationEn
	}
	return c.OrganisationZh
}

// jsonColumn is a jsonb column read into and written from V.
type jsonColumn[T any] struct{ V T }

// Scan reads a jsonb value.
func (j *jsonColumn[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		return nil
	default:
		return fmt.Errorf("jsonb: cannot read %T", src)
	}
	return json.Unmarshal(b, &j.V)
}

// Value writes the value as JSON text.
func (j jsonColumn[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	return string(b), err
}

// MarshalJSON is the value itself, for the data download.
func (j jsonColumn[T]) MarshalJSON() ([]byte, error) { return json.Marshal(j.V) }

// IssueCertificate issues the volunteer's certificate of the period, or returns the one issued before: one per
// volunteer and period, however often (or however many at once) he asks. starHours are the thresholds in force.
// The volunteer's profile row is locked first, so two issues at once take turns and the second finds the first's.
func (s *Store) IssueCertificate(ctx context.Context, actor Actor, from, to time.Time, starHours []int) (Certificate, error) {
	from, to = domain.Today(from), domain.Today(to)
	var out Certificate
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var holder []struct {
			Name             string
			IDNumberMasked   string
			ConfirmedMinutes int64
		}
		if err := tx.Raw(`SELECT u.name, vp.id_number_masked, vp.confirmed_minutes FROM users u
			JOIN volunteer_profiles vp ON vp.user_id = u.id WHERE u.id = ? FOR UPDATE OF vp`, actor.UserID).Scan(&holder).Error; err != nil {
			return err
		}
		if len(holder) == 0 {
			return domain.ErrNotFound
		}
		err := tx.Where("volunteer_id = ? AND period_from = ? AND period_to = ?", actor.UserID, from.Format(time.DateOnly),
			to.Format(time.DateOnly)).Take(&out).Error
		if err == nil {
			return nil // issued before: the same certificate
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var services []CertificateService
		if err := tx.Raw(`SELECT to_char(sv.checked_in_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS date,
				p.name_zh AS program_zh, p.name_en AS program_en, sv.minutes
			FROM care_services sv JOIN care_requests r ON r.id = sv.request_id JOIN programs p ON p.id = r.program_id
			WHERE sv.volunteer_id = ? AND sv.status = 'confirmed' AND sv.checked_in_at >= ? AND sv.checked_in_at < ?
			ORDER BY sv.checked_in_at, sv.id`, actor.UserID, from, to.AddDate(0, 0, 1)).Scan(&services).Error; err != nil {
			return err
		}
		if len(services) == 0 {
			return domain.FieldErrors{"from": "certificate.error.no_hours"} // nothing to certify
		}
		code, err := domain.NewCertificateCode(rand.Reader)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.Raw(`SELECT nextval(pg_get_serial_sequence('certificates', 'id'))`).Scan(&id).Error; err != nil {
			return err
		}
		at := now(tx)
		h := holder[0]
		out = Certificate{ID: id, VolunteerID: actor.UserID, Number: domain.CertificateNumber(at, id), Code: code,
			PeriodFrom: from, PeriodTo: to, HolderName: h.Name, HolderNameMasked: domain.MaskName(h.Name),
			IDNumberMasked: h.IDNumberMasked, TotalMinutes: h.ConfirmedMinutes, StarLevel: domain.StarLevel(h.ConfirmedMinutes, starHours),
			OrganisationZh: domain.CertificateIssuerZh, OrganisationEn: domain.CertificateIssuerEn, IssuedAt: at,
			Services: jsonColumn[[]CertificateService]{services}}
		out.Programs.V, out.Minutes = certificatePrograms(services)
		out.ServiceCount = len(services)
		// The days are written as dates, not times, so the session's time zone cannot move them.
		if err := tx.Exec(`INSERT INTO certificates (id, volunteer_id, number, code, period_from, period_to, holder_name,
				holder_name_masked, id_number_masked, minutes, service_count, total_minutes, star_level, organisation_zh,
				organisation_en, programs, services, issued_at)
			VALUES (?, ?, ?, ?, ?::date, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)`,
			out.ID, out.VolunteerID, out.Number, out.Code, from.Format(time.DateOnly), to.Format(time.DateOnly), out.HolderName,
			out.HolderNameMasked, out.IDNumberMasked, out.Minutes, out.ServiceCount, out.TotalMinutes, out.StarLevel,
			out.OrganisationZh, out.OrganisationEn, out.Programs, out.Services, out.IssuedAt).Error; err != nil {
			return err
		}
		return audit(tx, actor, "certificate.issue", "certificate", id, nil, map[string]any{"number": out.Number,
			"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly), "minutes": out.Minutes})
	})
	if err != nil {
		return Certificate{}, err
	}
	out.PeriodFrom, out.PeriodTo = domain.Today(out.PeriodFrom), domain.Today(out.PeriodTo)
	return out, nil
}

// certificatePrograms sums the services by program, in the order each program first appears.
func certificatePrograms(services []CertificateService) ([]CertificateProgram, int64) {
	var out []CertificateProgram
	at := map[[2]string]int{}
	var total int64
	for _, sv := range services {
		key := [2]string{sv.ProgramZh, sv.ProgramEn}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, CertificateProgram{ProgramZh: sv.ProgramZh, ProgramEn: sv.ProgramEn})
		}
		out[i].Minutes += int64(sv.Minutes)
		out[i].Services++
		total += int64(sv.Minutes)
	}
	return out, total
}

// CertificateLine is a certificate in the volunteer's list. The days are 2006-01-02.
type CertificateLine struct {
	ID         int64     `json:"id"`
	Number     string    `json:"number"`
	PeriodFrom string    `json:"period_from"`
	PeriodTo   string    `json:"period_to"`
	Minutes    int64     `json:"minutes"`
	IssuedAt   time.Time `json:"issued_at"`
}

// homeCertificates is the volunteer's latest certificates as one JSON value, a column of the home's figures (so
// the list costs the home no statement of its own).
const homeCertificates = `SELECT coalesce(json_agg(c ORDER BY c.issued_at DESC, c.id DESC), '[]') FROM (
		SELECT id, number, to_char(period_from, 'YYYY-MM-DD') AS period_from, to_char(period_to, 'YYYY-MM-DD') AS period_to,
			minutes, issued_at FROM certificates WHERE volunteer_id = vp.user_id ORDER BY issued_at DESC, id DESC LIMIT 10) c`

// certificateList bounds the volunteer's list: a certificate a year or so is usual.
const certificateList = 50

// VolunteerCertificates lists the volunteer's certificates, the latest first.
func (s *Store) VolunteerCertificates(ctx context.Context, volunteerID int64) ([]CertificateLine, error) {
	var out []CertificateLine
	err := s.db.WithContext(ctx).Raw(`SELECT id, number, to_char(period_from, 'YYYY-MM-DD') AS period_from,
			to_char(period_to, 'YYYY-MM-DD') AS period_to, minutes, issued_at
		FROM certificates WHERE volunteer_id = ? ORDER BY issued_at DESC, id DESC LIMIT ?`, volunteerID, certificateList).Scan(&out).Error
	return out, err
}

// VolunteerCertificate reads one of the volunteer's certificates; anyone else's is not found.
func (s *Store) VolunteerCertificate(ctx context.Context, volunteerID, id int64) (Certificate, error) {
	var c Certificate
	err := s.db.WithContext(ctx).Where("id = ? AND volunteer_id = ?", id, volunteerID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, domain.ErrNotFound
	}
	c.PeriodFrom, c.PeriodTo = domain.Today(c.PeriodFrom), domain.Today(c.PeriodTo)
	return c, err
}

// CertificateCheck is what anyone may read of a certificate by its code: the masked name, the hours, the period.
type CertificateCheck struct {
	HolderNameMasked string
	Minutes          int64
	PeriodFrom       time.Time
	PeriodTo         time.Time
}

// VerifyCertificate finds the certificate of a verification code; an unknown or malformed code is not found.
func (s *Store) VerifyCertificate(ctx context.Context, typed string) (CertificateCheck, error) {
	code, ok := domain.NormalizeCertificateCode(typed)
	if !ok {
		return CertificateCheck{}, domain.ErrNotFound
	}
	var out []CertificateCheck
	if err := s.db.WithContext(ctx).Raw(`SELECT holder_name_masked, minutes, period_from, period_to FROM certificates
		WHERE code = ?`, code).Scan(&out).Error; err != nil {
		return CertificateCheck{}, err
	}
	if len(out) == 0 {
		return CertificateCheck{}, domain.ErrNotFound
	}
	c := out[0]
	c.PeriodFrom, c.PeriodTo = domain.Today(c.PeriodFrom), domain.Today(c.PeriodTo)
	return c, nil
}

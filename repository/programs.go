package repository

import (
	"context"
	"errors"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Programs are data (DESIGN §1): an administrator edits their names, descriptions, whether they take new requests,
// the qualification a service program needs, whether its requests are sensitive, and how it dispatches.

// CareProgram is a program with all its settings, as the programs' pages show it (Program is the fund pages' few
// columns).
type CareProgram = careProgramRow

// Name is the program's name in a language (zh-CN unless "en").
func (p careProgramRow) Name(lang string) string {
	if lang == "en" {
		return p.NameEn
	}
	return p.NameZh
}

// Description is the program's description in a language.
func (p careProgramRow) Description(lang string) string {
	if lang == "en" {
		return p.DescriptionEn
	}
	return p.DescriptionZh
}

// QualificationCode is the qualification the program needs of a volunteer, "" when none.
func (p careProgramRow) QualificationCode() string {
	if p.Qualification == nil {
		return ""
	}
	return *p.Qualification
}

// Ceiling is a grant program's grant ceiling or a service program's claim ceiling, 0 when none is set.
func (p careProgramRow) Ceiling() domain.Money {
	switch {
	case p.Kind == domain.ProgramGrant && p.GrantCeiling != nil:
		return domain.Money(*p.GrantCeiling)
	case p.Kind == domain.ProgramService && p.ClaimCeiling != nil:
		return domain.Money(*p.ClaimCeiling)
	}
	return 0
}

// Dispatch is the program's dispatch settings.
func (p careProgramRow) Dispatch() domain.DispatchSettings { return p.dispatch() }

// ProgramList returns every program in the catalogue's order.
func (s *Store) ProgramList(ctx context.Context) ([]CareProgram, error) {
	var out []CareProgram
	err := s.db.WithContext(ctx).Order("position, id").Find(&out).Error
	return out, err
}

// ProgramForEdit returns a program to edit.
func (s *Store) ProgramForEdit(ctx context.Context, id int64) (CareProgram, error) {
	var p CareProgram
	err := s.db.WithContext(ctx).Take(&p, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, domain.ErrNotFound
	}
	return p, err
}

// UpdateProgram changes a program's settings. An inactive program takes no new requests (domain.RequestForm.Check
// refuses them); the requests already open carry on. The audit event holds each setting that changed, before and
// after.
func (s *Store) UpdateProgram(ctx context.Context, actor Actor, id int64, f domain.ProgramForm) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var p careProgramRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&p, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		settings, fe := f.Check(p.Kind)
		if len(fe) > 0 {
			return fe
		}
		after := p
		after.apply(settings)
		after.UpdatedAt = now(tx)
		before, changed := changedProgramSettings(p.columns(), after.columns())
		if err := tx.Model(&careProgramRow{ID: id}).Updates(after.columns()).Error; err != nil {
			return err
		}
		return audit(tx, actor, "program.update", "program", id, before, changed)
	})
}

// apply sets the row's editable columns to the settings.
func (p *careProgramRow) apply(s domain.ProgramSettings) {
	p.NameZh, p.NameEn, p.DescriptionZh, p.DescriptionEn = s.NameZh, s.NameEn, s.DescriptionZh, s.DescriptionEn
	p.Active, p.Sensitive, p.Qualification = s.Active, s.Sensitive, nil
	if s.Qualification != "" {
		p.Qualification = &s.Qualification
	}
	if b := s.Benefit; b != nil {
		p.Quota, p.QuotaPer, p.Period, p.TermStart, p.TermEnd = &b.Quota, &b.QuotaPer, &b.Period, b.TermStart, b.TermEnd
	}
	switch ceiling := (*int64)(nil); {
	case s.KeepCeiling:
	case p.Kind == domain.ProgramGrant:
		if s.Ceiling > 0 {
			ceiling = ptr(int64(s.Ceiling))
		}
		p.GrantCeiling = ceiling
	case p.Kind == domain.ProgramService:
		if s.Ceiling > 0 {
			ceiling = ptr(int64(s.Ceiling))
		}
		p.ClaimCeiling = ceiling
	}
	d := s.Dispatch
	if d.Offers == nil { // a program that does not dispatch keeps what it has
		return
	}
	p.OffersEmergency, p.MinutesEmergency = d.Offers[domain.UrgencyEmergency], d.Minutes(domain.UrgencyEmergency)
	p.OffersUrgent, p.MinutesUrgent = d.Offers[domain.UrgencyUrgent], d.Minutes(domain.UrgencyUrgent)
	p.OffersNormal, p.MinutesNormal = d.Offers[domain.UrgencyNormal], d.Minutes(domain.UrgencyNormal)
	p.DailyOfferCap = d.DailyCap
	if a := s.Assignment; a != nil {
		p.AssignDistanceWeight, p.AssignLoadWeight = a.Weights.Distance, a.Weights.Load
		p.AssignContinuityWeight, p.AssignFairnessWeight, p.PlanHours = a.Weights.Continuity, a.Weights.Fairness, a.PlanHours
	}
}

// columns are the row's editable columns by name, as written and as the audit log tells them. Nothing in them is
// personal: a program's names and descriptions are public.
func (p careProgramRow) columns() map[string]any {
	return map[string]any{"name_zh": p.NameZh, "name_en": p.NameEn, "description_zh": p.DescriptionZh,
		"description_en": p.DescriptionEn, "active": p.Active, "qualification": p.Qualification, "sensitive": p.Sensitive,
		"offers_emergency": p.OffersEmergency, "minutes_emergency": p.MinutesEmergency, "offers_urgent": p.OffersUrgent,
		"minutes_urgent": p.MinutesUrgent, "offers_normal": p.OffersNormal, "minutes_normal": p.MinutesNormal,
		"daily_offer_cap": p.DailyOfferCap, "grant_ceiling": p.GrantCeiling, "claim_ceiling": p.ClaimCeiling,
		"updated_at": p.UpdatedAt,
		"quota":      p.Quota, "quota_per": p.QuotaPer, "period": p.Period, "term_start": dateText(p.TermStart), "term_end": dateText(p.TermEnd),
		"assign_distance_weight": p.AssignDistanceWeight, "assign_load_weight": p.AssignLoadWeight,
		"assign_continuity_weight": p.AssignContinuityWeight, "assign_fairness_weight": p.AssignFairnessWeight,
		"plan_hours": p.PlanHours}
}

// changedProgramSettings keeps the settings that differ, before and after; the time of the change is the event's.
func changedProgramSettings(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if k != "updated_at" && !reflect.DeepEqual(before[k], v) {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}

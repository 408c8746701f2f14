package repository

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// The classes and venues of a benefit program, and the venue accounts whose desks redeem them. The admin creates
// a venue account (CreateOperator with domain.RoleVenue) and then ties places to it.

// BenefitPlace is a class or venue with the name of the venue account that redeems it.
type BenefitPlace struct {
	ID        int64
	ProgramID int64
	VenueID   int64
	VenueName string
	NameZh    string
	NameEn    string
	Address   string
	Active    bool
}

// Name is the place's name in a language.
func (p BenefitPlace) Name(lang string) string { return inLang(lang, p.NameZh, p.NameEn) }

// VenueAccount is a venue's desk account with the places it redeems.
type VenueAccount struct {
	ID     int64
	Name   string
	Phone  string // masked
	Status domain.Status
	Places string // the names of its places, joined
}

// venuesShown bounds the venue list: a city has tens of venues, not thousands.
const venuesShown = 500

// VenueAccounts lists the venue accounts, oldest first, with their places: one statement.
func (s *Store) VenueAccounts(ctx context.Context) ([]VenueAccount, error) {
	var out []VenueAccount
	err := s.db.WithContext(ctx).Raw(`SELECT u.id, u.name, coalesce(u.phone, '') AS phone, u.status,
			coalesce(string_agg(p.name_zh, '、' ORDER BY p.id), '') AS places
		FROM users u LEFT JOIN benefit_places p ON p.venue_id = u.id
		WHERE u.role = ? GROUP BY u.id ORDER BY u.id LIMIT ?`, domain.RoleVenue, venuesShown).Scan(&out).Error
	for i := range out {
		out[i].Phone = domain.MaskPhone(out[i].Phone)
	}
	return out, err
}

// BenefitPlaces lists a program's places in the order they were added, the inactive ones too: one statement.
func (s *Store) BenefitPlaces(ctx context.Context, programID int64) ([]BenefitPlace, error) {
	var out []BenefitPlace
	err := s.db.WithContext(ctx).Raw(`SELECT p.id, p.program_id, p.venue_id, u.name AS venue_name, p.name_zh, p.name_en,
			p.address, p.active
		FROM benefit_places p JOIN users u ON u.id = p.venue_id WHERE p.program_id = ? ORDER BY p.id`, programID).
		Scan(&out).Error
	return out, err
}

// activeVenueIDs are the venue accounts a place may be tied to.
func activeVenueIDs(tx *gorm.DB) ([]int64, error) {
	var ids []int64
	err := tx.Raw(`SELECT id FROM users WHERE role = ? AND status = ? ORDER BY id`, domain.RoleVenue, domain.StatusActive).
		Scan(&ids).Error
	return ids, err
}

// CreateBenefitPlace adds a class or venue to a benefit program.
func (s *Store) CreateBenefitPlace(ctx context.Context, actor Actor, programID int64, f domain.BenefitPlaceForm) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var pr careProgramRow
		err := tx.Take(&pr, programID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if pr.Kind != domain.ProgramBenefit {
			return domain.ErrNotBenefit
		}
		venues, err := activeVenueIDs(tx)
		if err != nil {
			return err
		}
		f.Active = true
		p, fe := f.Check(venues)
		if len(fe) > 0 {
			return fe
		}
		at := now(tx)
		row := benefitPlaceRow{ProgramID: programID, VenueID: p.VenueID, NameZh: p.NameZh, NameEn: p.NameEn, Address: p.Address,
			Active: true, CreatedAt: at, UpdatedAt: at}
		if err := tx.Omit("ID").Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		return audit(tx, actor, "benefit.place_create", "benefit_place", row.ID, nil, row.columns())
	})
	return id, err
}

// UpdateBenefitPlace changes a place: its names, address, venue, and whether it takes new applications (an
// inactive place takes none; vouchers already issued for it stay good).
func (s *Store) UpdateBenefitPlace(ctx context.Context, actor Actor, placeID int64, f domain.BenefitPlaceForm) (int64, error) {
	var programID int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row benefitPlaceRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, placeID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		programID = row.ProgramID
		venues, err := activeVenueIDs(tx)
		if err != nil {
			return err
		}
		p, fe := f.Check(append(venues, row.VenueID)) // its own venue stays a choice, even suspended
		if len(fe) > 0 {
			return fe
		}
		after := row
		after.NameZh, after.NameEn, after.Address, after.VenueID, after.Active = p.NameZh, p.NameEn, p.Address, p.VenueID, p.Active
		after.UpdatedAt = now(tx)
		before, changed := changedProgramSettings(row.columns(), after.columns())
		if len(changed) == 0 {
			return nil
		}
		if err := tx.Model(&benefitPlaceRow{ID: placeID}).Updates(map[string]any{"name_zh": after.NameZh, "name_en": after.NameEn,
			"address": after.Address, "venue_id": after.VenueID, "active": after.Active, "updated_at": after.UpdatedAt}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "benefit.place_update", "benefit_place", placeID, before, changed)
	})
	return programID, err
}

// columns are what the audit log tells of a place: nothing in them is personal.
func (p benefitPlaceRow) columns() map[string]any {
	return map[string]any{"program_id": p.ProgramID, "venue_id": p.VenueID, "name_zh": p.NameZh, "name_en": p.NameEn,
		"address": p.Address, "active": p.Active, "updated_at": p.UpdatedAt}
}

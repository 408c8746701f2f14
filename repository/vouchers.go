package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// Vouchers: her printable voucher, and the venue's desk looking one up by its code and redeeming it once.

// Voucher is a voucher with what its page and the desk show: the child's given name (never the full name), the
// place and the program.
type Voucher struct {
	ID            int64
	ApplicationID int64
	Code          string
	StaffID       int64
	StaffName     string
	VenueID       int64
	VenueName     string
	ProgramNameZh string
	ProgramNameEn string
	PlaceNameZh   string
	PlaceNameEn   string
	PlaceAddress  string
	ChildName     string // given name; "" for a per-staff program
	IssuedAt      time.Time
	ExpiresAt     time.Time
	RedeemedAt    *time.Time
}

// ProgramName is the program's name in a language.
func (v Voucher) ProgramName(lang string) string {
	return inLang(lang, v.ProgramNameZh, v.ProgramNameEn)
}

// PlaceName is the place's name in a language.
func (v Voucher) PlaceName(lang string) string { return inLang(lang, v.PlaceNameZh, v.PlaceNameEn) }

// Grouped is the code as people read it: 7K3QM-2XH9P-T.
func (v Voucher) Grouped() string { return domain.GroupVoucherCode(v.Code) }

// Expired reports whether the voucher ran out unredeemed by now.
func (v Voucher) Expired(now time.Time) bool { return v.RedeemedAt == nil && !now.Before(v.ExpiresAt) }

func (v Voucher) facts() domain.VoucherFacts {
	return domain.VoucherFacts{VenueID: v.VenueID, ExpiresAt: v.ExpiresAt, RedeemedAt: v.RedeemedAt}
}

const voucherSQL = `SELECT v.id, v.application_id, v.code, v.staff_id, su.name AS staff_name, pl.venue_id,
		vu.name AS venue_name, pr.name_zh AS program_name_zh, pr.name_en AS program_name_en,
		pl.name_zh AS place_name_zh, pl.name_en AS place_name_en, pl.address AS place_address,
		coalesce(c.name, '') AS child_name, v.issued_at, v.expires_at, v.redeemed_at
	FROM vouchers v JOIN benefit_applications a ON a.id = v.application_id JOIN programs pr ON pr.id = a.program_id
		JOIN benefit_places pl ON pl.id = v.place_id JOIN users vu ON vu.id = pl.venue_id JOIN users su ON su.id = v.staff_id
		LEFT JOIN staff_children c ON c.id = a.child_id`

func scanVoucher(db *gorm.DB, where string, args ...any) (Voucher, error) {
	var out []Voucher
	if err := db.Raw(voucherSQL+" WHERE "+where, args...).Scan(&out).Error; err != nil {
		return Voucher{}, err
	}
	if len(out) == 0 {
		return Voucher{}, domain.ErrNotFound
	}
	v := out[0]
	v.ChildName = domain.GivenName(v.ChildName)
	return v, nil
}

// StaffVoucher is one of her vouchers; anyone else's is not found, as one that does not exist. One statement.
func (s *Store) StaffVoucher(ctx context.Context, staffID, id int64) (Voucher, error) {
	return scanVoucher(s.db.WithContext(ctx), "v.id = ? AND v.staff_id = ?", id, staffID)
}

// LookUpVoucher is what the desk of a venue sees of a typed or scanned code before confirming: the voucher, or
// why it cannot be redeemed here — nothing typed, not a code's shape, a mistyped character (its check symbol does
// not fit), no such voucher, another venue's voucher, redeemed already (and when), expired (and when). One
// statement, none for a code that cannot be one.
func (s *Store) LookUpVoucher(ctx context.Context, venueID int64, typed string) (Voucher, error) {
	code, err := domain.NormalizeVoucherCode(typed)
	if err != nil {
		return Voucher{}, err
	}
	v, err := scanVoucher(s.db.WithContext(ctx), "v.code = ?", code)
	if errors.Is(err, domain.ErrNotFound) {
		return v, domain.ErrVoucherUnknown
	}
	if err != nil {
		return v, err
	}
	if err := v.facts().CheckRedeem(venueID, s.Now()); err != nil {
		return Voucher{}, err
	}
	return v.atDesk(), nil
}

// atDesk is what the desk may see of a voucher: the holder by given name only.
func (v Voucher) atDesk() Voucher {
	v.StaffName = domain.GivenName(v.StaffName)
	return v
}

// RedeemVoucher redeems a voucher at the desk of the venue signed in, once: the voucher's row is locked before
// it is checked, so of two desks (or a double press) confirming at once exactly one redeems it and the other is
// told it was redeemed, and when. Audited.
func (s *Store) RedeemVoucher(ctx context.Context, actor Actor, typed string) (Voucher, error) {
	code, err := domain.NormalizeVoucherCode(typed)
	if err != nil {
		return Voucher{}, err
	}
	var v Voucher
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Raw(`SELECT id FROM vouchers WHERE code = ? FOR UPDATE`, code).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return domain.ErrVoucherUnknown
		}
		var err error
		if v, err = scanVoucher(tx, "v.id = ?", ids[0]); err != nil {
			return err
		}
		at := now(tx)
		if err := v.facts().CheckRedeem(actor.UserID, at); err != nil {
			return err
		}
		if err := tx.Model(&voucherRow{ID: v.ID}).Updates(map[string]any{"redeemed_at": at, "redeemed_by": actor.UserID}).Error; err != nil {
			return err
		}
		v.RedeemedAt = &at
		return audit(tx, actor, "voucher.redeem", "voucher", v.ID, map[string]any{"status": "issued"},
			map[string]any{"status": "redeemed", "application_id": v.ApplicationID})
	})
	if err != nil {
		return Voucher{}, err
	}
	return v.atDesk(), nil
}

// VenueDesk is what the desk's page lists: its places and its latest redemptions.
type VenueDesk struct {
	Places   []BenefitPlace
	Redeemed []Voucher
}

// venueRedeemedShown bounds the desk's list of what it redeemed: the day's, roughly.
const venueRedeemedShown = 20

// VenueDesk loads a venue's places and latest redemptions: two statements.
func (s *Store) VenueDesk(ctx context.Context, venueID int64) (VenueDesk, error) {
	db := s.db.WithContext(ctx)
	var d VenueDesk
	if err := db.Raw(`SELECT p.id, p.program_id, p.venue_id, p.name_zh, p.name_en, p.address, p.active
		FROM benefit_places p WHERE p.venue_id = ? ORDER BY p.id`, venueID).Scan(&d.Places).Error; err != nil {
		return d, err
	}
	if err := db.Raw(voucherSQL+` WHERE v.redeemed_by = ? ORDER BY v.redeemed_at DESC, v.id DESC LIMIT ?`,
		venueID, venueRedeemedShown).Scan(&d.Redeemed).Error; err != nil {
		return d, err
	}
	for i := range d.Redeemed {
		d.Redeemed[i].ChildName = domain.GivenName(d.Redeemed[i].ChildName)
		d.Redeemed[i] = d.Redeemed[i].atDesk()
	}
	return d, nil
}

// Redeemed is when it was redeemed (the zero time when it was not).
func (v Voucher) Redeemed() time.Time {
	if v.RedeemedAt == nil {
		return time.Time{}
	}
	return *v.RedeemedAt
}

// ValidThrough is the last moment it is good for: the end of its period's last day.
func (v Voucher) ValidThrough() time.Time { return v.ExpiresAt.Add(-time.Minute) }

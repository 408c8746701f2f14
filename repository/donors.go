package repository

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type donorRow struct {
	ID           int64
	Kind         string
	Name         string
	CreditCode   *string
	Phone        string
	Email        string
	Address      string
	PublishName  bool
	MergedIntoID *int64
	CreatedBy    *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (donorRow) TableName() string { return "donors" }

func (r donorRow) donor() domain.Donor {
	d := domain.Donor{Kind: r.Kind, Name: r.Name, Phone: r.Phone, Email: r.Email, Address: r.Address, PublishName: r.PublishName}
	if r.CreditCode != nil {
		d.CreditCode = *r.CreditCode
	}
	return d
}

// DonorSummary is a donor with their giving.
type DonorSummary struct {
	ID int64
	domain.Donor
	Donations    int64
	Total        domain.Money
	Last         *time.Time
	CreatedAt    time.Time
	MergedIntoID *int64 // set on a duplicate merged into another donor; its gifts are there now
}

// PhoneTail is the last four digits of the donor's phone, enough to tell two 张伟 apart.
func (d DonorSummary) PhoneTail() string {
	if len(d.Phone) < 4 {
		return d.Phone
	}
	return d.Phone[len(d.Phone)-4:]
}

// createDonor inserts a checked donor in the caller's transaction.
func createDonor(tx *gorm.DB, actor Actor, d domain.Donor) (int64, error) {
	r := donorRow{Kind: d.Kind, Name: d.Name, Phone: d.Phone, Email: d.Email, Address: d.Address, PublishName: d.PublishName}
	if d.CreditCode != "" {
		r.CreditCode = &d.CreditCode
	}
	if actor.UserID != 0 {
		r.CreatedBy = &actor.UserID
	}
	if err := tx.Omit("ID").Create(&r).Error; err != nil {
		if isUniqueViolation(err, "donors_credit_code_key") {
			return 0, domain.FieldErrors{"credit_code": "error.credit_code_taken"}
		}
		return 0, err
	}
	return r.ID, audit(tx, actor, "donor.create", "donor", r.ID, nil, map[string]any{"kind": d.Kind, "publish_name": d.PublishName})
}

// CreateDonor records a donor on their own.
func (s *Store) CreateDonor(ctx context.Context, actor Actor, d domain.Donor) (int64, error) {
	if fe := d.Check(); len(fe) > 0 {
		return 0, fe
	}
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		id, err = createDonor(tx, actor, d)
		return err
	})
	return id, err
}

// donorColumns are a DonorSummary's, from donors d and their giving g (donorGiving).
const donorColumns = `d.id, d.kind, d.name, coalesce(d.credit_code, '') AS credit_code, d.phone, d.email, d.address,
	d.publish_name, d.created_at, d.merged_into_id, g.donations, g.total, g.last`

// donorGiving sums each donor's gifts from that donor's own entries in donations_donor_idx: a page of donors costs
// their gifts, however many others there are. It follows donors d in a FROM list, once they are narrowed to a page.
const donorGiving = `CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE n.reversed_at IS NULL) AS donations,
		coalesce(sum(n.amount) FILTER (WHERE n.reversed_at IS NULL), 0) AS total,
		max(n.received_on)::timestamptz AS last
	FROM donations n WHERE n.donor_id = d.id) g`

// donorSummarySQL reads donors (aliased d) with their giving.
const donorSummarySQL = "SELECT " + donorColumns + " FROM donors d " + donorGiving

// donorPages pages the donor list, newest donor first; donorSearchPages pages a search's matches, best first
// (their rank), then newest first.
var (
	donorPages       = keyset{id: "d.id", size: PageSize}
	donorSearchPages = keyset{key: "score", id: "id", value: intKey, size: PageSize}
)

// ListDonors returns the page c names of the donors a search matches (every donor when it is empty), and how many
// it matches.
func (s *Store) ListDonors(ctx context.Context, query string, c domain.Cursor) (ListPage[DonorSummary], error) {
	db := s.db.WithContext(ctx)
	m := matchDonors(query)
	if !m.empty() {
		p, err := searchDonors(db, m, c, PageSize)
		if err == nil {
			p.Count, err = m.countMatches(db)
		}
		return p, err
	}
	p, err := pageOf(donorPages, c, donorAt, func(q pageSQL) ([]DonorSummary, error) {
		tail, tailArgs := q.Tail()
		var out []DonorSummary
		err := db.Raw(donorSummarySQL+" WHERE d.merged_into_id IS NULL"+tail, tailArgs...).Scan(&out).Error
		return out, err
	})
	if err == nil {
		p.Count, err = countUpTo(db, "SELECT 1 FROM donors d WHERE d.merged_into_id IS NULL")
	}
	return p, err
}

// SearchDonors finds the donors a search matches for the donation form's chooser, best matches first.
func (s *Store) SearchDonors(ctx context.Context, query string, limit int) ([]DonorSummary, error) {
	p, err := searchDonors(s.db.WithContext(ctx), matchDonors(query), domain.Cursor{}, limit)
	return p.Rows, err
}

// rankedDonor is a donor with how well it matched a search.
type rankedDonor struct {
	DonorSummary
	Score int
}

// searchDonors reads the page c names of a search's matches: tier by tier, best first (worst first for the page
// before a cursor), each tier's part of the page with those donors' giving, until the page is full.
func searchDonors(db *gorm.DB, m donorSearch, c domain.Cursor, size int) (ListPage[DonorSummary], error) {
	pages := donorSearchPages
	pages.size = size
	branches := m.branches()
	ranked, err := pageOf(pages, c, func(d rankedDonor) domain.Cursor {
		return domain.Cursor{Key: strconv.Itoa(d.Score), ID: d.ID}
	}, func(q pageSQL) ([]rankedDonor, error) {
		order := slices.Clone(branches)
		if q.Back {
			slices.Reverse(order)
		}
		var out []rankedDonor
		for _, b := range order {
			if len(out) >= q.Limit {
				break
			}
			part := q
			part.Limit = q.Limit - len(out)
			matches, args := b.cut(part.Tail())
			var rows []rankedDonor
			err := db.Raw(`SELECT page.score, `+donorColumns+` FROM (`+matches+`) page
				JOIN donors d ON d.id = page.id `+donorGiving+` ORDER BY `+q.Order, args...).Scan(&rows).Error
			if err != nil {
				return nil, err
			}
			out = append(out, rows...)
		}
		return out, nil
	})
	p := ListPage[DonorSummary]{Newer: ranked.Newer, Older: ranked.Older}
	for _, r := range ranked.Rows {
		p.Rows = append(p.Rows, r.DonorSummary)
	}
	return p, err
}

// donorAt is a donor's place in the list of every donor.
func donorAt(d DonorSummary) domain.Cursor { return domain.Cursor{ID: d.ID} }

// DonorByID returns a donor with their giving.
func (s *Store) DonorByID(ctx context.Context, id int64) (DonorSummary, error) {
	var out []DonorSummary
	if err := s.db.WithContext(ctx).Raw(donorSummarySQL+" WHERE d.id = ?", id).Scan(&out).Error; err != nil {
		return DonorSummary{}, err
	}
	if len(out) == 0 {
		return DonorSummary{}, domain.ErrNotFound
	}
	return out[0], nil
}

// lockDonor takes a share lock on the donor a gift is recorded for: any number of gifts from them may be recorded
// at once, but an edit or a merge of the donor waits until they are, so a receipt never names a donor as they were
// a moment ago. A form opened before a merge still names the duplicate: its gift goes to the donor it became.
func lockDonor(tx *gorm.DB, id int64) (donorRow, error) {
	var r donorRow
	err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.FieldErrors{"donor_id": "error.donor_unknown"}
	}
	if err == nil && r.MergedIntoID != nil {
		return lockDonor(tx, *r.MergedIntoID)
	}
	return r, err
}

// UpdateDonor corrects a donor's details, consent to publish their name included. Receipts already issued keep
// the name they were issued to; the public page shows the change at once.
func (s *Store) UpdateDonor(ctx context.Context, actor Actor, id int64, d domain.Donor) error {
	if fe := d.Check(); len(fe) > 0 {
		return fe
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := lockDonorForChange(tx, id)
		if err != nil {
			return err
		}
		before := map[string]any{"kind": r.Kind, "publish_name": r.PublishName}
		changed := changedDonorFields(r.donor(), d)
		var code *string
		if d.CreditCode != "" {
			code = &d.CreditCode
		}
		err = tx.Model(&r).Updates(map[string]any{"kind": d.Kind, "name": d.Name, "credit_code": code, "phone": d.Phone,
			"email": d.Email, "address": d.Address, "publish_name": d.PublishName, "updated_at": now(tx)}).Error
		if isUniqueViolation(err, "donors_credit_code_key") {
			return domain.FieldErrors{"credit_code": "error.credit_code_taken"}
		}
		if err != nil {
			return err
		}
		// The log says which details changed, not what they say: a donor's name and contacts are personal data.
		return audit(tx, actor, "donor.update", "donor", id, before,
			map[string]any{"kind": d.Kind, "publish_name": d.PublishName, "changed": changed})
	})
}

// changedDonorFields names the details that differ.
func changedDonorFields(a, b domain.Donor) []string {
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{{"kind", a.Kind == b.Kind}, {"name", a.Name == b.Name}, {"credit_code", a.CreditCode == b.CreditCode},
		{"phone", a.Phone == b.Phone}, {"email", a.Email == b.Email}, {"address", a.Address == b.Address},
		{"publish_name", a.PublishName == b.PublishName}} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}

// moveCreditCode frees the duplicate's credit code, which would otherwise be held by a donor no search shows, and
// gives it to the organisation kept when that has none. Two different codes are two organisations: not merged.
func moveCreditCode(tx *gorm.DB, dup, kept donorRow) error {
	switch {
	case dup.CreditCode == nil:
		return nil
	case kept.CreditCode != nil && *kept.CreditCode != *dup.CreditCode:
		return domain.ErrMergeTwoCodes
	}
	if err := tx.Exec(`UPDATE donors SET credit_code = NULL WHERE id = ?`, dup.ID).Error; err != nil {
		return err
	}
	if kept.CreditCode != nil || kept.Kind != domain.DonorOrganization {
		return nil
	}
	return tx.Exec(`UPDATE donors SET credit_code = ? WHERE id = ?`, *dup.CreditCode, kept.ID).Error
}

// lockDonorForChange locks a donor to edit or merge it; a duplicate already merged cannot be.
func lockDonorForChange(tx *gorm.DB, id int64) (donorRow, error) {
	var r donorRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return r, domain.ErrNotFound
	case err == nil && r.MergedIntoID != nil:
		return r, domain.ErrDonorMerged
	}
	return r, err
}

// MergeDonors folds a duplicate donor into another (the statement import makes a new donor for each payer it does
// not know): the duplicate's gifts move over, and it stays only as a pointer, so its old links and receipts still
// lead somewhere. The donor kept keeps its own details and consent; receipts keep the names they were issued to.
func (s *Store) MergeDonors(ctx context.Context, actor Actor, duplicate, into int64) error {
	if duplicate == into {
		return domain.ErrMergeIntoSelf
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		// Both rows, in id order, so two merges of the same pair cannot wait on each other in a circle.
		first, second := min(duplicate, into), max(duplicate, into)
		a, err := lockDonorForChange(tx, first)
		if err != nil {
			return err
		}
		b, err := lockDonorForChange(tx, second)
		if err != nil {
			return err
		}
		dup, kept := a, b
		if dup.ID != duplicate {
			dup, kept = b, a
		}
		if err := moveCreditCode(tx, dup, kept); err != nil {
			return err
		}
		res := tx.Exec(`UPDATE donations SET donor_id = ? WHERE donor_id = ?`, into, duplicate)
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Exec(`UPDATE donors SET merged_into_id = ?, updated_at = ? WHERE id = ?`, into, now(tx), duplicate).Error; err != nil {
			return err
		}
		return audit(tx, actor, "donor.merge", "donor", into, map[string]any{"duplicate": duplicate},
			map[string]any{"into": into, "donations_moved": res.RowsAffected})
	})
}

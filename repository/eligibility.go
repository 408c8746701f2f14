package repository

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type eligibilityEntryRow struct {
	ID        int64
	Phone     string
	Name      string
	Hospital  string
	Category  string
	ImportID  *int64
	UpdatedAt time.Time
}

func (eligibilityEntryRow) TableName() string { return "eligibility_entries" }

type eligibilityImportRow struct {
	ID          int64
	UploadedBy  int64
	Filename    string
	Rows        []byte `gorm:"type:jsonb"`
	Status      string
	CreatedAt   time.Time
	CommittedAt *time.Time
}

func (eligibilityImportRow) TableName() string { return "eligibility_imports" }

// EligibilityImport is an uploaded list waiting for confirmation, or already applied.
type EligibilityImport struct {
	ID          int64
	Filename    string
	Rows        []domain.EligibilityRow
	Committed   bool
	CreatedAt   time.Time
	Valid, Bad  int
	CommittedAt *time.Time
}

// eligibilityLock is the advisory lock key that orders list confirmations against staff registrations.
const eligibilityLock = 7210001

// ImportResult says what confirming a list did.
type ImportResult struct {
	Added, Updated, Unchanged, Skipped, Activated int
}

// SaveEligibilityPreview keeps a parsed list until an operator confirms it; nothing else is written.
func (s *Store) SaveEligibilityPreview(ctx context.Context, actor Actor, filename string, rows []domain.EligibilityRow) (int64, error) {
	b, err := json.Marshal(rows)
	if err != nil {
		return 0, err
	}
	imp := eligibilityImportRow{UploadedBy: actor.UserID, Filename: filename, Rows: b, Status: "preview"}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&imp).Error; err != nil {
			return err
		}
		return audit(tx, actor, "eligibility.upload", "eligibility_import", imp.ID, nil, map[string]any{"filename": filename, "rows": len(rows)})
	})
	return imp.ID, err
}

// EligibilityImportByID loads an upload with its rows.
func (s *Store) EligibilityImportByID(ctx context.Context, id int64) (EligibilityImport, error) {
	var r eligibilityImportRow
	if err := s.db.WithContext(ctx).Take(&r, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return EligibilityImport{}, domain.ErrNotFound
	} else if err != nil {
		return EligibilityImport{}, err
	}
	return r.view()
}

func (r eligibilityImportRow) view() (EligibilityImport, error) {
	imp := EligibilityImport{ID: r.ID, Filename: r.Filename, Committed: r.Status == "committed", CreatedAt: r.CreatedAt, CommittedAt: r.CommittedAt}
	if err := json.Unmarshal(r.Rows, &imp.Rows); err != nil {
		return imp, err
	}
	for _, row := range imp.Rows {
		if len(row.Errors) == 0 {
			imp.Valid++
		} else {
			imp.Bad++
		}
	}
	return imp, nil
}

// ConfirmEligibility applies an upload's valid rows: new phones are added, known ones updated (never duplicated),
// and pending staff registrations that now match (phone and name) become active. Confirming twice does nothing
// the second time.
func (s *Store) ConfirmEligibility(ctx context.Context, actor Actor, id int64) (ImportResult, error) {
	var res ImportResult
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", eligibilityLock).Error; err != nil {
			return err
		}
		var r eligibilityImportRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if r.Status == "committed" {
			return domain.ErrListConfirmed
		}
		imp, err := r.view()
		if err != nil {
			return err
		}
		if res, err = upsertEntries(tx, id, imp.Rows); err != nil {
			return err
		}
		if res.Activated, err = activateEligibleStaff(tx, actor); err != nil {
			return err
		}
		if err := tx.Model(&r).Updates(map[string]any{"status": "committed", "committed_at": now(tx)}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "eligibility.confirm", "eligibility_import", id, nil, res)
	})
	return res, err
}

func upsertEntries(tx *gorm.DB, importID int64, rows []domain.EligibilityRow) (ImportResult, error) {
	var res ImportResult
	var ok []domain.EligibilityRow
	for _, row := range rows {
		if len(row.Errors) > 0 {
			res.Skipped++
		} else {
			ok = append(ok, row)
		}
	}
	// A thousand rows a statement rather than one each: a list of 50,000 is fifty statements. The list's phones
	// are unique (domain.CheckEligibilityRows refuses a repeated one), so no statement meets a phone twice.
	for len(ok) > 0 {
		n := min(len(ok), 1000)
		added, updated, err := upsertEntryChunk(tx, importID, ok[:n])
		if err != nil {
			return res, err
		}
		res.Added += added
		res.Updated += updated
		res.Unchanged += n - added - updated
		ok = ok[n:]
	}
	return res, nil
}

// upsertEntryChunk writes a chunk of the list: new phones added, changed people updated, identical ones left as
// they are (the WHERE), and says how many were added and updated (xmax = 0 tells an inserted row from an updated
// one; an untouched row is not returned).
func upsertEntryChunk(tx *gorm.DB, importID int64, rows []domain.EligibilityRow) (added, updated int, err error) {
	values := make([]string, len(rows))
	args := make([]any, 0, 6*len(rows))
	at := now(tx)
	for i, row := range rows {
		values[i] = "(?, ?, ?, ?, ?, ?::timestamptz)"
		args = append(args, row.Phone, row.Name, row.Hospital, row.Category, importID, at)
	}
	var inserted []bool
	err = tx.Raw(`INSERT INTO eligibility_entries (phone, name, hospital, category, import_id, updated_at)
		VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (phone) DO UPDATE SET name = EXCLUDED.name, hospital = EXCLUDED.hospital,
			category = EXCLUDED.category, import_id = EXCLUDED.import_id, updated_at = EXCLUDED.updated_at
		WHERE (eligibility_entries.name, eligibility_entries.hospital, eligibility_entries.category)
			IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.hospital, EXCLUDED.category)
		RETURNING xmax = 0`, args...).Scan(&inserted).Error
	for _, ins := range inserted {
		if ins {
			added++
		} else {
			updated++
		}
	}
	return added, updated, err
}

func activateEligibleStaff(tx *gorm.DB, actor Actor) (int, error) {
	var ids []int64
	err := tx.Raw(`UPDATE users u SET status = 'active', updated_at = ?
		FROM eligibility_entries e
		WHERE u.role = 'staff' AND u.status = 'pending' AND e.phone = u.phone AND e.name = u.name
		RETURNING u.id`, now(tx)).Scan(&ids).Error
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := tx.Exec(`UPDATE staff_profiles sp SET eligibility_entry_id = e.id FROM eligibility_entries e, users u
		WHERE sp.user_id IN ? AND u.id = sp.user_id AND e.phone = u.phone`, ids).Error; err != nil {
		return 0, err
	}
	before, _ := json.Marshal(map[string]any{"status": "pending"})
	after, _ := json.Marshal(map[string]any{"status": "active", "by": "eligibility_list"})
	events := make([]auditEvent, len(ids))
	for i := range ids {
		events[i] = auditEvent{At: now(tx), ActorID: actorID(actor), ActorIP: actor.IP, Action: "account.verify",
			SubjectType: "user", SubjectID: &ids[i], Before: before, After: after}
	}
	if err := tx.Omit("ID").CreateInBatches(&events, batchRows).Error; err != nil {
		return 0, err
	}
	return len(ids), nil
}

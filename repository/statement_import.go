package repository

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type statementImportRow struct {
	ID          int64
	UploadedBy  int64
	Filename    string
	Rows        []byte `gorm:"type:jsonb"`
	Status      string
	Result      []byte `gorm:"type:jsonb"`
	CreatedAt   time.Time
	CommittedAt *time.Time
	Channel     string
	ProgramID   *int64
	Mapping     []byte `gorm:"type:jsonb"`
	DataLines   int
}

func (statementImportRow) TableName() string { return "statement_imports" }

// StatementUpload is a statement file as read, with the channel and program the whole statement is for.
type StatementUpload struct {
	Filename    string
	Channel     string
	ProgramCode string // "" for unrestricted gifts
	Records     [][]string
}

// StatementImport is an uploaded statement: waiting for its mapping, previewed, or committed.
type StatementImport struct {
	ID            int64
	Filename      string
	Channel       string
	ProgramCode   string
	ProgramNameZh string
	ProgramNameEn string
	UploaderName  string
	CreatedAt     time.Time
	Committed     bool
	CommittedAt   *time.Time
	Records       [][]string
	Mapping       *domain.StatementMapping // nil until the operator chose the columns
	Rows          []domain.StatementRow    // every line with what it comes to; nil until mapped
	Counts        domain.StatementCounts
	Result        *StatementResult // once committed
	Donations     map[int]int64    // once committed: the donation each added line became, by line
	Job           *StatementJob    // before it is committed: its confirmation, once one was asked for
}

// Version identifies the mapping the preview was made with ("" before there is one).
func (i StatementImport) Version() string {
	if i.Mapping == nil {
		return ""
	}
	return i.Mapping.Version()
}

// ProgramName is the restricted program's name in a language, or "" for unrestricted gifts.
func (i StatementImport) ProgramName(lang string) string {
	if lang == "en" {
		return i.ProgramNameEn
	}
	return i.ProgramNameZh
}

// CreateStatementImport keeps an uploaded statement's cells until an operator maps and confirms it; nothing
// else is written.
func (s *Store) CreateStatementImport(ctx context.Context, actor Actor, up StatementUpload) (int64, error) {
	fe := domain.FieldErrors{}
	if !domain.IsStatementChannel(up.Channel) {
		fe.Add("channel", "error.choose_one")
	}
	switch n := domain.CountStatementLines(up.Records); {
	case n == 0:
		fe.Add("file", "statement.empty")
	case n > domain.MaxStatementLines:
		fe.Add("file", "statement.too_many_lines")
	case domain.StatementWidth(up.Records) > domain.MaxStatementColumns:
		fe.Add("file", "statement.too_many_columns")
	}
	if len(fe) > 0 {
		return 0, fe
	}
	b, err := json.Marshal(storableCells(up.Records))
	if err != nil {
		return 0, err
	}
	imp := statementImportRow{UploadedBy: actor.UserID, Filename: cleanFilename(up.Filename), Rows: b, Status: "preview",
		Channel: up.Channel, DataLines: domain.DataLines(up.Records, domain.GuessStatementMapping(up.Records).HeaderRow)}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if up.ProgramCode != "" {
			var p programRow
			if err := tx.Where("code = ?", up.ProgramCode).Take(&p).Error; errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.FieldErrors{"program": "error.choose_one"}
			} else if err != nil {
				return err
			}
			imp.ProgramID = &p.ID
		}
		if err := tx.Omit("ID", "Result", "CommittedAt", "Mapping").Create(&imp).Error; err != nil {
			return err
		}
		return audit(tx, actor, "statement.upload", "statement_import", imp.ID, nil, map[string]any{"filename": imp.Filename,
			"lines": len(up.Records), "channel": up.Channel, "program": up.ProgramCode})
	})
	return imp.ID, err
}

// storableCells makes cells fit for jsonb, which refuses NUL characters and invalid UTF-8.
func storableCells(records [][]string) [][]string {
	out := make([][]string, len(records))
	for i, r := range records {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = strings.ReplaceAll(strings.ToValidUTF8(c, "\uFFFD"), "\x00", "")
		}
	}
	return out
}

// cleanFilename keeps the last part of an uploaded file's name, printable and at most 200 characters.
func cleanFilename(name string) string {
	name = domain.StripControl(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" || name == "." || name == "/" {
		name = "statement"
	}
	return name
}

// SaveStatementMapping records which columns are the date, payer, amount, reference and memo. It can change until
// the statement is confirmed.
func (s *Store) SaveStatementMapping(ctx context.Context, actor Actor, id int64, m domain.StatementMapping) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := lockStatementImport(tx, id)
		if err != nil {
			return err
		}
		if r.Status == "committed" {
			return domain.ErrImportCommitted
		}
		var records [][]string
		if err := json.Unmarshal(r.Rows, &records); err != nil {
			return err
		}
		if fe := m.Check(records); len(fe) > 0 {
			return fe
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := tx.Model(&statementImportRow{}).Where("id = ?", id).
			Updates(map[string]any{"mapping": b, "data_lines": domain.DataLines(records, m.HeaderRow)}).Error; err != nil {
			return err
		}
		// A refusal of a confirmation was about the columns as they were: the page shows the new preview instead.
		if err := tx.Exec("DELETE FROM statement_progress WHERE import_id = ? AND state = 'failed'", id).Error; err != nil {
			return err
		}
		return audit(tx, actor, "statement.map", "statement_import", id, nil, m)
	})
}

func lockStatementImport(tx *gorm.DB, id int64) (statementImportRow, error) {
	var r statementImportRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.ErrNotFound
	}
	return r, err
}

// StatementImportByID loads an import and, once its columns are chosen, says what each line comes to: now, as a
// preview (lines already recorded in the channel are marked so, payers who are donors already too), or, once
// committed, as it was recorded.
func (s *Store) StatementImportByID(ctx context.Context, id int64) (StatementImport, error) {
	db := s.db.WithContext(ctx)
	var read struct {
		Row      statementImportRow    `gorm:"embedded"`
		Progress statementProgressRead `gorm:"embedded;embeddedPrefix:progress_"`
	}
	// The confirmation's progress comes with the import, in the same statement.
	if err := db.Table("statement_imports i").Select("i.*, "+statementProgressColumns).Joins(statementProgressJoins).
		Where("i.id = ?", id).Take(&read).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return StatementImport{}, domain.ErrNotFound
	} else if err != nil {
		return StatementImport{}, err
	}
	imp, err := statementView(db, read.Row)
	if err != nil {
		return imp, err
	}
	if !imp.Committed {
		imp.Job = read.Progress.statementJob()
	}
	if imp.Mapping == nil {
		return imp, nil
	}
	imp.Rows = domain.CheckStatement(imp.Records, *imp.Mapping, imp.Channel, s.Now())
	if imp.Committed {
		imp.applyResult()
		imp.Donations, err = importedDonations(db, id)
		return imp, err
	}
	if err := markAlreadyImported(db, imp.Channel, imp.Rows); err != nil {
		return imp, err
	}
	donors, err := donorsByName(db, imp.Rows)
	if err != nil {
		return imp, err
	}
	for i := range imp.Rows {
		_, imp.Rows[i].KnownDonor = donors[imp.Rows[i].Payer]
	}
	imp.Counts = domain.CountStatement(imp.Rows)
	return imp, nil
}

// importedDonations finds the donation each line of a confirmed statement became; its form key names the line.
func importedDonations(db *gorm.DB, importID int64) (map[int]int64, error) {
	var rows []struct {
		ID             int64
		IdempotencyKey string
	}
	if err := db.Model(&donationRow{}).Select("id", "idempotency_key").Where("import_id = ?", importID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int]int64, len(rows))
	for _, r := range rows {
		if line, err := strconv.Atoi(r.IdempotencyKey[strings.LastIndexByte(r.IdempotencyKey, ':')+1:]); err == nil {
			out[line] = r.ID
		}
	}
	return out, nil
}

func statementView(db *gorm.DB, r statementImportRow) (StatementImport, error) {
	imp := StatementImport{ID: r.ID, Filename: r.Filename, Channel: r.Channel, CreatedAt: r.CreatedAt,
		Committed: r.Status == "committed", CommittedAt: r.CommittedAt}
	if err := json.Unmarshal(r.Rows, &imp.Records); err != nil {
		return imp, err
	}
	if r.Mapping != nil {
		imp.Mapping = &domain.StatementMapping{}
		if err := json.Unmarshal(r.Mapping, imp.Mapping); err != nil {
			return imp, err
		}
	}
	if r.Result != nil {
		imp.Result = &StatementResult{}
		if err := json.Unmarshal(r.Result, imp.Result); err != nil {
			return imp, err
		}
	}
	if err := db.Model(&userRow{}).Where("id = ?", r.UploadedBy).Pluck("name", &imp.UploaderName).Error; err != nil {
		return imp, err
	}
	if r.ProgramID != nil {
		var p programRow
		if err := db.Take(&p, *r.ProgramID).Error; err != nil {
			return imp, err
		}
		imp.ProgramCode, imp.ProgramNameZh, imp.ProgramNameEn = p.Code, p.NameZh, p.NameEn
	}
	return imp, nil
}

// applyResult shows a committed import's lines as they were recorded, not as they would be now (now every one of
// them is "already imported").
func (imp *StatementImport) applyResult() {
	res := imp.Result
	added, already, failed := lineSet(res.AddedLines), lineSet(res.AlreadyLines), lineSet(res.ErrorLines)
	for i := range imp.Rows {
		r := &imp.Rows[i]
		switch {
		case added[r.Line]:
			r.Status, r.Reason, r.Errors = domain.RowImport, "", nil
		case already[r.Line]:
			r.Status, r.Reason, r.Errors = domain.RowSkip, domain.SkipAlreadyImported, nil
		case failed[r.Line]:
			r.Status, r.Reason = domain.RowError, ""
			if len(r.Errors) == 0 {
				r.Errors = []string{"statement.line_not_imported"}
			}
		case r.Status != domain.RowSkip:
			r.Status, r.Errors = domain.RowError, []string{"statement.line_not_imported"}
		}
	}
	imp.Counts = domain.StatementCounts{Import: res.Added, Amount: res.Amount, Already: res.Already, Skipped: res.Skipped,
		Errors: res.Errors}
}

func lineSet(lines []int) map[int]bool {
	m := make(map[int]bool, len(lines))
	for _, l := range lines {
		m[l] = true
	}
	return m
}

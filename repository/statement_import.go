package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// StatementLineError says which line stopped a confirmation, and why; nothing of the statement was recorded.
type StatementLineError struct {
	Line   int
	Key    string // a message key for the reason
	Detail string // the database constraint that refused it, when one did
	Err    error
}

func (e *StatementLineError) Error() string {
	return fmt.Sprintf("statement line %d: %v", e.Line, e.Err)
}
func (e *StatementLineError) Unwrap() error { return e.Err }

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
}

func (statementImportRow) TableName() string { return "statement_imports" }

// StatementUpload is a statement file as read, with the channel and program the whole statement is for.
type StatementUpload struct {
	Filename    string
	Channel     string
	ProgramCode string // "" for unrestricted gifts
	Records     [][]string
}

// StatementResult is what confirming a statement did; it is kept with the import.
type StatementResult struct {
	Added        int          `json:"added"`
	Amount       domain.Money `json:"amount"`
	Already      int          `json:"already"`
	Skipped      int          `json:"skipped"`
	Errors       int          `json:"errors"`
	NewDonors    int          `json:"new_donors"`
	AddedLines   []int        `json:"added_lines"`
	AlreadyLines []int        `json:"already_lines"`
	ErrorLines   []int        `json:"error_lines"`
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

// StatementImportSummary is a line of the list of imports.
type StatementImportSummary struct {
	ID           int64
	Filename     string
	Channel      string
	Status       string
	UploaderName string
	CreatedAt    time.Time
	CommittedAt  *time.Time
	Lines        int
	Mapped       bool
	Result       *StatementResult
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
		Channel: up.Channel}
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
		if err := tx.Model(&statementImportRow{}).Where("id = ?", id).Update("mapping", b).Error; err != nil {
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
	var r statementImportRow
	if err := db.Take(&r, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return StatementImport{}, domain.ErrNotFound
	} else if err != nil {
		return StatementImport{}, err
	}
	imp, err := statementView(db, r)
	if err != nil || imp.Mapping == nil {
		return imp, err
	}
	imp.Rows = domain.CheckStatement(imp.Records, *imp.Mapping, imp.Channel, s.Now())
	if imp.Committed {
		imp.applyResult()
		return imp, nil
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

// inChunks runs fn over keys a thousand at a time, well inside PostgreSQL's limit on parameters.
func inChunks(keys []string, fn func([]string) error) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		if err := fn(keys[:n]); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// markAlreadyImported marks the lines whose reference the channel has already recorded.
func markAlreadyImported(db *gorm.DB, channel string, rows []domain.StatementRow) error {
	var refs []string
	for _, r := range rows {
		if r.Status != domain.RowSkip && r.Reference != "" {
			refs = append(refs, r.Reference)
		}
	}
	taken := map[string]bool{}
	err := inChunks(uniqStrings(refs), func(chunk []string) error {
		var found []string
		if err := db.Model(&donationRow{}).Where("channel = ? AND reference IN ? AND reversed_at IS NULL", channel, chunk).Pluck("reference", &found).Error; err != nil {
			return err
		}
		for _, f := range found {
			taken[f] = true
		}
		return nil
	})
	domain.MarkAlreadyImported(rows, func(ref string) bool { return taken[ref] })
	return err
}

// donorsByName finds the existing organisation for each payer name that looks like one. A person's name is not
// matched: two people share a name often, and a gift from one would appear under the other — perhaps published —
// so each person's line makes a new, unpublished donor an operator can merge knowingly.
func donorsByName(db *gorm.DB, rows []domain.StatementRow) (map[string]int64, error) {
	kinds := map[string]string{}
	for _, r := range rows {
		if r.Payer != "" && r.Status != domain.RowSkip && r.DonorKind == domain.DonorOrganization {
			kinds[r.Payer] = r.DonorKind
		}
	}
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	out := map[string]int64{}
	outKind := map[string]string{}
	err := inChunks(names, func(chunk []string) error {
		var found []donorRow
		if err := db.Select("id", "name", "kind").Where("name IN ? AND kind = ?", chunk, domain.DonorOrganization).Order("id").Find(&found).Error; err != nil {
			return err
		}
		for _, d := range found {
			if _, ok := out[d.Name]; !ok || (outKind[d.Name] != kinds[d.Name] && d.Kind == kinds[d.Name]) {
				out[d.Name], outKind[d.Name] = d.ID, d.Kind
			}
		}
		return nil
	})
	return out, err
}

func uniqStrings(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// StatementConfirmation is an operator's go-ahead for the preview they saw.
type StatementConfirmation struct {
	Version      string // the mapping's version the preview showed
	AcceptErrors bool   // lines that cannot be imported are left out, knowingly
}

// ConfirmStatementImport records every importable line of a statement as a donation — each with its ledger
// transaction and its receipt, through the same path as a donation typed in — in one transaction: all of them or,
// if any line fails, none (a *StatementLineError says which and why). A line whose reference the channel already
// has is skipped and counted. Confirming twice records nothing the second time (domain.ErrImportCommitted).
func (s *Store) ConfirmStatementImport(ctx context.Context, actor Actor, id int64, c StatementConfirmation) (StatementResult, error) {
	var res StatementResult
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := lockStatementImport(tx, id)
		if err != nil {
			return err
		}
		if r.Status == "committed" {
			return domain.ErrImportCommitted
		}
		imp, err := statementView(tx, r)
		if err != nil {
			return err
		}
		if imp.Mapping == nil || imp.Mapping.Version() != c.Version {
			return domain.ErrImportChanged
		}
		// Every donation locks its pool and the donors' account before it writes (recordDonation, in id order).
		// Taking them first here means no donation typed in meanwhile can slip a reference in between the check
		// below and this statement's inserts: the check is exact, and a reference is never recorded twice.
		pool, _, err := poolFor(tx, imp.ProgramCode)
		if err != nil {
			return err
		}
		donorsAcc, err := accountByCode(tx, accountDonors)
		if err != nil {
			return err
		}
		if _, err := lockAccounts(tx, pool.ID, donorsAcc.ID); err != nil {
			return err
		}
		rows := domain.CheckStatement(imp.Records, *imp.Mapping, imp.Channel, now(tx))
		if err := markAlreadyImported(tx, imp.Channel, rows); err != nil {
			return err
		}
		counts := domain.CountStatement(rows)
		if counts.Errors > 0 && !c.AcceptErrors {
			return domain.ErrImportHasErrors
		}
		donors, err := donorsByName(tx, rows)
		if err != nil {
			return err
		}
		res = StatementResult{Already: counts.Already, Skipped: counts.Skipped, Errors: counts.Errors,
			AddedLines: []int{}, AlreadyLines: []int{}, ErrorLines: []int{}}
		for _, row := range rows {
			switch {
			case row.Status == domain.RowError:
				res.ErrorLines = append(res.ErrorLines, row.Line)
				continue
			case row.Reason == domain.SkipAlreadyImported:
				res.AlreadyLines = append(res.AlreadyLines, row.Line)
				continue
			case row.Status != domain.RowImport:
				continue
			}
			donorID, known := donors[row.Payer]
			if !known {
				if donorID, err = createDonor(tx, actor, row.Donor()); err != nil {
					return lineError(row.Line, err)
				}
				donors[row.Payer] = donorID
				res.NewDonors++
			}
			req := DonationRequest{Key: "import:" + strconv.FormatInt(id, 10) + ":" + strconv.Itoa(row.Line), DonorID: donorID,
				Input: row.Input(imp.Channel, imp.ProgramCode), ImportID: &id}
			if _, err := recordDonation(tx, actor, req, req.fingerprint()); err != nil {
				return lineError(row.Line, err)
			}
			res.Added++
			res.Amount += row.Amount
			res.AddedLines = append(res.AddedLines, row.Line)
		}
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		if err := tx.Model(&statementImportRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": "committed", "committed_at": now(tx), "result": b}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "statement.confirm", "statement_import", id, nil, map[string]any{"added": res.Added,
			"amount": res.Amount, "already": res.Already, "skipped": res.Skipped, "errors": res.Errors, "new_donors": res.NewDonors})
	})
	if err != nil {
		return StatementResult{}, err
	}
	return res, nil
}

// lineError says which line stopped the statement; a lost connection or a cancelled request stays what it is, so
// the page says "try again" rather than blaming the line.
func lineError(line int, err error) error {
	if IsUnavailable(err) || errors.Is(err, context.Canceled) {
		return err
	}
	le := &StatementLineError{Line: line, Key: "statement.line_refused", Err: err}
	var fe domain.FieldErrors
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &fe):
		keys := make([]string, 0, len(fe))
		for _, k := range fe {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		le.Key = keys[0]
	case errors.As(err, &pgErr):
		le.Detail = pgErr.ConstraintName
	}
	return le
}

// StatementImports lists uploads, newest first, one page at a time, with the total count.
func (s *Store) StatementImports(ctx context.Context, page int) ([]StatementImportSummary, int64, error) {
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Model(&statementImportRow{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []struct {
		ID           int64
		Filename     string
		Channel      string
		Status       string
		UploaderName string
		CreatedAt    time.Time
		CommittedAt  *time.Time
		Lines        int
		Mapped       bool
		Result       []byte
	}
	err := db.Raw(`SELECT i.id, i.filename, i.channel, i.status, u.name AS uploader_name, i.created_at, i.committed_at,
			jsonb_array_length(i.rows) AS lines, i.mapping IS NOT NULL AS mapped, i.result
		FROM statement_imports i JOIN users u ON u.id = i.uploaded_by
		ORDER BY i.id DESC LIMIT ? OFFSET ?`, PageSize, max(page-1, 0)*PageSize).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	out := make([]StatementImportSummary, len(rows))
	for i, r := range rows {
		out[i] = StatementImportSummary{ID: r.ID, Filename: r.Filename, Channel: r.Channel, Status: r.Status,
			UploaderName: r.UploaderName, CreatedAt: r.CreatedAt, CommittedAt: r.CommittedAt, Lines: r.Lines, Mapped: r.Mapped}
		if r.Result != nil {
			out[i].Result = &StatementResult{}
			if err := json.Unmarshal(r.Result, out[i].Result); err != nil {
				return nil, 0, err
			}
		}
	}
	return out, total, nil
}

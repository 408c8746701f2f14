package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

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
		if err := db.Select("id", "name", "kind").Where("name IN ? AND kind = ? AND merged_into_id IS NULL", chunk, domain.DonorOrganization).Order("id").Find(&found).Error; err != nil {
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

// shareLockDonors takes share locks on donors in id order; one merged meanwhile is matched no more.
func shareLockDonors(tx *gorm.DB, byName map[string]int64) error {
	ids := make([]int64, 0, len(byName))
	for _, id := range byName {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	var locked []donorRow
	if err := tx.Raw(`SELECT id, merged_into_id FROM donors WHERE id IN ? ORDER BY id FOR SHARE`, ids).Scan(&locked).Error; err != nil {
		return err
	}
	for name, id := range byName {
		if i := slices.IndexFunc(locked, func(d donorRow) bool { return d.ID == id }); i < 0 || locked[i].MergedIntoID != nil {
			delete(byName, name)
		}
	}
	return nil
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
	// Progress, when set, is told how many of the lines to record are recorded: once they are known (0), then after
	// each chunk of statementChunk lines. It is called inside the transaction, whose writes no one else sees
	// before it commits: it is for saying how far it has got elsewhere, not for writing in it.
	Progress func(done, total int)
}

// statementChunk is how many lines are recorded between two reports of progress: one multi-row INSERT per table.
const statementChunk = batchRows

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
		imp, err := confirmable(tx, r, c)
		if err != nil {
			return err
		}
		// A gift typed in takes its donor, then its pool and the donors' account (recordDonation). The statement
		// does the same, in that order, before it checks anything: the organisations its lines are matched to
		// (share locks, in id order), then the accounts. So no donation typed in meanwhile can slip a reference in
		// between the check below and this statement's inserts, and a statement, a merge and a reversal never wait
		// on each other in a circle.
		rows := domain.CheckStatement(imp.Records, *imp.Mapping, imp.Channel, now(tx))
		donors, err := donorsByName(tx, rows)
		if err != nil {
			return err
		}
		if err := shareLockDonors(tx, donors); err != nil {
			return err
		}
		pool, program, err := poolFor(tx, imp.ProgramCode)
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
		if err := markAlreadyImported(tx, imp.Channel, rows); err != nil {
			return err
		}
		counts := domain.CountStatement(rows)
		if counts.Errors > 0 && !c.AcceptErrors {
			return domain.ErrImportHasErrors
		}
		res = StatementResult{Already: counts.Already, Skipped: counts.Skipped, Errors: counts.Errors,
			AddedLines: []int{}, AlreadyLines: []int{}, ErrorLines: []int{}}
		var lines []importLine
		for _, row := range rows {
			switch {
			case row.Status == domain.RowError:
				res.ErrorLines = append(res.ErrorLines, row.Line)
			case row.Reason == domain.SkipAlreadyImported:
				res.AlreadyLines = append(res.AlreadyLines, row.Line)
			case row.Status == domain.RowImport:
				lines = append(lines, importLine{row: row, donorID: donors[row.Payer]})
				res.Added++
				res.Amount += row.Amount
				res.AddedLines = append(res.AddedLines, row.Line)
			}
		}
		if res.NewDonors, err = recordLines(tx, actor, id, imp, pool, program, donorsAcc, lines, c.Progress); err != nil {
			return err
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

// recordLines records the lines in chunks of statementChunk, each a table at a time (recordImportedLines), and says
// after each how many are in. When a chunk is refused, it goes back to before that chunk and records its lines one
// by one, through the path a gift typed in takes, to say which line was refused and why. A payer new to the fund
// gets one donor, whichever chunks their lines are in. It returns how many donors it created.
func recordLines(tx *gorm.DB, actor Actor, id int64, imp StatementImport, pool accountRow, program *programRow,
	donorsAcc accountRow, lines []importLine, progress func(done, total int)) (int, error) {
	report := func(done int) {
		if progress != nil {
			progress(done, len(lines))
		}
	}
	report(0)
	created := map[string]int64{} // the donors made so far, by payer
	for done := 0; done < len(lines); {
		chunk := slices.Clone(lines[done:min(done+statementChunk, len(lines))])
		for i, l := range chunk {
			if l.donorID == 0 {
				chunk[i].donorID = created[l.row.Payer]
			}
		}
		fresh, err := recordChunk(tx, actor, id, imp, pool, program, donorsAcc, chunk)
		if err != nil {
			return 0, err
		}
		maps.Copy(created, fresh)
		done += len(chunk)
		report(done)
	}
	return len(created), nil
}

// recordChunk records some lines a table at a time or, when that is refused, one by one to find the line; it
// returns the donors it created, by payer.
func recordChunk(tx *gorm.DB, actor Actor, id int64, imp StatementImport, pool accountRow, program *programRow,
	donorsAcc accountRow, lines []importLine) (map[string]int64, error) {
	if err := tx.SavePoint("statement_lines").Error; err != nil {
		return nil, err
	}
	created, err := recordImportedLines(tx, actor, id, imp, pool, program, donorsAcc, lines)
	if err == nil {
		// The chunk's writes join the transaction's; the next chunk takes its own savepoint.
		return created, tx.Exec("RELEASE SAVEPOINT statement_lines").Error
	}
	if IsUnavailable(err) || errors.Is(err, context.Canceled) {
		return nil, err
	}
	if err := tx.RollbackTo("statement_lines").Error; err != nil {
		return nil, err
	}
	return recordLinesOneByOne(tx, actor, id, imp, lines)
}

func recordLinesOneByOne(tx *gorm.DB, actor Actor, id int64, imp StatementImport, lines []importLine) (map[string]int64, error) {
	created := map[string]int64{}
	for _, l := range lines {
		donorID := l.donorID
		if donorID == 0 {
			if donorID = created[l.row.Payer]; donorID == 0 {
				var err error
				if donorID, err = createDonor(tx, actor, l.row.Donor()); err != nil {
					return nil, lineError(l.row.Line, err)
				}
				created[l.row.Payer] = donorID
			}
		}
		req := DonationRequest{Key: importKey(id, l.row.Line), DonorID: donorID,
			Input: l.row.Input(imp.Channel, imp.ProgramCode), ImportID: &id}
		if _, err := recordDonation(tx, actor, req, req.fingerprint()); err != nil {
			return nil, lineError(l.row.Line, err)
		}
	}
	return created, nil
}

// confirmable is the import as the operator's go-ahead can confirm it: not confirmed yet, and mapped as the preview
// they saw was.
func confirmable(tx *gorm.DB, r statementImportRow, c StatementConfirmation) (StatementImport, error) {
	if r.Status == "committed" {
		return StatementImport{}, domain.ErrImportCommitted
	}
	imp, err := statementView(tx, r)
	if err != nil {
		return imp, err
	}
	if imp.Mapping == nil || imp.Mapping.Version() != c.Version {
		return imp, domain.ErrImportChanged
	}
	return imp, nil
}

// importKey is a statement line's idempotency key: one donation per line, ever.
func importKey(importID int64, line int) string {
	return "import:" + strconv.FormatInt(importID, 10) + ":" + strconv.Itoa(line)
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

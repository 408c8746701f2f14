package repository

import (
	"encoding/json"

	"gorm.io/gorm"

	"guanai/domain"
)

// importLine is a statement line to record, with the donor it goes to (0: a new donor named after its payer).
type importLine struct {
	row     domain.StatementRow
	donorID int64
}

// batchRows is how many rows one multi-row INSERT carries: well inside PostgreSQL's 65,535 parameters.
const batchRows = 500

// recordImportedLines records some of a statement's lines (a chunk, see recordLines) as recordDonation would, one
// by one — a donor for each new payer, a ledger transaction and two entries, a receipt number, the donation, its
// receipt, its audit event — but a table at a time: a few multi-row statements for the chunk instead of a dozen for
// each line, and the receipt numbers taken as one range per year. The caller holds the locks recordDonation takes.
// A refusal (a reference taken, a quarter closed) aborts it; the caller then finds the line by recording them one
// by one. It returns the donors it created, by payer.
func recordImportedLines(tx *gorm.DB, actor Actor, importID int64, imp StatementImport, pool accountRow, program *programRow,
	donorsAcc accountRow, lines []importLine) (created map[string]int64, err error) {
	donors, created, err := donorsForLines(tx, actor, lines)
	if err != nil {
		return nil, err
	}
	b, err := books(tx)
	if err != nil {
		return nil, err
	}
	at := now(tx)
	txs := make([]ledgerTransactionRow, len(lines))
	for i := range txs {
		txs[i] = ledgerTransactionRow{Kind: "donation", Memo: "donation", CreatedBy: actorID(actor)}
	}
	if err := tx.Omit("ID").CreateInBatches(&txs, batchRows).Error; err != nil {
		return nil, err
	}
	entries := make([]ledgerEntryRow, 0, 2*len(lines))
	for i, l := range lines {
		entries = append(entries, ledgerEntryRow{TransactionID: txs[i].ID, AccountID: pool.ID, Amount: int64(l.row.Amount)},
			ledgerEntryRow{TransactionID: txs[i].ID, AccountID: donorsAcc.ID, Amount: -int64(l.row.Amount)})
	}
	if err := tx.Omit("ID").CreateInBatches(&entries, 2*batchRows).Error; err != nil {
		return nil, err
	}
	seqs, err := receiptNumbers(tx, lines)
	if err != nil {
		return nil, err
	}
	gifts := make([]donationRow, len(lines))
	for i, l := range lines {
		req := DonationRequest{Key: importKey(importID, l.row.Line), DonorID: donors[i].ID, Input: l.row.Input(imp.Channel, imp.ProgramCode), ImportID: &importID}
		in := req.Input
		gifts[i] = donationRow{DonorID: donors[i].ID, Amount: int64(in.Amount), Channel: in.Channel, ReceivedOn: in.ReceivedOn,
			BookedOn: b.BookingDate(in.ReceivedOn, at), Reference: in.Reference, Note: in.Note, RecordedBy: actor.UserID,
			IdempotencyKey: req.Key, RequestHash: req.fingerprint(), LedgerTransactionID: txs[i].ID, ImportID: &importID}
		if program != nil {
			gifts[i].ProgramID = &program.ID
		}
	}
	if err := tx.Omit("ID").CreateInBatches(&gifts, batchRows).Error; err != nil {
		return nil, err
	}
	if err := issueReceipts(tx, actor, gifts, donors, program, seqs); err != nil {
		return nil, err
	}
	events := make([]auditEvent, len(gifts))
	for i, d := range gifts {
		after, _ := json.Marshal(map[string]any{"amount": d.Amount, "channel": d.Channel, "pool": pool.Code, "donor_id": d.DonorID})
		events[i] = auditEvent{At: at, ActorID: actorID(actor), ActorIP: actor.IP, Action: "donation.record",
			SubjectType: "donation", SubjectID: &gifts[i].ID, After: after}
	}
	return created, tx.Omit("ID").CreateInBatches(&events, batchRows).Error
}

func actorID(a Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	return &a.UserID
}

// donorsForLines gives each line its donor row: the one it was given (an organisation it was matched to, or the
// donor an earlier chunk created for its payer), or a new donor for its payer (one per payer, created together, each
// with its audit event). It returns the rows by line and the donors it created, by payer.
func donorsForLines(tx *gorm.DB, actor Actor, lines []importLine) ([]donorRow, map[string]int64, error) {
	var known []int64
	fresh := map[string]*donorRow{}
	var created []donorRow
	for _, l := range lines {
		if l.donorID != 0 {
			known = append(known, l.donorID)
		} else if fresh[l.row.Payer] == nil {
			d := l.row.Donor()
			created = append(created, donorRow{Kind: d.Kind, Name: d.Name, CreatedBy: actorID(actor)})
			fresh[l.row.Payer] = &donorRow{}
		}
	}
	if len(created) > 0 {
		if err := tx.Omit("ID").CreateInBatches(&created, batchRows).Error; err != nil {
			return nil, nil, err
		}
		events := make([]auditEvent, len(created))
		for i := range created {
			fresh[created[i].Name] = &created[i]
			after, _ := json.Marshal(map[string]any{"kind": created[i].Kind, "publish_name": false})
			events[i] = auditEvent{At: now(tx), ActorID: actorID(actor), ActorIP: actor.IP, Action: "donor.create",
				SubjectType: "donor", SubjectID: &created[i].ID, After: after}
		}
		if err := tx.Omit("ID").CreateInBatches(&events, batchRows).Error; err != nil {
			return nil, nil, err
		}
	}
	byID := map[int64]donorRow{}
	if len(known) > 0 {
		var rows []donorRow
		if err := tx.Where("id IN ?", uniqIDs(known)).Find(&rows).Error; err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			byID[r.ID] = r
		}
	}
	out := make([]donorRow, len(lines))
	for i, l := range lines {
		if l.donorID != 0 {
			out[i] = byID[l.donorID]
		} else {
			out[i] = *fresh[l.row.Payer]
		}
	}
	byPayer := make(map[string]int64, len(created))
	for payer, d := range fresh {
		byPayer[payer] = d.ID
	}
	return out, byPayer, nil
}

func uniqIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// receiptNumbers takes each line's receipt number: one range per year of the lines' dates, in line order. As with a
// single gift, the counters stay locked until the transaction ends, so a rollback leaves no gap.
func receiptNumbers(tx *gorm.DB, lines []importLine) ([]int, error) {
	perYear := map[int]int{}
	var years []int
	for _, l := range lines {
		y := l.row.ReceivedOn.In(domain.Shanghai).Year()
		if perYear[y] == 0 {
			years = append(years, y)
		}
		perYear[y]++
	}
	next := map[int]int{}
	for _, y := range years {
		var last int
		if err := tx.Raw(`INSERT INTO receipt_counters (year, last) VALUES (?, ?)
			ON CONFLICT (year) DO UPDATE SET last = receipt_counters.last + excluded.last RETURNING last`, y, perYear[y]).
			Scan(&last).Error; err != nil {
			return nil, err
		}
		next[y] = last - perYear[y] + 1
	}
	seqs := make([]int, len(lines))
	for i, l := range lines {
		y := l.row.ReceivedOn.In(domain.Shanghai).Year()
		seqs[i] = next[y]
		next[y]++
	}
	return seqs, nil
}

// issueReceipts fixes each gift's receipt text, as issueReceipt does for one.
func issueReceipts(tx *gorm.DB, actor Actor, gifts []donationRow, donors []donorRow, program *programRow, seqs []int) error {
	var handler string
	if err := tx.Model(&userRow{}).Where("id = ?", actor.UserID).Pluck("name", &handler).Error; err != nil {
		return err
	}
	at := now(tx)
	receipts := make([]receiptRow, len(gifts))
	for i, d := range gifts {
		year := d.ReceivedOn.In(domain.Shanghai).Year()
		facts := domain.ReceiptFacts{Number: domain.ReceiptNumber(year, seqs[i]), Donor: donors[i].donor(),
			Amount: domain.Money(d.Amount), ReceivedOn: d.ReceivedOn, Channel: d.Channel, Handler: handler, IssuedAt: at}
		if program != nil {
			facts.Program = &domain.Named{Code: program.Code, Zh: program.NameZh, En: program.NameEn}
		}
		b, err := json.Marshal(domain.NewReceiptSnapshot(facts))
		if err != nil {
			return err
		}
		receipts[i] = receiptRow{DonationID: d.ID, Year: year, Seq: seqs[i], Number: facts.Number, Snapshot: b,
			IssuedBy: actorID(actor), IssuedAt: at}
	}
	return tx.Omit("ID").CreateInBatches(&receipts, batchRows).Error
}

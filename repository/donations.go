package repository

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

type donationRow struct {
	ID                    int64
	DonorID               int64
	Amount                int64
	Channel               string
	ReceivedOn            time.Time
	BookedOn              time.Time  // the day the gift counts in the reports (see domain.Books)
	ReversalBookedOn      *time.Time // the day its reversal counts, once reversed
	Reference             string
	ProgramID             *int64
	Note                  string
	RecordedBy            int64
	IdempotencyKey        string
	RequestHash           string
	LedgerTransactionID   int64
	ReversalTransactionID *int64
	ReversedBy            *int64
	ReversedAt            *time.Time
	ReversalReason        string
	ImportID              *int64
	CreatedAt             time.Time
}

func (donationRow) TableName() string { return "donations" }

type receiptRow struct {
	ID         int64
	DonationID int64
	Year       int
	Seq        int
	Number     string
	CopyOf     *int64
	Snapshot   []byte `gorm:"type:jsonb"`
	IssuedBy   *int64
	IssuedAt   time.Time
}

func (receiptRow) TableName() string { return "receipts" }

// DonationRequest is one donation to record: an existing donor, or a new one made on the same form.
type DonationRequest struct {
	Key      string // the form's one-time key
	DonorID  int64
	NewDonor *domain.Donor
	Input    domain.DonationInput
	ImportID *int64
}

func (r DonationRequest) fingerprint() string {
	donor := "id:" + strconv.FormatInt(r.DonorID, 10)
	if r.NewDonor != nil {
		donor = "new:" + r.NewDonor.Kind + ":" + r.NewDonor.Name + ":" + r.NewDonor.CreditCode
	}
	return r.Input.Fingerprint(donor)
}

// RecordDonation records a donation, posts it to the ledger and issues its receipt, all in one transaction. The
// form's key makes it safe to repeat: a double click, a back-and-resubmit or a retry returns the donation the key
// recorded first (existed is true), and the same key with other content is refused with domain.ErrKeyReused.
func (s *Store) RecordDonation(ctx context.Context, actor Actor, req DonationRequest) (id int64, existed bool, err error) {
	if req.Key == "" {
		return 0, false, errors.New("a donation needs its form's one-time key")
	}
	hash := req.fingerprint()
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// Requests with one key wait here for each other, so exactly one of them records.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 17))", "donation:"+req.Key).Error; err != nil {
			return err
		}
		var prior donationRow
		err := tx.Where("idempotency_key = ?", req.Key).Take(&prior).Error
		if err == nil {
			if prior.RequestHash != hash {
				return domain.ErrKeyReused
			}
			id, existed = prior.ID, true
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		id, err = recordDonation(tx, actor, req, hash)
		return err
	})
	return id, existed, err
}

func recordDonation(tx *gorm.DB, actor Actor, req DonationRequest, hash string) (int64, error) {
	donorID := req.DonorID
	if req.NewDonor != nil {
		var err error
		if donorID, err = createDonor(tx, actor, *req.NewDonor); err != nil {
			return 0, err
		}
	}
	donor, err := lockDonor(tx, donorID)
	if err != nil {
		return 0, err
	}
	donorID = donor.ID // the donor a merged duplicate became
	in := req.Input
	pool, program, err := poolFor(tx, in.ProgramCode)
	if err != nil {
		return 0, err
	}
	donors, err := accountByCode(tx, accountDonors)
	if err != nil {
		return 0, err
	}
	if _, err := lockAccounts(tx, pool.ID, donors.ID); err != nil {
		return 0, err
	}
	b, err := books(tx)
	if err != nil {
		return 0, err
	}
	txID, err := post(tx, actor, "donation", "donation", nil, posting{pool.ID, in.Amount}, posting{donors.ID, -in.Amount})
	if err != nil {
		return 0, err
	}
	year := in.ReceivedOn.In(domain.Shanghai).Year()
	seq, err := nextReceiptNumber(tx, year)
	if err != nil {
		return 0, err
	}
	d := donationRow{DonorID: donorID, Amount: int64(in.Amount), Channel: in.Channel, ReceivedOn: in.ReceivedOn,
		BookedOn: b.BookingDate(in.ReceivedOn, now(tx)), Reference: in.Reference, Note: in.Note, RecordedBy: actor.UserID, IdempotencyKey: req.Key, RequestHash: hash,
		LedgerTransactionID: txID, ImportID: req.ImportID}
	if program != nil {
		d.ProgramID = &program.ID
	}
	if err := tx.Omit("ID").Create(&d).Error; err != nil {
		if isUniqueViolation(err, "donations_channel_reference_key") {
			return 0, domain.FieldErrors{"reference": "error.reference_taken"}
		}
		if isCheckViolation(err, "booked_in_open_quarter") { // another instance's clock closed it a moment ago
			return 0, domain.ErrJustClosed
		}
		return 0, err
	}
	if err := issueReceipt(tx, actor, d, donor, program, year, seq); err != nil {
		return 0, err
	}
	return d.ID, audit(tx, actor, "donation.record", "donation", d.ID, nil,
		map[string]any{"amount": in.Amount, "channel": in.Channel, "pool": pool.Code, "donor_id": donorID})
}

type programRow struct {
	ID     int64
	Code   string
	Kind   string
	NameZh string
	NameEn string
	Active bool
}

func (programRow) TableName() string { return "programs" }

// poolFor finds the pool a gift goes to: its program's restricted pool, or the unrestricted fund.
func poolFor(tx *gorm.DB, programCode string) (accountRow, *programRow, error) {
	if programCode == "" {
		a, err := accountByCode(tx, accountUnrestricted)
		return a, nil, err
	}
	var p programRow
	if err := tx.Where("code = ?", programCode).Take(&p).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return accountRow{}, nil, domain.FieldErrors{"program": "error.choose_one"}
	} else if err != nil {
		return accountRow{}, nil, err
	}
	a, err := accountByCode(tx, "pool:"+p.Code)
	return a, &p, err
}

// nextReceiptNumber takes the next receipt number of a year. The counter row is updated in the donation's own
// transaction and stays locked until it ends: if the donation rolls back, so does the number, and no gap is left.
func nextReceiptNumber(tx *gorm.DB, year int) (int, error) {
	var seq int
	err := tx.Raw(`INSERT INTO receipt_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = receipt_counters.last + 1 RETURNING last`, year).Scan(&seq).Error
	return seq, err
}

// issueReceipt stores the receipt's fixed text under its number.
func issueReceipt(tx *gorm.DB, actor Actor, d donationRow, donor donorRow, program *programRow, year, seq int) error {
	var handler string
	if err := tx.Model(&userRow{}).Where("id = ?", actor.UserID).Pluck("name", &handler).Error; err != nil {
		return err
	}
	facts := domain.ReceiptFacts{Number: domain.ReceiptNumber(year, seq), Donor: donor.donor(), Amount: domain.Money(d.Amount),
		ReceivedOn: d.ReceivedOn, Channel: d.Channel, Handler: handler, IssuedAt: now(tx)}
	if program != nil {
		facts.Program = &domain.Named{Code: program.Code, Zh: program.NameZh, En: program.NameEn}
	}
	b, err := json.Marshal(domain.NewReceiptSnapshot(facts))
	if err != nil {
		return err
	}
	r := receiptRow{DonationID: d.ID, Year: year, Seq: seq, Number: facts.Number, Snapshot: b, IssuedBy: &actor.UserID,
		IssuedAt: facts.IssuedAt}
	return tx.Omit("ID").Create(&r).Error
}

// ReverseDonation takes a donation back out of the ledger — money refunded, or recorded by mistake — with a
// reason. It happens at most once; its receipt keeps its number and shows as void.
func (s *Store) ReverseDonation(ctx context.Context, actor Actor, id int64, reason string) error {
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var d donationRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&d, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.ReversalTransactionID != nil {
			return domain.ErrAlreadyReversed
		}
		var lines []ledgerEntryRow
		if err := tx.Where("transaction_id = ?", d.LedgerTransactionID).Order("id").Find(&lines).Error; err != nil {
			return err
		}
		ids := make([]int64, len(lines))
		opposite := make([]posting, len(lines))
		for i, l := range lines {
			ids[i], opposite[i] = l.AccountID, posting{l.AccountID, -domain.Money(l.Amount)}
		}
		acc, err := lockAccounts(tx, ids...)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if a := acc[l.AccountID]; a.Kind == "pool" {
				if err := a.funds().Cover(domain.Money(l.Amount)); err != nil {
					return err
				}
			}
		}
		b, err := books(tx)
		if err != nil {
			return err
		}
		txID, err := post(tx, actor, "reversal", reason, &d.LedgerTransactionID, opposite...)
		if err != nil {
			return err
		}
		if err := tx.Model(&d).Updates(map[string]any{"reversal_transaction_id": txID, "reversed_by": actor.UserID,
			"reversed_at": now(tx), "reversal_reason": reason,
			"reversal_booked_on": b.ReversalBookingDate(d.BookedOn, now(tx))}).Error; err != nil {
			if isCheckViolation(err, "booked_in_open_quarter") {
				return domain.ErrJustClosed
			}
			return err
		}
		return audit(tx, actor, "donation.reverse", "donation", id, nil, map[string]any{"reason": reason, "amount": d.Amount})
	})
}

// Receipt is a receipt as printed: its fixed text, whether it is a copy, and whether its donation was reversed.
type Receipt struct {
	ID         int64
	DonationID int64
	Number     string
	Copy       bool
	Void       bool
	Snapshot   domain.ReceiptSnapshot
	IssuedAt   time.Time
}

// ReceiptByID loads a receipt.
func (s *Store) ReceiptByID(ctx context.Context, id int64) (Receipt, error) {
	var r receiptRow
	db := s.db.WithContext(ctx)
	if err := db.Take(&r, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return Receipt{}, domain.ErrNotFound
	} else if err != nil {
		return Receipt{}, err
	}
	out := Receipt{ID: r.ID, DonationID: r.DonationID, Number: r.Number, Copy: r.CopyOf != nil, IssuedAt: r.IssuedAt}
	if err := json.Unmarshal(r.Snapshot, &out.Snapshot); err != nil {
		return out, err
	}
	var reversed int64
	if err := db.Model(&donationRow{}).Where("id = ? AND reversed_at IS NOT NULL", r.DonationID).Count(&reversed).Error; err != nil {
		return out, err
	}
	out.Void = reversed > 0
	return out, nil
}

// ReissueReceipt prints the donation's receipt again, as a copy (复制件) with the original's number and text.
func (s *Store) ReissueReceipt(ctx context.Context, actor Actor, donationID int64) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var orig receiptRow
		err := tx.Where("donation_id = ? AND copy_of IS NULL", donationID).Take(&orig).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		c := receiptRow{DonationID: donationID, Year: orig.Year, Seq: orig.Seq, Number: orig.Number, CopyOf: &orig.ID,
			Snapshot: orig.Snapshot, IssuedBy: &actor.UserID, IssuedAt: now(tx)}
		if err := tx.Omit("ID").Create(&c).Error; err != nil {
			return err
		}
		id = c.ID
		return audit(tx, actor, "receipt.reissue", "donation", donationID, nil, map[string]any{"number": orig.Number})
	})
	return id, err
}

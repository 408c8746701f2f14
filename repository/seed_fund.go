package repository

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"guanai/domain"
)

type seedDonor struct {
	id        int64
	kind      string
	name      string
	credit    string
	createdAt time.Time
}

// seedGift is one generated donation, planned before it is loaded: the donation, its ledger transaction (and its
// reversal's), its receipt and its audit event are four COPY streams over the same plan.
type seedGift struct {
	id, txID    int64
	donor       *seedDonor
	day         time.Time // received (and booked) on
	createdAt   time.Time
	amount      int64
	channel     string
	reference   string
	program     *seedProgram // nil: unrestricted
	recordedBy  int64
	year, seq   int
	reversalTx  int64 // 0 unless reversed
	reversedAt  time.Time
	reversedDay time.Time
}

var (
	individualChannels = []weighted[string]{{"wechat_pay", 45}, {"alipay", 30}, {"bank_transfer", 15}, {"cash", 5}, {"other", 5}}
	orgChannels        = []weighted[string]{{"bank_transfer", 90}, {"other", 10}}
	programShares      = []weighted[string]{{"", 70}, {"care_fund", 10}, {"one_to_one", 8}, {"tutoring", 4}, {"counselling", 3}, {"interest_classes", 3}, {"venue_vouchers", 2}}
	popularAmounts     = []int64{50, 100, 200, 500, 1000}
)

type weighted[T any] struct {
	v      T
	weight int
}

func pickWeighted[T any](sd *seeder, list []weighted[T]) T {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	r := sd.rng.IntN(total)
	for _, w := range list {
		if r < w.weight {
			return w.v
		}
		r -= w.weight
	}
	return list[len(list)-1].v
}

// loadDonors loads individuals (nine in ten) and organisations with valid, unique credit codes. Donors join
// through the seeded years in id order, so a gift can go to someone who already existed.
func (sd *seeder) loadDonors() error {
	n := sd.o.Scale.Donors
	first, err := sd.nextID("donors")
	if err != nil {
		return err
	}
	donors := make([]seedDonor, n)
	span := sd.now.Sub(sd.start)
	for i := range donors {
		d := &donors[i]
		d.id, d.kind, d.name = first+int64(i), "individual", sd.personName()
		d.createdAt = sd.start.Add(time.Duration(float64(span) * float64(i) / float64(n)))
		if sd.rng.Float64() < 0.1 {
			d.kind, d.name, d.credit = "organization", sd.orgName(), seedCreditCode(i)
		}
	}
	sd.donors = donors
	return sd.copyRows("donors", "donors", []string{"id", "kind", "name", "credit_code", "phone", "email", "address",
		"publish_name", "created_by", "created_at", "updated_at"}, n, func(i int) []any {
		d := donors[i]
		var credit any
		if d.credit != "" {
			credit = d.credit
		}
		phone := ""
		if sd.rng.Float64() < 0.7 {
			phone = fmt.Sprintf("1%d%09d", 3+sd.rng.IntN(7), sd.rng.IntN(1000000000))
		}
		return []any{d.id, d.kind, d.name, credit, phone, "", "", sd.rng.Float64() < 0.4, sd.finance, d.createdAt, d.createdAt}
	})
}

func (sd *seeder) orgName() string {
	return pick(sd, sd.names.OrgPrefixes) + pick(sd, sd.names.OrgWords) + pick(sd, sd.names.OrgKinds)
}

// seedCreditCode makes the i-th organisation's credit code: 91 (a company), a Hangzhou region code, i in the
// organisation-code characters, and its check character.
func seedCreditCode(i int) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := make([]byte, 9)
	for k := 8; k >= 0; k-- {
		body[k] = chars[i%31]
		i /= 31
	}
	first17 := "91330100" + string(body)
	check, _ := domain.CreditCodeCheckChar(first17)
	return first17 + string(check)
}

// planGifts generates the donations: more of them each year, a peak around 99 公益日 (9 September), individuals'
// gifts mostly small and round, organisations' larger, a few in ten restricted to a program, one in five hundred
// reversed later. They are numbered in date order, and their receipts continue each year's numbers.
func (sd *seeder) planGifts() error {
	n := sd.o.Scale.Donations
	days := make([]time.Time, n)
	for i := range days {
		days[i] = sd.giftDay()
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	first, err := sd.nextID("donations")
	if err != nil {
		return err
	}
	firstTx, err := sd.nextID("ledger_transactions")
	if err != nil {
		return err
	}
	seqs, err := sd.receiptCounters()
	if err != nil {
		return err
	}
	programs := map[string]*seedProgram{}
	for i := range sd.programs {
		programs[sd.programs[i].code] = &sd.programs[i]
	}
	reversals := int64(0)
	sd.gifts = make([]seedGift, n)
	for i := range sd.gifts {
		g := &sd.gifts[i]
		g.id, g.txID, g.day = first+int64(i), firstTx+int64(i), days[i]
		g.donor = sd.giftDonor(g.day)
		g.createdAt = sd.recordedAt(g.day)
		g.amount = sd.giftAmount(g.donor.kind)
		channels := individualChannels
		if g.donor.kind == "organization" {
			channels = orgChannels
		}
		g.channel = pickWeighted(sd, channels)
		g.reference = seedReference(g.channel, g.day, i)
		g.program = programs[pickWeighted(sd, programShares)]
		g.recordedBy = sd.finance
		if sd.rng.Float64() < 0.2 {
			g.recordedBy = sd.admin
		}
		g.year = g.day.Year()
		seqs[g.year]++
		g.seq = seqs[g.year]
		if sd.rng.Float64() < 0.002 {
			reversals++
			g.reversalTx = firstTx + int64(n) + reversals - 1
			g.reversedAt = g.createdAt.Add(time.Duration(1+sd.rng.IntN(20*24)) * time.Hour)
			if g.reversedAt.After(sd.now) {
				g.reversedAt = sd.now
			}
			g.reversedDay = sd.reversalDay(g)
		}
	}
	return nil
}

// reversalDay books a reversal as the app does (domain.Books.ReversalBookingDate): on its gift's own day while
// that quarter is open, on the day of the reversal once the seed's books had closed it (see closePastQuarters).
func (sd *seeder) reversalDay(g *seedGift) time.Time {
	q := domain.QuarterOf(g.day)
	if sd.closesQuarter(q) && !g.reversedAt.Before(closedAt(q)) {
		return domain.Today(g.reversedAt)
	}
	return g.day
}

func (sd *seeder) receiptCounters() (map[int]int, error) {
	rows, err := sd.tx.Query(sd.ctx, `SELECT year, last FROM receipt_counters`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seqs := map[int]int{}
	for rows.Next() {
		var year, last int
		if err := rows.Scan(&year, &last); err != nil {
			return nil, err
		}
		seqs[year] = last
	}
	return seqs, rows.Err()
}

// giftDay: a day in the seeded years, the density rising by half from the first to the last, and one gift in
// twelve in the three days of 99 公益日.
func (sd *seeder) giftDay() time.Time {
	last := domain.Today(sd.now).AddDate(0, 0, -1)
	spanDays := int(last.Sub(sd.start).Hours()/24) + 1
	if sd.rng.Float64() < 1.0/12 {
		for {
			year := sd.start.Year() + sd.rng.IntN(sd.o.Scale.Years+1)
			d := time.Date(year, 9, 7+sd.rng.IntN(3), 0, 0, 0, 0, domain.Shanghai)
			if !d.Before(sd.start) && !d.After(last) {
				return d
			}
		}
	}
	// The inverse of the distribution function 0.8t + 0.2t² of a density rising from 0.8 to 1.2.
	u := sd.rng.Float64()
	t := (-0.8 + math.Sqrt(0.64+0.8*u)) / 0.4
	return sd.start.AddDate(0, 0, min(int(t*float64(spanDays)), spanDays-1))
}

// recordedAt: the gift is typed in during office hours of its day (or a little before now, today).
func (sd *seeder) recordedAt(day time.Time) time.Time {
	at := day.Add(8*time.Hour + time.Duration(sd.rng.IntN(10*3600))*time.Second)
	if at.After(sd.now) {
		at = sd.now.Add(-time.Minute)
	}
	return at
}

// giftDonor: half the gifts come from donors who joined recently, the rest from anyone who existed by then.
func (sd *seeder) giftDonor(day time.Time) *seedDonor {
	n := len(sd.donors)
	known := int(float64(n) * float64(day.Sub(sd.start)) / float64(sd.now.Sub(sd.start)))
	known = min(max(known, 1), n)
	if sd.rng.Float64() < 0.5 {
		from := known * 9 / 10
		return &sd.donors[from+sd.rng.IntN(known-from)]
	}
	return &sd.donors[sd.rng.IntN(known)]
}

// giftAmount in fen: individuals around ¥200 (log-normal, a third on a popular round sum), organisations around
// ¥20,000.
func (sd *seeder) giftAmount(kind string) int64 {
	if kind == "organization" {
		yuan := math.Exp(math.Log(20000) + sd.rng.NormFloat64())
		return min(max(int64(yuan/100)*100, 1000), 5000000) * 100
	}
	if sd.rng.Float64() < 0.33 {
		return pick(sd, popularAmounts) * 100
	}
	yuan := math.Exp(math.Log(200) + 1.1*sd.rng.NormFloat64())
	return min(max(int64(yuan), 1), 100000) * 100
}

// seedReference: a bank or payment platform's transaction number, unique per channel; cash and other have none.
func seedReference(channel string, day time.Time, i int) string {
	switch channel {
	case "bank_transfer":
		return fmt.Sprintf("HZB%sS%07d", day.Format("20060102"), i)
	case "wechat_pay":
		return fmt.Sprintf("4200%s%010d", day.Format("20060102"), i)
	case "alipay":
		return fmt.Sprintf("2088%s%010d", day.Format("20060102"), i)
	}
	return ""
}

// loadGifts loads the planned donations and everything each one brings: its ledger transaction and two entries
// (and a reversal's), the donation row, its receipt and its audit event.
func (sd *seeder) loadGifts() error {
	gifts := sd.gifts
	var reversed []*seedGift
	for i := range gifts {
		if gifts[i].reversalTx != 0 {
			reversed = append(reversed, &gifts[i])
		}
	}
	txCols := []string{"id", "kind", "memo", "created_by", "created_at", "reverses_id"}
	if err := sd.copyRows("donations: ledger transactions", "ledger_transactions", txCols, len(gifts), func(i int) []any {
		g := gifts[i]
		return []any{g.txID, "donation", "donation", g.recordedBy, g.createdAt, nil}
	}); err != nil {
		return err
	}
	if err := sd.copyRows("donations: reversals", "ledger_transactions", txCols, len(reversed), func(i int) []any {
		g := reversed[i]
		return []any{g.reversalTx, "reversal", reversalReason, sd.finance, g.reversedAt, g.txID}
	}); err != nil {
		return err
	}
	if err := sd.loadGiftEntries(reversed); err != nil {
		return err
	}
	if err := sd.copyRows("donations", "donations", donationColumns, len(gifts), func(i int) []any { return sd.donationRow(&gifts[i]) }); err != nil {
		return err
	}
	if err := sd.loadReceipts(); err != nil {
		return err
	}
	return sd.copyRows("donations: audit log", "audit_events",
		[]string{"at", "actor_id", "actor_ip", "action", "subject_type", "subject_id", "after"}, len(gifts), func(i int) []any {
			g := gifts[i]
			after := fmt.Sprintf(`{"amount":%d,"channel":%q,"pool":%q,"donor_id":%d}`, g.amount, g.channel, sd.poolCode(g), g.donor.id)
			return []any{g.createdAt, g.recordedBy, "seed", "donation.record", "donation", g.id, json.RawMessage(after)}
		})
}

const reversalReason = "捐赠人要求退款"

func (sd *seeder) poolCode(g seedGift) string {
	if g.program == nil {
		return accountUnrestricted
	}
	return "pool:" + g.program.code
}

// loadGiftEntries posts each gift to its pool and against the donors' account, and each reversal the other way.
func (sd *seeder) loadGiftEntries(reversed []*seedGift) error {
	donors := sd.accounts[accountDonors]
	entries := func(txID int64, g *seedGift, sign int64) [2][]any {
		return [2][]any{{txID, sd.accounts[sd.poolCode(*g)], sign * g.amount}, {txID, donors, -sign * g.amount}}
	}
	cols := []string{"transaction_id", "account_id", "amount"}
	if err := sd.copyRows("donations: ledger entries", "ledger_entries", cols, 2*len(sd.gifts), func(i int) []any {
		g := &sd.gifts[i/2]
		return entries(g.txID, g, 1)[i%2]
	}); err != nil {
		return err
	}
	return sd.copyRows("donations: reversal entries", "ledger_entries", cols, 2*len(reversed), func(i int) []any {
		g := reversed[i/2]
		return entries(g.reversalTx, g, -1)[i%2]
	})
}

var donationColumns = []string{"id", "donor_id", "amount", "channel", "received_on", "booked_on", "reference", "program_id",
	"recorded_by", "idempotency_key", "request_hash", "ledger_transaction_id", "reversal_transaction_id", "reversed_by",
	"reversed_at", "reversal_reason", "reversal_booked_on", "created_at"}

func (sd *seeder) donationRow(g *seedGift) []any {
	var program, revTx, revBy, revAt, revDay any
	if g.program != nil {
		program = g.program.id
	}
	reason := ""
	if g.reversalTx != 0 {
		revTx, revBy, revAt, revDay, reason = g.reversalTx, sd.finance, g.reversedAt, g.reversedDay, reversalReason
	}
	return []any{g.id, g.donor.id, g.amount, g.channel, g.day, g.day, g.reference, program, g.recordedBy,
		fmt.Sprintf("seed-%d", g.id), "seed", g.txID, revTx, revBy, revAt, reason, revDay, g.createdAt}
}

// loadReceipts issues each gift's receipt with the text the app would have fixed for it.
func (sd *seeder) loadReceipts() error {
	handlers := map[int64]string{}
	for _, id := range []int64{sd.admin, sd.finance} {
		var name string
		if err := sd.tx.QueryRow(sd.ctx, `SELECT name FROM users WHERE id = $1`, id).Scan(&name); err != nil {
			return err
		}
		handlers[id] = name
	}
	var failed error
	err := sd.copyRows("donations: receipts", "receipts",
		[]string{"donation_id", "year", "seq", "number", "snapshot", "issued_by", "issued_at"}, len(sd.gifts), func(i int) []any {
			g := &sd.gifts[i]
			facts := domain.ReceiptFacts{Number: domain.ReceiptNumber(g.year, g.seq),
				Donor:  domain.Donor{Kind: g.donor.kind, Name: g.donor.name, CreditCode: g.donor.credit},
				Amount: domain.Money(g.amount), ReceivedOn: g.day, Channel: g.channel, Handler: handlers[g.recordedBy], IssuedAt: g.createdAt}
			if g.program != nil {
				facts.Program = &domain.Named{Code: g.program.code, Zh: g.program.zh, En: g.program.en}
			}
			snapshot, err := json.Marshal(domain.NewReceiptSnapshot(facts))
			if err != nil {
				failed = err
			}
			return []any{g.id, g.year, g.seq, facts.Number, json.RawMessage(snapshot), g.recordedBy, g.createdAt}
		})
	if failed != nil {
		return failed
	}
	return err
}

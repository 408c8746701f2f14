package repository

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"guanai/domain"
)

// The city's hardship grants and expense claims, in proportion to its people and services: about one application
// a year for every 30 members of staff (a three-year city of 20,000 has some 2,000), and a claim for about one in
// eight rides and errands served. Past ones are decided — most approved or confirmed, their disbursements drafted,
// approved or paid like the app's — and those of the last two weeks still wait. Each carries one small document.

type seedGrant struct {
	id, staff                  int64
	amount                     int64
	status, reason, rejected   string
	submitted, reviewing, done time.Time
	disbursement               int64
}

type seedClaim struct {
	id, volunteer, service, staff, program int64
	category                               string
	amount                                 int64
	needsCoordinator                       bool
	status, rejected                       string
	submitted, done                        time.Time
	decidedBy                              int64
	disbursement                           int64
}

var seedGrantReasons = []string{"家人重病住院，医保报销后自付部分较多。", "援鄂期间家中老人无人照顾，请护工的费用。",
	"配偶失业，孩子上学费用紧张。", "本人住院手术，治疗期间收入减少。", "房屋受灾维修费用。"}

// seedDocument is the one small picture every seeded document holds.
func seedDocument() []byte {
	img := image.NewGray(image.Rect(0, 0, 24, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 24; x++ {
			img.Set(x, y, color.Gray{Y: uint8(240 - 80*((y/4)%2)*((x+y)%3/2))})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func (sd *seeder) loadGrantsAndClaims() error {
	var fund seedProgram
	for _, p := range sd.programs {
		if p.code == "care_fund" {
			fund = p
		}
	}
	if fund.id == 0 {
		return nil // a catalogue without the care fund: no grants to seed
	}
	// What grants and claims may pay or promise: a fifth of the unrestricted gifts, beyond the 60 % the other
	// disbursements may take, so no pool runs short.
	unrestricted := sd.accounts[accountUnrestricted]
	var budget int64
	for _, g := range sd.gifts {
		if g.reversalTx == 0 && sd.accounts[sd.poolCode(g)] == unrestricted {
			budget += g.amount / 5
		}
	}
	firstDisbursement, err := sd.nextID("disbursements")
	if err != nil {
		return err
	}
	txID, err := sd.nextID("ledger_transactions")
	if err != nil {
		return err
	}
	var payments []seedDisbursement
	pay := func(amount int64, payee, purpose string, at time.Time) (int64, string) {
		d := seedDisbursement{id: firstDisbursement + int64(len(payments)), account: unrestricted, amount: amount, payee: payee,
			purpose: purpose, createdAt: at}
		d.decidedAt = at.Add(time.Duration(1+sd.rng.IntN(47)) * time.Hour)
		d.paidAt = d.decidedAt.Add(time.Duration(1+sd.rng.IntN(23)) * time.Hour)
		switch {
		case budget < amount || d.decidedAt.After(sd.now):
			d.status = domain.DisbursementDraft
		case d.paidAt.After(sd.now) || sd.rng.IntN(10) == 0:
			d.status, budget = domain.DisbursementApproved, budget-amount
		default:
			d.status, budget, d.txID = domain.DisbursementPaid, budget-amount, txID
			txID++
		}
		payments = append(payments, d)
		return d.id, d.status
	}

	grantID, err := sd.nextID("grant_applications")
	if err != nil {
		return err
	}
	var staff []seedPerson
	for _, p := range sd.staff {
		if p.status == domain.StatusActive {
			staff = append(staff, p)
		}
	}
	var grants []seedGrant
	years := max(sd.o.Scale.Years, 1)
	recent := sd.now.AddDate(0, 0, -14)
	past := len(staff) * years / 30
	open := max(3, len(staff)/500) // the coordinators' queue of the last two weeks
	for i := range past + open {
		p := pick(sd, staff)
		from := sd.start
		if i >= past {
			from = recent
		}
		g := seedGrant{id: grantID + int64(len(grants)), staff: p.id, amount: int64(1+sd.rng.IntN(10)) * 1000_00,
			reason: pick(sd, seedGrantReasons), submitted: sd.timeBetween(from, sd.now.Add(-time.Hour))}
		g.reviewing = g.submitted.Add(time.Duration(2+sd.rng.IntN(46)) * time.Hour)
		g.done = g.reviewing.Add(time.Duration(1+sd.rng.IntN(70)) * time.Hour)
		switch {
		case i >= past && sd.rng.IntN(2) == 0:
			g.status = domain.GrantSubmitted
		case i >= past || g.done.After(sd.now):
			g.status = domain.GrantReviewing
		case sd.rng.IntN(10) < 2:
			g.status, g.rejected = domain.GrantRejected, "材料不足以说明困难情况，可补充后重新申请。"
		default:
			g.status = domain.GrantApproved
			g.disbursement, _ = pay(g.amount, p.name, fmt.Sprintf("关爱基金困难补助（申请 #%d）", g.id), g.done)
		}
		if g.status == domain.GrantReviewing && g.reviewing.After(sd.now) {
			g.status = domain.GrantSubmitted // not taken up yet
		}
		grants = append(grants, g)
	}

	claimID, err := sd.nextID("expense_claims")
	if err != nil {
		return err
	}
	var claims []seedClaim
	claimed := map[int64]bool{}
	for _, sv := range sd.care.services { // in the order they were served: the last ones still wait
		if sv.status == domain.ServiceCheckedIn || sv.pairing == nil || sv.pairing.vol == nil || claimed[sv.id] || sd.rng.IntN(8) != 0 {
			continue
		}
		cat, code := sv.req.cat.Code, "parking"
		switch {
		case cat == domain.CategoryTransport && sd.rng.IntN(3) == 0:
			code = "fuel"
		case cat != domain.CategoryTransport && cat != domain.CategoryErrand:
			continue
		case cat == domain.CategoryErrand:
			code = "purchase"
		}
		claimed[sv.id] = true
		c := seedClaim{id: claimID + int64(len(claims)), volunteer: sv.pairing.vol.id, service: sv.id, staff: sv.req.staff.id,
			program: sv.req.prog.id, category: code, amount: int64(5+sd.rng.IntN(80)) * 100, submitted: sv.out.Add(2 * time.Hour)}
		if code == "purchase" {
			c.amount = int64(20+sd.rng.IntN(280)) * 100
		}
		c.needsCoordinator = c.amount > 200_00
		c.done = c.submitted.Add(time.Duration(1+sd.rng.IntN(47)) * time.Hour)
		c.decidedBy = c.staff
		if c.needsCoordinator {
			c.decidedBy = sd.coord
		}
		switch {
		case c.done.After(sd.now) || c.submitted.After(sd.now):
			c.status, c.decidedBy = domain.ClaimSubmitted, 0
			if c.submitted.After(sd.now) {
				c.submitted = sv.out
			}
		case sd.rng.IntN(10) == 0:
			c.status, c.rejected = domain.ClaimRejected, "没有看到这笔费用的票据。"
		default:
			c.status = domain.ClaimConfirmed
			c.disbursement, _ = pay(c.amount, sv.pairing.vol.name, fmt.Sprintf("志愿者垫付费用报销（报销 #%d）", c.id), c.done)
		}
		claims = append(claims, c)
	}

	if err := sd.copyDisbursements(payments); err != nil {
		return err
	}
	if err := sd.copyRows("grants", "grant_applications", []string{"id", "staff_id", "program_id", "amount", "reason", "status",
		"submitted_at", "reviewer_id", "reviewing_at", "decided_by", "decided_at", "reject_reason", "disbursement_id", "updated_at"},
		len(grants), func(i int) []any {
			g := grants[i]
			var reviewer, reviewing, decider, decided, disbursement any
			updated := g.submitted
			if g.status != domain.GrantSubmitted {
				reviewer, reviewing, updated = sd.coord, g.reviewing, g.reviewing
			}
			if g.status == domain.GrantApproved || g.status == domain.GrantRejected {
				decider, decided, updated = sd.coord, g.done, g.done
			}
			if g.disbursement != 0 {
				disbursement = g.disbursement
			}
			return []any{g.id, g.staff, fund.id, g.amount, g.reason, g.status, g.submitted, reviewer, reviewing, decider, decided,
				g.rejected, disbursement, updated}
		}); err != nil {
		return err
	}
	if err := sd.copyRows("expense claims", "expense_claims", []string{"id", "volunteer_id", "service_id", "staff_id", "program_id",
		"category", "amount", "needs_coordinator", "status", "submitted_at", "decided_by", "decided_at", "reject_reason",
		"disbursement_id", "updated_at"}, len(claims), func(i int) []any {
		c := claims[i]
		var decider, decided, disbursement any
		updated := c.submitted
		if c.status != domain.ClaimSubmitted {
			decider, decided, updated = c.decidedBy, c.done, c.done
		}
		if c.disbursement != 0 {
			disbursement = c.disbursement
		}
		return []any{c.id, c.volunteer, c.service, c.staff, c.program, c.category, c.amount, c.needsCoordinator, c.status,
			c.submitted, decider, decided, c.rejected, disbursement, updated}
	}); err != nil {
		return err
	}
	doc := seedDocument()
	if err := sd.copyRows("grant and claim documents", "documents", []string{"owner_id", "grant_id", "claim_id", "name",
		"content_type", "size", "content", "created_at"}, len(grants)+len(claims), func(i int) []any {
		if i < len(grants) {
			g := grants[i]
			return []any{g.staff, g.id, nil, "证明材料.png", domain.DocumentPNG, len(doc), doc, g.submitted}
		}
		c := claims[i-len(grants)]
		return []any{c.volunteer, nil, c.id, "票据.png", domain.DocumentPNG, len(doc), doc, c.submitted}
	}); err != nil {
		return err
	}
	// The disbursements name what they pay for, and the person who decided it made them (as ApproveGrant and
	// ConfirmClaim do).
	for _, q := range []string{
		`UPDATE disbursements d SET source_type = 'grant', source_id = g.id, maker_id = g.decided_by
			FROM grant_applications g WHERE g.disbursement_id = d.id AND d.id >= $1`,
		`UPDATE disbursements d SET source_type = 'claim', source_id = c.id, maker_id = c.decided_by
			FROM expense_claims c WHERE c.disbursement_id = d.id AND d.id >= $1`,
	} {
		if _, err := sd.tx.Exec(sd.ctx, q, firstDisbursement); err != nil {
			return err
		}
	}
	return nil
}

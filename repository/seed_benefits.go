package repository

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"

	"guanai/domain"
)

// The seed's benefits, in a city's proportions: a venue desk for every thousand staff (at least two), three classes
// at each desk and one venue visit; a third of the children with one to three classes this term and a quarter of
// the staff with a venue visit or two this year. Of the applications seven in ten are approved (a voucher each,
// four in ten of them redeemed at their desk), one is rejected and two wait for a coordinator.

// seedBenefitProgram is a benefit program as the seed reads it.
type seedBenefitProgram struct {
	id       int64
	code     string
	perChild bool
	quota    int
	settings domain.BenefitSettings
}

type seedApplication struct {
	id, program, staff, child, place, consent int64
	start, end                                time.Time
	status, reason                            string
	created, decided                          time.Time
}

func (sd *seeder) loadBenefits() error {
	var programs []seedBenefitProgram
	rows, err := sd.tx.Query(sd.ctx, `SELECT id, code, quota_per = 'child', quota, period, term_start, term_end FROM programs
		WHERE kind = 'benefit' AND active ORDER BY position`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p seedBenefitProgram
		var start, end *time.Time
		if err := rows.Scan(&p.id, &p.code, &p.perChild, &p.quota, &p.settings.Period, &start, &end); err != nil {
			rows.Close()
			return err
		}
		p.settings.TermStart, p.settings.TermEnd, p.settings.Quota = start, end, p.quota
		programs = append(programs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(programs) == 0 {
		return err
	}
	// The desks: venue accounts.
	nVenues := max(2, len(sd.staff)/1000)
	firstUser, err := sd.nextID("users")
	if err != nil {
		return err
	}
	venues := make([]int64, nVenues)
	if err := sd.copyRows("benefits: venue desks", "users", userColumns, nVenues, func(i int) []any {
		venues[i] = firstUser + int64(i)
		at := sd.timeBetween(sd.start, sd.start.AddDate(0, 1, 0))
		return []any{venues[i], fmt.Sprintf("1382%07d", i), sd.hash, fmt.Sprintf("青少年活动中心 %d 号前台", i+1),
			domain.RoleVenue, domain.StatusActive, "", at, at}
	}); err != nil {
		return err
	}
	// Their places: three classes at each desk for a per-child program, one visit for a per-staff one.
	type place struct{ id, program, venue int64 }
	var places []place
	byProgram := map[int64][]place{}
	firstPlace, err := sd.nextID("benefit_places")
	if err != nil {
		return err
	}
	classNames := []string{"少儿绘画班", "少儿书法班", "少儿编程班", "少儿舞蹈班", "少儿围棋班"}
	for _, p := range programs {
		per := 1
		if p.perChild {
			per = 3
		}
		for v := range venues {
			for range per {
				pl := place{id: firstPlace + int64(len(places)), program: p.id, venue: venues[v]}
				places = append(places, pl)
				byProgram[p.id] = append(byProgram[p.id], pl)
			}
		}
	}
	if err := sd.copyRows("benefits: classes and venues", "benefit_places",
		[]string{"id", "program_id", "venue_id", "name_zh", "name_en", "address", "active", "created_at", "updated_at"}, len(places),
		func(i int) []any {
			name := fmt.Sprintf("场馆体验 %d", i+1)
			if len(byProgram[places[i].program]) > len(venues) {
				name = fmt.Sprintf("%s（%d）", classNames[i%len(classNames)], i+1)
			}
			return []any{places[i].id, places[i].program, places[i].venue, name, fmt.Sprintf("Place %d", i+1), "", true, sd.start, sd.start}
		}); err != nil {
		return err
	}
	// The children, and who is active.
	type kid struct{ id, parent int64 }
	var kids []kid
	crow, err := sd.tx.Query(sd.ctx, `SELECT c.id, c.user_id FROM staff_children c JOIN users u ON u.id = c.user_id
		WHERE u.status = 'active' ORDER BY c.id`)
	if err != nil {
		return err
	}
	for crow.Next() {
		var k kid
		if err := crow.Scan(&k.id, &k.parent); err != nil {
			crow.Close()
			return err
		}
		kids = append(kids, k)
	}
	crow.Close()
	if err := crow.Err(); err != nil {
		return err
	}
	firstApp, err := sd.nextID("benefit_applications")
	if err != nil {
		return err
	}
	firstConsent, err := sd.nextID("consents")
	if err != nil {
		return err
	}
	var apps []seedApplication
	var consents []seedApplication // the per-child ones, for their consent rows
	add := func(p seedBenefitProgram, staff, child int64, n int) {
		start, end, open := p.settings.BenefitPeriod(sd.clock)
		if !open || !sd.clock.After(start) {
			return
		}
		for range n {
			a := seedApplication{id: firstApp + int64(len(apps)), program: p.id, staff: staff, child: child, start: start, end: end,
				place: byProgram[p.id][sd.rng.IntN(len(byProgram[p.id]))].id, created: sd.timeBetween(start, sd.clock)}
			switch r := sd.rng.Float64(); {
			case r < 0.7:
				a.status = domain.ApplicationApproved
			case r < 0.8:
				a.status, a.reason = domain.ApplicationRejected, "该班本学期已满"
			default:
				a.status = domain.ApplicationSubmitted
			}
			if a.status != domain.ApplicationSubmitted {
				a.decided = a.created.Add(time.Duration(1+sd.rng.IntN(72)) * time.Hour)
				if !a.decided.Before(sd.clock) {
					a.status, a.reason = domain.ApplicationSubmitted, ""
				}
			}
			if p.perChild {
				a.consent = firstConsent + int64(len(consents))
				consents = append(consents, a)
			}
			apps = append(apps, a)
		}
	}
	for _, p := range programs {
		if p.perChild {
			for _, k := range kids {
				// The seed's own staff only: the demo's have applied already, and their quota is theirs.
				if sd.childParents[k.parent] && sd.rng.Float64() < 0.33 {
					add(p, k.parent, k.id, 1+sd.rng.IntN(min(3, p.quota)))
				}
			}
			continue
		}
		for _, s := range sd.staff {
			if s.status == domain.StatusActive && sd.rng.Float64() < 0.25 {
				add(p, s.id, 0, 1+sd.rng.IntN(min(2, p.quota)))
			}
		}
	}
	if err := sd.copyRows("benefits: consents", "consents", []string{"id", "user_id", "kind", "version", "ip", "given_at"}, len(consents),
		func(i int) []any {
			a := consents[i]
			return []any{a.consent, a.staff, domain.ConsentChildren, domain.CareConsentVersion, "", a.created}
		}); err != nil {
		return err
	}
	if err := sd.copyRows("benefits: applications", "benefit_applications", []string{"id", "program_id", "staff_id", "per_child",
		"child_id", "place_id", "consent_id", "period_start", "period_end", "status", "reason", "decided_by", "decided_at", "created_at"},
		len(apps), func(i int) []any {
			a := apps[i]
			var child, consent, decidedBy, decidedAt any
			if a.child != 0 {
				child, consent = a.child, a.consent
			}
			if a.status != domain.ApplicationSubmitted {
				decidedBy, decidedAt = sd.coord, a.decided
			}
			return []any{a.id, a.program, a.staff, a.child != 0, child, a.place, consent, a.start, a.end, a.status, a.reason,
				decidedBy, decidedAt, a.created}
		}); err != nil {
		return err
	}
	// The vouchers of the approved ones, codes drawn from the seed's own generator (one seed, one data set).
	venueOf := map[int64]int64{}
	for _, pl := range places {
		venueOf[pl.id] = pl.venue
	}
	var approved []seedApplication
	for _, a := range apps {
		if a.status == domain.ApplicationApproved {
			approved = append(approved, a)
		}
	}
	codes := map[string]bool{}
	// The vouchers draw from a generator of their own: which applications are approved depends on the clock (one
	// decided just now is still waiting), and their draws must not move the stages after this one.
	rng := rand.New(rand.NewPCG(sd.o.Seed, 0x70c4e75))
	firstVoucher, err := sd.nextID("vouchers")
	if err != nil {
		return err
	}
	return sd.copyRows("benefits: vouchers", "vouchers", []string{"id", "application_id", "code", "staff_id", "place_id", "issued_at",
		"expires_at", "redeemed_at", "redeemed_by"}, len(approved), func(i int) []any {
		a := approved[i]
		var code string
		for code == "" || codes[code] {
			b := make([]byte, domain.VoucherBodyLen)
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
			code, _ = domain.NewVoucherCode(bytes.NewReader(b))
		}
		codes[code] = true
		expires := domain.VoucherExpiry(a.end)
		var redeemedAt, redeemedBy any
		last := expires
		if sd.clock.Before(last) {
			last = sd.clock
		}
		if rng.Float64() < 0.4 && a.decided.Before(last) {
			redeemedAt, redeemedBy = a.decided.Add(time.Duration(rng.Int64N(int64(last.Sub(a.decided))))), venueOf[a.place]
		}
		return []any{firstVoucher + int64(i), a.id, code, a.staff, a.place, a.decided, expires, redeemedAt, redeemedBy}
	})
}

package repository

import (
	"encoding/json"
	"fmt"
	"time"

	"guanai/domain"
)

type seedDisbursement struct {
	id, account             int64
	amount                  int64
	payee, account_no       string
	purpose, status, reason string
	createdAt, decidedAt    time.Time
	paidAt                  time.Time
	txID                    int64
}

var (
	disbursementStates = []weighted[string]{{"paid", 62}, {"approved", 8}, {"draft", 12}, {"rejected", 10}, {"cancelled", 8}}
	purposes           = map[string]string{"": "关爱金发放", "care_fund": "关爱基金困难补助", "one_to_one": "志愿者交通补贴",
		"tutoring": "线上辅导设备补贴", "counselling": "心理疏导服务费", "interest_classes": "子女兴趣班费用", "venue_vouchers": "场馆体验费用"}
)

// loadDisbursements loads payments to medical staff in every state. A pool pays out or reserves at most 60 % of
// what the seed gave it, so no pool ever runs short; a payment is decided and paid a day or two after it is made.
func (sd *seeder) loadDisbursements() error {
	budget := map[int64]int64{}
	for _, g := range sd.gifts {
		if g.reversalTx == 0 {
			budget[sd.accounts[sd.poolCode(g)]] += g.amount * 6 / 10
		}
	}
	first, err := sd.nextID("disbursements")
	if err != nil {
		return err
	}
	tx, err := sd.nextID("ledger_transactions")
	if err != nil {
		return err
	}
	pools := append([]seedProgram{{code: "", account: sd.accounts[accountUnrestricted]}}, sd.programs...)
	list := make([]seedDisbursement, sd.o.Scale.Disbursements)
	for i := range list {
		d := &list[i]
		pool := pools[sd.rng.IntN(len(pools))]
		if sd.rng.Float64() < 0.5 {
			pool = pools[0] // the unrestricted fund pays for half of it
		}
		payee := pick(sd, sd.staff)
		*d = seedDisbursement{id: first + int64(i), account: pool.account, payee: payee.name,
			account_no: fmt.Sprintf("6222 **** **** %04d", sd.rng.IntN(10000)), purpose: purposes[pool.code],
			status: pickWeighted(sd, disbursementStates), amount: sd.disbursementAmount(pool.code)}
		d.createdAt = sd.timeBetween(sd.start, sd.now.Add(-72*time.Hour))
		d.decidedAt = d.createdAt.Add(time.Duration(1+sd.rng.IntN(47)) * time.Hour)
		d.paidAt = d.decidedAt.Add(time.Duration(1+sd.rng.IntN(23)) * time.Hour)
		if d.status == "paid" || d.status == "approved" {
			if budget[d.account] < d.amount {
				d.status = "draft"
			} else {
				budget[d.account] -= d.amount
			}
		}
		switch d.status {
		case "paid":
			d.txID = tx
			tx++
		case "rejected":
			d.reason = "申请材料不全，请补充后重新提交"
		case "cancelled":
			d.reason = "重复申请，已撤回"
		}
	}
	return sd.copyDisbursements(list)
}

func (sd *seeder) disbursementAmount(program string) int64 {
	if program == "care_fund" || program == "" {
		return int64(2000+sd.rng.IntN(18)*1000) * 100
	}
	return int64(200+sd.rng.IntN(48)*100) * 100
}

// copyDisbursements loads the payments' ledger transactions first, then the disbursements, then their history.
func (sd *seeder) copyDisbursements(list []seedDisbursement) error {
	var paid []*seedDisbursement
	for i := range list {
		if list[i].txID != 0 {
			paid = append(paid, &list[i])
		}
	}
	if err := sd.copyRows("disbursements: ledger transactions", "ledger_transactions",
		[]string{"id", "kind", "memo", "created_by", "created_at"}, len(paid), func(i int) []any {
			return []any{paid[i].txID, "disbursement", paid[i].purpose, sd.finance, paid[i].paidAt}
		}); err != nil {
		return err
	}
	payees := sd.accounts["external:payees"]
	if err := sd.copyRows("disbursements: ledger entries", "ledger_entries", []string{"transaction_id", "account_id", "amount"},
		2*len(paid), func(i int) []any {
			d := paid[i/2]
			if i%2 == 0 {
				return []any{d.txID, d.account, -d.amount}
			}
			return []any{d.txID, payees, d.amount}
		}); err != nil {
		return err
	}
	if err := sd.copyRows("disbursements", "disbursements", []string{"id", "account_id", "amount", "payee", "payee_account",
		"purpose", "status", "maker_id", "checker_id", "approved_at", "paid_by", "paid_at", "bank_reference",
		"ledger_transaction_id", "reason", "created_at", "updated_at"}, len(list), func(i int) []any {
		return sd.disbursementRow(&list[i])
	}); err != nil {
		return err
	}
	return sd.loadDisbursementHistory(list)
}

func (sd *seeder) disbursementRow(d *seedDisbursement) []any {
	var checker, approvedAt, paidBy, paidAt, tx any
	updated, bankRef := d.createdAt, ""
	switch d.status {
	case "approved", "rejected":
		checker, approvedAt, updated = sd.admin, d.decidedAt, d.decidedAt
	case "paid":
		checker, approvedAt, paidBy, paidAt, tx, updated = sd.admin, d.decidedAt, sd.finance, d.paidAt, d.txID, d.paidAt
		bankRef = fmt.Sprintf("ZF%s%06d", d.paidAt.In(domain.Shanghai).Format("20060102"), d.id)
	case "cancelled":
		updated = d.decidedAt
	}
	if d.status == "rejected" {
		approvedAt = nil
	}
	return []any{d.id, d.account, d.amount, d.payee, d.account_no, d.purpose, d.status, sd.finance, checker, approvedAt,
		paidBy, paidAt, bankRef, tx, d.reason, d.createdAt, updated}
}

// loadDisbursementHistory writes the audit events the app writes as a payment moves: made, then each decision.
func (sd *seeder) loadDisbursementHistory(list []seedDisbursement) error {
	type event struct {
		at            time.Time
		actor         int64
		action        string
		id            int64
		before, after any
	}
	var events []event
	for _, d := range list {
		events = append(events, event{d.createdAt, sd.finance, "disbursement.create", d.id, nil, map[string]any{"amount": d.amount, "status": "draft"}})
		move := func(at time.Time, actor int64, from, to string) {
			events = append(events, event{at, actor, "disbursement." + to, d.id, map[string]any{"status": from},
				map[string]any{"status": to, "amount": d.amount, "reason": d.reason}})
		}
		switch d.status {
		case "approved", "rejected":
			move(d.decidedAt, sd.admin, "draft", d.status)
		case "cancelled":
			move(d.decidedAt, sd.finance, "draft", d.status)
		case "paid":
			move(d.decidedAt, sd.admin, "draft", "approved")
			move(d.paidAt, sd.finance, "approved", "paid")
		}
	}
	return sd.copyRows("disbursements: audit log", "audit_events",
		[]string{"at", "actor_id", "actor_ip", "action", "subject_type", "subject_id", "before", "after"}, len(events), func(i int) []any {
			e := events[i]
			var before any
			if e.before != nil {
				b, _ := json.Marshal(e.before)
				before = json.RawMessage(b)
			}
			after, _ := json.Marshal(e.after)
			return []any{e.at, e.actor, "seed", e.action, "disbursement", e.id, before, json.RawMessage(after)}
		})
}

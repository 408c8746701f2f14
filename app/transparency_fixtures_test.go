package app

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// publicFund puts money through the fund the way finance does: donors, donations, reversals, allocations and
// disbursements made by one operator and approved by another.
type publicFund struct {
	t        *testing.T
	ta       *testApp
	finance  repository.Actor
	approver repository.Actor
}

func newPublicFund(t *testing.T, ta *testApp) publicFund {
	t.Helper()
	op := func(role domain.Role, phone string) repository.Actor {
		u, err := ta.store.CreateOperator(context.Background(), repository.Actor{IP: "test"},
			repository.NewAccount{Phone: phone, Password: testPassword, Name: "经办" + phone[9:], Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return repository.Actor{UserID: u.ID, IP: "test"}
	}
	return publicFund{t: t, ta: ta, finance: op(domain.RoleFinance, "13700000091"), approver: op(domain.RoleAdmin, "13700000092")}
}

// donor records a donor with a phone and an address, which no everyone page may show.
func (f publicFund) donor(name, phone, address string, publish bool) int64 {
	f.t.Helper()
	id, err := f.ta.store.CreateDonor(context.Background(), f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: name,
		Phone: phone, Address: address, Email: "donor" + phone[7:] + "@example.com", PublishName: publish})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f publicFund) give(donor int64, amount domain.Money, program, channel string, on time.Time) int64 {
	f.t.Helper()
	n := publicFundSeq.Add(1)
	id, _, err := f.ta.store.RecordDonation(context.Background(), f.finance, repository.DonationRequest{
		Key: fmt.Sprintf("public-%d", n), DonorID: donor, Input: domain.DonationInput{Amount: amount, Channel: channel,
			ReceivedOn: on, Reference: fmt.Sprintf("PUB-%d", n), ProgramCode: program, Note: "备注不公开"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f publicFund) reverse(donation int64) {
	f.t.Helper()
	if err := f.ta.store.ReverseDonation(context.Background(), f.finance, donation, "退款"); err != nil {
		f.t.Fatal(err)
	}
}

func (f publicFund) pool(code string) int64 {
	f.t.Helper()
	pools, err := f.ta.store.Pools(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range pools {
		if p.Code == code {
			return p.ID
		}
	}
	f.t.Fatalf("no pool %s", code)
	return 0
}

// pay makes, approves and pays a grant to a named beneficiary, whose name no everyone page may show.
func (f publicFund) pay(pool string, amount domain.Money, payee string) {
	f.t.Helper()
	ctx := context.Background()
	id, err := f.ta.store.CreateDisbursement(ctx, f.finance, repository.DisbursementDraft{PoolID: f.pool(pool), Amount: amount,
		Payee: payee, PayeeAccount: "6222020000000000001", Purpose: payee + "的困难补助"})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.ta.store.ApproveDisbursement(ctx, f.approver, id); err != nil {
		f.t.Fatal(err)
	}
	if err := f.ta.store.PayDisbursement(ctx, f.finance, id, fmt.Sprintf("BANK-PUB-%d", id)); err != nil {
		f.t.Fatal(err)
	}
}

// ledger is what the ledger itself says the everyone totals are.
func (f publicFund) ledger() (raised, disbursed, balance domain.Money) {
	f.t.Helper()
	err := f.ta.store.SQL().QueryRow(`SELECT (SELECT -balance FROM accounts WHERE code = 'external:donors'),
		(SELECT balance FROM accounts WHERE code = 'external:payees'),
		(SELECT sum(balance) FROM accounts WHERE kind = 'pool')`).Scan(&raised, &disbursed, &balance)
	if err != nil {
		f.t.Fatal(err)
	}
	return raised, disbursed, balance
}

func shanghaiToday() time.Time {
	now := time.Now().In(domain.Shanghai)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.Shanghai)
}

func getIn(c *client, lang, path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.ta.srv.URL+path, nil)
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// publicPages fetches every everyone page and file of the transparency area, in Chinese and in English: every page
// of the donation list, every quarter's report and every quarter's CSV.
func publicPages(t *testing.T, ta *testApp) map[string]response {
	t.Helper()
	c := ta.client()
	out := map[string]response{}
	for _, lang := range []string{"zh-CN", "en"} {
		path := "/transparency"
		for i := 0; path != "" && i < 50; i++ {
			r := getIn(c, lang, path)
			if r.Status != http.StatusOK {
				t.Fatalf("%s: status %d", path, r.Status)
			}
			out[lang+" "+path] = r
			path = ""
			if m := nextLink.FindStringSubmatch(r.Body); m != nil {
				path = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		report := getIn(c, lang, "/transparency/report")
		out[lang+" /transparency/report"] = report
		for _, m := range regexp.MustCompile(`href="(/transparency/report(?:\.csv)?\?q=\d{4}Q\d)"`).FindAllStringSubmatch(report.Body, -1) {
			if _, seen := out[lang+" "+m[1]]; !seen {
				out[lang+" "+m[1]] = getIn(c, lang, m[1])
			}
		}
	}
	return out
}

// shown is the text of the element with an id, as the page shows it.
func shown(t *testing.T, r response, id string) string {
	t.Helper()
	return regexpFind(t, r.Body, `id="`+id+`">([^<]*)<`)
}

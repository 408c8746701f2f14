package repository_test

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// chaosTargets are the tables the fund's steps insert into; a failure is injected by making the database refuse
// the next insert into one of them, which happens between that step's other writes.
var chaosTargets = []string{"ledger_transactions", "ledger_entries", "donations", "receipts", "audit_events"}

// installChaos adds, as the database's owner, a trigger on each target table that raises while the table is named
// in the chaos table.
func installChaos(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	u, _ := url.Parse(dbURL)
	admin, _ := url.Parse(testdb.ServerURL())
	u.User = admin.User
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stmts := []string{
		`CREATE TABLE chaos (target text PRIMARY KEY)`,
		`GRANT ALL ON chaos TO PUBLIC`,
		`CREATE FUNCTION chaos_fail() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF EXISTS (SELECT 1 FROM chaos WHERE target = TG_TABLE_NAME) THEN
				RAISE EXCEPTION 'chaos: injected failure on %', TG_TABLE_NAME;
			END IF;
			RETURN NEW;
		END $$`,
	}
	for _, table := range chaosTargets {
		stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER %s_chaos BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION chaos_fail()`, table, table))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

// model is what the pools should hold, kept by the test from the steps that succeeded.
type model struct {
	balance, reserved map[int64]domain.Money
	donations         map[int64]donationFact // not reversed
	approved, drafts  map[int64]donationFact // disbursement id -> pool and amount
	injectedFailures  int                    // steps that failed because of an injected failure
}

type donationFact struct {
	pool   int64
	amount domain.Money
}

func (m *model) available(pool int64) domain.Money { return m.balance[pool] - m.reserved[pool] }

// The workload's length: CI keeps it short; a long run by hand (see BENCHMARKS.md) is
//
//	go test ./repository -run TestRandomFundWorkload -workload-steps 100000 -workload-reconcile-every 1000 -timeout 0
var (
	workloadSteps          = flag.Int("workload-steps", 250, "steps of the random fund workload")
	workloadReconcileEvery = flag.Int("workload-reconcile-every", 1, "run the whole reconciliation every n steps (the pools are checked after every one)")
)

// TestRandomFundWorkload runs a seeded random mix of donations, allocations, approvals, payments, rejections and
// reversals, with failures injected between writes, and after every step checks that reconciliation passes and
// every pool holds exactly what the successful steps put there. Rerun a failure with GUANAI_SEED=<seed>.
func TestRandomFundWorkload(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("GUANAI_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (rerun with GUANAI_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	dbURL := testdb.URL(t)
	s, err := repository.Open(ctx, dbURL, repository.Options{IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chaos := installChaos(t, dbURL)
	fin := newOperator(t, s, domain.RoleFinance, "13800000002")
	adm := newOperator(t, s, domain.RoleAdmin, "13800000001")
	f := fund{s: s, finance: repository.Actor{UserID: fin.ID}, approver: repository.Actor{UserID: adm.ID}}
	if f.donor, err = s.CreateDonor(ctx, f.finance, domain.Donor{Kind: "individual", Name: "随机捐赠人"}); err != nil {
		t.Fatal(err)
	}
	pools, _ := s.Pools(ctx)
	m := &model{balance: map[int64]domain.Money{}, reserved: map[int64]domain.Money{}, donations: map[int64]donationFact{},
		approved: map[int64]donationFact{}, drafts: map[int64]donationFact{}}
	programs := []string{""}
	poolOf := map[string]int64{}
	for _, p := range pools {
		poolOf[p.ProgramCode] = p.ID
		if p.ProgramCode != "" {
			programs = append(programs, p.ProgramCode)
		}
	}
	steps := *workloadSteps
	for step := 0; step < steps; step++ {
		target := ""
		// inject makes, one step in four, the database refuse the next insert into one of the tables the step
		// is about to write.
		inject := func(tables ...string) bool {
			if rng.IntN(4) != 0 {
				return false
			}
			target = tables[rng.IntN(len(tables))]
			if _, err := chaos.Exec(`INSERT INTO chaos VALUES ($1)`, target); err != nil {
				t.Fatal(err)
			}
			return true
		}
		op, err := randomStep(f, m, rng, programs, poolOf, pools, inject)
		if target != "" {
			if _, cerr := chaos.Exec(`DELETE FROM chaos`); cerr != nil {
				t.Fatal(cerr)
			}
		}
		if err != nil {
			t.Fatalf("seed %d step %d (%s, failure injected on %q): %v", seed, step, op, target, err)
		}
		reconcile := (step+1)%max(*workloadReconcileEvery, 1) == 0 || step == steps-1
		checkModel(t, s, m, fmt.Sprintf("seed %d step %d (%s, failure on %q)", seed, step, op, target), reconcile)
		if t.Failed() {
			return
		}
	}
	if m.injectedFailures < 10 {
		t.Fatalf("seed %d: only %d steps met an injected failure; the test is not testing rollbacks", seed, m.injectedFailures)
	}
	t.Logf("%d steps, %d rolled back by injected failures", steps, m.injectedFailures)
}

// randomStep does one random operation and updates the model when it succeeds. It returns an error only when the
// outcome contradicts the model: a step the model says must fail succeeded, or one that should work failed
// without an injected failure to explain it.
func randomStep(f fund, m *model, rng *rand.Rand, programs []string, poolOf map[string]int64, pools []repository.Pool,
	inject func(tables ...string) bool) (string, error) {
	injected := false
	posts := []string{"ledger_transactions", "ledger_entries", "audit_events"}
	s := f.s
	pick := func(set map[int64]donationFact) (int64, donationFact, bool) {
		for id, fact := range set { // map order is random enough, and the seed only has to fix the choices that matter
			return id, fact, true
		}
		return 0, donationFact{}, false
	}
	expect := func(op string, err error, wantShort bool, apply func()) (string, error) {
		var short *domain.InsufficientFundsError
		switch {
		case err == nil && wantShort:
			return op, errors.New("succeeded though the pool could not cover it")
		case err == nil && injected:
			return op, errors.New("succeeded despite an injected failure on a table it writes")
		case err == nil:
			apply()
		case errors.As(err, &short) && wantShort:
		case injected:
			m.injectedFailures++
		default:
			return op, err
		}
		return op, nil
	}
	switch k := rng.IntN(10); {
	case k < 4:
		program := programs[rng.IntN(len(programs))]
		amount := domain.Money(rng.IntN(5000)+1) * 100
		req := f.donationReq(amount, program)
		injected = inject(append(posts, "donations", "receipts")...)
		id, _, err := s.RecordDonation(ctx, f.finance, req)
		return expect("donation", err, false, func() {
			pool := poolOf[program]
			m.balance[pool] += amount
			m.donations[id] = donationFact{pool, amount}
		})
	case k < 5:
		from, to := pools[rng.IntN(len(pools))].ID, pools[rng.IntN(len(pools))].ID
		if from == to {
			return "allocation to itself (skipped)", nil
		}
		amount := domain.Money(rng.IntN(3000)+1) * 100
		injected = inject(posts...) && amount <= m.available(from)
		_, err := s.Allocate(ctx, f.finance, from, to, amount, "随机调拨")
		return expect("allocation", err, amount > m.available(from), func() {
			m.balance[from] -= amount
			m.balance[to] += amount
		})
	case k < 7:
		pool := pools[rng.IntN(len(pools))].ID
		amount := domain.Money(rng.IntN(3000)+1) * 100
		id, err := s.CreateDisbursement(ctx, f.finance, repository.DisbursementDraft{PoolID: pool, Amount: amount, Payee: "收款方", Purpose: "随机"})
		if err != nil {
			return expect("draft", err, false, func() {})
		}
		m.drafts[id] = donationFact{pool, amount}
		injected = inject("audit_events") && amount <= m.available(pool)
		err = s.ApproveDisbursement(ctx, f.approver, id)
		return expect("approval", err, amount > m.available(pool), func() {
			delete(m.drafts, id)
			m.approved[id] = donationFact{pool, amount}
			m.reserved[pool] += amount
		})
	case k < 8:
		id, fact, ok := pick(m.approved)
		if !ok {
			return "payment (none approved)", nil
		}
		injected = inject(posts...)
		err := s.PayDisbursement(ctx, f.finance, id, fmt.Sprintf("BANK-%d", id))
		return expect("payment", err, false, func() {
			delete(m.approved, id)
			m.reserved[fact.pool] -= fact.amount
			m.balance[fact.pool] -= fact.amount
		})
	case k < 9:
		set, reserved := m.drafts, false
		if rng.IntN(2) == 0 {
			set, reserved = m.approved, true
		}
		id, fact, ok := pick(set)
		if !ok {
			return "rejection (none)", nil
		}
		injected = inject("audit_events")
		err := s.RejectDisbursement(ctx, f.approver, id, "随机驳回")
		return expect("rejection", err, false, func() {
			delete(set, id)
			if reserved {
				m.reserved[fact.pool] -= fact.amount
			}
		})
	default:
		id, fact, ok := pick(m.donations)
		if !ok {
			return "reversal (no donations)", nil
		}
		injected = inject(posts...) && fact.amount <= m.available(fact.pool)
		err := s.ReverseDonation(ctx, f.finance, id, "随机冲销")
		return expect("reversal", err, fact.amount > m.available(fact.pool), func() {
			delete(m.donations, id)
			m.balance[fact.pool] -= fact.amount
		})
	}
}

func checkModel(t *testing.T, s *repository.Store, m *model, where string, reconcile bool) {
	t.Helper()
	if reconcile {
		checks, err := s.VerifyLedger(ctx)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		for _, c := range checks {
			for _, p := range c.Problems {
				t.Errorf("%s: reconciliation %s: %s", where, c.Name, p)
			}
		}
	}
	now, err := s.Pools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range now {
		if p.Balance != m.balance[p.ID] || p.Reserved != m.reserved[p.ID] {
			t.Errorf("%s: pool %s holds %s (%s reserved), the successful steps put %s (%s reserved) there",
				where, p.Code, p.Balance, p.Reserved, m.balance[p.ID], m.reserved[p.ID])
		}
		if p.Balance < 0 || p.Reserved > p.Balance {
			t.Errorf("%s: pool %s is overdrawn: %s, %s reserved", where, p.Code, p.Balance, p.Reserved)
		}
	}
}

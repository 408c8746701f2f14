package repository

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"guanai/domain"
)

// SeedScale is how much a bulk seed loads.
type SeedScale struct {
	Staff, Volunteers, Donors, Donations, Disbursements int
	Years                                               int // the donations span this many years, up to today
}

// The two data sets pages are built and judged on: a city the size of Hangzhou, and a twentieth of it.
var (
	CityScale  = SeedScale{Staff: 20000, Volunteers: 60000, Donors: 200000, Donations: 1000000, Disbursements: 5000, Years: 3}
	SmallScale = SeedScale{Staff: 1000, Volunteers: 3000, Donors: 10000, Donations: 50000, Disbursements: 250, Years: 3}
)

// SeedProgress reports one stage of a bulk seed: Done of Total rows loaded.
type SeedProgress struct {
	Stage       string
	Done, Total int
}

// SeedOptions say what to load and how to report it.
type SeedOptions struct {
	Scale    SeedScale
	Seed     uint64 // one seed, one data set
	Password string // every seeded person's password
	Progress func(SeedProgress)
}

// ErrSeedNeedsOperators: a bulk seed records its gifts and payments as the demo's operators, so they come first.
var ErrSeedNeedsOperators = errors.New("a bulk seed needs an active admin, finance officer and coordinator first")

// SeedBulk loads a generated city on top of what the database holds (the demo operators at least), with COPY, in
// one transaction: it loads all of it or nothing. The ledger's own triggers are switched off while it loads (they
// would post two million entries one by one); the balances are then computed from the entries, and the
// reconciliation checks the result like any other ledger.
func (s *Store) SeedBulk(ctx context.Context, o SeedOptions) error {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		tx, err := dc.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op once committed
		sd, err := newSeeder(ctx, tx, o, s.Now(), s.idKey)
		if err != nil {
			return err
		}
		// The live care requests' jobs, inserted in the seed's transaction like the app's own (see insertAt); an
		// insert-only client on the pgx driver, with the store's clock.
		if sd.jobs, err = river.NewClient(riverpgxv5.New(nil), &river.Config{Workers: s.workers(nil, Mailer{}), Test: s.riverTestTime()}); err != nil {
			return err
		}
		if err := sd.run(); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// seeder holds what a bulk seed generates from and what it has loaded so far.
type seeder struct {
	ctx      context.Context
	tx       pgx.Tx
	o        SeedOptions
	rng      *rand.Rand
	now      time.Time // the start of today: everything generated happened before it (so one seed, one data set, all day)
	clock    time.Time // the store's clock: the live care requests are open then
	jobs     *river.Client[pgx.Tx]
	start    time.Time // the first day gifts are generated for
	idKey    []byte
	hash     string // the one password hash every seeded person shares (hashing 80,000 would take minutes)
	names    domain.NameParts
	admin    int64
	finance  int64
	coord    int64
	accounts map[string]int64 // account code → id
	programs []seedProgram
	staff    []seedPerson // generated staff, for payees and care requests
	// volunteers are the generated volunteers, for the care requests
	volunteers []seedVolunteer
	care       *careSeed // the care requests, planned before the volunteers are loaded
	// childParents are the staff members with children (who gave the children's-data consent)
	childParents map[int64]bool
	donors       []seedDonor
	gifts        []seedGift
}

type seedProgram struct {
	id      int64
	code    string
	zh, en  string
	account int64
}

func newSeeder(ctx context.Context, tx pgx.Tx, o SeedOptions, now time.Time, idKey []byte) (*seeder, error) {
	hash, err := domain.HashPassword(o.Password)
	if err != nil {
		return nil, err
	}
	if o.Progress == nil {
		o.Progress = func(SeedProgress) {}
	}
	sd := &seeder{ctx: ctx, tx: tx, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), now: domain.Today(now), clock: now,
		start: domain.Today(now).AddDate(-o.Scale.Years, 0, 1), idKey: idKey, hash: hash, names: domain.Reference.Names,
		accounts: map[string]int64{}}
	return sd, sd.lookUp()
}

// lookUp finds the operators, accounts and programs the generated records refer to.
func (sd *seeder) lookUp() error {
	for role, id := range map[domain.Role]*int64{domain.RoleAdmin: &sd.admin, domain.RoleFinance: &sd.finance, domain.RoleCoordinator: &sd.coord} {
		err := sd.tx.QueryRow(sd.ctx, `SELECT id FROM users WHERE role = $1 AND status = 'active' ORDER BY id LIMIT 1`, role).Scan(id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrSeedNeedsOperators
		} else if err != nil {
			return err
		}
	}
	rows, err := sd.tx.Query(sd.ctx, `SELECT id, code FROM accounts`)
	if err != nil {
		return err
	}
	codes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID   int64
		Code string
	}])
	if err != nil {
		return err
	}
	for _, c := range codes {
		sd.accounts[c.Code] = c.ID
	}
	return sd.loadPrograms()
}

func (sd *seeder) loadPrograms() error {
	rows, err := sd.tx.Query(sd.ctx, `SELECT id, code, name_zh, name_en FROM programs ORDER BY position`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p seedProgram
		if err := rows.Scan(&p.id, &p.code, &p.zh, &p.en); err != nil {
			return err
		}
		p.account = sd.accounts["pool:"+p.code]
		sd.programs = append(sd.programs, p)
	}
	return rows.Err()
}

// run loads every stage, then settles what the switched-off triggers would have kept: balances, reservations,
// receipt counters and the id sequences.
func (sd *seeder) run() error {
	for _, table := range []string{"ledger_entries", "ledger_transactions", "donations"} {
		if _, err := sd.tx.Exec(sd.ctx, "ALTER TABLE "+table+" DISABLE TRIGGER USER"); err != nil {
			return err
		}
	}
	stages := []func() error{sd.loadStaff, sd.planVolunteers, sd.planCare, sd.loadVolunteers, sd.loadCare, sd.loadBenefits, sd.loadCertificates, sd.loadDonors, sd.planGifts, sd.loadGifts,
		sd.loadDisbursements, sd.loadGrantsAndClaims, sd.closePastQuarters, sd.rebookEarlierGifts, sd.settle}
	for _, stage := range stages {
		if err := stage(); err != nil {
			return err
		}
	}
	for _, table := range []string{"ledger_entries", "ledger_transactions", "donations"} {
		if _, err := sd.tx.Exec(sd.ctx, "ALTER TABLE "+table+" ENABLE TRIGGER USER"); err != nil {
			return err
		}
	}
	return nil
}

// nextID is the first id after a table's largest: the seed gives its rows their ids, so rows can refer to each
// other within one COPY stream.
func (sd *seeder) nextID(table string) (int64, error) {
	var id int64
	err := sd.tx.QueryRow(sd.ctx, "SELECT coalesce(max(id), 0) + 1 FROM "+table).Scan(&id)
	return id, err
}

// copyRows streams n generated rows into a table with COPY, reporting progress as it goes.
func (sd *seeder) copyRows(stage, table string, cols []string, n int, row func(i int) []any) error {
	i := 0
	report := func() { sd.o.Progress(SeedProgress{Stage: stage, Done: i, Total: n}) }
	report()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		r := row(i)
		i++
		if i%10000 == 0 {
			report()
		}
		return r, nil
	})
	if _, err := sd.tx.CopyFrom(sd.ctx, pgx.Identifier{table}, cols, src); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	report()
	return nil
}

// withoutForeignKeys drops the foreign keys of the tables while load loads them, then adds them back: PostgreSQL
// then checks each over the whole table at once (one join) rather than row by row as COPY inserts them, and a row
// that refers to nothing still fails the seed.
func (sd *seeder) withoutForeignKeys(stage string, tables []string, load func() error) error {
	rows, err := sd.tx.Query(sd.ctx, `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE contype = 'f' AND conrelid = ANY ($1::regclass[]) ORDER BY conrelid, conname`, tables)
	if err != nil {
		return err
	}
	fks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Table, Name, Def string }])
	if err != nil {
		return err
	}
	for _, fk := range fks {
		if _, err := sd.tx.Exec(sd.ctx, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", fk.Table, pgx.Identifier{fk.Name}.Sanitize())); err != nil {
			return err
		}
	}
	if err := load(); err != nil {
		return err
	}
	for i, fk := range fks {
		sd.o.Progress(SeedProgress{Stage: stage, Done: i, Total: len(fks)})
		if _, err := sd.tx.Exec(sd.ctx, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", fk.Table, pgx.Identifier{fk.Name}.Sanitize(), fk.Def)); err != nil {
			return fmt.Errorf("%s: %w", fk.Table, err)
		}
	}
	sd.o.Progress(SeedProgress{Stage: stage, Done: len(fks), Total: len(fks)})
	return nil
}

// seededIDs are the tables whose rows the seed gives ids of its own: their sequences must then start after them.
var seededIDs = []string{"users", "eligibility_entries", "donors", "donations", "ledger_transactions", "disbursements",
	"consents", "pairings", "care_requests", "care_occurrences", "care_offers", "care_services", "care_events", "notifications",
	"benefit_places", "benefit_applications", "vouchers", "grant_applications", "expense_claims"}

// settle computes what the ledger's triggers keep when they run: each account's balance from its entries, each
// pool's reservation from its approved disbursements; then the receipt counters and id sequences.
func (sd *seeder) settle() error {
	stmts := []string{
		`UPDATE accounts a SET balance = coalesce(s.total, 0)
			FROM accounts b LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries GROUP BY account_id) s
				ON s.account_id = b.id WHERE a.id = b.id`,
		`UPDATE accounts a SET reserved = coalesce((SELECT sum(amount) FROM disbursements d
			WHERE d.account_id = a.id AND d.status = 'approved'), 0) WHERE a.kind = 'pool'`,
		// The public figures' month totals, as the donations' switched-off trigger would have kept them.
		`DELETE FROM fund_flows`,
		`INSERT INTO fund_flows SELECT * FROM fund_flows_expected`,
		`INSERT INTO receipt_counters (year, last) SELECT year, max(seq) FROM receipts WHERE copy_of IS NULL GROUP BY year
			ON CONFLICT (year) DO UPDATE SET last = excluded.last`,
	}
	for _, table := range seededIDs {
		stmts = append(stmts, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT max(id) FROM %[1]s))`, table))
	}
	for _, q := range stmts {
		if _, err := sd.tx.Exec(sd.ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// closePastQuarters closes the books of every quarter that ended more than a month ago, as a fund does, twenty
// days after each ended, with the audit event closing one writes.
func (sd *seeder) closePastQuarters() error {
	var q []domain.Quarter
	for quarter := domain.QuarterOf(sd.start); sd.closesQuarter(quarter); quarter = quarter.Next() {
		q = append(q, quarter)
	}
	if err := sd.copyRows("closed quarters", "closed_quarters", []string{"year", "quarter", "closed_by", "closed_at"}, len(q),
		func(i int) []any { return []any{q[i].Year, q[i].Q, sd.admin, closedAt(q[i])} }); err != nil {
		return err
	}
	return sd.copyRows("closed quarters: audit log", "audit_events",
		[]string{"at", "actor_id", "actor_ip", "action", "subject_type", "subject_id", "after"}, len(q), func(i int) []any {
			after := fmt.Sprintf(`{"quarter":%q}`, q[i].String())
			return []any{closedAt(q[i]), sd.admin, "seed", "quarter.close", "quarter", int64(q[i].Year*10 + q[i].Q), json.RawMessage(after)}
		})
}

// rebookEarlierGifts books what was recorded before the seed (the demo's gifts, recorded today, some dated months
// back) as the app books a gift recorded after its quarter closed: on today, in the open period, and its reversal
// with it (domain.Books); the seed's quarters were closed in the past, before those gifts were recorded.
func (sd *seeder) rebookEarlierGifts() error {
	if len(sd.gifts) == 0 {
		return nil
	}
	first := sd.gifts[0].id
	today := domain.Today(sd.now)
	for _, q := range []string{
		`UPDATE donations SET booked_on = $2 WHERE id < $1 AND quarter_closed(booked_on)`,
		`UPDATE donations SET reversal_booked_on = $2 WHERE id < $1 AND reversal_booked_on IS NOT NULL
			AND (quarter_closed(reversal_booked_on) OR reversal_booked_on < booked_on)`,
	} {
		if _, err := sd.tx.Exec(sd.ctx, q, first, today); err != nil {
			return err
		}
	}
	return nil
}

func (sd *seeder) closesQuarter(q domain.Quarter) bool {
	return q.End().AddDate(0, 1, 0).Before(sd.now)
}

func closedAt(q domain.Quarter) time.Time { return q.End().AddDate(0, 0, 20) }

// HoldsData reports whether the database has anyone or any gift in it (a bulk seed refuses one that does).
func HoldsData(ctx context.Context, db *sql.DB) (bool, error) {
	var migrated, found bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('public.users') IS NOT NULL`).Scan(&migrated); err != nil || !migrated {
		return false, err
	}
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM donations)`).Scan(&found)
	return found, err
}

// DropEverything empties the database: every table, function and migration record of the public schema. It is
// what `seed --force` starts from.
func DropEverything(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	return err
}

// Analyze refreshes the planner's statistics and the visibility map after a bulk load, as autovacuum would a
// while later.
func Analyze(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `VACUUM (ANALYZE)`)
	return err
}

package repository_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// benefitMonday is inside the seeded term of the interest classes (2026-09-01 to 2027-01-31).
var benefitMonday = time.Date(2026, 10, 12, 10, 0, 0, 0, domain.Shanghai)

// benefitWorld is an admin, two coordinators, two venue desks, a verified staff member with a child, a second
// verified staff member, and a class (at the first desk) and a museum (at the second), on a clock the test moves.
type benefitWorld struct {
	s              *repository.Store
	clock          *testdb.Clock
	admin, coord   repository.Actor
	coord2         repository.Actor
	deskA, deskB   repository.Actor
	staff, other   repository.Actor
	child          int64
	class, museum  int64
	classes, visit repository.CareProgram
}

func newBenefitWorld(t *testing.T) benefitWorld {
	t.Helper()
	w := benefitWorld{clock: testdb.NewClock(benefitMonday)}
	w.s = testdb.StoreWithClock(t, w.clock)
	actor := func(u domain.User) repository.Actor { return repository.Actor{UserID: u.ID, Role: u.Role, IP: "test"} }
	w.admin = actor(newOperator(t, w.s, domain.RoleAdmin, "13800000001"))
	w.coord = actor(newOperator(t, w.s, domain.RoleCoordinator, "13800000003"))
	w.coord2 = actor(newOperator(t, w.s, domain.RoleCoordinator, "13800000033"))
	w.deskA = actor(newOperator(t, w.s, domain.RoleVenue, "13800000005"))
	w.deskB = actor(newOperator(t, w.s, domain.RoleVenue, "13800000006"))
	for i, phone := range []string{"13900000001", "13900000002"} {
		u := registerStaff(t, w.s, []string{"刘晓燕", "周建国"}[i], phone, i == 0)
		if err := w.s.DecideAccount(ctx, w.coord, u.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.staff = repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "test"}
		} else {
			w.other = repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "test"}
		}
	}
	p, err := w.s.PersonByID(ctx, w.staff.UserID)
	if err != nil || len(p.Children) != 1 {
		t.Fatalf("staff child: %+v %v", p.Children, err)
	}
	w.child = p.Children[0].ID
	list, err := w.s.ProgramList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range list {
		switch pr.Code {
		case "interest_classes":
			w.classes = pr
		case "venue_vouchers":
			w.visit = pr
		}
	}
	w.class = w.place(t, w.classes.ID, "少儿绘画班", w.deskA.UserID)
	w.museum = w.place(t, w.visit.ID, "杭州科技馆", w.deskB.UserID)
	return w
}

func (w benefitWorld) place(t *testing.T, programID int64, name string, venue int64) int64 {
	t.Helper()
	id, err := w.s.CreateBenefitPlace(ctx, w.admin, programID, domain.BenefitPlaceForm{NameZh: name, NameEn: "Place " + name,
		VenueID: strconv.FormatInt(venue, 10)})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w benefitWorld) applyClass(t *testing.T) int64 {
	t.Helper()
	id, err := w.s.ApplyBenefit(ctx, w.staff, "interest_classes", domain.BenefitApplicationForm{
		PlaceID: strconv.FormatInt(w.class, 10), ChildID: strconv.FormatInt(w.child, 10), Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w benefitWorld) applyVisit(as repository.Actor) (int64, error) {
	return w.s.ApplyBenefit(ctx, as, "venue_vouchers", domain.BenefitApplicationForm{PlaceID: strconv.FormatInt(w.museum, 10)})
}

func (w benefitWorld) scalar(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.s.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestBenefitApplicationsStayWithinTheQuota(t *testing.T) {
	w := newBenefitWorld(t)
	// A per-child program needs the child and the consent for the child's data.
	_, err := w.s.ApplyBenefit(ctx, w.staff, "interest_classes", domain.BenefitApplicationForm{PlaceID: strconv.FormatInt(w.class, 10)})
	var fe domain.FieldErrors
	if !errors.As(err, &fe) || fe["child"] == "" || fe["consent"] == "" {
		t.Fatalf("no child, no consent: %v", err)
	}
	_, err = w.s.ApplyBenefit(ctx, w.staff, "interest_classes", domain.BenefitApplicationForm{
		PlaceID: strconv.FormatInt(w.museum, 10), ChildID: "999999", Consent: true})
	if !errors.As(err, &fe) || fe["child"] != "error.choose_one" || fe["place"] != "error.choose_one" {
		t.Fatalf("another program's place, someone else's child: %v", err)
	}
	for range 3 {
		w.applyClass(t)
	}
	_, err = w.s.ApplyBenefit(ctx, w.staff, "interest_classes", domain.BenefitApplicationForm{
		PlaceID: strconv.FormatInt(w.class, 10), ChildID: strconv.FormatInt(w.child, 10), Consent: true})
	var q *domain.QuotaExhaustedError
	if !errors.As(err, &q) || q.Quota != 3 || q.Used != 3 || !q.PerChild {
		t.Fatalf("a fourth class this term: %v, want the quota of 3 used up", err)
	}
	st, err := w.s.StaffBenefitStart(ctx, w.staff.UserID, "interest_classes")
	if err != nil || st.Left(w.child) != 0 || !st.Open || len(st.Applications) != 3 {
		t.Fatalf("her page: left %d open %v applications %d, %v", st.Left(w.child), st.Open, len(st.Applications), err)
	}
	if n := w.scalar(t, `SELECT count(*) FROM consents WHERE user_id = $1 AND kind = 'children_data' AND version = $2`,
		w.staff.UserID, domain.CareConsentVersion); n != 3 {
		t.Errorf("%d consents recorded with the applications, want 3", n)
	}
	// Two visits per staff member a year; the count is hers, not the other staff member's.
	for range 2 {
		if _, err := w.applyVisit(w.staff); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.applyVisit(w.staff); !errors.As(err, &q) || q.Quota != 2 || q.PerChild {
		t.Fatalf("a third visit: %v", err)
	}
	if _, err := w.applyVisit(w.other); err != nil {
		t.Fatalf("the other staff member's first visit: %v", err)
	}
	// Outside the term nothing is open.
	w.clock.Set(time.Date(2027, 2, 10, 10, 0, 0, 0, domain.Shanghai))
	if _, err := w.s.ApplyBenefit(ctx, w.staff, "interest_classes", domain.BenefitApplicationForm{}); !errors.Is(err, domain.ErrNoTermUnderWay) {
		t.Fatalf("between terms: %v", err)
	}
}

// Two applications at once with one place left: one is recorded, the other told the quota is used up.
func TestConcurrentApplicationsTakeTheLastPlaceOnce(t *testing.T) {
	w := newBenefitWorld(t)
	if _, err := w.applyVisit(w.staff); err != nil {
		t.Fatal(err)
	}
	errs := race(6, func(int) error { _, err := w.applyVisit(w.staff); return err })
	ok, refused := 0, 0
	for _, err := range errs {
		var q *domain.QuotaExhaustedError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &q):
			refused++
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if ok != 1 || refused != 5 {
		t.Errorf("%d applications recorded, %d refused; want 1 and 5", ok, refused)
	}
}

// Two coordinators approving at once with one place of the quota left: exactly one voucher.
func TestConcurrentApprovalsCannotOverspendTheQuota(t *testing.T) {
	w := newBenefitWorld(t)
	a1, _ := w.applyVisit(w.staff)
	a2, _ := w.applyVisit(w.staff)
	// The admin lowers the quota to one after she applied twice: the approvals must count again.
	if _, err := w.s.SQL().Exec(`UPDATE programs SET quota = 1 WHERE id = $1`, w.visit.ID); err != nil {
		t.Fatal(err)
	}
	for round := range 20 { // a race lost once is not proof: run it often
		if round > 0 { // two more places to apply for, then one taken away again
			if _, err := w.s.SQL().Exec(`UPDATE programs SET quota = quota + 2 WHERE id = $1`, w.visit.ID); err != nil {
				t.Fatal(err)
			}
			a1, _ = w.applyVisit(w.staff)
			a2, _ = w.applyVisit(w.staff)
			if a1 == 0 || a2 == 0 {
				t.Fatal("could not apply again")
			}
			if _, err := w.s.SQL().Exec(`UPDATE programs SET quota = quota - 1 WHERE id = $1`, w.visit.ID); err != nil {
				t.Fatal(err)
			}
		}
		ids := []int64{a1, a2}
		actors := []repository.Actor{w.coord, w.coord2}
		errs := race(2, func(i int) error { _, err := w.s.ApproveApplication(ctx, actors[i], ids[i]); return err })
		ok, refused := 0, 0
		for _, err := range errs {
			var q *domain.QuotaExhaustedError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &q):
				refused++
			default:
				t.Fatalf("round %d: unexpected %v", round, err)
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("round %d: %d approved, %d refused; want 1 and 1", round, ok, refused)
		}
		// The refused one is still waiting: a coordinator rejects it, which frees nothing already issued.
		for _, id := range ids {
			if w.scalar(t, `SELECT count(*) FROM benefit_applications WHERE id = $1 AND status = 'submitted'`, id) == 1 {
				if err := w.s.RejectApplication(ctx, w.coord, id, "名额已用完"); err != nil {
					t.Fatal(err)
				}
			}
		}
		quota := w.scalar(t, `SELECT quota FROM programs WHERE id = $1`, w.visit.ID)
		if n := w.scalar(t, `SELECT count(*) FROM vouchers v JOIN benefit_applications a ON a.id = v.application_id
			WHERE a.program_id = $1 AND a.staff_id = $2`, w.visit.ID, w.staff.UserID); n != quota {
			t.Fatalf("round %d: %d vouchers for a quota of %d", round, n, quota)
		}
	}
}

func TestApprovalIssuesAVoucherAndTellsHer(t *testing.T) {
	w := newBenefitWorld(t)
	app := w.applyClass(t)
	voucherID, err := w.s.ApproveApplication(ctx, w.coord, app)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.ApproveApplication(ctx, w.coord2, app); !errors.Is(err, domain.ErrApplicationDone) {
		t.Errorf("approved twice: %v", err)
	}
	if err := w.s.RejectApplication(ctx, w.coord, app, "x"); !errors.Is(err, domain.ErrApplicationDone) {
		t.Errorf("rejected after approval: %v", err)
	}
	v, err := w.s.StaffVoucher(ctx, w.staff.UserID, voucherID)
	if err != nil {
		t.Fatal(err)
	}
	if !domain.ValidVoucherCode(v.Code) || v.ChildName != "明" || v.PlaceNameZh != "少儿绘画班" {
		t.Errorf("voucher %+v", v)
	}
	if want := time.Date(2027, 2, 1, 0, 0, 0, 0, domain.Shanghai); !v.ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want the end of the term's last day %v", v.ExpiresAt, want)
	}
	if _, err := w.s.StaffVoucher(ctx, w.other.UserID, voucherID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another staff member's voucher: %v, want not found", err)
	}
	inbox, err := w.s.Inbox(ctx, w.staff.UserID, domain.Cursor{})
	if err != nil || len(inbox.Rows) == 0 || inbox.Rows[0].Kind != repository.NoteBenefitApproved || inbox.Rows[0].VoucherID != voucherID {
		t.Fatalf("her inbox: %+v %v", inbox.Rows, err)
	}
	// A rejection needs a reason, which she reads.
	second := w.applyClass(t)
	var fe domain.FieldErrors
	if err := w.s.RejectApplication(ctx, w.coord, second, "  "); !errors.As(err, &fe) || fe["reason"] != "error.reason_required" {
		t.Fatalf("reject without a reason: %v", err)
	}
	if err := w.s.RejectApplication(ctx, w.coord, second, "该班本学期已满"); err != nil {
		t.Fatal(err)
	}
	inbox, _ = w.s.Inbox(ctx, w.staff.UserID, domain.Cursor{})
	if n := inbox.Rows[0]; n.Kind != repository.NoteBenefitRejected || n.ApplicationID != second || n.Detail != "该班本学期已满" {
		t.Fatalf("rejection notice %+v", n)
	}
	if n := w.scalar(t, `SELECT count(*) FROM audit_events WHERE action IN ('benefit.apply', 'benefit.approve', 'benefit.reject',
		'benefit.place_create')`); n != 2+1+1+2 {
		t.Errorf("%d benefit audit events, want 6", n)
	}
}

func TestRedeemingAVoucher(t *testing.T) {
	w := newBenefitWorld(t)
	voucherID, err := w.s.ApproveApplication(ctx, w.coord, w.applyClass(t))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := w.s.StaffVoucher(ctx, w.staff.UserID, voucherID)
	code := v.Code
	unknownBody := "0000000000"
	unknown := unknownBody + string(domain.VoucherCheckSymbol(unknownBody))
	mistyped := code[:3] + string(map[bool]byte{true: '1', false: '0'}[code[3] == '0']) + code[4:]
	for _, c := range []struct {
		name  string
		desk  repository.Actor
		typed string
		want  error
	}{
		{"nothing typed", w.deskA, " ", domain.ErrVoucherCodeEmpty},
		{"not a code", w.deskA, "12345", domain.ErrVoucherCodeShape},
		{"mistyped", w.deskA, mistyped, domain.ErrVoucherCodeMistyped},
		{"unknown", w.deskA, unknown, domain.ErrVoucherUnknown},
		{"another venue's", w.deskB, code, domain.ErrVoucherOtherVenue},
	} {
		if _, err := w.s.LookUpVoucher(ctx, c.desk.UserID, c.typed); !errors.Is(err, c.want) {
			t.Errorf("look up %s: %v, want %v", c.name, err, c.want)
		}
		if _, err := w.s.RedeemVoucher(ctx, c.desk, c.typed); !errors.Is(err, c.want) {
			t.Errorf("redeem %s: %v, want %v", c.name, err, c.want)
		}
	}
	found, err := w.s.LookUpVoucher(ctx, w.deskA.UserID, domain.GroupVoucherCode(code))
	if err != nil || found.ChildName != "明" || found.StaffName != "晓燕" {
		t.Fatalf("look up: %+v %v (the desk sees given names only)", found, err)
	}
	// Two presses (or two desks' screens) at once: one redeems it, the other is told when it was redeemed.
	errs := race(5, func(int) error { _, err := w.s.RedeemVoucher(ctx, w.deskA, code); return err })
	ok, told := 0, 0
	for _, err := range errs {
		var r *domain.VoucherRedeemedError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &r):
			told++
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if ok != 1 || told != 4 {
		t.Errorf("%d redemptions, %d told it was redeemed; want 1 and 4", ok, told)
	}
	if n := w.scalar(t, `SELECT count(*) FROM audit_events WHERE action = 'voucher.redeem'`); n != 1 {
		t.Errorf("%d redemption events, want 1", n)
	}
	// The database refuses to redeem it again whatever writes it.
	if _, err := w.s.SQL().Exec(`UPDATE vouchers SET redeemed_at = redeemed_at + interval '1 hour' WHERE id = $1`, voucherID); err == nil {
		t.Error("the database let a redeemed voucher be redeemed again")
	}
	// A voucher past its term has expired.
	other, err := w.s.ApproveApplication(ctx, w.coord, w.applyClass(t))
	if err != nil {
		t.Fatal(err)
	}
	ov, _ := w.s.StaffVoucher(ctx, w.staff.UserID, other)
	w.clock.Set(time.Date(2027, 2, 1, 0, 0, 0, 0, domain.Shanghai))
	var ex *domain.VoucherExpiredError
	if _, err := w.s.RedeemVoucher(ctx, w.deskA, ov.Code); !errors.As(err, &ex) {
		t.Errorf("redeem after the term: %v, want expired", err)
	}
	if key, args := ex.Message(); key != "benefits.redeem.error.expired" || fmt.Sprint(args) != "[Date 2027-01-31]" {
		t.Errorf("expired says %s %v", key, args)
	}
}

func TestVenuePlacesBelongToVenueAccounts(t *testing.T) {
	w := newBenefitWorld(t)
	var fe domain.FieldErrors
	_, err := w.s.CreateBenefitPlace(ctx, w.admin, w.classes.ID, domain.BenefitPlaceForm{NameZh: "书法班", NameEn: "Calligraphy",
		VenueID: strconv.FormatInt(w.coord.UserID, 10)})
	if !errors.As(err, &fe) || fe["venue"] != "error.choose_one" {
		t.Errorf("a place at a coordinator's account: %v", err)
	}
	if _, err := w.s.SQL().Exec(`UPDATE benefit_places SET venue_id = $1 WHERE id = $2`, w.coord.UserID, w.class); err == nil {
		t.Error("the database tied a place to an account that is not a venue")
	}
	// Switched off, a place takes no applications; its vouchers stay good.
	voucherID, _ := w.s.ApproveApplication(ctx, w.coord, w.applyClass(t))
	if _, err := w.s.UpdateBenefitPlace(ctx, w.admin, w.class, domain.BenefitPlaceForm{NameZh: "少儿绘画班", NameEn: "Painting",
		VenueID: strconv.FormatInt(w.deskA.UserID, 10), Active: false}); err != nil {
		t.Fatal(err)
	}
	_, err = w.s.ApplyBenefit(ctx, w.staff, "interest_classes", domain.BenefitApplicationForm{
		PlaceID: strconv.FormatInt(w.class, 10), ChildID: strconv.FormatInt(w.child, 10), Consent: true})
	if !errors.As(err, &fe) || fe["place"] == "" {
		t.Errorf("applying for a switched-off place: %v", err)
	}
	v, _ := w.s.StaffVoucher(ctx, w.staff.UserID, voucherID)
	if _, err := w.s.RedeemVoucher(ctx, w.deskA, v.Code); err != nil {
		t.Errorf("a voucher of a switched-off place: %v", err)
	}
}

func TestClosingAnAccountKeepsTheVouchersNumbers(t *testing.T) {
	w := newBenefitWorld(t)
	voucherID, _ := w.s.ApproveApplication(ctx, w.coord, w.applyClass(t))
	d, err := w.s.ExportMyData(ctx, w.staff.UserID)
	if err != nil || len(d.Benefits) != 1 || d.Benefits[0].VoucherCode == "" || d.Benefits[0].Child != "小明" {
		t.Fatalf("her data: %+v %v", d.Benefits, err)
	}
	if err := w.s.CloseAccount(ctx, w.staff, staffPassword); err != nil {
		t.Fatal(err)
	}
	if n := w.scalar(t, `SELECT count(*) FROM benefit_applications WHERE staff_id = $1 AND child_id IS NULL AND status = 'approved'`,
		w.staff.UserID); n != 1 {
		t.Errorf("after closing: %d applications without the child, want 1", n)
	}
	if n := w.scalar(t, `SELECT count(*) FROM vouchers WHERE id = $1`, voucherID); n != 1 {
		t.Error("the voucher went with the account")
	}
}

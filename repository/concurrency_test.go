package repository_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// race runs fn n times at once: every goroutine waits at a barrier, so they reach the database together.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts the nil errors and those matching want; it fails the test on any other error.
func tally(t *testing.T, errs []error, want error) (ok, lost int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, want):
			lost++
		default:
			t.Errorf("goroutine %d: unexpected error %v", i, err)
		}
	}
	return ok, lost
}

func TestConcurrentApprovalsDecideOnce(t *testing.T) {
	s := testdb.Store(t)
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	const n = 10
	coordinators := make([]domain.User, n)
	for i := range coordinators {
		coordinators[i] = newOperator(t, s, domain.RoleCoordinator, fmt.Sprintf("135000000%02d", i))
	}
	errs := race(n, func(i int) error {
		return s.DecideAccount(ctx, repository.Actor{UserID: coordinators[i].ID, IP: "test"}, staff.ID, true, "")
	})
	if ok, lost := tally(t, errs, domain.ErrAlreadyDecided); ok != 1 || lost != n-1 {
		t.Errorf("%d approvals succeeded and %d were told it was already decided; want 1 and %d", ok, lost, n-1)
	}
	if got := count(auditActions(t, s, staff.ID), "account.verify"); got != 1 {
		t.Errorf("%d account.verify audit events, want 1", got)
	}
	u, err := s.UserByID(ctx, staff.ID)
	if err != nil || u.Status != domain.StatusActive {
		t.Errorf("account %+v, %v: want active", u, err)
	}
}

func TestConcurrentRegistrationsWithOnePhone(t *testing.T) {
	s := testdb.Store(t)
	const n = 10
	regs := make([]domain.StaffRegistration, n)
	for i := range regs {
		regs[i] = staffReg(t, fmt.Sprintf("王芳%d", i), "13900001111", i%2 == 0)
	}
	errs := race(n, func(i int) error {
		_, err := s.RegisterStaff(ctx, "198.51.100.1", regs[i])
		return err
	})
	ok := 0
	for i, err := range errs {
		var fe domain.FieldErrors
		switch {
		case err == nil:
			ok++
		case errors.As(err, &fe) && len(fe) == 1 && fe["phone"] == "error.phone_taken":
		default:
			t.Errorf("registration %d: err = %v, want nil or phone taken", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d registrations succeeded, want 1", ok)
	}
	var accounts, profiles, children int
	err := s.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM staff_profiles),
		(SELECT count(*) FROM staff_children)`).Scan(&accounts, &profiles, &children)
	if err != nil {
		t.Fatal(err)
	}
	if accounts != 1 || profiles != 1 || children > 1 {
		t.Errorf("%d accounts, %d profiles, %d children; want one account and nothing of the refused ones", accounts, profiles, children)
	}
}

func TestConcurrentConfirmsApplyOnce(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	pending := registerStaff(t, s, "赵敏", "13900003333", false)
	actor := repository.Actor{UserID: admin.ID, IP: "test"}
	id, err := s.SaveEligibilityPreview(ctx, actor, "list.csv", hospitalList(t, "浙江省中医院"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	results := make([]repository.ImportResult, n)
	errs := race(n, func(i int) error {
		var err error
		results[i], err = s.ConfirmEligibility(ctx, actor, id)
		return err
	})
	if ok, lost := tally(t, errs, domain.ErrListConfirmed); ok != 1 || lost != n-1 {
		t.Fatalf("%d confirms succeeded and %d were told it was already decided; want 1 and %d", ok, lost, n-1)
	}
	for i, err := range errs {
		if err == nil {
			if want := (repository.ImportResult{Added: 5, Skipped: 2, Activated: 1}); results[i] != want {
				t.Errorf("the confirm that won: %+v, want %+v", results[i], want)
			}
		}
	}
	if n := entryCount(t, s); n != 5 {
		t.Errorf("%d entries, want 5", n)
	}
	if got := count(auditActions(t, s, pending.ID), "account.verify"); got != 1 {
		t.Errorf("matching staff verified %d times, want once", got)
	}
}

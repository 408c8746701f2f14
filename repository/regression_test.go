package repository_test

import (
	"errors"
	"fmt"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// Bug found at 9fcda86: the phone lock did not hold against guesses sent in parallel. Login checked the lock, spent
// ~20 ms on argon2, and only then recorded the failure, so twenty guesses sent at once (each from its own address,
// below the address limit) were all checked against the password, where the policy allows five. login_attempts
// holds one row per guess that reached the password check.
func TestLoginLockHoldsAgainstParallelGuesses(t *testing.T) {
	s := testdb.Store(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	const n = 20
	race(n, func(i int) error {
		_, err := s.Login(ctx, "13900001111", fmt.Sprintf("guess %d", i), fmt.Sprintf("198.51.100.%d", i))
		return err
	})
	var checked int
	if err := s.SQL().QueryRowContext(ctx, `SELECT count(*) FROM login_attempts WHERE phone = '13900001111'`).Scan(&checked); err != nil {
		t.Fatal(err)
	}
	if checked > domain.PhoneFailLimit {
		t.Errorf("%d of %d parallel guesses were checked against the password; the lock allows %d", checked, n, domain.PhoneFailLimit)
	}
}

// Bug found at 9fcda86 (minor): a NUL character passed the domain's name checks (CleanName, CheckEligibilityRows)
// but PostgreSQL cannot store it, so instead of a field or row error the person got an internal error: an
// eligibility list with a NUL in a cell failed to upload (jsonb: "unsupported Unicode escape sequence", 22P05), and
// a registration whose name held one failed (text: "invalid byte sequence", 22021).
func TestNULInNameIsAnInputErrorNotADatabaseError(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	t.Run("eligibility list", func(t *testing.T) {
		rows := checkedRows(t, []string{"王\x00芳", "13900001111", "杭州市西溪医院", "other"})
		_, err := s.SaveEligibilityPreview(ctx, repository.Actor{UserID: admin.ID, IP: "test"}, "list.csv", rows)
		if err != nil {
			t.Errorf("row errors %v, save error %v: want the preview saved (the row flagged or the NUL removed)", rows[0].Errors, err)
		}
	})
	t.Run("registration", func(t *testing.T) {
		r := domain.StaffRegistration{
			Account: domain.Account{Name: "王\x00芳", Phone: "13900002222", Password: staffPassword, PrivacyConsent: true},
			Profile: domain.StaffProfile{Hospital: "杭州市西溪医院", Department: "感染科", Position: "护士", Category: "designated",
				District: "xihu", Address: "西湖区"},
		}
		fe := r.Check(nil, 2026)
		if fe["name"] != "" {
			return // rejected as input: fixed
		}
		_, err := s.RegisterStaff(ctx, "x", r)
		var got domain.FieldErrors
		if err != nil && !errors.As(err, &got) {
			t.Errorf("name with NUL passed the checks and the database refused it: %v", err)
		}
	})
}

package repository_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func TestDecideQualificationTouchesOnlyThatOne(t *testing.T) {
	s := testdb.Store(t)
	coord := newOperator(t, s, domain.RoleCoordinator, "13500000001")
	vol := registerVolunteer(t, s, "陈志强", "13700002222", idNumber(1))
	other := registerVolunteer(t, s, "林静", "13700003333", idNumber(2))
	actor := repository.Actor{UserID: coord.ID, IP: "test"}
	p, err := s.PersonByID(ctx, vol.ID)
	if err != nil {
		t.Fatal(err)
	}
	driver, tutor := p.Qualifications[0], p.Qualifications[1]

	userID, err := s.DecideQualification(ctx, actor, driver.ID, true, "")
	if err != nil || userID != vol.ID {
		t.Fatalf("verify driver: user %d, %v; want %d", userID, err, vol.ID)
	}
	if _, err := s.DecideQualification(ctx, actor, tutor.ID, false, "证书不清晰"); err != nil {
		t.Fatal(err)
	}
	p, err = s.PersonByID(ctx, vol.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]repository.Qualification{}
	for _, q := range p.Qualifications {
		got[q.Code] = q
	}
	if q := got["driver"]; q.Status != "verified" || q.DecidedAt == nil || q.Detail != "浙A12345" {
		t.Errorf("driver %+v: want verified with its plate kept", q)
	}
	if q := got["tutor"]; q.Status != "rejected" || q.Reason != "证书不清晰" {
		t.Errorf("tutor %+v: want rejected with the reason", q)
	}
	o, err := s.PersonByID(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range o.Qualifications {
		if q.Status != "pending" || q.DecidedAt != nil {
			t.Errorf("another volunteer's %s is %s, want pending", q.Code, q.Status)
		}
	}
	if p.Status != domain.StatusPending {
		t.Errorf("deciding a qualification changed the account to %s", p.Status)
	}
	if _, err := s.DecideQualification(ctx, actor, driver.ID, false, "changed my mind"); !errors.Is(err, domain.ErrAlreadyDecided) {
		t.Errorf("deciding twice: err = %v, want ErrAlreadyDecided", err)
	}
	if _, err := s.DecideQualification(ctx, actor, 999999, true, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown qualification: err = %v, want ErrNotFound", err)
	}
	if got := count(auditActions(t, s, vol.ID), "qualification.verify"); got != 2 {
		t.Errorf("%d qualification.verify audit events, want 2", got)
	}
}

func TestDecideAccount(t *testing.T) {
	s := testdb.Store(t)
	coord := newOperator(t, s, domain.RoleCoordinator, "13500000001")
	admin := newOperator(t, s, domain.RoleAdmin, "13500000002")
	actor := repository.Actor{UserID: coord.ID, IP: "test"}
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	vol := registerVolunteer(t, s, "陈志强", "13700002222", idNumber(1))

	if err := s.DecideAccount(ctx, actor, staff.ID, false, "不在一线名单"); err != nil {
		t.Fatal(err)
	}
	u, _ := s.UserByID(ctx, staff.ID)
	if u.Status != domain.StatusRejected || u.StatusReason != "不在一线名单" {
		t.Errorf("rejected account %+v: want rejected with the reason the person sees", u)
	}
	if err := s.DecideAccount(ctx, actor, vol.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.UserByID(ctx, vol.ID); u.Status != domain.StatusActive {
		t.Errorf("approved volunteer is %s", u.Status)
	}
	if err := s.DecideAccount(ctx, actor, staff.ID, true, ""); !errors.Is(err, domain.ErrAlreadyDecided) {
		t.Errorf("approving a rejected account: err = %v, want ErrAlreadyDecided", err)
	}
	if err := s.DecideAccount(ctx, actor, admin.ID, false, "x"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("deciding an operator's account: err = %v, want ErrNotFound", err)
	}
	queue, waiting, err := s.VerificationQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The approved volunteer stays in the queue while the qualifications wait, and is counted as waiting.
	if len(queue) != 1 || queue[0].ID != vol.ID || waiting.N != 1 || waiting.More {
		t.Errorf("queue %+v (%+v waiting): want only the volunteer with qualifications to check", queue, waiting)
	}
}

// The queue shows the people who have waited longest, a page of them, and says how many wait in all.
func TestQueueShowsTheLongestWaitingFirst(t *testing.T) {
	s := testdb.Store(t)
	var want []int64
	for i := range repository.QueueSize + 5 {
		u := registerStaff(t, s, "待审"+strconv.Itoa(i), fmt.Sprintf("1390000%04d", i), false)
		want = append(want, u.ID)
	}
	queue, waiting, err := s.VerificationQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != repository.QueueSize || waiting.N != int64(repository.QueueSize+5) || waiting.More {
		t.Fatalf("queue of %d, %+v waiting", len(queue), waiting)
	}
	for i, p := range queue {
		if p.ID != want[i] || p.Staff == nil {
			t.Errorf("place %d: %d (profile %v), want %d, who came in %d", i, p.ID, p.Staff != nil, want[i], i+1)
		}
	}
}

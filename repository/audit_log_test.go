package repository_test

import (
	"slices"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// The log names each event's subject as it is now, read in the same query: an account's name and role, a
// donation's receipt number and donor, a disbursement's payee, an import's file, a donor's name. The events
// themselves stay free of names.
func TestAuditLogNamesTheSubjects(t *testing.T) {
	f := newFund(t)
	s := f.s
	admin := f.approver

	donation := f.donate(t, 1234_56, "")
	list, err := s.ListDonations(ctx, repository.DonationFilter{}, domain.Cursor{})
	donations := list.Rows
	if err != nil || len(donations) != 1 || donations[0].ReceiptNumber == "" {
		t.Fatalf("donations %+v, %v", donations, err)
	}
	receipt := donations[0].ReceiptNumber
	disbursement := f.draft(t, f.pool(t, "pool:unrestricted").ID, 100_00)
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	if _, err := s.RevealPhone(ctx, admin, staff.ID); err != nil {
		t.Fatal(err)
	}
	listID, err := s.SaveEligibilityPreview(ctx, admin, "一线名单.csv", checkedRows(t, []string{"王芳", "13900001111", "杭州市西溪医院", "designated"}))
	if err != nil {
		t.Fatal(err)
	}
	statementID, err := s.CreateStatementImport(ctx, f.finance, repository.StatementUpload{Filename: "三月流水.csv", Channel: "bank_transfer",
		Records: [][]string{{"交易日期", "对方户名", "贷方金额", "交易流水号"}, {"2026-03-01", "张三", "100.00", "R-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordExport(ctx, f.finance, "donations.csv"); err != nil {
		t.Fatal(err)
	}
	// A closed account reads as closed in every event about it, the ones from before it closed too.
	leaver := registerStaff(t, s, "李雷", "13900002222", false)
	if err := s.CloseAccount(ctx, repository.Actor{UserID: leaver.ID, IP: "test"}, staffPassword); err != nil {
		t.Fatal(err)
	}

	log, err := s.AuditLog(ctx, repository.AuditFilter{Limit: 1000}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	entries := log.Rows
	if log.Count != (repository.Count{N: int64(len(entries))}) || log.Older != nil {
		t.Fatalf("counted %+v for %d entries", log.Count, len(entries))
	}
	find := func(action string, subjectID int64) repository.AuditEntry {
		t.Helper()
		for _, e := range entries {
			if e.Action == action && (subjectID == 0 || e.SubjectID != nil && *e.SubjectID == subjectID) {
				return e
			}
		}
		t.Fatalf("no %s event about #%d in %+v", action, subjectID, entries)
		return repository.AuditEntry{}
	}
	for _, c := range []struct {
		action  string
		id      int64
		want    repository.AuditSubject
		byActor string
	}{
		{"donation.record", donation, repository.AuditSubject{Found: true, Name: "王爱心", Receipt: receipt}, "操作员0002"},
		{"donor.create", f.donor, repository.AuditSubject{Found: true, Name: "王爱心"}, "操作员0002"},
		{"disbursement.create", disbursement, repository.AuditSubject{Found: true, Name: "杭州市西溪医院工会"}, "操作员0002"},
		{"phone.reveal", staff.ID, repository.AuditSubject{Found: true, Name: "王芳", Role: domain.RoleStaff}, "操作员0001"},
		{"eligibility.upload", listID, repository.AuditSubject{Found: true, Name: "一线名单.csv"}, "操作员0001"},
		{"statement.upload", statementID, repository.AuditSubject{Found: true, Name: "三月流水.csv"}, "操作员0002"},
		{"export.download", 0, repository.AuditSubject{}, "操作员0002"},
		{"account.register", leaver.ID, repository.AuditSubject{Found: true, Name: domain.ClosedAccountName, Role: domain.RoleStaff}, domain.ClosedAccountName},
		{"account.close", leaver.ID, repository.AuditSubject{Found: true, Name: domain.ClosedAccountName, Role: domain.RoleStaff}, domain.ClosedAccountName},
	} {
		e := find(c.action, c.id)
		if e.Subject != c.want || e.ActorName != c.byActor {
			t.Errorf("%s: subject %+v by %q, want %+v by %q", c.action, e.Subject, e.ActorName, c.want, c.byActor)
		}
	}
	if e := find("phone.reveal", staff.ID); e.ActorRole != string(domain.RoleAdmin) || e.ActorIP != "test" {
		t.Errorf("reveal by %q from %q, want the admin from test", e.ActorRole, e.ActorIP)
	}
	// The names are read, never written: the events hold none of them.
	for _, e := range entries {
		for _, name := range []string{"王芳", "李雷", "王爱心", "杭州市西溪医院工会"} {
			if strings.Contains(e.Before, name) || strings.Contains(e.After, name) {
				t.Errorf("%s keeps %q: %s %s", e.Action, name, e.Before, e.After)
			}
		}
	}
}

func TestAuditLogFilters(t *testing.T) {
	f := newFund(t) // two operators made from the command line (no actor), a donor by finance
	s := f.s
	f.donate(t, 50_00, "")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	if _, err := s.RevealPhone(ctx, f.approver, staff.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordExport(ctx, f.approver, "donations.csv"); err != nil {
		t.Fatal(err)
	}
	actions := func(filter repository.AuditFilter) ([]string, int64) {
		t.Helper()
		filter.Limit = 1000
		log, err := s.AuditLog(ctx, filter, domain.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(log.Rows))
		for i, e := range log.Rows {
			out[len(log.Rows)-1-i] = e.Action
		}
		return out, log.Count.N
	}
	for _, c := range []struct {
		name   string
		filter repository.AuditFilter
		want   []string
	}{
		{"every event", repository.AuditFilter{}, []string{"account.create", "account.create", "donor.create", "donation.record",
			"account.register", "phone.reveal", "export.download"}},
		{"fund", repository.AuditFilter{Area: "fund"}, []string{"donor.create", "donation.record"}},
		{"accounts", repository.AuditFilter{Area: "accounts"}, []string{"account.create", "account.create", "account.register"}},
		{"access", repository.AuditFilter{Area: "access"}, []string{"phone.reveal", "export.download"}},
		{"verification", repository.AuditFilter{Area: "verification"}, []string{}},
		{"an unknown area holds nothing", repository.AuditFilter{Area: "nonsense"}, []string{}},
		{"by the admin", repository.AuditFilter{ActorID: f.approver.UserID}, []string{"phone.reveal", "export.download"}},
		{"by no one", repository.AuditFilter{NoActor: true}, []string{"account.create", "account.create"}},
		{"by the admin in the fund", repository.AuditFilter{ActorID: f.approver.UserID, Area: "fund"}, []string{}},
		{"about a person, by them", repository.AuditFilter{SubjectUserID: staff.ID, ActorID: staff.ID}, []string{"account.register"}},
	} {
		got, total := actions(c.filter)
		if !slices.Equal(got, c.want) || int(total) != len(c.want) {
			t.Errorf("%s: %v (total %d), want %v", c.name, got, total, c.want)
		}
	}
	// Paging goes on under a filter: the second page of two holds the oldest of the admin's three events.
	if _, err := s.RevealPhone(ctx, f.approver, staff.ID); err != nil {
		t.Fatal(err)
	}
	filter := repository.AuditFilter{ActorID: f.approver.UserID, Limit: 2}
	first, err := s.AuditLog(ctx, filter, domain.Cursor{})
	if err != nil || first.Count.N != 3 || len(first.Rows) != 2 || first.Older == nil {
		t.Fatalf("page 1: %+v (%v)", first, err)
	}
	second, err := s.AuditLog(ctx, filter, *first.Older)
	if err != nil || len(second.Rows) != 1 || second.Rows[0].Action != "phone.reveal" || second.Older != nil || second.Newer == nil {
		t.Errorf("page 2: %+v (%v)", second, err)
	}
	// Under an area (read a branch per action and merged) the pages go on too, and back.
	access := repository.AuditFilter{Area: "access", Limit: 2}
	newest, err := s.AuditLog(ctx, access, domain.Cursor{})
	if err != nil || newest.Count.N != 3 || len(newest.Rows) != 2 || newest.Rows[0].Action != "phone.reveal" ||
		newest.Rows[1].Action != "export.download" || newest.Older == nil {
		t.Fatalf("access, page 1: %+v (%v)", newest, err)
	}
	oldest, err := s.AuditLog(ctx, access, *newest.Older)
	if err != nil || len(oldest.Rows) != 1 || oldest.Rows[0].Action != "phone.reveal" || oldest.Newer == nil {
		t.Fatalf("access, page 2: %+v (%v)", oldest, err)
	}
	back, err := s.AuditLog(ctx, access, *oldest.Newer)
	if err != nil || len(back.Rows) != 2 || back.Rows[0].ID != newest.Rows[0].ID || back.Rows[1].ID != newest.Rows[1].ID {
		t.Errorf("access, back to page 1: %+v (%v)", back, err)
	}
	for _, a := range []string{"donation.record", "disbursement.approved", "account.status", "account.verify", "phone.reveal"} {
		if repository.AuditArea(a) == "" {
			t.Errorf("%s is in no area", a)
		}
	}
	if area := repository.AuditArea("something.new"); area != "" {
		t.Errorf("an unknown action is in %q", area)
	}
}

// The operators the filter offers: the fund's own people, closed accounts left out.
func TestAuditActors(t *testing.T) {
	f := newFund(t)
	registerStaff(t, f.s, "王芳", "13900001111", false)
	newOperator(t, f.s, domain.RoleAuditor, "13800000004")
	actors, err := f.s.AuditActors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range actors {
		names = append(names, a.Name+" "+string(a.Role))
	}
	want := []string{"操作员0001 admin", "操作员0002 finance", "操作员0004 auditor"}
	if !slices.Equal(names, want) {
		t.Errorf("actors %v, want %v", names, want)
	}
}

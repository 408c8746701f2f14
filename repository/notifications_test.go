package repository_test

import (
	"errors"
	"slices"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// inboxIDs are the ids of a page of an inbox, in its order.
func inboxIDs(p repository.ListPage[repository.Notification]) []int64 {
	ids := make([]int64, len(p.Rows))
	for i, n := range p.Rows {
		ids[i] = n.ID
	}
	return ids
}

// An inbox is the person's own notifications, newest first, a page at a time: the next page starts after the
// last row, and the way back finds the first page again.
func TestInboxNewestFirstInPages(t *testing.T) {
	s := testdb.Store(t)
	reader := newOperator(t, s, domain.RoleCoordinator, "13800001001")
	other := newOperator(t, s, domain.RoleCoordinator, "13800001002")
	kinds := []string{repository.NoteEscalated, repository.NoteDispatched, repository.NoteAccepted}
	total := repository.PageSize + 5
	for i := range total {
		if err := s.Notify(ctx, kinds[i%len(kinds)], 0, 0, 0, "", reader.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Notify(ctx, repository.NoteEscalated, 0, 0, 0, "别人的", other.ID); err != nil {
		t.Fatal(err)
	}

	first, err := s.Inbox(ctx, reader.ID, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	ids := inboxIDs(first)
	if len(ids) != repository.PageSize || first.Newer != nil || first.Older == nil {
		t.Fatalf("first page: %d rows, newer %v, older %v", len(ids), first.Newer, first.Older)
	}
	if !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("first page is not newest first: %v", ids)
	}
	n := first.Rows[0]
	if n.Kind != kinds[(total-1)%len(kinds)] || !n.Unread() || n.CreatedAt.IsZero() || n.RequestID != 0 || n.Detail != "" {
		t.Errorf("newest: %+v", n)
	}
	second, err := s.Inbox(ctx, reader.ID, *first.Older)
	if err != nil {
		t.Fatal(err)
	}
	if got := inboxIDs(second); len(got) != 5 || got[0] >= ids[len(ids)-1] || second.Older != nil || second.Newer == nil {
		t.Fatalf("second page: %v after %v, newer %v, older %v", got, ids, second.Newer, second.Older)
	}
	for _, n := range second.Rows {
		if n.Detail == "别人的" {
			t.Errorf("another person's notification is in the inbox: %+v", n)
		}
	}
	back, err := s.Inbox(ctx, reader.ID, *second.Newer)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inboxIDs(back), ids) {
		t.Errorf("back from the second page: %v, want %v", inboxIDs(back), ids)
	}
}

// Opening a notification marks it read and keeps when it was first read; another person's is not found and stays
// unread; "all read" marks up to the newest the reader saw, or everything.
func TestInboxReading(t *testing.T) {
	s := testdb.Store(t)
	reader := newOperator(t, s, domain.RoleCoordinator, "13800001001")
	other := newOperator(t, s, domain.RoleCoordinator, "13800001002")
	for range 3 {
		if err := s.Notify(ctx, repository.NoteEscalated, 0, 0, 0, "无人接单", reader.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Notify(ctx, repository.NoteEscalated, 0, 0, 0, "", other.ID); err != nil {
		t.Fatal(err)
	}
	unread := func(u domain.User, want int64) {
		t.Helper()
		got, n, err := s.SignedIn(ctx, u.ID)
		if err != nil || n != (repository.Count{N: want}) || got.ID != u.ID || got.Name != u.Name || got.Role != u.Role {
			t.Errorf("signed in as %s: %+v, unread %+v, %v; want %d unread", u.Name, got, n, err, want)
		}
	}
	unread(reader, 3)
	unread(other, 1)

	page, err := s.Inbox(ctx, reader.ID, domain.Cursor{})
	if err != nil || len(page.Rows) != 3 {
		t.Fatalf("inbox: %+v, %v", page, err)
	}
	oldest := page.Rows[2]
	opened, err := s.OpenNotification(ctx, reader.ID, oldest.ID)
	if err != nil || opened.ID != oldest.ID || opened.Unread() || opened.Detail != "无人接单" {
		t.Fatalf("open: %+v, %v", opened, err)
	}
	unread(reader, 2)
	again, err := s.OpenNotification(ctx, reader.ID, oldest.ID)
	if err != nil || again.ReadAt == nil || !again.ReadAt.Equal(*opened.ReadAt) {
		t.Errorf("opened again: %+v, %v; want read at %v still", again, err, opened.ReadAt)
	}
	unread(reader, 2)

	theirs, err := s.Inbox(ctx, other.ID, domain.Cursor{})
	if err != nil || len(theirs.Rows) != 1 {
		t.Fatalf("the other inbox: %+v, %v", theirs, err)
	}
	if _, err := s.OpenNotification(ctx, reader.ID, theirs.Rows[0].ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("opening another person's notification: %v, want ErrNotFound", err)
	}
	if _, err := s.OpenNotification(ctx, reader.ID, theirs.Rows[0].ID+1000); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("opening a notification that does not exist: %v, want ErrNotFound", err)
	}
	unread(other, 1)

	// All read, up to the middle one: the newest, come after the reader looked, stays unread.
	if err := s.MarkAllRead(ctx, reader.ID, page.Rows[1].ID); err != nil {
		t.Fatal(err)
	}
	unread(reader, 1)
	if err := s.MarkAllRead(ctx, reader.ID, 0); err != nil {
		t.Fatal(err)
	}
	unread(reader, 0)
	unread(other, 1)
	after, err := s.Inbox(ctx, reader.ID, domain.Cursor{})
	if err != nil || len(after.Rows) != 3 {
		t.Fatalf("inbox after reading: %+v, %v", after, err)
	}
	for _, n := range after.Rows {
		if n.Unread() {
			t.Errorf("still unread after all read: %+v", n)
		}
	}
	if !after.Rows[2].ReadAt.Equal(*opened.ReadAt) {
		t.Errorf("all read moved when the opened one was read: %v, was %v", after.Rows[2].ReadAt, opened.ReadAt)
	}
}

// The header's count stops at UnreadCap: it is asked on every page.
func TestUnreadCountStopsAtItsCap(t *testing.T) {
	s := testdb.Store(t)
	reader := newOperator(t, s, domain.RoleCoordinator, "13800001001")
	many := make([]int64, repository.UnreadCap+20)
	for i := range many {
		many[i] = reader.ID
	}
	if err := s.Notify(ctx, repository.NoteEscalated, 0, 0, 0, "", many...); err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.SignedIn(ctx, reader.ID); err != nil || n != (repository.Count{N: repository.UnreadCap, More: true}) {
		t.Errorf("unread: %+v, %v; want %d and more", n, err, repository.UnreadCap)
	}
}

// What dispatch writes is what the inbox reads: the offer in each driver's inbox points at the request and the
// offer; once one accepts, the staff member reads that it was accepted and the others that it was taken.
func TestDispatchLandsInTheInbox(t *testing.T) {
	w := newCareWorld(t)
	vols := w.drivers(t, 3)
	id := w.submit(t, ride(domain.UrgencyNormal, 0))
	inbox := func(u repository.Actor) []repository.Notification {
		t.Helper()
		p, err := w.s.Inbox(ctx, u.UserID, domain.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Rows
	}
	for _, v := range vols {
		got := inbox(v)
		if len(got) != 1 || got[0].Kind != repository.NoteOffer || got[0].RequestID != id ||
			got[0].OfferID != w.offerOf(t, id, v).id || !got[0].Unread() {
			t.Fatalf("volunteer %d's inbox: %+v", v.UserID, got)
		}
		if _, n, err := w.s.SignedIn(ctx, v.UserID); err != nil || n.N != 1 {
			t.Errorf("volunteer %d's unread: %+v, %v", v.UserID, n, err)
		}
	}
	w.accept(t, vols[0], w.offerOf(t, id, vols[0]).id)
	staff := inbox(w.staff)
	if len(staff) == 0 || staff[0].Kind != repository.NoteAccepted || staff[0].RequestID != id || staff[0].PairingID == 0 {
		t.Errorf("staff inbox after the acceptance: %+v", staff)
	}
	for _, v := range vols[1:] {
		if got := inbox(v); len(got) != 2 || got[0].Kind != repository.NoteTaken || got[1].Kind != repository.NoteOffer {
			t.Errorf("volunteer %d's inbox after another accepted: %+v", v.UserID, got)
		}
	}
}

package app

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// inboxView is the inbox: a page of notifications told as sentences, newest first.
type inboxView struct {
	Lines  []inboxLine
	Paging listPaging
	// Newest is the newest notification on the first page, which "all read" marks up to: one that arrives after
	// the reader looked stays unread. 0 on the other pages, which do not offer it.
	Newest int64
}

// inboxLine is one notification in the reader's words.
type inboxLine struct {
	ID     int64
	At     time.Time
	Text   string // the kind's sentence, then the notification's detail when it has one
	Unread bool
}

// inboxKinds are the kinds the inbox has a sentence for; another (a kind added later) reads as a new message.
var inboxKinds = []string{repository.NoteOffer, repository.NoteTaken, repository.NoteWithdrawn, repository.NoteAccepted,
	repository.NoteCancelled, repository.NoteEscalated, repository.NoteCheckedIn, repository.NoteCheckedOut,
	repository.NoteConfirmed, repository.NotePairingEnded, repository.NoteNoShow, repository.NoteDispatched, repository.NoteAssigned,
	repository.NoteBenefitApproved, repository.NoteBenefitRejected,
	// Grants and claims.
	repository.NoteGrantSubmitted, repository.NoteGrantReviewing, repository.NoteGrantApproved, repository.NoteGrantRejected,
	repository.NoteGrantPaid, repository.NoteGrantReturned, repository.NoteClaimSubmitted, repository.NoteClaimConfirmed,
	repository.NoteClaimRejected, repository.NoteClaimPaid, repository.NoteClaimReturned, repository.NoteDisbursementToCheck}

// inboxSentence is what a notification says: its kind's sentence, then its detail.
func inboxSentence(p *Page, n repository.Notification) string {
	s := p.T("inbox.kind.other")
	if slices.Contains(inboxKinds, n.Kind) {
		s = p.T("inbox.kind." + n.Kind)
	}
	if d := inboxDetail(p, n); d != "" {
		s = p.T("inbox.with_detail", "Sentence", s, "Detail", d)
	}
	return s
}

// inboxDetail is a notification's detail in the reader's words. Most are what a person wrote (why she cancelled,
// why a pairing ended) and are shown as written; an escalation's is why, as a code (no_candidates), told in words
// by care.escalation.*.
func inboxDetail(p *Page, n repository.Notification) string {
	if n.Kind == repository.NoteEscalated && n.Detail != "" {
		if key := "care.escalation." + n.Detail; p.T(key) != key {
			return p.T(key)
		}
	}
	return p.CareReason(n.Detail)
}

func (a *App) inboxPage(c echo.Context) error {
	cur := cursorParam(c)
	list, err := a.store.Inbox(c.Request().Context(), currentUser(c).ID, cur)
	if err != nil {
		return err
	}
	p := a.newPage(c, "inbox.title")
	v := inboxView{Paging: pagingOf(c.Request().URL, list, "")}
	for _, n := range list.Rows {
		v.Lines = append(v.Lines, inboxLine{ID: n.ID, At: n.CreatedAt, Text: inboxSentence(p, n), Unread: n.Unread()})
	}
	if list.Newer == nil && len(list.Rows) > 0 {
		v.Newest = list.Rows[0].ID
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "inbox", p)
}

// openNotification marks a notification read and takes its reader to what it is about. Reading is the one change
// a GET makes here: the link in the list is the notification, and opening it is reading it.
func (a *App) openNotification(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	n, err := a.store.OpenNotification(c.Request().Context(), u.ID, id)
	if err != nil {
		return err
	}
	to := inboxTarget(u.Role, n)
	if !a.access.may(u, to) { // a page this reader may not open, or none serves yet: the inbox rather than a 403 or 404
		to = "/inbox"
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// inboxTarget is the page a notification points its reader to: a volunteer's offer, request or pairing; a staff
// member's request or pairing; the dispatch page of a request for an operator. Anything else is the inbox again.
func inboxTarget(role domain.Role, n repository.Notification) string {
	if to := grantClaimTarget(role, n); to != "" {
		return to
	}
	switch {
	case role == domain.RoleVolunteer && n.OfferID != 0:
		return "/volunteer/offers/" + itoa64(n.OfferID)
	case role == domain.RoleVolunteer && n.RequestID != 0:
		return "/volunteer/requests/" + itoa64(n.RequestID)
	case role == domain.RoleVolunteer && n.PairingID != 0:
		return "/volunteer/pairings/" + itoa64(n.PairingID)
	case role == domain.RoleStaff && n.RequestID != 0:
		return "/staff/requests/" + itoa64(n.RequestID)
	case role == domain.RoleStaff && n.PairingID != 0:
		return "/staff/pairings/" + itoa64(n.PairingID)
	case role == domain.RoleStaff && n.VoucherID != 0:
		return "/staff/vouchers/" + itoa64(n.VoucherID)
	case role == domain.RoleStaff && n.ApplicationID != 0:
		return "/staff" // her home lists her applications, with the reason of a rejection
	case slices.Contains(domain.OperatorRoles, role) && n.RequestID != 0:
		return "/admin/dispatch/requests/" + itoa64(n.RequestID)
	}
	return "/inbox"
}

// readAllForm is the inbox's "all read" button: the newest notification the inbox showed (0 or missing: all).
type readAllForm struct {
	UpTo int64 `form:"upto" validate:"min=0"`
}

// readAll marks the reader's notifications read, up to the newest the inbox showed them.
func (a *App) readAll(c echo.Context) error {
	var f readAllForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	if len(fe) > 0 { // a hidden field no page writes so
		return echo.ErrBadRequest
	}
	if err := a.store.MarkAllRead(c.Request().Context(), currentUser(c).ID, f.UpTo); err != nil {
		return err
	}
	a.flash(c, "ok", "inbox.all_read")
	return c.Redirect(http.StatusSeeOther, "/inbox")
}

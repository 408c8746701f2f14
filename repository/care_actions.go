package repository

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// What people do with a request once it is out: accept or decline an offer, cancel, check in and out, confirm and
// rate, end a pairing; and what a coordinator does: assign by hand, re-open dispatch. Each is one transaction that
// locks the request first (see lockRequest), so the first acceptance wins exactly once.

// AcceptOffer is a volunteer saying yes. The first acceptance of a request wins; the others' offers are withdrawn
// and they are told it is taken. A late acceptance gets an OfferGoneError: thanks, not an error.
func (s *Store) AcceptOffer(ctx context.Context, actor Actor, offerID int64) (requestID int64, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		offer, err := offerOf(tx, actor.UserID, offerID)
		if err != nil {
			return err
		}
		requestID = offer.RequestID
		req, err := lockRequest(tx, offer.RequestID)
		if err != nil {
			return err
		}
		// read again under the request's lock: an acceptance that waited for it sees what the winner wrote
		if err := tx.Take(&offer, offer.ID).Error; err != nil {
			return err
		}
		if err := offerStillOpen(tx, offer, req); err != nil {
			return err
		}
		if err := lockPair(tx, req, actor.UserID); err != nil {
			return err
		}
		if err := s.stillFits(tx, req, actor.UserID); err != nil {
			return err
		}
		return s.match(tx, &req, offer.ID, actor.UserID, actor.UserID, false)
	})
	return requestID, err
}

// offerOf is the volunteer's own offer; anyone else's is not found.
func offerOf(tx *gorm.DB, volunteerID, offerID int64) (offerRow, error) {
	var o offerRow
	err := tx.Where("id = ? AND volunteer_id = ?", offerID, volunteerID).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return o, domain.ErrNotFound
	}
	return o, err
}

// offerStillOpen says why an offer can no longer be accepted, if it cannot.
func offerStillOpen(tx *gorm.DB, o offerRow, req careRequestRow) error {
	switch {
	case o.Status == domain.OfferWithdrawn && req.VolunteerID != nil:
		return &domain.OfferGoneError{Why: "taken"}
	case o.Status == domain.OfferExpired, o.Status == domain.OfferPending && !now(tx).Before(o.ExpiresAt):
		return &domain.OfferGoneError{Why: "expired"}
	case o.Status != domain.OfferPending:
		return &domain.OfferGoneError{Why: "ended"}
	case req.VolunteerID != nil:
		return &domain.OfferGoneError{Why: "taken"}
	case !domain.RequestOpen(req.Status):
		return &domain.OfferGoneError{Why: "ended"}
	}
	return nil
}

// lockPair locks the pair's active pairing in the request's program, if there is one. Locks are taken in one
// order everywhere — the request, then the pairing, then the volunteer's profile — so two operations never wait
// for each other in a circle.
func lockPair(tx *gorm.DB, req careRequestRow, volunteerID int64) error {
	return tx.Exec("SELECT 1 FROM pairings WHERE staff_id = ? AND volunteer_id = ? AND program_id = ? AND status = 'active' FOR UPDATE",
		req.StaffID, volunteerID, req.ProgramID).Error
}

// stillFits checks the volunteer again at acceptance, under a lock on their profile: since the offer went out
// they may have accepted another request at the same time, or filled their capacity.
func (s *Store) stillFits(tx *gorm.DB, req careRequestRow, volunteerID int64) error {
	if err := tx.Exec("SELECT 1 FROM volunteer_profiles WHERE user_id = ? FOR UPDATE", volunteerID).Error; err != nil {
		return err
	}
	mc, err := loadMatchContext(tx, req)
	if err != nil {
		return err
	}
	c, ok, err := mc.candidate(tx, volunteerID, now(tx))
	if err != nil || !ok {
		return cmpErr(err, domain.ErrNotFound)
	}
	c.AlreadyOffered, c.OffersToday = false, 0 // the offer itself is why they are here
	if !domain.Passes(mc.match, &c, mc.prog.DailyOfferCap) {
		return domain.ErrNoLongerFits
	}
	return nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// match pairs the request with a volunteer: their offer accepted (none when offerID is 0), every other offer
// withdrawn, the pairing created or reused. byHand says a coordinator assigned them.
func (s *Store) match(tx *gorm.DB, req *careRequestRow, offerID, volunteerID, actorID int64, byHand bool) error {
	at := now(tx)
	if offerID != 0 {
		if err := tx.Model(&offerRow{}).Where("id = ?", offerID).
			Updates(map[string]any{"status": domain.OfferAccepted, "answered_at": at}).Error; err != nil {
			return err
		}
	}
	if err := endOffers(tx, *req, domain.OfferWithdrawn, NoteTaken, offerID); err != nil {
		return err
	}
	pairing, err := pairingFor(tx, *req, volunteerID)
	if err != nil {
		return err
	}
	if err := s.moveRequest(tx, req, domain.RequestMatched, map[string]any{"volunteer_id": volunteerID,
		"pairing_id": pairing, "matched_at": at}); err != nil {
		return err
	}
	if err := notify(tx, NoteAccepted, noteAbout{Request: req.ID, Pairing: pairing}, req.StaffID); err != nil {
		return err
	}
	kind := "accepted"
	if byHand {
		kind = "assigned"
	}
	return careEvent(tx, req.ID, kind, actorID, volunteerID, 0, "")
}

// pairingFor reuses the pair's active pairing in the program, or starts one (counting toward the volunteer's
// capacity).
func pairingFor(tx *gorm.DB, req careRequestRow, volunteerID int64) (int64, error) {
	var p pairingRow
	// locked: a pairing ending at this moment is either ended before this reads it (and a new one starts) or
	// ends after this request is matched to it (and sends it out again)
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("staff_id = ? AND volunteer_id = ? AND program_id = ? AND status = 'active'",
		req.StaffID, volunteerID, req.ProgramID).Take(&p).Error
	if err == nil {
		return p.ID, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, err
	}
	p = pairingRow{StaffID: req.StaffID, VolunteerID: volunteerID, ProgramID: req.ProgramID,
		Status: domain.PairingActive, StartedAt: now(tx)}
	if err := tx.Omit("ID").Create(&p).Error; err != nil {
		return 0, err
	}
	return p.ID, tx.Exec("UPDATE volunteer_profiles SET active_pairings = active_pairings + 1 WHERE user_id = ?", volunteerID).Error
}

// DeclineOffer is a volunteer saying no (with an optional reason). When that was the round's last open offer, the
// next round goes out at once rather than at the round's expiry.
func (s *Store) DeclineOffer(ctx context.Context, actor Actor, offerID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 200 {
		return domain.FieldErrors{"reason": "error.too_long"}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		offer, err := offerOf(tx, actor.UserID, offerID)
		if err != nil {
			return err
		}
		req, err := lockRequest(tx, offer.RequestID)
		if err != nil {
			return err
		}
		return s.declineLocked(ctx, tx, offer.ID, req, reason)
	})
}

// declineLocked declines an offer of a request whose row the caller has locked; when that was the round's last
// open offer, the next round goes out at once. Closing a volunteer's account declines his pending offers through it.
func (s *Store) declineLocked(ctx context.Context, tx *gorm.DB, offerID int64, req careRequestRow, reason string) error {
	var offer offerRow
	if err := tx.Take(&offer, offerID).Error; err != nil {
		return err
	}
	if offer.Status != domain.OfferPending {
		return nil // expired or withdrawn meanwhile: declining it changes nothing
	}
	if err := tx.Model(&offerRow{}).Where("id = ?", offer.ID).Updates(map[string]any{
		"status": domain.OfferDeclined, "answered_at": now(tx), "decline_reason": reason}).Error; err != nil {
		return err
	}
	var open int64
	if err := tx.Model(&offerRow{}).Where("request_id = ? AND status = 'pending'", req.ID).Count(&open).Error; err != nil {
		return err
	}
	if domain.DeclineEndsRound(int(open), req.Status, req.Round, offer.Round) {
		return s.nextRound(ctx, tx, &req)
	}
	return nil
}

// staffRequest locks the staff member's own request; anyone else's is not found.
func staffRequest(tx *gorm.DB, staffID, requestID int64) (careRequestRow, error) {
	req, err := lockRequest(tx, requestID)
	if err == nil && req.StaffID != staffID {
		return careRequestRow{}, domain.ErrNotFound
	}
	return req, err
}

// CancelRequest is the staff member calling the request off, with a reason, any time before it is completed.
func (s *Store) CancelRequest(ctx context.Context, actor Actor, requestID int64, reason string) error {
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := staffRequest(tx, actor.UserID, requestID)
		if err != nil {
			return err
		}
		return s.cancelLocked(ctx, tx, actor, req, reason)
	})
}

// cancelLocked cancels a request whose row the caller has locked: its offers withdrawn, its volunteer told, a
// service under way checked out. Closing her account cancels her open requests through it too.
func (s *Store) cancelLocked(ctx context.Context, tx *gorm.DB, actor Actor, req careRequestRow, reason string) error {
	if !domain.RequestCancellable(req.Status) {
		return domain.ErrCareWrongState
	}
	if err := endOffers(tx, req, domain.OfferWithdrawn, NoteWithdrawn, 0); err != nil {
		return err
	}
	volunteer := req.VolunteerID
	if err := s.moveRequest(tx, &req, domain.RequestCancelled, map[string]any{"cancelled_at": now(tx),
		"cancelled_by": actor.UserID, "cancel_reason": reason}); err != nil {
		return err
	}
	if volunteer != nil {
		if err := notify(tx, NoteCancelled, noteAbout{Request: req.ID, Detail: reason}, *volunteer); err != nil {
			return err
		}
	}
	if err := s.checkOutOnCancel(ctx, tx, req); err != nil {
		return err
	}
	return careEvent(tx, req.ID, "cancelled", actor.UserID, 0, 0, reason)
}

// checkOutOnCancel ends a service under way when she cancels: the volunteer was there until now, and those
// minutes count like any other once confirmed (by her, or after the auto-confirmation delay of the settings).
func (s *Store) checkOutOnCancel(ctx context.Context, tx *gorm.DB, req careRequestRow) error {
	var open []serviceRow
	if err := tx.Where("request_id = ? AND status = ?", req.ID, domain.ServiceCheckedIn).Find(&open).Error; err != nil {
		return err
	}
	at := now(tx)
	after, err := s.AutoConfirmAfter(ctx)
	if err != nil {
		return err
	}
	for _, sv := range open {
		if err := tx.Model(&serviceRow{}).Where("id = ?", sv.ID).Updates(map[string]any{"status": domain.ServiceCheckedOut,
			"checked_out_at": at, "minutes": domain.ServiceMinutes(sv.CheckedInAt, at), "auto_confirm_at": at.Add(after)}).Error; err != nil {
			return err
		}
		if err := s.enqueueAt(ctx, tx, autoConfirmArgs{ServiceID: sv.ID}, at.Add(after)); err != nil {
			return err
		}
	}
	return nil
}

// volunteerRequest locks a request the volunteer is matched with; anyone else's is not found.
func volunteerRequest(tx *gorm.DB, volunteerID, requestID int64) (careRequestRow, error) {
	req, err := lockRequest(tx, requestID)
	if err == nil && (req.VolunteerID == nil || *req.VolunteerID != volunteerID) {
		return careRequestRow{}, domain.ErrNotFound
	}
	return req, err
}

// nextUnserved is the request's first occurrence nobody has checked in for (gorm.ErrRecordNotFound: none left).
func nextUnserved(tx *gorm.DB, requestID int64) (occurrenceRow, error) {
	var occ occurrenceRow
	err := tx.Where("request_id = ? AND NOT EXISTS (SELECT 1 FROM care_services sv WHERE sv.occurrence_id = care_occurrences.id)", requestID).
		Order("starts_at").Take(&occ).Error
	return occ, err
}

// CheckIn starts the service of the request's next occurrence that has none yet, from CheckInLead before it.
func (s *Store) CheckIn(ctx context.Context, actor Actor, requestID int64) (serviceID int64, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		req, err := volunteerRequest(tx, actor.UserID, requestID)
		if err != nil {
			return err
		}
		if req.Status != domain.RequestMatched && req.Status != domain.RequestInService {
			return domain.ErrCareWrongState
		}
		var active int64 // a pairing ended meanwhile: the request is being sent to someone else
		if err := tx.Raw("SELECT count(*) FROM (SELECT 1 FROM pairings WHERE id = ? AND status = 'active' FOR UPDATE) p",
			*req.PairingID).Scan(&active).Error; err != nil {
			return err
		}
		if active == 0 {
			return domain.ErrCareWrongState
		}
		var open int64
		if err := tx.Model(&serviceRow{}).Where("request_id = ? AND status = 'checked_in'", req.ID).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return domain.ErrAlreadyCheckedIn
		}
		occ, err := nextUnserved(tx, req.ID)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNothingToCheckIn
		} else if err != nil {
			return err
		}
		at := now(tx)
		if at.Before(occ.StartsAt.Add(-domain.CheckInLead)) {
			return domain.ErrCheckInTooEarly
		}
		sv := serviceRow{RequestID: req.ID, OccurrenceID: occ.ID, PairingID: *req.PairingID, VolunteerID: actor.UserID,
			StaffID: req.StaffID, Status: domain.ServiceCheckedIn, CheckedInAt: at}
		if err := tx.Omit("ID").Create(&sv).Error; err != nil {
			return err
		}
		serviceID = sv.ID
		if err := s.moveRequest(tx, &req, domain.RequestInService, nil); err != nil {
			return err
		}
		if err := notify(tx, NoteCheckedIn, noteAbout{Request: req.ID}, req.StaffID); err != nil {
			return err
		}
		return careEvent(tx, req.ID, "checked_in", actor.UserID, actor.UserID, 0, "")
	})
	return serviceID, err
}

// CheckOut ends a service with an optional note. Its hours count once she confirms, or by themselves after
// the auto-confirmation delay of the settings (a job queued here, its time kept on the service). With every occurrence served, the request is completed.
func (s *Store) CheckOut(ctx context.Context, actor Actor, serviceID int64, note string) error {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return domain.FieldErrors{"note": "error.too_long"}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		sv, req, err := serviceOf(tx, serviceID, func(sv serviceRow) bool { return sv.VolunteerID == actor.UserID })
		if err != nil {
			return err
		}
		if !domain.CanMoveService(sv.Status, domain.ServiceCheckedOut) {
			return domain.ErrCareWrongState
		}
		at := now(tx)
		after, err := s.AutoConfirmAfter(ctx)
		if err != nil {
			return err
		}
		if err := tx.Model(&serviceRow{}).Where("id = ?", sv.ID).Updates(map[string]any{"status": domain.ServiceCheckedOut,
			"checked_out_at": at, "minutes": domain.ServiceMinutes(sv.CheckedInAt, at), "note": note,
			"auto_confirm_at": at.Add(after)}).Error; err != nil {
			return err
		}
		var unserved int64
		if err := tx.Model(&occurrenceRow{}).Where(`request_id = ? AND NOT EXISTS (SELECT 1 FROM care_services sv
			WHERE sv.occurrence_id = care_occurrences.id AND sv.status <> 'checked_in')`, req.ID).Count(&unserved).Error; err != nil {
			return err
		}
		next, updates := domain.RequestMatched, map[string]any{}
		if unserved == 0 {
			next, updates = domain.RequestCompleted, map[string]any{"completed_at": at}
		}
		if err := s.moveRequest(tx, &req, next, updates); err != nil {
			return err
		}
		if err := notify(tx, NoteCheckedOut, noteAbout{Request: req.ID}, req.StaffID); err != nil {
			return err
		}
		if err := careEvent(tx, req.ID, "checked_out", actor.UserID, actor.UserID, domain.ServiceMinutes(sv.CheckedInAt, at), ""); err != nil {
			return err
		}
		if next == domain.RequestCompleted {
			if err := careEvent(tx, req.ID, "completed", 0, 0, 0, ""); err != nil {
				return err
			}
		}
		return s.enqueueAt(ctx, tx, autoConfirmArgs{ServiceID: sv.ID}, at.Add(after))
	})
}

// serviceOf reads a service and locks its request; a service mine does not accept is not found.
func serviceOf(tx *gorm.DB, serviceID int64, mine func(serviceRow) bool) (serviceRow, careRequestRow, error) {
	var sv serviceRow
	if err := tx.Take(&sv, serviceID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return sv, careRequestRow{}, domain.ErrNotFound
	} else if err != nil {
		return sv, careRequestRow{}, err
	}
	if !mine(sv) {
		return sv, careRequestRow{}, domain.ErrNotFound
	}
	req, err := lockRequest(tx, sv.RequestID)
	if err != nil {
		return sv, req, err
	}
	return sv, req, tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sv, sv.ID).Error
}

// ConfirmService is the staff member saying a service happened: its hours count toward the volunteer's total.
func (s *Store) ConfirmService(ctx context.Context, actor Actor, serviceID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		sv, _, err := serviceOf(tx, serviceID, func(sv serviceRow) bool { return sv.StaffID == actor.UserID })
		if err != nil {
			return err
		}
		if sv.Status == domain.ServiceConfirmed {
			return nil // confirmed already (by her, or by the clock): nothing to add
		}
		return confirmService(tx, sv, "staff")
	})
}

func confirmService(tx *gorm.DB, sv serviceRow, by string) error {
	if !domain.CanMoveService(sv.Status, domain.ServiceConfirmed) {
		return domain.ErrCareWrongState
	}
	if err := tx.Model(&serviceRow{}).Where("id = ?", sv.ID).Updates(map[string]any{"status": domain.ServiceConfirmed,
		"confirmed_at": now(tx), "confirmed_by": by}).Error; err != nil {
		return err
	}
	minutes := 0
	if sv.Minutes != nil {
		minutes = *sv.Minutes
	}
	if err := tx.Exec("UPDATE volunteer_profiles SET confirmed_minutes = confirmed_minutes + ? WHERE user_id = ?",
		minutes, sv.VolunteerID).Error; err != nil {
		return err
	}
	if err := notify(tx, NoteConfirmed, noteAbout{Request: sv.RequestID}, sv.VolunteerID); err != nil {
		return err
	}
	return careEvent(tx, sv.RequestID, "confirmed", 0, sv.VolunteerID, minutes, by)
}

// autoConfirm is the job the auto-confirmation delay after a check-out: a service she has not confirmed counts.
func (s *Store) autoConfirm(ctx context.Context, serviceID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		sv, _, err := serviceOf(tx, serviceID, func(serviceRow) bool { return true })
		if err != nil || sv.Status != domain.ServiceCheckedOut {
			return err
		}
		return confirmService(tx, sv, "auto")
	})
}

// CloseRequest is the staff member confirming a completed request and rating it (1–5 stars, a comment): every
// service not yet confirmed is, and the rating counts toward the volunteer's.
func (s *Store) CloseRequest(ctx context.Context, actor Actor, requestID int64, rating int, comment string) error {
	comment = strings.TrimSpace(comment)
	fe := domain.FieldErrors{}
	if rating < 1 || rating > 5 {
		fe.Add("rating", "care.error.rating")
	}
	if len([]rune(comment)) > 500 {
		fe.Add("comment", "error.too_long")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := staffRequest(tx, actor.UserID, requestID)
		if err != nil {
			return err
		}
		if req.Status != domain.RequestCompleted {
			return domain.ErrCareWrongState
		}
		var open []serviceRow
		if err := tx.Where("request_id = ? AND status = 'checked_out'", req.ID).Find(&open).Error; err != nil {
			return err
		}
		for _, sv := range open {
			if err := confirmService(tx, sv, "staff"); err != nil {
				return err
			}
		}
		if err := s.moveRequest(tx, &req, domain.RequestClosed, map[string]any{"rating": rating,
			"rating_comment": comment, "closed_at": now(tx)}); err != nil {
			return err
		}
		if err := tx.Exec("UPDATE volunteer_profiles SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 WHERE user_id = ?",
			rating, *req.VolunteerID).Error; err != nil {
			return err
		}
		return careEvent(tx, req.ID, "closed", actor.UserID, 0, rating, "")
	})
}

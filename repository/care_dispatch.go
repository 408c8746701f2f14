package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Dispatch: submitting a request sends its first round of offers, in the same transaction; each round's expiry is
// a River job inserted with the offers it times out, so a round that nobody answers moves on by itself — to the
// next candidates, and when there are none, to the coordinators.

// SubmitRequest records a staff member's request for help in a service program and sends its first offers.
func (s *Store) SubmitRequest(ctx context.Context, actor Actor, programCode string, f domain.RequestForm) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// Only a verified staff member asks; the share lock keeps a suspension from passing this request by.
		var who userRow
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id", "role", "status").Take(&who, actor.UserID).Error; err != nil {
			return err
		}
		if who.Role != string(domain.RoleStaff) || who.Status != string(domain.StatusActive) {
			return domain.ErrStaffNotVerified
		}
		var prog careProgramRow
		if err := tx.Where("code = ?", programCode).Take(&prog).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.FieldErrors{"program": "error.choose_one"}
		} else if err != nil {
			return err
		}
		var children []int64
		if err := tx.Table("staff_children").Where("user_id = ?", actor.UserID).Pluck("id", &children).Error; err != nil {
			return err
		}
		r, fe := f.Check(prog.info(), now(tx), children)
		if err := fe.Err(); err != nil {
			return err
		}
		req, err := insertRequest(tx, actor, r)
		if err != nil {
			return err
		}
		id = req.ID
		if err := s.scheduleWindow(ctx, tx, req); err != nil {
			return err
		}
		if held, err := s.holdForPlan(ctx, tx, prog, req); held || err != nil {
			return err // kept for the coordinator's plan (care_bulk.go)
		}
		return s.dispatch(ctx, tx, &req)
	})
	return id, err
}

func insertRequest(tx *gorm.DB, actor Actor, r domain.CareRequest) (careRequestRow, error) {
	at := now(tx)
	w := r.Window()
	req := careRequestRow{StaffID: actor.UserID, ProgramID: r.ProgramID, Category: r.Category, Urgency: r.Urgency,
		Status: domain.RequestSubmitted, District: r.District, Pickup: r.Pickup, Destination: r.Destination,
		Place: r.Place, Details: r.Details, ChildIDs: r.ChildIDs, Subject: r.Subject, Weekdays: r.Weekdays,
		StartsAt: w.Start, EndsAt: w.End, SubmittedAt: at, UpdatedAt: at}
	if r.Weekdays != nil {
		req.FirstDate, req.LastDate = &r.FirstDate, &r.LastDate
	}
	if r.ConsentKind != "" {
		c := consentRow{UserID: actor.UserID, Kind: r.ConsentKind, Version: domain.CareConsentVersion, IP: actor.IP, GivenAt: at}
		if err := tx.Create(&c).Error; err != nil {
			return req, err
		}
		req.ConsentID = &c.ID
	}
	if err := tx.Omit("ID").Create(&req).Error; err != nil {
		return req, err
	}
	occ := make([]occurrenceRow, len(r.Occurrences))
	for i, o := range r.Occurrences {
		occ[i] = occurrenceRow{RequestID: req.ID, StartsAt: o.Start, EndsAt: o.End}
	}
	if err := tx.Omit("ID").Create(&occ).Error; err != nil {
		return req, err
	}
	return req, careEvent(tx, req.ID, "submitted", actor.UserID, 0, len(occ), "")
}

// dispatch sends the request's next round of offers: to her paired volunteer alone first, when there is one who
// fits and has not been asked; otherwise to the best candidates the program's settings allow. With nobody left to
// ask, the request goes to the coordinators.
func (s *Store) dispatch(ctx context.Context, tx *gorm.DB, req *careRequestRow) error {
	mc, err := loadMatchContext(tx, *req)
	if err != nil {
		return err
	}
	at := now(tx)
	cands, err := mc.candidates(tx, at)
	if err != nil {
		return err
	}
	ranked := domain.Rank(mc.match, cands, mc.prog.DailyOfferCap, at)
	to, escalation := domain.NextRound(ranked, mc.prog.dispatch(), req.Urgency)
	if escalation != "" {
		return s.escalate(tx, req, escalation)
	}
	return s.sendOffers(ctx, tx, req, mc, to)
}

func (s *Store) sendOffers(ctx context.Context, tx *gorm.DB, req *careRequestRow, mc *matchContext, to []domain.Ranked) error {
	at := now(tx)
	expires := mc.prog.dispatch().OfferDeadline(req.Urgency, at, req.StartsAt)
	req.Round++
	offers := make([]offerRow, len(to))
	ids := make([]int64, len(to))
	for i, r := range to {
		offers[i] = offerRow{RequestID: req.ID, VolunteerID: r.VolunteerID, Round: req.Round,
			Status: domain.OfferPending, Reasons: domain.EncodeReasons(r.Reasons()), CreatedAt: at, ExpiresAt: expires}
		ids[i] = r.VolunteerID
	}
	if err := tx.Omit("ID").Create(&offers).Error; err != nil {
		return err
	}
	today := domain.Today(at)
	// The profiles are locked in id order: two requests dispatched at once to overlapping volunteers wait for each
	// other instead of deadlocking.
	if err := tx.Exec(`UPDATE volunteer_profiles SET last_offer_at = ?,
		offers_that_day = CASE WHEN offers_day = ? THEN offers_that_day + 1 ELSE 1 END, offers_day = ?
		WHERE user_id IN (SELECT user_id FROM volunteer_profiles WHERE user_id IN ? ORDER BY user_id FOR UPDATE)`,
		at, today, today, ids).Error; err != nil {
		return err
	}
	for _, o := range offers {
		if err := notify(tx, NoteOffer, noteAbout{Request: req.ID, Offer: o.ID}, o.VolunteerID); err != nil {
			return err
		}
	}
	updates := map[string]any{"status": domain.RequestDispatching, "round": req.Round, "updated_at": at}
	if req.FirstOfferAt == nil {
		req.FirstOfferAt = &at
		updates["first_offer_at"] = at
	}
	if err := s.moveRequest(tx, req, domain.RequestDispatching, updates); err != nil {
		return err
	}
	if err := careEvent(tx, req.ID, "offered", 0, 0, len(offers), ""); err != nil {
		return err
	}
	return s.enqueueAt(ctx, tx, offerRoundArgs{RequestID: req.ID, Round: req.Round}, expires)
}

// moveRequest writes a request's new state (and the other columns given) if domain allows the move.
func (s *Store) moveRequest(tx *gorm.DB, req *careRequestRow, to string, updates map[string]any) error {
	if req.Status != to && !domain.CanMoveRequest(req.Status, to) {
		return domain.ErrCareWrongState
	}
	if updates == nil {
		updates = map[string]any{}
	}
	updates["status"], updates["updated_at"] = to, now(tx)
	if err := tx.Model(&careRequestRow{}).Where("id = ?", req.ID).Updates(updates).Error; err != nil {
		return err
	}
	req.Status = to
	return nil
}

// escalate hands the request to the coordinators: nobody is left to ask, or its time came with nobody matched.
// Offers still out stay open: a volunteer who accepts now still helps.
func (s *Store) escalate(tx *gorm.DB, req *careRequestRow, why string) error {
	if req.Status == domain.RequestEscalated {
		return nil
	}
	at := now(tx)
	if err := s.moveRequest(tx, req, domain.RequestEscalated, map[string]any{"escalated_at": at, "escalation": why}); err != nil {
		return err
	}
	var coordinators []int64
	if err := tx.Table("users").Where("role = ? AND status = 'active'", domain.RoleCoordinator).Pluck("id", &coordinators).Error; err != nil {
		return err
	}
	if err := notify(tx, NoteEscalated, noteAbout{Request: req.ID, Detail: why}, coordinators...); err != nil {
		return err
	}
	return careEvent(tx, req.ID, "escalated", 0, 0, 0, why)
}

// lockRequest reads a request FOR UPDATE: every change to a request and its offers takes this lock first, so an
// acceptance, a cancellation and an expiry of one request happen one after another.
func lockRequest(tx *gorm.DB, id int64) (careRequestRow, error) {
	var req careRequestRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&req, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return req, domain.ErrNotFound
	}
	return req, err
}

// endOffers closes the request's pending offers, telling each volunteer with the kind of notification given.
func endOffers(tx *gorm.DB, req careRequestRow, status, note string, except int64) error {
	var pending []offerRow
	if err := tx.Where("request_id = ? AND status = 'pending' AND id <> ?", req.ID, except).Find(&pending).Error; err != nil {
		return err
	}
	if len(pending) == 0 {
		return nil
	}
	ids := make([]int64, len(pending))
	for i, o := range pending {
		ids[i] = o.ID
	}
	if err := tx.Model(&offerRow{}).Where("id IN ?", ids).
		Updates(map[string]any{"status": status, "answered_at": now(tx)}).Error; err != nil {
		return err
	}
	if note == "" {
		return nil
	}
	for _, o := range pending {
		if err := notify(tx, note, noteAbout{Request: req.ID, Offer: o.ID}, o.VolunteerID); err != nil {
			return err
		}
	}
	return nil
}

// expireRound is a round's expiry: its unanswered offers expire, and if the request still waits on this round,
// the next one goes out (or, with the window begun or nobody left, the coordinators are called).
func (s *Store) expireRound(ctx context.Context, requestID int64, round int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := lockRequest(tx, requestID)
		if err != nil {
			return err
		}
		at := now(tx)
		if err := tx.Model(&offerRow{}).Where("request_id = ? AND round = ? AND status = 'pending' AND expires_at <= ?",
			req.ID, round, at).Updates(map[string]any{"status": domain.OfferExpired, "answered_at": at}).Error; err != nil {
			return err
		}
		if req.Status != domain.RequestDispatching || req.Round != round {
			return nil // answered, cancelled, or a later round is out already
		}
		return s.nextRound(ctx, tx, &req)
	})
}

// nextRound follows a round that is over: another round, unless the help should have begun by now.
func (s *Store) nextRound(ctx context.Context, tx *gorm.DB, req *careRequestRow) error {
	if escalation := domain.AfterRound(now(tx), req.StartsAt); escalation != "" {
		return s.escalate(tx, req, escalation)
	}
	return s.dispatch(ctx, tx, req)
}

// windowStarted is the job at the request's start: if nobody has accepted it yet, the coordinators are called.
func (s *Store) windowStarted(ctx context.Context, requestID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := lockRequest(tx, requestID)
		if err != nil {
			return err
		}
		if req.Status != domain.RequestSubmitted && req.Status != domain.RequestDispatching {
			return nil
		}
		return s.escalate(tx, &req, domain.EscalationWindowStarted)
	})
}

// windowEnded is the job at the request's end: a request still unmatched then has expired.
func (s *Store) windowEnded(ctx context.Context, requestID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := lockRequest(tx, requestID)
		if err != nil {
			return err
		}
		if !domain.RequestOpen(req.Status) {
			return nil
		}
		if err := endOffers(tx, req, domain.OfferWithdrawn, NoteWithdrawn, 0); err != nil {
			return err
		}
		if err := s.moveRequest(tx, &req, domain.RequestExpired, nil); err != nil {
			return err
		}
		return careEvent(tx, req.ID, "expired", 0, 0, 0, "")
	})
}

// scheduleWindow queues the jobs at the request's start and end.
func (s *Store) scheduleWindow(ctx context.Context, tx *gorm.DB, req careRequestRow) error {
	if err := s.enqueueAt(ctx, tx, windowStartArgs{RequestID: req.ID}, req.StartsAt); err != nil {
		return err
	}
	return s.enqueueAt(ctx, tx, windowEndArgs{RequestID: req.ID}, req.EndsAt)
}

// enqueueAt queues a job to run at a time, in the caller's transaction.
func (s *Store) enqueueAt(ctx context.Context, tx *gorm.DB, args jobArgs, at time.Time) error {
	t, err := sqlTx(tx)
	if err != nil {
		return err
	}
	_, err = s.queue.InsertTx(ctx, t, args, insertAt(at))
	return err
}

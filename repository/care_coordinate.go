package repository

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Ending pairings, and what coordinators do by hand.

// EndPairing ends an active pairing: by either side with a reason (and, if they say so, "don't pair us again"), or
// by a coordinator. Requests it was matched to that have not started go back to dispatch, without that volunteer.
func (s *Store) EndPairing(ctx context.Context, actor Actor, pairingID int64, reason string, noRepeat bool) error {
	reason, key := domain.CheckReason(reason, true)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockMatchedRequests(tx, pairingID); err != nil {
			return err
		}
		var p pairingRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&p, pairingID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && !mayEndPairing(actor, p) {
			return domain.ErrNotFound
		} else if err != nil {
			return err
		}
		return s.endLocked(ctx, tx, actor, p, reason, noRepeat)
	})
}

// lockMatchedRequests locks the pairing's matched requests, by id, before the caller locks the pairing: the lock
// order of every change (lockPair), the requests first. A request matched to it after this read has committed by
// the time the pairing is locked; redispatchUnstarted's second read locks it then, waiting on nobody.
func lockMatchedRequests(tx *gorm.DB, pairingID int64) error {
	var ids []int64
	if err := tx.Model(&careRequestRow{}).Where("pairing_id = ? AND status = ?", pairingID, domain.RequestMatched).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := lockRequest(tx, id); err != nil {
			return err
		}
	}
	return nil
}

// endLocked ends a pairing whose row the caller has locked: its unstarted requests go out again, the volunteer's
// capacity is freed, the other side is told. Closing an account ends its active pairings through it.
func (s *Store) endLocked(ctx context.Context, tx *gorm.DB, actor Actor, p pairingRow, reason string, noRepeat bool) error {
	if !domain.CanMovePairing(p.Status, domain.PairingEnded) {
		return domain.ErrCareWrongState
	}
	if err := tx.Model(&pairingRow{}).Where("id = ?", p.ID).Updates(map[string]any{"status": domain.PairingEnded,
		"ended_at": now(tx), "ended_by": actor.UserID, "end_reason": reason, "no_repeat": noRepeat}).Error; err != nil {
		return err
	}
	if err := s.redispatchUnstarted(ctx, tx, p); err != nil {
		return err
	}
	if err := tx.Exec("UPDATE volunteer_profiles SET active_pairings = greatest(active_pairings - 1, 0) WHERE user_id = ?",
		p.VolunteerID).Error; err != nil {
		return err
	}
	var to []int64
	for _, id := range []int64{p.StaffID, p.VolunteerID} {
		if id != actor.UserID {
			to = append(to, id)
		}
	}
	if err := notify(tx, NotePairingEnded, noteAbout{Pairing: p.ID, Detail: reason}, to...); err != nil {
		return err
	}
	return audit(tx, actor, "pairing.end", "pairing", p.ID, nil, map[string]any{"reason": reason, "no_repeat": noRepeat})
}

func mayEndPairing(actor Actor, p pairingRow) bool {
	return actor.UserID == p.StaffID || actor.UserID == p.VolunteerID ||
		actor.Role == domain.RoleCoordinator || actor.Role == domain.RoleAdmin
}

// redispatchUnstarted sends the pairing's matched requests out again — the ones not begun, and the rest of a
// recurring one (a new volunteer serves the occurrences left); one whose window has passed has expired instead.
// (Two such requests send two rounds from this one transaction, each locking its volunteers' profiles in id order
// but not both together: a dispatch to the same volunteers at that moment can deadlock, and PostgreSQL then refuses
// one of the two, which the person retries.)
func (s *Store) redispatchUnstarted(ctx context.Context, tx *gorm.DB, p pairingRow) error {
	var ids []int64
	if err := tx.Model(&careRequestRow{}).Where("pairing_id = ? AND status = ?", p.ID, domain.RequestMatched).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		req, err := lockRequest(tx, id)
		if err != nil {
			return err
		}
		if req.Status != domain.RequestMatched || req.PairingID == nil || *req.PairingID != p.ID {
			continue // moved on while this waited for its lock
		}
		if err := s.sendAgain(ctx, tx, &req, "pairing_ended", 0, p.VolunteerID); err != nil {
			return err
		}
	}
	return nil
}

// sendAgain takes a matched request from its volunteer (the timeline says why, and who) and sends it out again —
// to the coordinators once its help has begun, as every later round — or, with its window over, lets it expire.
// The volunteer is not asked again: they have an offer of it.
func (s *Store) sendAgain(ctx context.Context, tx *gorm.DB, req *careRequestRow, why string, actorID, volunteerID int64) error {
	if err := s.moveRequest(tx, req, domain.RequestDispatching, map[string]any{"volunteer_id": nil,
		"pairing_id": nil, "matched_at": nil}); err != nil {
		return err
	}
	if err := careEvent(tx, req.ID, why, actorID, volunteerID, 0, ""); err != nil {
		return err
	}
	if !now(tx).Before(req.EndsAt) {
		if err := s.moveRequest(tx, req, domain.RequestExpired, nil); err != nil {
			return err
		}
		return careEvent(tx, req.ID, "expired", 0, 0, 0, "")
	}
	return s.nextRound(ctx, tx, req)
}

// ReportNoShow is the staff member saying her volunteer did not come: the first occurrence nobody has checked in
// for began at least domain.NoShowAfter ago. The request is sent out again without them (with the help begun, to
// the coordinators), the volunteer is told, and the pairing goes on: ending it is hers to choose.
func (s *Store) ReportNoShow(ctx context.Context, actor Actor, requestID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := staffRequest(tx, actor.UserID, requestID)
		if err != nil {
			return err
		}
		if req.Status != domain.RequestMatched || req.VolunteerID == nil {
			return domain.ErrCareWrongState
		}
		occ, err := nextUnserved(tx, req.ID)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrCareWrongState
		} else if err != nil {
			return err
		}
		if !domain.NoShowReportable(occ.StartsAt, now(tx)) {
			return domain.ErrNoShowTooEarly
		}
		volunteer := *req.VolunteerID
		if err := s.sendAgain(ctx, tx, &req, "no_show", actor.UserID, volunteer); err != nil {
			return err
		}
		if err := notify(tx, NoteNoShow, noteAbout{Request: req.ID}, volunteer); err != nil {
			return err
		}
		return audit(tx, actor, "request.no_show", "care_request", req.ID, nil, map[string]any{"volunteer_id": volunteer,
			"occurrence_starts_at": occ.StartsAt})
	})
}

// AssignByHand is a coordinator matching an open request with a volunteer of their choosing: one who passes every
// hard filter, or one who does not, with a written reason (audited) for overriding them.
func (s *Store) AssignByHand(ctx context.Context, actor Actor, requestID, volunteerID int64, override string) error {
	override, key := domain.CheckReason(override, false)
	if key != "" {
		return domain.FieldErrors{"reason": key}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := lockRequest(tx, requestID)
		if err != nil {
			return err
		}
		if !domain.RequestOpen(req.Status) {
			return domain.ErrCareWrongState
		}
		if err := lockPair(tx, req, volunteerID); err != nil {
			return err
		}
		if err := tx.Exec("SELECT 1 FROM volunteer_profiles WHERE user_id = ? FOR UPDATE", volunteerID).Error; err != nil {
			return err
		}
		mc, err := loadMatchContext(tx, req)
		if err != nil {
			return err
		}
		c, ok, err := mc.candidate(tx, volunteerID, now(tx))
		if err != nil {
			return err
		}
		if !ok {
			return domain.FieldErrors{"volunteer": "care.error.no_such_volunteer"}
		}
		c.AlreadyOffered, c.OffersToday = false, 0 // a hand assignment is not one more offer
		fails := domain.Failures(mc.match, &c, mc.prog.DailyOfferCap)
		if len(fails) > 0 && override == "" {
			return &OverrideNeeded{Failures: fails}
		}
		offerID, err := handOffer(tx, req, volunteerID)
		if err != nil {
			return err
		}
		if err := s.match(tx, &req, offerID, volunteerID, actor.UserID, true); err != nil {
			return err
		}
		if err := notify(tx, NoteAssigned, noteAbout{Request: req.ID}, volunteerID); err != nil {
			return err
		}
		return audit(tx, actor, "request.assign", "care_request", req.ID, nil,
			map[string]any{"volunteer_id": volunteerID, "failures": fails, "override": override})
	})
}

// handOffer is the offer a hand assignment accepts: the volunteer's pending one, or a new one for the record;
// 0 when they answered an offer of this request before (declined, or let it expire), which stays as it was.
func handOffer(tx *gorm.DB, req careRequestRow, volunteerID int64) (int64, error) {
	var o offerRow
	err := tx.Where("request_id = ? AND volunteer_id = ?", req.ID, volunteerID).Take(&o).Error
	switch {
	case err == nil && o.Status == domain.OfferPending:
		return o.ID, nil
	case err == nil:
		return 0, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return 0, err
	}
	at := now(tx)
	o = offerRow{RequestID: req.ID, VolunteerID: volunteerID, Round: req.Round, Status: domain.OfferPending,
		Reasons: "manual", CreatedAt: at, ExpiresAt: at}
	return o.ID, tx.Omit("ID").Create(&o).Error
}

// OverrideNeeded says the volunteer a coordinator chose fails hard filters: they may still assign them, with a
// written reason.
type OverrideNeeded struct{ Failures []string }

func (e *OverrideNeeded) Error() string { return "override needed" }

// Message names the first filter the volunteer fails; the page lists them all.
func (e *OverrideNeeded) Message() (string, []string) { return "care.error.override_needed", nil }

// Redispatch is a coordinator re-opening dispatch of an escalated (or stalled) request: a new round to the
// candidates not asked yet. With nobody left, it stays with the coordinators.
func (s *Store) Redispatch(ctx context.Context, actor Actor, requestID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := lockRequest(tx, requestID)
		if err != nil {
			return err
		}
		if !domain.RequestOpen(req.Status) {
			return domain.ErrCareWrongState
		}
		if err := audit(tx, actor, "request.redispatch", "care_request", req.ID, nil, nil); err != nil {
			return err
		}
		mc, err := loadMatchContext(tx, req)
		if err != nil {
			return err
		}
		cands, err := mc.candidates(tx, now(tx))
		if err != nil {
			return err
		}
		ranked := domain.Rank(mc.match, cands, mc.prog.DailyOfferCap, now(tx))
		if len(ranked) == 0 {
			return domain.ErrNoCandidates
		}
		if err := careEvent(tx, req.ID, "redispatched", actor.UserID, 0, 0, ""); err != nil {
			return err
		}
		n := mc.prog.dispatch().Offers[req.Urgency]
		return s.sendOffers(ctx, tx, &req, mc, ranked[:min(n, len(ranked))])
	})
}

package repository

import (
	"context"
	"time"

	"guanai/domain"
)

// Brief reads of requests, for the demo's story and for tests that drive requests through their life.

// OfferBrief is an offer's volunteer and state.
type OfferBrief struct {
	ID          int64
	VolunteerID int64
	Status      string
	ExpiresAt   time.Time
}

// OffersOfRequest lists a request's offers, oldest first.
func (s *Store) OffersOfRequest(ctx context.Context, requestID int64) ([]OfferBrief, error) {
	var out []OfferBrief
	err := s.db.WithContext(ctx).Model(&offerRow{}).Select("id, volunteer_id, status, expires_at").
		Where("request_id = ?", requestID).Order("id").Scan(&out).Error
	return out, err
}

// RequestBrief is a request's state and window.
type RequestBrief struct {
	ID       int64
	Category string
	Urgency  string
	Status   string
	StartsAt time.Time
	EndsAt   time.Time
}

// RequestsOfStaff lists a staff member's requests in the given states (all when none), newest first.
func (s *Store) RequestsOfStaff(ctx context.Context, staffID int64, states ...string) ([]RequestBrief, error) {
	q := s.db.WithContext(ctx).Model(&careRequestRow{}).Select("id, category, urgency, status, starts_at, ends_at").
		Where("staff_id = ?", staffID)
	if len(states) > 0 {
		q = q.Where("status IN ?", states)
	}
	var out []RequestBrief
	err := q.Order("id DESC").Scan(&out).Error
	return out, err
}

// OccurrencesOf lists a request's occurrences in time order.
func (s *Store) OccurrencesOf(ctx context.Context, requestID int64) ([]domain.Window, error) {
	var rows []occurrenceRow
	if err := s.db.WithContext(ctx).Where("request_id = ?", requestID).Order("starts_at").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Window, len(rows))
	for i, r := range rows {
		out[i] = r.window()
	}
	return out, nil
}

// ChildIDsOf lists a staff member's children's ids, oldest record first.
func (s *Store) ChildIDsOf(ctx context.Context, staffID int64) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Table("staff_children").Where("user_id = ?", staffID).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// HasCareRequests reports whether any request exists (the demo tells its story once).
func (s *Store) HasCareRequests(ctx context.Context) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw("SELECT count(*) FROM (SELECT 1 FROM care_requests LIMIT 1) x").Scan(&n).Error
	return n > 0, err
}

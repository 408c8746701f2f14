package repository

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Hooks for the benchmarks of repository_test into what dispatch does inside its transactions.

// CandidatesOf loads the request's candidates as dispatch does at at (the query and the facts of each), and says
// how many there are.
func (s *Store) CandidatesOf(ctx context.Context, requestID int64, at time.Time) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mc, err := s.matchContextOf(tx, requestID)
		if err != nil {
			return err
		}
		cands, err := mc.candidates(tx, at)
		n = len(cands)
		return err
	})
	return n, err
}

// CandidateSQL is the request's candidate query at at, its values written in.
func (s *Store) CandidateSQL(ctx context.Context, requestID int64, at time.Time) (string, error) {
	var q string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mc, err := s.matchContextOf(tx, requestID)
		if err == nil {
			q = mc.candidateSQL(tx, at)
		}
		return err
	})
	return q, err
}

func (s *Store) matchContextOf(tx *gorm.DB, requestID int64) (*matchContext, error) {
	var req careRequestRow
	if err := tx.Take(&req, requestID).Error; err != nil {
		return nil, err
	}
	return loadMatchContext(tx, req)
}

// volunteerIDs runs read on the request's match context in a transaction and gives the volunteers' ids it lists.
func (s *Store) volunteerIDs(ctx context.Context, requestID int64,
	read func(tx *gorm.DB, mc *matchContext) ([]int64, error)) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mc, err := s.matchContextOf(tx, requestID)
		if err == nil {
			ids, err = read(tx, mc)
		}
		return err
	})
	return ids, err
}

func rankedIDs(ranked []domain.Ranked) []int64 {
	ids := make([]int64, len(ranked))
	for i, r := range ranked {
		ids[i] = r.VolunteerID
	}
	return ids
}

// BestCandidates are the volunteers the dispatch page would list for the request at at: mc.best's reading of the
// first limit + margin in ranking's order.
func (s *Store) BestCandidates(ctx context.Context, requestID int64, limit, margin int, at time.Time) ([]int64, error) {
	return s.volunteerIDs(ctx, requestID, func(tx *gorm.DB, mc *matchContext) ([]int64, error) {
		ranked, err := mc.best(tx, at, limit, margin)
		return rankedIDs(ranked), err
	})
}

// AllRanked are every candidate of the request at at, ranked as a round of offers ranks them.
func (s *Store) AllRanked(ctx context.Context, requestID int64, at time.Time) ([]int64, error) {
	return s.volunteerIDs(ctx, requestID, func(tx *gorm.DB, mc *matchContext) ([]int64, error) {
		cands, err := mc.candidates(tx, at)
		return rankedIDs(domain.Rank(mc.match, cands, mc.prog.DailyOfferCap, at)), err
	})
}

// InRankOrder are the request's candidate rows at at as the candidate query puts them in ranking's whole order
// (rankOrder), before domain's own checks.
func (s *Store) InRankOrder(ctx context.Context, requestID int64, at time.Time) ([]int64, error) {
	return s.volunteerIDs(ctx, requestID, func(tx *gorm.DB, mc *matchContext) ([]int64, error) {
		q, ok := mc.candidateQuery(tx, at, false)
		if !ok {
			return nil, nil
		}
		rows, err := scanCandidates(q.Clauses(mc.rankOrder()))
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.UserID
		}
		return ids, err
	})
}

// rankOrder is domain.Rank's whole order in SQL, to check rankKeys against: an active pairing with her, the whole
// kilometres from where they are based (ignored for remote help), then rankKeys.
func (mc *matchContext) rankOrder() clause.OrderBy {
	var sql strings.Builder
	vars := []any{int64Array(append([]int64{0}, mc.pairedV...))}
	sql.WriteString("vp.user_id = ANY(?) DESC, ")
	if !mc.cat.Remote {
		sql.WriteString("CASE vp.districts[1]")
		for _, d := range domain.Reference.Districts {
			sql.WriteString(" WHEN ? THEN ?")
			vars = append(vars, d.Code, domain.DistrictDistanceKm(d.Code, mc.req.District))
		}
		sql.WriteString(" ELSE 0 END, ") // as DistrictDistanceKm of a district it does not know
	}
	sql.WriteString(rankKeys)
	return clause.OrderBy{Expression: clause.Expr{SQL: sql.String(), Vars: vars, WithoutParentheses: true}}
}

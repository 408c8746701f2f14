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

// BestCandidates are the volunteers the dispatch page would list for the request at at: mc.best's reading of the
// first limit + margin in ranking's order.
func (s *Store) BestCandidates(ctx context.Context, requestID int64, limit, margin int, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mc, err := s.matchContextOf(tx, requestID)
		if err != nil {
			return err
		}
		ranked, err := mc.best(tx, at, limit, margin)
		for _, r := range ranked {
			ids = append(ids, r.VolunteerID)
		}
		return err
	})
	return ids, err
}

// AllRanked are every candidate of the request at at, ranked as a round of offers ranks them.
func (s *Store) AllRanked(ctx context.Context, requestID int64, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mc, err := s.matchContextOf(tx, requestID)
		if err != nil {
			return err
		}
		cands, err := mc.candidates(tx, at)
		for _, r := range domain.Rank(mc.match, cands, mc.prog.DailyOfferCap, at) {
			ids = append(ids, r.VolunteerID)
		}
		return err
	})
	return ids, err
}

// InRankOrder are the request's candidate rows at at as the candidate query puts them in ranking's whole order
// (rankOrder), before domain's own checks.
func (s *Store) InRankOrder(ctx context.Context, requestID int64, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mc, err := s.matchContextOf(tx, requestID)
		if err != nil {
			return err
		}
		q, ok := mc.candidateQuery(tx, at, false)
		if !ok {
			return nil
		}
		rows, err := scanCandidates(q.Clauses(mc.rankOrder()))
		for _, r := range rows {
			ids = append(ids, r.UserID)
		}
		return err
	})
	return ids, err
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

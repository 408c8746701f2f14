package repository

import (
	"context"
	"time"

	"gorm.io/gorm"
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

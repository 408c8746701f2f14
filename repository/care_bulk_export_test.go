package repository

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// PassingCandidates are, for each request, the volunteers who pass every filter: as one-by-one dispatch loads
// them (its own query per request) and as a proposal loads them (one query per group), for the tests to compare.
func (s *Store) PassingCandidates(ctx context.Context, ids []int64, at time.Time) (alone, shared [][]int64, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		mcs := make([]*matchContext, len(ids))
		for i, id := range ids {
			if mcs[i], err = s.matchContextOf(tx, id); err != nil {
				return err
			}
		}
		passing := func(mc *matchContext, cands []domain.Candidate) []int64 {
			var out []int64
			for _, c := range cands {
				if domain.Passes(mc.match, &c, mc.prog.DailyOfferCap) {
					out = append(out, c.VolunteerID)
				}
			}
			slices.Sort(out)
			return out
		}
		shared = make([][]int64, len(mcs))
		err = sharedCandidates(tx, mcs, at, func(i int, rows []candidateRow) error {
			cands, err := mcs[i].facts(tx, rows, domain.Today(at), false)
			shared[i] = passing(mcs[i], cands)
			return err
		})
		if err != nil {
			return err
		}
		for _, mc := range mcs {
			cands, err := mc.candidates(tx, at)
			if err != nil {
				return err
			}
			alone = append(alone, passing(mc, cands))
		}
		return nil
	})
	return alone, shared, err
}

package repository_test

import (
	"slices"
	"testing"

	"guanai/repository"
)

// The dispatch page lists a request's best candidates without loading them all: the candidate query puts its
// rows in ranking's order and the page ranks only the first few. For the requests of a seeded city, the
// query's order must be domain's (of those domain lets pass), and what the page lists must be the start of the
// full ranking, however few rows it reads beyond what it shows (with none, it often falls back to ranking all).
// Few requests are open at any moment, so the requests of the seeded weeks are asked again as they are, now: a
// few hundred of every category, district and time of day.
func TestDispatchPageListsTheStartOfTheFullRanking(t *testing.T) {
	f, clock := seededCare(t, 11, seedClockAt)
	at := clock.Now()
	if err := repository.Analyze(ctx, f.s.SQL()); err != nil {
		t.Fatal(err)
	}
	rows, err := f.s.SQL().QueryContext(ctx, `SELECT id FROM care_requests WHERE id % 3 = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var asked []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		asked = append(asked, id)
	}
	rows.Close()
	longer := 0 // requests with more candidates than the page reads to show five with three more
	for _, id := range asked {
		all, err := f.s.AllRanked(ctx, id, at)
		if err != nil {
			t.Fatal(err)
		}
		ordered, err := f.s.InRankOrder(ctx, id, at)
		if err != nil {
			t.Fatal(err)
		}
		passing := slices.DeleteFunc(ordered, func(v int64) bool { return !slices.Contains(all, v) })
		if !slices.Equal(passing, all) {
			t.Errorf("request %d: the query orders its candidates %v, ranking %v", id, head(passing), head(all))
		}
		for _, limit := range []int{1, 5, 20} {
			for _, margin := range []int{0, 3, 30} {
				got, err := f.s.BestCandidates(ctx, id, limit, margin, at)
				if err != nil {
					t.Fatal(err)
				}
				if want := all[:min(limit, len(all))]; !slices.Equal(got, want) {
					t.Errorf("request %d, %d shown, %d more read: lists %v, want %v", id, limit, margin, got, want)
				}
			}
		}
		if len(all) > 5+3 {
			longer++
		}
	}
	if len(asked) < 100 || longer < 20 {
		t.Fatalf("%d requests, %d with more than 8 candidates: too few to tell", len(asked), longer)
	}
}

func head(ids []int64) []int64 { return ids[:min(8, len(ids))] }

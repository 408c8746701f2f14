package domain

import (
	"math"
	"testing"
)

func TestGini(t *testing.T) {
	for _, c := range []struct {
		name   string
		counts []int
		want   float64
	}{
		{"nobody", nil, 0},
		{"nobody offered anything", []int{0, 0}, 0},
		{"everyone the same", []int{3, 3, 3}, 0},
		{"one of four has everything", []int{0, 0, 0, 4}, 0.75},
		{"one of two has everything", []int{5, 0}, 0.5},
		{"one to four", []int{1, 2, 3, 4}, 0.25},
		{"order does not matter", []int{4, 1, 3, 2}, 0.25},
		// by hand: mean 1; |xi−xj| over the 25 ordered pairs sums to 2·(3·2 + 3·3 + 1) = 32, so G = 32 / (2·25·1)
		{"two of five offered", []int{0, 0, 0, 2, 3}, 0.64},
		{"one volunteer", []int{7}, 0},
	} {
		if got := Gini(c.counts); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: Gini(%v) = %f, want %f", c.name, c.counts, got, c.want)
		}
	}
}

func TestFairnessOf(t *testing.T) {
	for _, c := range []struct {
		name   string
		offers []int
		want   Fairness
	}{
		{"nobody available", nil, Fairness{}},
		{"three of four offered", []int{1, 1, 2, 0}, Fairness{Available: 4, Offered: 3, Offers: 4, Share: 0.75, Gini: 0.375}},
		{"nobody offered", []int{0, 0, 0}, Fairness{Available: 3}},
		{"all offered alike", []int{2, 2}, Fairness{Available: 2, Offered: 2, Offers: 4, Share: 1}},
	} {
		got := FairnessOf(c.offers)
		if got.Available != c.want.Available || got.Offered != c.want.Offered || got.Offers != c.want.Offers ||
			math.Abs(got.Share-c.want.Share) > 1e-9 || math.Abs(got.Gini-c.want.Gini) > 1e-9 {
			t.Errorf("%s: FairnessOf(%v) = %+v, want %+v", c.name, c.offers, got, c.want)
		}
	}
}

func TestPublishable(t *testing.T) {
	for n, want := range map[int64]bool{0: false, 1: false, 4: false, 5: true, 6: true, 1000: true} {
		if got := Publishable(n); got != want {
			t.Errorf("Publishable(%d) = %v, want %v", n, got, want)
		}
	}
}

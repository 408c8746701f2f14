package domain

import "slices"

// How evenly dispatch spreads its offers. NHS Volunteer Responders offered a task to about 45 % of its on-duty
// volunteers in a week; the board shows the same figure for the last 7 and 30 days, and the Gini coefficient of
// offers per available volunteer (those offered nothing count, with zero), so a coordinator sees whether the same
// few are asked again and again. Who counts as available is the repository's (FairnessFigures); the arithmetic is
// here, and `guanai simulate` uses the same.

// Gini is the Gini coefficient of the counts: 0 when everyone has the same, towards 1 when one has everything
// (n−1/n when one of n has all). No counts, or all zero, is 0: nobody was favoured.
func Gini(counts []int) float64 {
	if len(counts) == 0 {
		return 0
	}
	x := slices.Clone(counts)
	slices.Sort(x)
	var sum, weighted float64
	n := float64(len(x))
	for i, v := range x {
		sum += float64(v)
		weighted += float64(2*(i+1)-len(x)-1) * float64(v)
	}
	if sum == 0 {
		return 0
	}
	return weighted / (n * sum)
}

// Fairness is how a period's offers fell on the volunteers available in it.
type Fairness struct {
	Available int     // volunteers available
	Offered   int     // of them, offered at least one task
	Offers    int     // offers they were sent
	Share     float64 // Offered / Available, 0 with nobody available
	Gini      float64 // of offers per available volunteer
}

// FairnessOf is the fairness of offers per available volunteer, one count for each (zero for those offered
// nothing).
func FairnessOf(offers []int) Fairness {
	f := Fairness{Available: len(offers), Gini: Gini(offers)}
	for _, n := range offers {
		f.Offers += n
		if n > 0 {
			f.Offered++
		}
	}
	if f.Available > 0 {
		f.Share = float64(f.Offered) / float64(f.Available)
	}
	return f
}

// MinPublishedCount is the smallest count a public figure may rest on. A month or a program with fewer requests
// (or services) than this shows none of its figures: a median of three requests is nearly one person's, and in a
// small program a reader who knows who asked for help that month could tell whose it was.
const MinPublishedCount = 5

// Publishable reports whether a public figure over n requests (or services) may be shown.
func Publishable(n int64) bool { return n >= MinPublishedCount }

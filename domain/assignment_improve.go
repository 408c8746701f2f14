package domain

// improve matches more requests where it can by moving others: a request left over takes a volunteer if the one
// request in its way (overlapping it, or using the room it needs) can itself move to someone else, and so on a
// few steps deep — an augmenting path of the matching, under the overlap and room rules. Each success matches one
// more request and unmatches none; what is matched stays within the rules, as fits checks every step.
func (st *assignState) improve(a assignment) {
	t := st.tallyOf(a)
	// A request tried once in a pass is not tried again in it (as in Hopcroft–Karp's phases): each pass is one
	// sweep over the pairs, and the next pass, on the changed assignment, may find what this one passed by.
	seen := make([]int, len(st.reqs))
	for pass := 1; pass <= improvePasses; pass++ {
		gained := false
		for _, i := range st.order {
			if a[i] < 0 && seen[i] != pass && st.augment(a, t, i, improveDepth, seen, pass) {
				gained = true
			}
		}
		if !gained {
			return
		}
	}
}

// improvePasses bounds the passes of improve.
const improvePasses = 8

// improveDepth is how many requests one augmenting path may move.
const improveDepth = 6

// augment finds req a volunteer, moving at most depth others out of the way; on failure nothing has changed.
func (st *assignState) augment(a assignment, t *tally, req, depth int, seen []int, search int) bool {
	seen[req] = search
	order := st.byCost[req] // cheapest first, so a path found is a good one
	for _, e := range order {
		if st.fits(t, req, e) {
			a[req] = e
			t.add(st, req, e)
			return true
		}
	}
	if depth == 0 {
		return false
	}
	for _, e := range order {
		b := st.blocker(a, t, req, e)
		if b < 0 || seen[b] == search {
			continue
		}
		be := a[b]
		t.remove(st, b, be)
		a[b] = -1
		if !st.fits(t, req, e) { // b was not all that stood in the way
			a[b] = be
			t.add(st, b, be)
			continue
		}
		a[req] = e
		t.add(st, req, e)
		if st.augment(a, t, b, depth-1, seen, search) {
			return true
		}
		t.remove(st, req, e)
		a[req] = -1
		a[b] = be
		t.add(st, b, be)
	}
	return false
}

// blocker is the one request of the edge's volunteer whose removal could let req in: the only one overlapping it,
// or, with none overlapping, one using the room it needs (the costliest such). -1 when there is none or several.
func (st *assignState) blocker(a assignment, t *tally, req, e int) int {
	ed := st.edges[req][e]
	v := &st.vols[ed.vol]
	over := -1
	for _, o := range t.reqs[ed.vol] {
		if st.requestsOverlap(req, o) {
			if over >= 0 {
				return -1
			}
			over = o
		}
	}
	if over >= 0 {
		return over
	}
	needPair := !ed.paired && t.newPairs[ed.vol] >= v.pairRoom
	if len(t.reqs[ed.vol]) < v.offerRoom && !needPair {
		return -1 // nothing in the way: it would fit
	}
	best := -1
	for _, o := range t.reqs[ed.vol] {
		oe := st.edges[o][a[o]]
		if needPair && oe.paired {
			continue // moving a paired request frees no pairing
		}
		if best < 0 || oe.cost > st.edges[best][a[best]].cost {
			best = o
		}
	}
	return best
}

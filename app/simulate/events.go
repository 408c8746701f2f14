package simulate

import "time"

// The events of the week, in the order they happen: a heap ordered by time, then by the order they were queued
// (the sequence number), so that two events at the same moment always happen in the same order.

const (
	evSubmit      uint8 = iota // she submits the request
	evPlan                     // the planning hour: the scheduled part proposed in bulk (with an Assigner)
	evRoundOver                // a round's offers run out (offerRoundArgs)
	evAccept                   // a volunteer presses accept
	evDecline                  // a volunteer presses decline
	evWindowStart              // the help is due (windowStartArgs)
	evWindowEnd                // the window is over (windowEndArgs)
	evCheckIn                  // an occurrence begins: its volunteer checks in
	evCheckOut                 // an occurrence ends: its volunteer checks out
	evClose                    // she confirms and rates the completed request
	evEndPairing               // one side ends a pairing nothing is booked on
)

type event struct {
	at      time.Time
	seq     uint64
	kind    uint8
	occ     int16
	round   int
	req     int32
	offer   int32
	pairing int32
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }

func (h eventHeap) less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && q.less(l, m) {
			m = l
		}
		if r < n && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

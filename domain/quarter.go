package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Quarter is a calendar quarter, the period of the public fundraising report (慈善法 Art. 73 asks for one at least
// every three months while a public appeal runs).
type Quarter struct {
	Year int
	Q    int // 1 to 4
}

// QuarterOf is the quarter t falls in, in Shanghai.
func QuarterOf(t time.Time) Quarter {
	t = t.In(Shanghai)
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

var quarterPattern = regexp.MustCompile(`^(\d{4})[Qq]([1-4])$`)

// ParseQuarter reads 2026Q3.
func ParseQuarter(s string) (Quarter, bool) {
	m := quarterPattern.FindStringSubmatch(s)
	if m == nil {
		return Quarter{}, false
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	return Quarter{Year: y, Q: q}, y >= 2000
}

// String is 2026Q3, the quarter as the report's address and file name spell it.
func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// IsZero reports whether q is no quarter at all.
func (q Quarter) IsZero() bool { return q == Quarter{} }

// Start is the first moment of the quarter in Shanghai.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, Shanghai)
}

// End is the first moment after the quarter.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, 0) }

// Last is the quarter's last day.
func (q Quarter) Last() time.Time { return q.End().AddDate(0, 0, -1) }

// Next is the quarter after q.
func (q Quarter) Next() Quarter { return QuarterOf(q.End()) }

// Prev is the quarter before q.
func (q Quarter) Prev() Quarter { return QuarterOf(q.Start().AddDate(0, -1, 0)) }

// Before reports whether q comes before o.
func (q Quarter) Before(o Quarter) bool { return q.Year < o.Year || q.Year == o.Year && q.Q < o.Q }

// Books says which quarters are closed. Finance closes a quarter once its report is published, in order, so the
// closed quarters are every one up to ClosedThrough (none when it is zero).
type Books struct {
	ClosedThrough Quarter
}

// Closed reports whether q's report is published and may no longer change.
func (b Books) Closed(q Quarter) bool { return !b.ClosedThrough.IsZero() && !b.ClosedThrough.Before(q) }

// BookingDate is the day a gift, or the reversal of one, counts in the reports: the day it happened, unless that
// day's quarter is closed — then the day it is recorded, in the open period, while the record keeps its own date.
func (b Books) BookingDate(happened, now time.Time) time.Time {
	if b.Closed(QuarterOf(happened)) {
		return Today(now)
	}
	return Today(happened)
}

// CheckClose says whether quarter q may be closed now: it has ended, it is not closed yet, and every quarter
// before it (from first, the first quarter with a report) is closed already.
func (b Books) CheckClose(q, first Quarter, now time.Time) error {
	switch {
	case !q.Before(QuarterOf(now)):
		return ErrQuarterOpen
	case b.Closed(q):
		return ErrQuarterClosed
	case b.ClosedThrough.IsZero() && q != first, !b.ClosedThrough.IsZero() && b.ClosedThrough.Next() != q:
		return ErrQuarterOutOfOrder
	}
	return nil
}

// ReversalBookingDate is the day a gift's reversal counts: the gift's own booking day, so that the gift counts
// nowhere at all, unless that quarter is closed — then the day of the reversal, in the open period, where the
// report shows it as a correction of an earlier quarter.
func (b Books) ReversalBookingDate(booked, now time.Time) time.Time {
	if b.Closed(QuarterOf(CalendarDay(booked))) {
		return Today(now)
	}
	return CalendarDay(booked)
}

// CalendarDay is a DATE column's day (read back as midnight UTC) as midnight in Shanghai.
func CalendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Shanghai)
}

// NextToClose is the quarter finance may close next — the first one still open, once it has ended — if any.
func (b Books) NextToClose(first Quarter, now time.Time) (Quarter, bool) {
	next := first
	if !b.ClosedThrough.IsZero() {
		next = b.ClosedThrough.Next()
	}
	return next, b.CheckClose(next, first, now) == nil
}

package domain_test

import (
	"errors"
	"testing"
	"time"

	"guanai/domain"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, domain.Shanghai)
}

func TestBooksBookingDate(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, domain.Shanghai)
	open := domain.Books{}
	closed := domain.Books{ClosedThrough: domain.Quarter{Year: 2026, Q: 2}}
	cases := []struct {
		books          domain.Books
		happened, want time.Time
	}{
		{open, day(2026, 5, 10), day(2026, 5, 10)},
		{closed, day(2026, 5, 10), day(2026, 11, 20)},                            // Q2 is published: the late gift counts today
		{closed, day(2026, 1, 31), day(2026, 11, 20)},                            // and so is every quarter before it
		{closed, day(2026, 7, 1), day(2026, 7, 1)},                               // Q3 is still open
		{closed, day(2026, 6, 30), day(2026, 11, 20)},                            // the last day of Q2, in Shanghai
		{closed, time.Date(2026, 6, 30, 17, 0, 0, 0, time.UTC), day(2026, 7, 1)}, // 01:00 on 1 July in Shanghai
	}
	for _, c := range cases {
		if got := c.books.BookingDate(c.happened, now); !got.Equal(c.want) {
			t.Errorf("%+v: a gift of %s is booked on %s, want %s", c.books, c.happened, got, c.want)
		}
	}
	// A reversal takes a gift out of its own booking day while that quarter is open, and counts today once it
	// is closed. Booking days come back from the database as midnight UTC.
	booked := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	if got := open.ReversalBookingDate(booked, now); !got.Equal(day(2026, 5, 10)) {
		t.Errorf("reversal in an open quarter booked on %s", got)
	}
	if got := closed.ReversalBookingDate(booked, now); !got.Equal(day(2026, 11, 20)) {
		t.Errorf("reversal of a published gift booked on %s", got)
	}
}

func TestBooksCheckClose(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, domain.Shanghai) // in 2026Q4
	first := domain.Quarter{Year: 2026, Q: 1}
	q := func(y, n int) domain.Quarter { return domain.Quarter{Year: y, Q: n} }
	cases := []struct {
		books domain.Books
		close domain.Quarter
		want  error
	}{
		{domain.Books{}, q(2026, 1), nil},
		{domain.Books{}, q(2026, 2), domain.ErrQuarterOutOfOrder}, // Q1 first
		{domain.Books{}, q(2025, 4), domain.ErrQuarterOutOfOrder}, // before the first gift: no report to close
		{domain.Books{ClosedThrough: q(2026, 1)}, q(2026, 2), nil},
		{domain.Books{ClosedThrough: q(2026, 1)}, q(2026, 3), domain.ErrQuarterOutOfOrder},
		{domain.Books{ClosedThrough: q(2026, 2)}, q(2026, 2), domain.ErrQuarterClosed},
		{domain.Books{ClosedThrough: q(2026, 2)}, q(2026, 1), domain.ErrQuarterClosed},
		{domain.Books{ClosedThrough: q(2026, 3)}, q(2026, 4), domain.ErrQuarterOpen}, // still under way
		{domain.Books{ClosedThrough: q(2026, 3)}, q(2027, 1), domain.ErrQuarterOpen},
	}
	for _, c := range cases {
		if err := c.books.CheckClose(c.close, first, now); !errors.Is(err, c.want) {
			t.Errorf("%+v closing %s: %v, want %v", c.books, c.close, err, c.want)
		}
	}
}

func TestBooksNextToClose(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, domain.Shanghai)
	first := domain.Quarter{Year: 2026, Q: 2}
	if q, ok := (domain.Books{}).NextToClose(first, now); !ok || q != first {
		t.Errorf("nothing closed yet: %s %v", q, ok)
	}
	if q, ok := (domain.Books{ClosedThrough: first}).NextToClose(first, now); !ok || q != (domain.Quarter{Year: 2026, Q: 3}) {
		t.Errorf("Q2 closed: %s %v", q, ok)
	}
	if _, ok := (domain.Books{ClosedThrough: domain.Quarter{Year: 2026, Q: 3}}).NextToClose(first, now); ok {
		t.Error("the quarter under way offered for closing")
	}
}

package repository

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// ListPage is one page of a list and the cursors of the pages on either side of it.
type ListPage[T any] struct {
	Rows  []T
	Newer *domain.Cursor // the page before this one; nil on the first page
	Older *domain.Cursor // the page after this one; nil on the last
	Count Count          // how many rows the whole list holds, for the lists that say
}

// Count is how many rows a list holds, counted no further than countCap: counting a million rows exactly would
// cost more than showing the page, and "more than 1,000" is all a reader needs of a list that long.
type Count struct {
	N    int64
	More bool // there are more than N
}

// countCap is as far as a list counts its rows.
const countCap = 1000

// countUpTo counts the rows query (a SELECT over the list's rows and conditions) returns, up to countCap: the
// LIMIT lets the count stop there, reading at most that many index entries.
func countUpTo(db *gorm.DB, query string, args ...any) (Count, error) {
	return countOf(db, query+" LIMIT ?", append(args, countCap+1)...)
}

// countOf counts the rows of a query that returns at most countCap+1 of them.
func countOf(db *gorm.DB, capped string, args ...any) (Count, error) {
	var n int64
	err := db.Raw("SELECT count(*) FROM ("+capped+") capped", args...).Scan(&n).Error
	if n > countCap {
		return Count{N: countCap, More: true}, err
	}
	return Count{N: n}, err
}

// keyset is how a list sorted newest first by a key and then by id is paged: by the position of a row, which an
// index on (key, id) finds at once however deep the page, instead of by an OFFSET that reads every row before it.
type keyset struct {
	key, id string                       // the SQL of the sort key and the id; key "" in a list sorted by id alone
	value   func(key string) (any, bool) // a cursor's key as the query compares it, if it is one the list has
	size    int
}

// dayKey is the key of the lists sorted by a date: 2026-03-01.
func dayKey(s string) (any, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return s, err == nil && t.Format(time.DateOnly) == s
}

// intKey is the key of a list sorted by a small number (a search's rank).
func intKey(s string) (any, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && strconv.Itoa(n) == s
}

// pageSQL is what a page's query adds to its own: Where after its conditions (" AND ..."), then ORDER BY Order
// and LIMIT Limit (one more than a page, to know whether another follows).
type pageSQL struct {
	Where string
	Args  []any
	Order string
	Limit int
	Back  bool // the page before the cursor, read nearest first: the list's order turned round
}

// Tail is the whole of it, after the query's conditions.
func (p pageSQL) Tail() (string, []any) {
	return p.Where + " ORDER BY " + p.Order + " LIMIT ?", append(slices.Clone(p.Args), p.Limit)
}

// sql is the page c asks for: the rows after its row, or before it (nearest first, to be turned round).
func (k keyset) sql(c domain.Cursor) pageSQL {
	dir, op := " DESC", "<"
	if c.Back {
		dir, op = "", ">"
	}
	p := pageSQL{Order: k.id + dir, Limit: k.size + 1, Back: c.Back}
	if k.key != "" {
		p.Order = k.key + dir + ", " + p.Order
	}
	switch {
	case c.IsZero():
	case k.key == "":
		p.Where, p.Args = " AND "+k.id+" "+op+" ?", []any{c.ID}
	default:
		key, _ := k.value(c.Key)
		p.Where, p.Args = fmt.Sprintf(" AND (%s, %s) %s (?, ?)", k.key, k.id, op), []any{key, c.ID}
	}
	return p
}

// valid keeps a cursor this list could have written, and makes any other the first page.
func (k keyset) valid(c domain.Cursor) domain.Cursor {
	if k.key == "" && c.Key == "" {
		return c
	}
	if k.key != "" && c.Key != "" {
		if _, ok := k.value(c.Key); ok {
			return c
		}
	}
	return domain.Cursor{}
}

// pageOf runs fetch for the page c names and cuts what it returns into that page; at is a row's place in the list.
func pageOf[T any](k keyset, c domain.Cursor, at func(T) domain.Cursor, fetch func(pageSQL) ([]T, error)) (ListPage[T], error) {
	c = k.valid(c)
	rows, err := fetch(k.sql(c))
	if err != nil {
		return ListPage[T]{}, err
	}
	more := len(rows) > k.size
	if more {
		rows = rows[:k.size]
	}
	if c.Back {
		slices.Reverse(rows)
	}
	if !c.IsZero() && (len(rows) == 0 || c.Back && !more && len(rows) < k.size) {
		// Past the end (a cursor made up), or back at the start with rows gone from it meanwhile (a filter they
		// no longer match): the first page, full, rather than an empty or a short one.
		return pageOf(k, domain.Cursor{}, at, fetch)
	}
	p := ListPage[T]{Rows: rows}
	if len(rows) == 0 {
		return p, nil
	}
	first, last := at(rows[0]), at(rows[len(rows)-1])
	first.Back = true
	if !c.IsZero() && (!c.Back || more) {
		p.Newer = &first
	}
	if c.Back || more {
		p.Older = &last
	}
	return p, nil
}

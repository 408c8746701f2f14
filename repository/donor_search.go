package repository

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"guanai/domain"
)

// donorSearch is what a search for donors (aliased d) matches, in tiers from the best: each tier's conditions are
// served by an index (the name's trigrams, the reversed digits of the phone, the credit code), so a search costs
// its matches, never a pass over every donor. Merged duplicates never match.
type donorSearch struct {
	tiers [donorTiers][]sqlCond
}

// sqlCond is a condition with its arguments.
type sqlCond struct {
	sql  string
	args []any
	// narrow: few donors meet it (a phone's end, a credit code), so they are found by its index and sorted, never
	// by walking the newest donors backwards, which the planner would choose on an estimate of hundreds (the
	// histogram of reversed phones), walking all 200,000 for the dozen there are.
	narrow bool
}

// The tiers, from the best match to the loosest.
const (
	tierSame    = iota // the name itself (any case), or the whole credit code
	tierStart          // the start of the name or of the credit code, or the last digits of the phone
	tierPart           // a part of the name
	tierSimilar        // a name that shares most of its trigrams with the search: a typo, a character missed
	donorTiers
)

// minTailDigits is the fewest digits searched as the end of a phone: fewer would match a good part of the city.
const minTailDigits = 3

// matchDonors reads a search: its name conditions, and a phone tail or credit code when it looks like one.
func matchDonors(query string) donorSearch {
	var m donorSearch
	q := strings.TrimSpace(domain.ToHalfWidth(query))
	if q == "" {
		return m
	}
	like := escapeLike(q)
	m.add(tierSame, "d.name ILIKE ?", like)
	m.add(tierStart, "d.name ILIKE ?", like+"%")
	switch n := utf8.RuneCountInString(q); {
	case n >= 3:
		m.add(tierPart, "d.name ILIKE ?", "%"+like+"%")
		m.add(tierSimilar, "d.name % ?", q)
	case n == 2:
		// Two characters (a given name: 爱心 of 王爱心) hold no whole trigram but the one that ends a name, so
		// they are found at its end, where that trigram lets the index find them; inside a longer name they are not.
		m.add(tierPart, "d.name ILIKE ?", "%"+like)
	}
	if digits := strings.ReplaceAll(q, " ", ""); len(digits) >= minTailDigits && strings.Trim(digits, "0123456789") == "" {
		m.addNarrow(tierStart, "d.phone <> '' AND "+phoneTailSQL+" LIKE ?", reverseDigits(digits)+"%")
	}
	if code, ok := domain.CreditCodePrefix(q); ok {
		m.addNarrow(tierSame, "d.credit_code = ?", code)
		m.addNarrow(tierStart, "d.credit_code LIKE ?", code+"%")
	}
	return m
}

// phoneTailSQL is a donor's phone digits backwards, as donors_phone_tail_idx holds them: the end of a phone is
// the start of that, which a btree finds.
const phoneTailSQL = "reverse(regexp_replace(d.phone, '[^0-9]', '', 'g'))"

func (m *donorSearch) add(tier int, sql string, args ...any) {
	m.tiers[tier] = append(m.tiers[tier], sqlCond{sql: sql, args: args})
}

func (m *donorSearch) addNarrow(tier int, sql string, args ...any) {
	m.tiers[tier] = append(m.tiers[tier], sqlCond{sql: sql, args: args, narrow: true})
}

// empty reports whether nothing was searched.
func (m donorSearch) empty() bool {
	for _, t := range m.tiers {
		if len(t) > 0 {
			return false
		}
	}
	return true
}

// branches are the SQL of the matches as (id, score), a branch per tier from the best, the score being how well a
// donor matched: donorTiers-1 for the same name down to 0 for a similar one, so that the best sort first in a list
// sorted newest (largest) first. A branch holds a query per condition of its tier, each of the donors it matches
// and no earlier condition does, so that every donor is found once, in its best tier. One query with every
// condition ORed together read every match to rank them (王: 18,000 donors, 30 ms alone), or walked every donor
// for a few matches (9111, a name, a phone's end or a credit code: 170 ms); a condition alone is planned on its
// own figures and its index, and its newest come from the newest donors backwards when they are many (王%: 0.5 ms).
func (m donorSearch) branches() []donorBranch {
	var out []donorBranch
	var earlier []sqlCond
	for tier, conds := range m.tiers {
		if len(conds) == 0 {
			continue
		}
		b := donorBranch{score: donorTiers - 1 - tier}
		for _, c := range conds {
			id := "d.id"
			if c.narrow {
				id = "d.id + 0 AS id" // sorted as a number, not read in the order of the primary key
			}
			sql := "SELECT " + id + ", " + strconv.Itoa(b.score) + " AS score FROM donors d WHERE d.merged_into_id IS NULL AND " + c.sql
			args := slices.Clone(c.args)
			if len(earlier) > 0 {
				// coalesce: a condition on a column that may be NULL (the credit code) is NULL, not false.
				e, eArgs := anyOf(earlier)
				sql += " AND NOT coalesce(" + e + ", false)"
				args = append(args, eArgs...)
			}
			b.parts = append(b.parts, sqlCond{sql: sql, args: args})
			earlier = append(earlier, c)
		}
		out = append(out, b)
	}
	return out
}

// donorBranch is one tier's matches: a query per condition, none matching a donor another does.
type donorBranch struct {
	score int
	parts []sqlCond
}

// cut is the branch's matches cut by tail (a page's place, order and size): each part cut, then all of them.
func (b donorBranch) cut(tail string, tailArgs []any) (string, []any) {
	var parts []string
	var args []any
	for _, p := range b.parts {
		parts = append(parts, "(SELECT * FROM ("+p.sql+") b WHERE TRUE"+tail+")")
		args = append(append(args, p.args...), tailArgs...)
	}
	return "SELECT * FROM (" + strings.Join(parts, " UNION ALL ") + ") t WHERE TRUE" + tail, append(args, tailArgs...)
}

// countMatches counts the matches up to countCap+1. The branches are read one after another until there are
// that many, so a tier the count does not reach is not read (a similar name is the dearest: 15,000 rows to
// recheck for 有限公司).
func (m donorSearch) countMatches(db *gorm.DB) (Count, error) {
	var parts []string
	var args []any
	for _, b := range m.branches() {
		sql, a := b.cut(" LIMIT ?", []any{countCap + 1})
		parts, args = append(parts, "("+sql+")"), append(args, a...)
	}
	return countOf(db, strings.Join(parts, " UNION ALL ")+" LIMIT ?", append(args, countCap+1)...)
}

// anyOf is the conditions ORed.
func anyOf(conds []sqlCond) (string, []any) {
	var ors []string
	var args []any
	for _, c := range conds {
		ors, args = append(ors, c.sql), append(args, c.args...)
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// reverseDigits turns a string of ASCII digits round.
func reverseDigits(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

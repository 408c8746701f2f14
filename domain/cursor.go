package domain

import (
	"strconv"
	"strings"
)

// Cursor is where a page of a list starts, in a list sorted by a key and then by id, newest (or best) first. A page
// is found from the row it follows — an index goes straight there — rather than by counting the rows before it
// (OFFSET reads them all, and a row added meanwhile shifts every page by one). The page holds the rows just after
// the row the cursor names or, Back, those just before it. The zero Cursor is the first page.
type Cursor struct {
	Key  string // the row's sort key as the list writes it ("2026-03-01"); "" in a list sorted by id alone
	ID   int64
	Back bool
}

// maxCursorKey bounds a key read from a link: every list's keys are short (a date, a rank).
const maxCursorKey = 20

// IsZero reports whether c is the first page.
func (c Cursor) IsZero() bool { return c.ID == 0 }

// String is the cursor as a link carries it: "2026-03-01,12345", or "12345" in a list sorted by id alone. Which
// way it goes is the link's business (?after= or ?before=).
func (c Cursor) String() string {
	id := strconv.FormatInt(c.ID, 10)
	if c.Key == "" {
		return id
	}
	return c.Key + "," + id
}

// ParseCursor reads a cursor as String writes it. Anything else — an edited link, a truncated one — is not a
// cursor, and the list shows its first page; whether the key is one the list has is the list's to say.
func ParseCursor(s string) (Cursor, bool) {
	key, idText := "", s
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		key, idText = s[:i], s[i+1:]
		if key == "" || len(key) > maxCursorKey || strings.ContainsRune(key, ',') {
			return Cursor{}, false
		}
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != idText {
		return Cursor{}, false
	}
	return Cursor{Key: key, ID: id}, true
}

package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// Bank statement import: a bank's (or WeChat Pay's, Alipay's) statement export read into donations. Everything here
// is pure; the repository adds what only the database knows — a line already imported, a payer already a donor.

// StatementChannels are the channels a statement can come from; cash has no statement.
var StatementChannels = []string{"bank_transfer", "wechat_pay", "alipay", "other"}

// IsStatementChannel reports whether c is one of StatementChannels.
func IsStatementChannel(c string) bool { return slices.Contains(StatementChannels, c) }

// MaxStatementLines bounds one upload (non-blank lines, header and preamble included). Confirming records every
// line in one transaction through the same path as a donation typed in (a dozen statements a line, the receipt
// counter's row updated once a line), measured at about 3 ms a line for 2,000 lines and 4.6 ms a line for 5,000
// (23 s): the cost per line grows with the transaction, and 5,000 lines stay well inside the server's one-minute
// write timeout. A longer statement is split by month; lines in two parts are skipped the second time.
const MaxStatementLines = 5000

// MaxStatementColumns bounds the width of a statement: real exports have a few dozen columns, and every column is
// an option in each of the mapping form's lists.
const MaxStatementColumns = 200

// The roles a statement column can play.
const (
	ColDate      = "date"
	ColPayer     = "payer"
	ColAmount    = "amount" // the credit (incoming) amount, or a signed amount
	ColReference = "reference"
	ColMemo      = "memo"
	ColDebit     = "debit"     // a separate debit (outgoing) amount, when the bank has two amount columns
	ColDirection = "direction" // 收/支, 借贷标志: which way the money went, when the bank says so in words
)

// StatementColumns lists every role, in the order the mapping form shows them.
var StatementColumns = []string{ColDate, ColPayer, ColAmount, ColReference, ColMemo, ColDebit, ColDirection}

// RequiredStatementColumns must be mapped before a statement can be previewed.
var RequiredStatementColumns = []string{ColDate, ColPayer, ColAmount, ColReference}

// StatementMapping says which line of the file is the header and which column plays each role.
type StatementMapping struct {
	HeaderRow int            `json:"header_row"` // index of the header among the file's rows (exports put lines above it)
	Columns   map[string]int `json:"columns"`    // role -> column index; a role not in the map is not mapped
}

// Col is the column index of a role, or -1.
func (m StatementMapping) Col(role string) int {
	if i, ok := m.Columns[role]; ok {
		return i
	}
	return -1
}

// Version identifies the mapping, so a confirmation made while looking at one mapping is not applied to another.
func (m StatementMapping) Version() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(m.HeaderRow))
	for _, role := range StatementColumns {
		b.WriteString("|" + role + "=" + strconv.Itoa(m.Col(role)))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// Check reports what is wrong with a mapping for these rows: a required role left out, a column that does not
// exist, or one column chosen for two roles. Field names are "header_row" and "col_<role>".
func (m StatementMapping) Check(records [][]string) FieldErrors {
	fe := FieldErrors{}
	if m.HeaderRow < 0 || m.HeaderRow >= len(records) {
		fe.Add("header_row", "statement.header_row_invalid")
	}
	width := StatementWidth(records)
	for _, role := range RequiredStatementColumns {
		if m.Col(role) < 0 {
			fe.Add("col_"+role, "statement.column_required")
		}
	}
	used := map[int]string{}
	for _, role := range StatementColumns {
		i := m.Col(role)
		switch {
		case i < 0:
		case i >= width:
			fe.Add("col_"+role, "statement.column_invalid")
		case used[i] != "":
			fe.Add("col_"+role, "statement.column_twice")
		default:
			used[i] = role
		}
	}
	return fe
}

// StatementWidth is the number of columns of the widest row.
func StatementWidth(records [][]string) int {
	w := 0
	for _, r := range records {
		w = max(w, len(r))
	}
	return w
}

// StatementSample returns up to n non-blank rows after the header, for the mapping step to show.
func StatementSample(records [][]string, headerRow, n int) [][]string {
	var out [][]string
	for i := headerRow + 1; i < len(records) && len(out) < n; i++ {
		if !blank(records[i]) {
			out = append(out, records[i])
		}
	}
	return out
}

// CountStatementLines counts the non-blank rows, which MaxStatementLines bounds.
func CountStatementLines(records [][]string) int {
	n := 0
	for _, r := range records {
		if !blank(r) {
			n++
		}
	}
	return n
}

// DataLines counts the non-blank rows after the header: the statement's lines, as people count them.
func DataLines(records [][]string, headerRow int) int {
	if headerRow+1 >= len(records) {
		return 0
	}
	return CountStatementLines(records[headerRow+1:])
}

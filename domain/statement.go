package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// Header names people and banks use for each role, normalised (see normHeader), best first. The first list is
// matched exactly; the second by containment, for headers like 收入金额（元） or 交易附言/用途.
var statementHeaders = map[string][2][]string{
	ColDate: {
		{"交易日期", "记账日期", "入账日期", "到账日期", "交易时间", "记账时间", "入账时间", "日期", "时间", "交易日",
			"date", "transactiondate", "valuedate", "postingdate", "bookingdate", "tradedate", "time"},
		{"日期", "时间", "date"},
	},
	ColPayer: {
		{"对方户名", "对方名称", "对方账户名称", "对方账户名", "对方户名称", "对方单位", "付款人", "付款人名称",
			"付款人户名", "付款方", "付款方名称", "付款单位", "汇款人", "汇款人名称", "交易对方", "交易对手", "捐赠人",
			"捐款人", "户名", "姓名", "名称", "payer", "payername", "counterparty", "counterpartyname", "name", "from"},
		{"对方户名", "对方名称", "对方账户名", "付款人", "付款方", "汇款人", "交易对方", "户名", "payer", "counterparty"},
	},
	ColAmount: {
		{"贷方金额", "贷方发生额", "收入金额", "收入", "入账金额", "贷方", "收款金额", "存入金额", "存入", "金额", "交易金额",
			"发生额", "credit", "creditamount", "amount", "deposit", "deposits", "amountreceived", "moneyin"},
		{"贷方", "收入", "存入", "入账金额", "交易金额", "金额", "credit", "amount"},
	},
	ColReference: {
		{"交易流水号", "流水号", "凭证号", "交易单号", "交易订单号", "交易号", "交易参考号", "参考号", "业务流水号",
			"银行流水号", "流水", "凭证号码", "传票号", "订单号", "reference", "referenceno", "ref", "refno",
			"transactionid", "transactionno", "serialno", "voucherno"},
		{"流水号", "凭证号", "交易单号", "订单号", "交易号", "参考号", "reference", "serial", "voucher"},
	},
	ColMemo: {
		{"附言", "交易附言", "用途", "交易用途", "商品说明", "商品", "商品名称", "摘要", "交易摘要", "备注", "说明",
			"memo", "remark", "remarks", "note", "notes", "description", "purpose", "narrative", "details"},
		{"附言", "用途", "摘要", "备注", "memo", "remark", "description"},
	},
	ColDebit: {
		{"借方金额", "借方发生额", "支出金额", "支出", "借方", "付款金额", "支取金额", "取出", "debit", "debitamount",
			"withdrawal", "withdrawals", "moneyout"},
		{"借方", "支出金额", "支取", "debit", "withdraw"},
	},
	ColDirection: {
		{"收/支", "收支", "收支类型", "借贷标志", "借贷方向", "借贷", "交易方向", "资金方向", "资金流向", "方向",
			"dr/cr", "cr/dr", "d/c", "c/d", "direction", "debit/credit", "credit/debit", "in/out"},
		{"借贷", "收/支", "收支", "方向", "direction"},
	},
}

// guessOrder is the order roles claim columns: the debit column before the amount, so 借方金额 is never taken for
// the credit amount because it contains 金额.
var guessOrder = []string{ColDebit, ColDirection, ColAmount, ColDate, ColReference, ColPayer, ColMemo}

var trailingUnit = regexp.MustCompile(`\([^()]*\)$`)

// normHeader makes header cells comparable: half-width, lower case, no spaces, no BOM or required-field star, no
// unit in brackets at the end (金额（元） is 金额).
func normHeader(h string) string {
	h = strings.ToLower(ToHalfWidth(strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")))
	h = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '*' || r == '_' || r == '-' || r == ':' {
			return -1
		}
		return r
	}, h)
	if s := trailingUnit.ReplaceAllString(h, ""); s != "" {
		h = s
	}
	return h
}

// ourSide marks headers about the fund's own account (本方户名, 收款人), never the payer.
func ourSide(h string) bool {
	for _, w := range []string{"本方", "我方", "本账户", "收款"} {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

// GuessStatementColumns guesses each role's column from a header row, Chinese or English.
func GuessStatementColumns(header []string) map[string]int {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normHeader(h)
	}
	cols, taken := map[string]int{}, map[int]bool{}
	for pass := 0; pass < 2; pass++ {
		for _, role := range guessOrder {
			if _, done := cols[role]; done {
				continue
			}
		names:
			for _, name := range statementHeaders[role][pass] {
				for i, h := range norm {
					if taken[i] || h == "" || (role == ColPayer && ourSide(h)) {
						continue
					}
					if h == name || (pass == 1 && strings.Contains(h, name)) {
						cols[role], taken[i] = i, true
						break names
					}
				}
			}
		}
	}
	return cols
}

// GuessStatementMapping finds the header — the first of the file's first 30 rows that names the most required
// roles, since exports often start with the account number and the period — and guesses the columns from it.
func GuessStatementMapping(records [][]string) StatementMapping {
	best := StatementMapping{HeaderRow: 0, Columns: map[string]int{}}
	bestScore := 0
	for i := 0; i < len(records) && i < 30; i++ {
		cols := GuessStatementColumns(records[i])
		score := 0
		for role := range cols {
			if slices.Contains(RequiredStatementColumns, role) {
				score += 10
			} else {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = StatementMapping{HeaderRow: i, Columns: cols}, score
		}
	}
	if bestScore < 20 && len(records) > 0 { // fewer than two required roles named anywhere: take the first row
		best = StatementMapping{HeaderRow: 0, Columns: GuessStatementColumns(records[0])}
	}
	return best
}

// What a statement row comes to.
const (
	RowImport = "import" // becomes a donation on confirmation
	RowSkip   = "skip"   // not a donation, or already imported: counted, never an error
	RowError  = "error"  // cannot be imported as it stands
)

// Reasons a row is skipped, as message keys.
const (
	SkipOutgoing        = "statement.skip_outgoing"
	SkipNoCredit        = "statement.skip_no_credit"
	SkipNotIncome       = "statement.skip_not_income"
	SkipSummary         = "statement.skip_summary"
	SkipAlreadyImported = "statement.skip_already_imported"
)

// StatementMessageKeys is every message key CheckStatement and MarkAlreadyImported can put on a row.
var StatementMessageKeys = []string{
	SkipOutgoing, SkipNoCredit, SkipNotIncome, SkipSummary, SkipAlreadyImported,
	"statement.date_missing", "statement.date_invalid", "statement.date_future", "statement.both_amounts",
	"statement.payer_missing", "statement.payer_too_long", "statement.payer_invalid",
	"statement.reference_missing", "statement.reference_too_long", "statement.reference_invalid",
	"statement.reference_scientific", "statement.reference_repeated", "statement.channel_invalid",
	ErrAmountInvalid.Key, ErrAmountDecimals.Key, ErrAmountTooLarge.Key,
}

// StatementRow is one line of a statement as it will be imported, or why it will not be.
type StatementRow struct {
	Line       int       // the row's number in the file, as a spreadsheet shows it
	Date       string    // 2026-03-01 when read, otherwise the cell as written
	ReceivedOn time.Time // midnight in Shanghai
	Payer      string
	DonorKind  string
	Amount     Money
	AmountText string // the cell as written, shown when it cannot be read
	Reference  string
	Memo       string
	Status     string   // RowImport, RowSkip or RowError
	Reason     string   // why a skipped row is skipped
	Errors     []string // message keys, for RowError
	SameAs     int      // the line that has this reference first, for statement.reference_repeated
	KnownDonor bool     // the payer's name is an existing donor's (the repository says so)
}

// Input is the donation a row records.
func (r StatementRow) Input(channel, programCode string) DonationInput {
	return DonationInput{Amount: r.Amount, Channel: channel, ReceivedOn: r.ReceivedOn, Reference: r.Reference,
		ProgramCode: programCode, Note: r.Memo}
}

// Donor is the donor a row's payer becomes when no donor has that name: never published until someone with the
// donor's consent changes that.
func (r StatementRow) Donor() Donor { return Donor{Kind: r.DonorKind, Name: r.Payer} }

// memoMaxLen is a donation note's limit; a longer memo is cut, since it only informs.
const memoMaxLen = 500

// cellMaxLen cuts any cell a row reads: longer than every limit a value has, so a cell too long is still refused
// as too long, and short enough that a preview never shows a page of one cell.
const cellMaxLen = 600

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// CheckStatement reads every line after the header with the mapping and says what each comes to. now is the
// current time (no donation is received in the future). A reference repeated in the file is an error on its later
// lines; the first line that can be imported keeps it.
func CheckStatement(records [][]string, m StatementMapping, channel string, now time.Time) []StatementRow {
	var out []StatementRow
	for i := m.HeaderRow + 1; i < len(records); i++ {
		if blank(records[i]) {
			continue
		}
		out = append(out, checkStatementRow(records[i], i+1, m, channel, now))
	}
	first := map[string]int{}
	for i := range out {
		r := &out[i]
		if r.Status != RowImport {
			continue
		}
		if line, seen := first[r.Reference]; seen {
			r.Status, r.SameAs = RowError, line
			r.Errors = append(r.Errors, "statement.reference_repeated")
			continue
		}
		first[r.Reference] = r.Line
	}
	return out
}

func checkStatementRow(rec []string, line int, m StatementMapping, channel string, now time.Time) StatementRow {
	get := func(role string) string {
		if i := m.Col(role); i >= 0 && i < len(rec) {
			return clip(strings.TrimSpace(rec[i]), cellMaxLen)
		}
		return ""
	}
	r := StatementRow{Line: line, Date: StripControl(get(ColDate)), AmountText: StripControl(get(ColAmount)),
		Payer: StripControl(get(ColPayer)), Reference: cleanReference(get(ColReference)), Memo: cleanMemo(get(ColMemo))}
	r.DonorKind = GuessDonorKind(r.Payer)
	day, dateOK := ParseStatementDate(r.Date)
	if dateOK {
		r.Date = day.Format("2006-01-02")
	}
	skip := func(reason string) StatementRow {
		r.Status, r.Reason = RowSkip, reason
		return r
	}
	if !dateOK && summaryLine(rec) {
		return skip(SkipSummary)
	}
	switch directionOf(get(ColDirection)) {
	case dirOut:
		return skip(SkipOutgoing)
	case dirOther:
		return skip(SkipNotIncome)
	}
	credit, creditKind, amountKey := readStatementAmount(r.AmountText)
	_, debitKind, _ := readStatementAmount(get(ColDebit))
	hasDebit := debitKind == amountPositive || debitKind == amountNegative
	switch {
	case hasDebit && creditKind == amountPositive:
		r.Errors = append(r.Errors, "statement.both_amounts")
	case hasDebit || creditKind == amountNegative:
		return skip(SkipOutgoing)
	case creditKind == amountNone:
		return skip(SkipNoCredit)
	case creditKind == amountBad:
		r.Errors = append(r.Errors, amountKey)
	}
	r.Amount = credit

	if r.Date == "" {
		r.Errors = append(r.Errors, "statement.date_missing")
	} else if !dateOK {
		r.Errors = append(r.Errors, "statement.date_invalid")
	}
	donor := r.Donor()
	switch donor.Check()["donor_name"] {
	case "":
	case "error.required":
		r.Errors = append(r.Errors, "statement.payer_missing")
	case "error.too_long":
		r.Errors = append(r.Errors, "statement.payer_too_long")
	default:
		r.Errors = append(r.Errors, "statement.payer_invalid")
	}
	r.Payer = donor.Name
	if scientific.MatchString(r.Reference) {
		r.Errors = append(r.Errors, "statement.reference_scientific")
	}

	// The rules every donation follows (received date not in the future, a reference for a non-cash channel, its
	// length) are CheckDonation's; only their messages are the statement's own.
	in := DonationInput{Channel: channel, Reference: r.Reference, Note: r.Memo}
	date := ""
	if dateOK {
		date = r.Date
	}
	fe := CheckDonation(credit.Plain(), date, &in, now)
	if dateOK {
		switch fe["received_on"] {
		case "":
			r.ReceivedOn = in.ReceivedOn
		case "error.date_future":
			r.Errors = append(r.Errors, "statement.date_future")
		default:
			r.Errors = append(r.Errors, "statement.date_invalid")
		}
	}
	switch fe["reference"] {
	case "":
	case "error.reference_required", "error.required":
		r.Errors = append(r.Errors, "statement.reference_missing")
	case "error.too_long":
		r.Errors = append(r.Errors, "statement.reference_too_long")
	default:
		r.Errors = append(r.Errors, "statement.reference_invalid")
	}
	if fe["channel"] != "" {
		r.Errors = append(r.Errors, "statement.channel_invalid")
	}
	// Every statement line needs its reference, cash or not: it is the only thing that tells a line imported
	// before from a new one, so a line without it could be recorded twice by importing the statement again.
	if in.Reference == "" && fe["reference"] == "" {
		r.Errors = append(r.Errors, "statement.reference_missing")
	}
	r.Reference = in.Reference
	r.Errors = slices.Compact(r.Errors)
	if len(r.Errors) > 0 {
		r.Status = RowError
	} else {
		r.Status = RowImport
	}
	return r
}

// MarkAlreadyImported turns every line whose reference the channel already has (imported before, or typed in by
// hand) into a skipped line: counted, not recorded again, and not an error.
func MarkAlreadyImported(rows []StatementRow, known func(reference string) bool) {
	for i := range rows {
		r := &rows[i]
		if r.Status == RowSkip || r.Reference == "" || !known(r.Reference) {
			continue
		}
		r.Status, r.Reason, r.Errors, r.SameAs = RowSkip, SkipAlreadyImported, nil, 0
	}
}

// StatementCounts sums up what confirming a statement would do, or did.
type StatementCounts struct {
	Import  int   // lines that become donations
	Amount  Money // their total
	Already int   // lines skipped because they were imported before
	Skipped int   // lines that are not donations (outgoing, no credit, summaries)
	Errors  int   // lines that cannot be imported
}

// Lines is every line counted.
func (c StatementCounts) Lines() int { return c.Import + c.Already + c.Skipped + c.Errors }

// CountStatement counts rows by what they come to.
func CountStatement(rows []StatementRow) StatementCounts {
	var c StatementCounts
	for _, r := range rows {
		switch {
		case r.Status == RowImport:
			c.Import++
			c.Amount += r.Amount
		case r.Status == RowError:
			c.Errors++
		case r.Reason == SkipAlreadyImported:
			c.Already++
		default:
			c.Skipped++
		}
	}
	return c
}

// ParseStatementDate reads the dates statements use — 2026-03-01, 2026/3/1, 2026.3.1, 20260301, 2026年3月1日 —
// with or without a time after them (2026-03-01 14:30:00, 20260301143000), as midnight in Shanghai. Years
// outside 2000–2099 are refused: they are a misread, not a donation.
func ParseStatementDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(ToHalfWidth(s))
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	if len(s) == 14 && allASCIIDigits(s) {
		s = s[:8]
	}
	for _, layout := range []string{"2006-1-2", "2006/1/2", "2006.1.2", "20060102", "2006年1月2日"} {
		if t, err := time.ParseInLocation(layout, s, Shanghai); err == nil && t.Year() >= 2000 && t.Year() < 2100 {
			return t, true
		}
	}
	return time.Time{}, false
}

// How an amount cell reads.
const (
	amountNone     = iota // empty, a dash, or zero: no money this way
	amountPositive        // money
	amountNegative        // a minus sign or accounting brackets: money the other way
	amountBad             // not an amount
)

// readStatementAmount reads an amount cell: ParseMoney's forms, a leading +, accounting brackets for a negative.
// The key is ParseMoney's message key for a bad amount.
func readStatementAmount(s string) (Money, int, string) {
	s = strings.TrimSpace(ToHalfWidth(s))
	switch s {
	case "", "-", "--", "—", "/", "—/—":
		return 0, amountNone, ""
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	s = strings.TrimPrefix(s, "+")
	m, err := ParseMoney(s)
	switch {
	case err == nil && neg:
		return 0, amountNegative, ""
	case err == nil:
		return m, amountPositive, ""
	case err == ErrAmountNegative:
		return 0, amountNegative, ""
	case err == ErrAmountZero || err == ErrAmountRequired:
		return 0, amountNone, ""
	}
	if me, ok := err.(*MoneyError); ok {
		return 0, amountBad, me.Key
	}
	return 0, amountBad, ErrAmountInvalid.Key
}

// Which way a direction cell (收/支, 借贷标志) says the money went.
const (
	dirNone  = iota // no direction column, or the cell is empty: the amount decides
	dirIn           // money in
	dirOut          // money out
	dirOther        // neither (不计收支, 其他): not a donation
)

var (
	directionIn  = []string{"收入", "收", "贷", "贷方", "入", "入账", "存入", "来账", "收款", "c", "cr", "credit", "in", "income", "deposit"}
	directionOut = []string{"支出", "支", "借", "借方", "出", "出账", "支取", "往账", "付款", "d", "dr", "debit", "out", "expense", "withdrawal"}
)

func directionOf(s string) int {
	s = strings.ToLower(strings.TrimSpace(ToHalfWidth(s)))
	switch {
	case s == "":
		return dirNone
	case slices.Contains(directionIn, s):
		return dirIn
	case slices.Contains(directionOut, s):
		return dirOut
	}
	return dirOther
}

// summaryLine recognises the totals lines at the end of an export (合计, 总计, 本页小计).
func summaryLine(rec []string) bool {
	for _, c := range rec {
		c = strings.ToLower(strings.TrimSpace(ToHalfWidth(c)))
		for _, w := range []string{"合计", "总计", "小计"} {
			if strings.Contains(c, w) {
				return true
			}
		}
		if c == "total" || strings.HasPrefix(c, "total:") {
			return true
		}
	}
	return false
}

// scientific is a reference Excel turned into a number and shortened (1.23457E+19): its digits are lost.
var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// cleanReference undoes what exports do to keep long numbers as text: a leading apostrophe, ="0012" formulas,
// tabs after the value (WeChat Pay), full-width digits.
func cleanReference(s string) string {
	s = strings.TrimSpace(ToHalfWidth(s))
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	s = strings.TrimPrefix(s, "'")
	return strings.TrimSpace(s)
}

func cleanMemo(s string) string {
	s = strings.TrimSpace(StripControl(s))
	if utf8.RuneCountInString(s) > memoMaxLen {
		s = string([]rune(s)[:memoMaxLen])
	}
	return s
}

// organisationWords mark a payer as an organisation rather than a person; a wrong guess only changes the donor's
// kind, which an operator can correct.
var organisationWords = []string{"公司", "有限", "集团", "基金会", "协会", "商会", "学会", "工会", "联合会", "促进会",
	"委员会", "医院", "卫生院", "大学", "学院", "学校", "中学", "小学", "幼儿园", "银行", "支行", "分行", "研究院",
	"研究所", "事务所", "合作社", "中心", "商行", "超市", "工作室", "俱乐部", "办公室", "政府", "街道", "社区", "村委",
	"党委", "党支部", "团委", "妇联", "红十字", "慈善", "厂", "店", "部门", "局"}

var organisationWordsEn = []string{"co", "company", "ltd", "limited", "inc", "corp", "corporation", "llc", "gmbh",
	"group", "foundation", "association", "hospital", "university", "college", "school", "bank", "society", "trust"}

// GuessDonorKind says whether a payer's name is an organisation's (公司, 有限, 基金会, 医院, Ltd …) or a person's.
func GuessDonorKind(name string) string {
	for _, w := range organisationWords {
		if strings.Contains(name, w) {
			return DonorOrganization
		}
	}
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range words {
		if slices.Contains(organisationWordsEn, w) {
			return DonorOrganization
		}
	}
	return DonorIndividual
}

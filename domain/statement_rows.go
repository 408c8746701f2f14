package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

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

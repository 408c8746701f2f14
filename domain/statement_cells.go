package domain

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reading the cells of a statement line: its date, amounts, direction, reference and memo, and who the payer is.

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

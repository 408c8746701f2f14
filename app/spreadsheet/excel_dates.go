package spreadsheet

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var (
	excelSerial     = regexp.MustCompile(`^[0-9]{5}(\.[0-9]+)?$`)
	excelScientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?E\+[0-9]+$`)
	excelEpoch      = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
)

// xlsxCell chooses between a cell as Excel formats it and as it is stored. excelize formats the built-in short
// date as 03-01-26 and others as Mar-26, which lose the year's century or the day: those cells are read from their
// stored serial number instead. A long number Excel kept only in scientific notation (1.23457E+19) stays as stored,
// so that whoever reads it can say its digits are lost.
func xlsxCell(formatted, raw string) string {
	switch {
	case formatted == raw:
		return formatted
	case excelScientific.MatchString(raw):
		return raw
	case excelSerial.MatchString(raw) && dateLike(formatted):
		days, err := strconv.ParseFloat(raw, 64)
		// 36526 is 2000-01-01 and 73415 is 2100-12-31: a date cell, not an amount formatted with a unit.
		if err == nil && days >= 36526 && days <= 73415 {
			return excelEpoch.AddDate(0, 0, int(math.Floor(days))).Format("2006-01-02")
		}
	}
	return formatted
}

// dateLike tells a date as Excel formats it (03-01-26, Mar-26, 2026/3/1, 2026年3月1日, 2026.3.1) from an amount
// (46,082.00, ¥46,082, 46082元, CNY 46,082), which can have the same stored number.
func dateLike(s string) bool {
	upper := strings.ToUpper(s)
	if strings.ContainsAny(s, "元¥￥$") || strings.Contains(upper, "CNY") || strings.Contains(upper, "RMB") {
		return false
	}
	return strings.ContainsAny(s, "-/:") || strings.Count(s, ".") >= 2 || strings.IndexFunc(s, unicode.IsLetter) >= 0
}

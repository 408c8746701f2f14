package domain

import "strings"

// creditCodeChars are the 31 characters of a 统一社会信用代码 (GB 32100-2015): digits and capitals without I, O,
// Z, S and V.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode upper-cases a unified social credit code and drops spaces.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.ReplaceAll(ToHalfWidth(strings.TrimSpace(s)), " ", ""))
}

// ValidCreditCode checks the 18 characters and the check character of a unified social credit code.
func ValidCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	check, ok := CreditCodeCheckChar(code[:17])
	return ok && code[17] == check
}

// CreditCodeCheckChar computes the 18th character of a credit code from its first 17; ok is false when one of them
// is not a credit code character.
func CreditCodeCheckChar(first17 string) (check byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditCodeWeights[i]
	}
	return creditCodeChars[(31-sum%31)%31], true
}

// CreditCodePrefix reads a search as the start of a credit code: at least four characters, all of them ones a
// code can hold; a name or a phone's digits that are not long enough are not one.
func CreditCodePrefix(s string) (string, bool) {
	code := NormalizeCreditCode(s)
	if len(code) < 4 || len(code) > 18 || strings.Trim(code, creditCodeChars) != "" {
		return "", false
	}
	return code, true
}

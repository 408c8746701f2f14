package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// NormalizeIDNumber upper-cases and strips spaces from a resident identity card number (居民身份证号码).
func NormalizeIDNumber(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(ToHalfWidth(s), " ", ""))
	return strings.TrimSpace(s)
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// ValidIDNumber checks the 18-character form and its ISO 7064 MOD 11-2 check character (GB 11643).
func ValidIDNumber(id string) bool {
	if len(id) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return id[17] == IDCheckChar(id[:17])
}

// IDCheckChar computes the check character of the first 17 digits of an ID number.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// MaskIDNumber keeps the first and last four characters: 3301**********1234.
func MaskIDNumber(id string) string {
	if len(id) != 18 {
		return "******"
	}
	return id[:4] + strings.Repeat("*", 10) + id[14:]
}

// HashIDNumber is a keyed hash, so two registrations with one ID can be told apart without storing the number.
func HashIDNumber(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

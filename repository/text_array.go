package repository

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// textArray is a text[] column, read and written in PostgreSQL's text form of a one-dimensional array ({a,"b c"}),
// which database/sql (gorm talks through it) passes on as it is. It is read here rather than by pgx's type map:
// the map plans each scan afresh (a sixth of a bulk proposal's CPU, for the candidates' districts and slots), and
// it memoizes its encode plans in a map that is not safe for use by many requests at once.
type textArray []string

// Scan reads a text[] value.
func (a *textArray) Scan(src any) error {
	s, err := arrayText(src)
	if err != nil {
		return fmt.Errorf("text[]: %w", err)
	}
	out, err := parseArray(s)
	if err != nil {
		return fmt.Errorf("text[] %q: %w", s, err)
	}
	*a = out
	return nil
}

// Value writes the array with every element quoted, which PostgreSQL reads whatever the element holds.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for j := range len(s) {
			if s[j] == '"' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// int64Array is a bigint[] column, read and written like textArray.
type int64Array []int64

// Scan reads a bigint[] value.
func (a *int64Array) Scan(src any) error {
	s, err := arrayText(src)
	if err != nil {
		return fmt.Errorf("bigint[]: %w", err)
	}
	elems, err := parseArray(s)
	if err != nil {
		return fmt.Errorf("bigint[] %q: %w", s, err)
	}
	out := make([]int64, len(elems))
	for i, e := range elems {
		if out[i], err = strconv.ParseInt(e, 10, 64); err != nil {
			return fmt.Errorf("bigint[] %q: %w", s, err)
		}
	}
	*a = out
	return nil
}

// Value writes the array in PostgreSQL's text form ({1,2}).
func (a int64Array) Value() (driver.Value, error) {
	parts := make([]string, len(a))
	for i, n := range a {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}

// arrayText is an array value as the driver gives it.
func arrayText(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case nil:
		return "", fmt.Errorf("NULL where an array is expected")
	}
	return "", fmt.Errorf("cannot read %T as an array", src)
}

// parseArray reads the elements of a one-dimensional array in PostgreSQL's text output: {a,b,"c d","e\"f"}. An
// element is quoted when it is empty or holds a comma, a brace, a quote, a backslash or a space, and a quoted one
// escapes its quotes and backslashes; an unquoted NULL is a NULL, which these columns never hold.
func parseArray(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("not an array")
	}
	body := s[1 : len(s)-1]
	out := []string{}
	if body == "" {
		return out, nil
	}
	for i := 0; ; i++ {
		if i == len(body) {
			return nil, fmt.Errorf("an element missing after a comma")
		}
		var elem string
		if body[i] == '"' {
			var b strings.Builder
			for i++; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' {
					i++
				}
				if i < len(body) {
					b.WriteByte(body[i])
				}
			}
			if i >= len(body) {
				return nil, fmt.Errorf("an unterminated quote")
			}
			i++
			elem = b.String()
		} else {
			end := strings.IndexAny(body[i:], `,"{}`)
			if end < 0 {
				end = len(body) - i
			}
			elem, i = body[i:i+end], i+end
			if elem == "NULL" {
				return nil, fmt.Errorf("a NULL element")
			}
		}
		out = append(out, elem)
		if i == len(body) {
			return out, nil
		}
		if body[i] != ',' {
			return nil, fmt.Errorf("%q where a comma is expected", body[i])
		}
	}
}

package repository

import (
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5/pgtype"
)

// textArray is a text[] column. pgx already knows PostgreSQL's array syntax; this lends it to database/sql, which
// gorm talks through, so no second driver is needed for it.
type textArray []string

var pgTypes = pgtype.NewMap()

// Scan reads a text[] value.
func (a *textArray) Scan(src any) error {
	var s []string
	if err := pgTypes.SQLScanner(&s).Scan(src); err != nil {
		return fmt.Errorf("text[]: %w", err)
	}
	*a = s
	return nil
}

// Value writes the array in PostgreSQL's text form ({a,"b c"}), which any driver passes on as it is.
func (a textArray) Value() (driver.Value, error) {
	if a == nil {
		a = textArray{}
	}
	b, err := pgTypes.Encode(pgtype.TextArrayOID, pgtype.TextFormatCode, []string(a), nil)
	if err != nil {
		return nil, fmt.Errorf("text[]: %w", err)
	}
	return string(b), nil
}

// int64Array is a bigint[] column, read and written like textArray.
type int64Array []int64

// Scan reads a bigint[] value.
func (a *int64Array) Scan(src any) error {
	var s []int64
	if err := pgTypes.SQLScanner(&s).Scan(src); err != nil {
		return fmt.Errorf("bigint[]: %w", err)
	}
	*a = s
	return nil
}

// Value writes the array in PostgreSQL's text form ({1,2}).
func (a int64Array) Value() (driver.Value, error) {
	if a == nil {
		a = int64Array{}
	}
	b, err := pgTypes.Encode(pgtype.Int8ArrayOID, pgtype.TextFormatCode, []int64(a), nil)
	if err != nil {
		return nil, fmt.Errorf("bigint[]: %w", err)
	}
	return string(b), nil
}

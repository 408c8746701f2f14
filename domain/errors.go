// Package domain holds Guanai's rules in plain Go: no database, no HTTP.
package domain

import (
	"errors"
	"sort"
	"time"
)

// Errors that the web layer turns into pages. Each carries the message key the user sees.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrBadLogin     = errors.New("wrong phone or password")
	ErrStaleVersion = errors.New("changed by someone else")
)

// FieldErrors maps a form field to the message key of what is wrong with it.
// It is an error so repository methods can return the checks the database made too.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := "invalid input:"
	for _, k := range keys {
		s += " " + k + "=" + fe[k]
	}
	return s
}

// Add records the first problem found for a field; later ones for the same field are less useful.
func (fe FieldErrors) Add(field, key string) {
	if _, ok := fe[field]; !ok {
		fe[field] = key
	}
}

// Err returns fe as an error, or nil when there is nothing wrong.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// LockedError says that logins are refused until a time.
type LockedError struct {
	Until time.Time
}

func (e *LockedError) Error() string { return "login locked until " + e.Until.Format(time.RFC3339) }

// AccountStateError says that an account cannot log in in its current state.
type AccountStateError struct {
	Status Status
	Reason string
}

func (e *AccountStateError) Error() string { return "account is " + string(e.Status) }

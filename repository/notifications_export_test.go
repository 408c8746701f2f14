package repository

import (
	"context"

	"gorm.io/gorm"
)

// Notify writes notifications as the dispatch code does — notify in a transaction — for the tests of the inbox.
func (s *Store) Notify(ctx context.Context, kind string, request, offer, pairing int64, detail string, recipients ...int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return notify(tx, kind, noteAbout{Request: request, Offer: offer, Pairing: pairing, Detail: detail}, recipients...)
	})
}

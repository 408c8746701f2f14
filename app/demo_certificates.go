package app

import (
	"context"

	"guanai/domain"
	"guanai/repository"
)

// seedDemoCertificates issues 赵志强's hours certificate of the last twelve months, once: a second run of the demo
// finds it (on another day the default period would differ, so it does not ask again).
func seedDemoCertificates(ctx context.Context, store *repository.Store) error {
	u, err := store.UserByPhone(ctx, zhaoZhiqiang)
	if err != nil {
		return err
	}
	have, err := store.VolunteerCertificates(ctx, u.ID)
	if err != nil || len(have) > 0 {
		return err
	}
	from, to := domain.DefaultCertificatePeriod(domain.Today(store.Now()))
	_, err = store.IssueCertificate(ctx, repository.Actor{UserID: u.ID, Role: domain.RoleVolunteer, IP: "demo"}, from, to,
		domain.DefaultStarHours)
	return err
}

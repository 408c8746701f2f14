package app

import (
	"guanai/domain"
)

func init() {
	venue := []domain.Role{domain.RoleVenue}
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /staff/benefits/:code":        {domain.RoleStaff},
		"POST /staff/benefits/:code":       {domain.RoleStaff},
		"GET /staff/vouchers/:id":          {domain.RoleStaff},
		"GET /admin/benefits":              readers, // coordinators decide, as they verify people; the auditor reads
		"POST /admin/benefits/:id/approve": coord,
		"POST /admin/benefits/:id/reject":  coord,
		"POST /admin/programs/:id/places":  admin,
		"POST /admin/places/:id":           admin,
		"GET /admin/venues":                admin,
		"POST /admin/venues":               admin,
		"GET /venue":                       venue,
		"GET /venue/redeem":                venue,
		"POST /venue/redeem":               venue,
		"POST /venue/redeem/confirm":       venue,
	})
}

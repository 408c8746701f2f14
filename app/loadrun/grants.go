package loadrun

// Grants and expense claims: the staff member's applications, the volunteer's claims, the coordinators' queues and
// one application or claim from them (its documents are loaded by the browser as pictures: one request each, not
// counted here).

func staffGrants(u *user) error {
	_, err := u.browse("/staff/grants", "/staff/grants/")
	return err
}

func staffGrant(u *user) error { return u.follow("/staff/grants", "/staff/grants/") }

func volunteerClaims(u *user) error {
	_, err := u.browse("/volunteer/claims", "/volunteer/claims/")
	return err
}

func grantQueue(u *user) error {
	_, err := u.browse("/admin/grants", "/admin/grants/")
	return err
}

func grantPage(u *user) error { return u.follow("/admin/grants", "/admin/grants/") }

func claimQueue(u *user) error {
	_, err := u.browse("/admin/claims?status=", "/admin/claims/")
	return err
}

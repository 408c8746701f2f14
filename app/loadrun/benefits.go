package loadrun

// Benefits: staff open a benefit program's page (the quota left, her applications) and their vouchers;
// coordinators read the queue of applications.

func staffBenefits(u *user) error {
	_, err := u.browse("/staff/benefits/venue_vouchers", "/staff/vouchers/")
	return err
}

func staffVoucher(u *user) error { return u.follow("/staff", "/staff/vouchers/") }

func benefitQueue(u *user) error {
	_, err := u.browse("/admin/benefits")
	return err
}

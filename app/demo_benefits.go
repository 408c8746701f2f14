package app

import (
	"context"
	"strconv"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// The demo's benefits: two venue desks (the youth centre redeems the interest classes, the science museum the
// venue visits), their places, and 刘晓燕's vouchers for her daughter — one issued, one redeemed — with a venue
// visit waiting in the coordinators' queue. Idempotent: a program that has places already is left as it is.

var demoVenues = []repository.NewAccount{
	{Phone: "13800000005", Name: "杭州市青少年活动中心前台", Role: domain.RoleVenue},
	{Phone: "13800000006", Name: "杭州科技馆服务台", Role: domain.RoleVenue},
}

var demoPlaces = []struct {
	program, zh, en, address string
	venue                    int
}{
	{"interest_classes", "少儿绘画班（周六上午）", "Children's painting (Saturday mornings)", "上城区青少年活动中心三楼", 0},
	{"interest_classes", "少儿书法班（周日下午）", "Children's calligraphy (Sunday afternoons)", "上城区青少年活动中心二楼", 0},
	{"interest_classes", "少儿编程班", "Coding for children", "上城区青少年活动中心五楼", 0},
	{"venue_vouchers", "杭州科技馆 单次体验", "Hangzhou Science Museum, one visit", "拱墅区环城北路", 1},
}

func seedDemoBenefits(ctx context.Context, store *repository.Store) error {
	admin, err := store.UserByPhone(ctx, demoOperators[0].Phone)
	if err != nil {
		return err
	}
	adminActor := repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "demo"}
	venues := make([]int64, len(demoVenues))
	for i, v := range demoVenues {
		v.Password = DemoPassword
		_, err := store.CreateOperator(ctx, repository.Actor{IP: "demo"}, v)
		if err := skipExisting(err); err != nil {
			return err
		}
		u, err := store.UserByPhone(ctx, v.Phone)
		if err != nil {
			return err
		}
		venues[i] = u.ID
	}
	programs, err := store.ProgramList(ctx)
	if err != nil {
		return err
	}
	byCode := map[string]repository.CareProgram{}
	for _, pr := range programs {
		byCode[pr.Code] = pr
	}
	if err := demoTermUnderWay(ctx, store, adminActor, byCode["interest_classes"]); err != nil {
		return err
	}
	have, err := store.BenefitPlaces(ctx, byCode["interest_classes"].ID)
	if err != nil || len(have) > 0 {
		return err
	}
	places := make([]int64, len(demoPlaces))
	for i, p := range demoPlaces {
		if places[i], err = store.CreateBenefitPlace(ctx, adminActor, byCode[p.program].ID, domain.BenefitPlaceForm{
			NameZh: p.zh, NameEn: p.en, Address: p.address, VenueID: strconv.FormatInt(venues[p.venue], 10)}); err != nil {
			return err
		}
	}
	staff, err := store.UserByPhone(ctx, liuXiaoyan)
	if err != nil {
		return err
	}
	person, err := store.PersonByID(ctx, staff.ID)
	if err != nil || len(person.Children) == 0 {
		return err
	}
	her := repository.Actor{UserID: staff.ID, Role: domain.RoleStaff, IP: "demo"}
	child := strconv.FormatInt(person.Children[0].ID, 10)
	coordinator, err := store.UserByPhone(ctx, demoOperators[2].Phone)
	if err != nil {
		return err
	}
	coord := repository.Actor{UserID: coordinator.ID, Role: domain.RoleCoordinator, IP: "demo"}
	apply := func(code string, place int64, withChild bool) (int64, error) {
		f := domain.BenefitApplicationForm{PlaceID: strconv.FormatInt(place, 10)}
		if withChild {
			f.ChildID, f.Consent = child, true
		}
		return store.ApplyBenefit(ctx, her, code, f)
	}
	// Painting: issued, on her home. Calligraphy: issued and redeemed at the youth centre. A museum visit: waiting.
	painting, err := apply("interest_classes", places[0], true)
	if err != nil {
		return err
	}
	if _, err := store.ApproveApplication(ctx, coord, painting); err != nil {
		return err
	}
	calligraphy, err := apply("interest_classes", places[1], true)
	if err != nil {
		return err
	}
	voucherID, err := store.ApproveApplication(ctx, coord, calligraphy)
	if err != nil {
		return err
	}
	v, err := store.StaffVoucher(ctx, staff.ID, voucherID)
	if err != nil {
		return err
	}
	if _, err := store.RedeemVoucher(ctx, repository.Actor{UserID: venues[0], Role: domain.RoleVenue, IP: "demo"}, v.Code); err != nil {
		return err
	}
	_, err = apply("venue_vouchers", places[3], false)
	return err
}

// demoTermUnderWay sets the interest classes' term to the school term of today, when the stored one is not under
// way: the demo's vouchers are for now, whenever it is loaded.
func demoTermUnderWay(ctx context.Context, store *repository.Store, by repository.Actor, pr repository.CareProgram) error {
	if _, _, open := pr.Benefit().BenefitPeriod(store.Now()); open {
		return nil
	}
	today := domain.Today(store.Now())
	y := today.Year()
	start, end := time.Date(y, 2, 15, 0, 0, 0, 0, domain.Shanghai), time.Date(y, 7, 15, 0, 0, 0, 0, domain.Shanghai)
	switch {
	case today.Month() >= 8:
		start, end = time.Date(y, 8, 16, 0, 0, 0, 0, domain.Shanghai), time.Date(y+1, 2, 14, 0, 0, 0, 0, domain.Shanghai)
	case today.Before(start):
		start, end = time.Date(y-1, 8, 16, 0, 0, 0, 0, domain.Shanghai), time.Date(y, 2, 14, 0, 0, 0, 0, domain.Shanghai)
	case today.After(end):
		start, end = time.Date(y, 7, 16, 0, 0, 0, 0, domain.Shanghai), time.Date(y, 8, 15, 0, 0, 0, 0, domain.Shanghai)
	}
	f := programFormOf(pr)
	f.Benefit.TermStart, f.Benefit.TermEnd = start.Format(time.DateOnly), end.Format(time.DateOnly)
	return store.UpdateProgram(ctx, by, pr.ID, f)
}

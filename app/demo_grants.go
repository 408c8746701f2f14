package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"guanai/domain"
	"guanai/repository"
)

// The demo's grants and claims: 刘晓燕's hardship grant, with a photo of the hospital bill, approved by the
// coordinator and paid by finance; 周建国's application waiting for review; and 赵志强's parking for her ride,
// confirmed by her and reimbursed from the fund. Told once: a demo that has grants already is left as it is.
func seedDemoGrants(ctx context.Context, store *repository.Store) error {
	told, err := store.HasGrantsOrClaims(ctx)
	if err != nil || told {
		return err
	}
	d := &demoCare{store: store, staff: map[string]repository.Actor{}, volunteers: map[string]repository.Actor{}}
	if err := d.lookUp(ctx); err != nil {
		return err
	}
	financeUser, err := store.UserByPhone(ctx, demoOperators[1].Phone)
	if err != nil {
		return err
	}
	finance := repository.Actor{UserID: financeUser.ID, Role: domain.RoleFinance, IP: "demo"}

	bill, err := demoPicture(320)
	if err != nil {
		return err
	}
	lin := d.staff[liuXiaoyan]
	grant, err := store.ApplyForGrant(ctx, lin, "care_fund", domain.GrantForm{Amount: "3000",
		Reason: "母亲突发脑梗住院两周，医保报销后自付部分约一万二千元。疫情期间我一直在发热门诊值班，家中只有我一人照顾，经济压力较大。"},
		[]repository.Upload{{Name: "住院费用清单.png", ContentType: domain.DocumentPNG, Content: bill}})
	if err != nil {
		return fmt.Errorf("demo grant: %w", err)
	}
	if err := store.TakeUpGrant(ctx, d.coordinator, grant); err != nil {
		return err
	}
	disbursement, err := store.ApproveGrant(ctx, d.coordinator, grant)
	if err != nil {
		return err
	}
	if err := store.ApproveDisbursement(ctx, finance, disbursement); err != nil {
		return err
	}
	if err := store.PayDisbursement(ctx, finance, disbursement, "ICBC-DEMO-GRANT-0001"); err != nil {
		return err
	}
	if _, err := store.ApplyForGrant(ctx, d.staff[zhouJianguo], "care_fund", domain.GrantForm{Amount: "2000",
		Reason: "援鄂归来后隔离期间家中老人看病的交通和护理费用。"}, nil); err != nil {
		return err
	}

	// His parking for the ride he gave her (the demo's care story: rideGivenAndRated).
	zhao := d.volunteers[zhaoZhiqiang]
	services, err := store.ClaimableServices(ctx, zhao.UserID)
	if err != nil || len(services) == 0 {
		return err
	}
	ride := services[len(services)-1] // the oldest: the ride she rated
	receipt, err := demoPicture(160)
	if err != nil {
		return err
	}
	claim, err := store.SubmitClaim(ctx, zhao, ride.ID, domain.ClaimForm{Category: "parking", Amount: "15",
		Note: "浙大一院地下停车场，等候约一小时。"}, []repository.Upload{{Name: "停车票.png", ContentType: domain.DocumentPNG, Content: receipt}})
	if err != nil {
		return fmt.Errorf("demo claim: %w", err)
	}
	staffOfRide := lin
	if v, err := store.ClaimForReview(ctx, claim); err == nil && v.StaffID != lin.UserID {
		staffOfRide = repository.Actor{UserID: v.StaffID, Role: domain.RoleStaff, IP: "demo"}
	}
	reimburse, err := store.ConfirmClaim(ctx, staffOfRide, claim, true)
	if err != nil {
		return err
	}
	if err := store.ApproveDisbursement(ctx, finance, reimburse); err != nil {
		return err
	}
	return store.PayDisbursement(ctx, finance, reimburse, "WXPAY-DEMO-CLAIM-0001")
}

// demoPicture is a small picture standing for a photographed paper of a height: a white page with grey lines for
// its text (the standard library draws no letters).
func demoPicture(height int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 240, height))
	for y := 0; y < height; y++ {
		for x := 0; x < 240; x++ {
			c := color.RGBA{250, 250, 246, 255}
			if y%24 > 18 && x > 20 && x < 220-(y*7)%60 {
				c = color.RGBA{90, 90, 100, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}

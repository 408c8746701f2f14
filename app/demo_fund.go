package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"guanai/domain"
	"guanai/repository"
)

var demoDonors = []domain.Donor{
	{Kind: domain.DonorOrganization, Name: "杭州西湖科技有限公司", CreditCode: "91110000600037341L", PublishName: true},
	{Kind: domain.DonorOrganization, Name: "浙江钱塘建设集团有限公司", PublishName: true},
	{Kind: domain.DonorOrganization, Name: "杭州滨江电子商务有限公司", PublishName: false},
	{Kind: domain.DonorOrganization, Name: "杭州市慈善总会", PublishName: true},
	{Kind: domain.DonorOrganization, Name: "萧山纺织有限公司", PublishName: true},
	{Kind: domain.DonorIndividual, Name: "陈建华", PublishName: true},
	{Kind: domain.DonorIndividual, Name: "林小红", PublishName: false},
	{Kind: domain.DonorIndividual, Name: "黄志明", PublishName: true},
	{Kind: domain.DonorIndividual, Name: "徐静", PublishName: false},
	{Kind: domain.DonorIndividual, Name: "马丽", PublishName: true},
	{Kind: domain.DonorIndividual, Name: "朱伟东", PublishName: false},
	{Kind: domain.DonorIndividual, Name: "胡晓雯", PublishName: true},
	{Kind: domain.DonorIndividual, Name: "郭强", PublishName: false},
	{Kind: domain.DonorIndividual, Name: "何美华", PublishName: true},
}

// demoPrograms are where restricted demo gifts go; "" is an unrestricted gift, and most are.
var demoPrograms = []string{"", "", "", "", "care_fund", "care_fund", "one_to_one", "tutoring", "counselling"}

// seedDemoFund records a year of giving and spending, once.
func seedDemoFund(ctx context.Context, store *repository.Store) error {
	finance, err := store.UserByPhone(ctx, demoOperators[1].Phone)
	if err != nil {
		return err
	}
	admin, err := store.UserByPhone(ctx, demoOperators[0].Phone)
	if err != nil {
		return err
	}
	// The first demo donor's gift marks the fund as seeded: later runs (on later days, when the random dates
	// would differ) record nothing more.
	if seeded, err := store.DonationKeyExists(ctx, "demo:donor:0"); err != nil || seeded {
		return err
	}
	maker := repository.Actor{UserID: finance.ID, IP: "demo"}
	checker := repository.Actor{UserID: admin.ID, IP: "demo"}
	rng := rand.New(rand.NewPCG(2020, 2))
	today := time.Now().In(domain.Shanghai).Truncate(24 * time.Hour)
	var donorIDs []int64
	for i, d := range demoDonors {
		req := demoDonation(rng, 1000+i, today, d)
		req.NewDonor, req.Key = &demoDonors[i], fmt.Sprintf("demo:donor:%d", i)
		id, _, err := store.RecordDonation(ctx, maker, req)
		if err != nil {
			return fmt.Errorf("demo donor %s: %w", d.Name, err)
		}
		dn, err := store.DonationByID(ctx, id)
		if err != nil {
			return err
		}
		donorIDs = append(donorIDs, dn.DonorID)
	}
	for n := 1; n <= 140; n++ {
		i := rng.IntN(len(donorIDs))
		req := demoDonation(rng, n, today, demoDonors[i])
		req.DonorID = donorIDs[i]
		if _, _, err := store.RecordDonation(ctx, maker, req); err != nil {
			return fmt.Errorf("demo donation %d: %w", n, err)
		}
	}
	return seedDemoSpending(ctx, store, maker, checker)
}

// demoDonation makes the n-th demo gift: companies give more, individuals less, over the past year.
func demoDonation(rng *rand.Rand, n int, today time.Time, d domain.Donor) repository.DonationRequest {
	amount := domain.Money(rng.IntN(2000)+50) * 100
	if d.Kind == domain.DonorOrganization {
		amount = domain.Money(rng.IntN(50)+5) * 1000_00
	}
	channel := domain.DonationChannels[rng.IntN(4)]
	in := domain.DonationInput{Amount: amount, Channel: channel, ReceivedOn: today.AddDate(0, 0, -rng.IntN(360)),
		ProgramCode: demoPrograms[rng.IntN(len(demoPrograms))]}
	if channel != "cash" {
		in.Reference = fmt.Sprintf("DEMO-%s-%04d", channel, n)
	}
	return repository.DonationRequest{Key: fmt.Sprintf("demo:donation:%d", n), Input: in}
}

// seedDemoSpending moves money to the care programs and pays, approves, drafts, rejects and cancels grants, so
// every state shows somewhere, and reverses one donation recorded twice.
func seedDemoSpending(ctx context.Context, store *repository.Store, maker, checker repository.Actor) error {
	pools, err := store.Pools(ctx)
	if err != nil {
		return err
	}
	byCode := map[string]repository.Pool{}
	for _, p := range pools {
		byCode[p.Code] = p
	}
	unres, care, one := byCode["pool:unrestricted"], byCode["pool:care_fund"], byCode["pool:one_to_one"]
	if _, err := store.Allocate(ctx, maker, unres.ID, care.ID, 200000_00, "年度关爱金预算"); err != nil {
		return err
	}
	if _, err := store.Allocate(ctx, maker, unres.ID, one.ID, 50000_00, "志愿服务交通补贴"); err != nil {
		return err
	}
	grants := []struct {
		pool          int64
		amount        domain.Money
		payee, reason string
		state         string
	}{
		{care.ID, 20000_00, "浙江大学医学院附属第一医院工会", "援鄂医疗队员困难家庭关爱金", domain.DisbursementPaid},
		{care.ID, 15000_00, "杭州市西溪医院工会", "一线医务人员大病关爱金", domain.DisbursementPaid},
		{care.ID, 8000_00, "杭州市急救中心工会", "急救人员家庭困难补助", domain.DisbursementPaid},
		{one.ID, 3200_00, "杭州市志愿者协会", "志愿者出行交通补贴（第一季度）", domain.DisbursementPaid},
		{care.ID, 12000_00, "杭州市疾病预防控制中心工会", "疾控人员关爱金", domain.DisbursementPaid},
		{care.ID, 6000_00, "浙江省人民医院工会", "子女教育困难补助", domain.DisbursementApproved},
		{one.ID, 2800_00, "杭州市志愿者协会", "志愿者出行交通补贴（第二季度）", domain.DisbursementApproved},
		{care.ID, 10000_00, "杭州市萧山区第一人民医院工会", "一线医务人员关爱金", domain.DisbursementDraft},
		{unres.ID, 1500_00, "杭州某印刷厂", "宣传资料印制", domain.DisbursementDraft},
		{care.ID, 50000_00, "某医院", "材料不全的申请", domain.DisbursementRejected},
		{one.ID, 900_00, "杭州市志愿者协会", "重复提交", domain.DisbursementCancelled},
	}
	for i, g := range grants {
		id, err := store.CreateDisbursement(ctx, maker, repository.DisbursementDraft{PoolID: g.pool, Amount: g.amount,
			Payee: g.payee, Purpose: g.reason})
		if err != nil {
			return err
		}
		if err := demoMove(ctx, store, maker, checker, id, g.state, i); err != nil {
			return fmt.Errorf("demo disbursement %d: %w", i, err)
		}
	}
	list, err := store.ListDonations(ctx, repository.DonationFilter{}, domain.Cursor{})
	if err != nil || len(list.Rows) == 0 {
		return err
	}
	return store.ReverseDonation(ctx, maker, list.Rows[len(list.Rows)-1].ID, "银行退回：重复入账")
}

func demoMove(ctx context.Context, store *repository.Store, maker, checker repository.Actor, id int64, state string, i int) error {
	switch state {
	case domain.DisbursementRejected:
		return store.RejectDisbursement(ctx, checker, id, "申请材料不全，请补充后重新提交")
	case domain.DisbursementCancelled:
		return store.CancelDisbursement(ctx, maker, id, "与第 10 号重复")
	case domain.DisbursementDraft:
		return nil
	}
	if err := store.ApproveDisbursement(ctx, checker, id); err != nil {
		return err
	}
	if state == domain.DisbursementPaid {
		return store.PayDisbursement(ctx, maker, id, fmt.Sprintf("ICBC-DEMO-%04d", i+1))
	}
	return nil
}

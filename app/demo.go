package app

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"guanai/config"
	"guanai/domain"
	"guanai/repository"
)

// DemoPassword is every demo account's password; `demo` prints it with the logins.
const DemoPassword = "guanai-demo"

var demoOperators = []repository.NewAccount{
	{Phone: "13800000001", Name: "王管理", Role: domain.RoleAdmin},
	{Phone: "13800000002", Name: "李财务", Role: domain.RoleFinance},
	{Phone: "13800000003", Name: "张协调", Role: domain.RoleCoordinator},
	{Phone: "13800000004", Name: "陈审计", Role: domain.RoleAuditor},
}

// Demo staff work at real Hangzhou hospitals (reference.json); names are invented.
var demoStaff = []struct {
	name, hospital, dept, position, category, district, address string
	children                                                    []domain.Child
}{
	{"刘晓燕", "浙江大学医学院附属第一医院", "呼吸内科", "护士", "hubei_team", "shangcheng", "上城区庆春路79号",
		[]domain.Child{{Name: "刘小满", BirthYear: 2016, Grade: "g4"}}},
	{"周建国", "杭州市西溪医院", "感染科", "主治医师", "designated", "xihu", "西湖区文一西路",
		[]domain.Child{{Name: "周子涵", BirthYear: 2012, Grade: "g8"}, {Name: "周子墨", BirthYear: 2019, Grade: "k"}}},
	{"吴静", "杭州市急救中心", "调度科", "急救医生", "emergency_center", "gongshu", "拱墅区莫干山路", nil},
	{"孙丽华", "杭州市疾病预防控制中心", "流行病学科", "疾控医师", "cdc", "gongshu", "拱墅区明石路", nil},
	{"郑海峰", "杭州市萧山区第一人民医院", "重症医学科", "护士长", "designated", "xiaoshan", "萧山区城厢街道",
		[]domain.Child{{Name: "郑一诺", BirthYear: 2014, Grade: "g6"}}},
}

var demoVolunteers = []struct {
	name, id  string
	districts []string
	quals     []domain.QualificationClaim
}{
	{"赵志强", "330102199001011234", []string{"shangcheng", "gongshu"}, []domain.QualificationClaim{{Code: domain.QualDriver, Detail: "浙A·D12345"}, {Code: domain.QualErrands}}},
	{"钱美玲", "330106198805052345", []string{"xihu"}, []domain.QualificationClaim{{Code: domain.QualCounsellor, Detail: "心理咨询师二级 2019-3301-0456"}}},
	{"孙浩然", "330108199512123456", []string{"binjiang", "xiaoshan"}, []domain.QualificationClaim{{Code: domain.QualTutor, Detail: "初中数学、物理"}}},
	{"李雨桐", "330105199703034567", []string{"gongshu"}, []domain.QualificationClaim{{Code: domain.QualTutor, Detail: "小学语文、英语"}, {Code: domain.QualErrands}}},
	{"周伟", "330110198512125678", []string{"yuhang", "linping"}, []domain.QualificationClaim{{Code: domain.QualDriver, Detail: "浙A·F67890"}}},
	{"吴婷婷", "330109199208086789", []string{"xiaoshan"}, []domain.QualificationClaim{{Code: domain.QualErrands}}},
	{"郑凯", "330104198907077890", []string{"shangcheng"}, []domain.QualificationClaim{{Code: domain.QualDriver, Detail: "浙A·K24680"}, {Code: domain.QualTutor, Detail: "高中化学"}}},
	{"王芳", "330103199110108901", []string{"xihu", "shangcheng"}, []domain.QualificationClaim{{Code: domain.QualCounsellor, Detail: "心理治疗师 2020-3301-0789"}}},
	{"冯磊", "330111199306069012", []string{"fuyang"}, []domain.QualificationClaim{{Code: domain.QualErrands}}},
	{"陈思远", "330112199804040123", []string{"binjiang"}, []domain.QualificationClaim{{Code: domain.QualTutor, Detail: "小学数学"}}},
}

// seedDemo loads the demo accounts. It is idempotent: an account that exists already is left as it is.
func seedDemo(ctx context.Context, store *repository.Store) error {
	for _, op := range demoOperators {
		op.Password = DemoPassword
		_, err := store.CreateOperator(ctx, repository.Actor{IP: "demo"}, op)
		if err := skipExisting(err); err != nil {
			return err
		}
	}
	coordinator, err := store.UserByPhone(ctx, demoOperators[2].Phone)
	if err != nil {
		return err
	}
	verifier := repository.Actor{UserID: coordinator.ID, IP: "demo"}
	for i, s := range demoStaff {
		reg := domain.StaffRegistration{
			Account: domain.Account{Name: s.name, Phone: "1390000000" + strconv.Itoa(i+1), Password: DemoPassword, PrivacyConsent: true},
			Profile: domain.StaffProfile{Hospital: s.hospital, Department: s.dept, Position: s.position, Category: s.category,
				District: s.district, Address: s.address, Children: s.children},
			ChildrenConsent: len(s.children) > 0,
		}
		u, err := store.RegisterStaff(ctx, "demo", reg)
		if err != nil {
			if skipExisting(err) == nil {
				continue
			}
			return err
		}
		if u.Status == domain.StatusPending {
			if err := store.DecideAccount(ctx, verifier, u.ID, true, ""); err != nil {
				return err
			}
		}
	}
	for i, v := range demoVolunteers {
		phone := fmt.Sprintf("137%08d", i+1)
		reg := domain.VolunteerRegistration{
			Account: domain.Account{Name: v.name, Phone: phone, Password: DemoPassword, PrivacyConsent: true},
			Profile: domain.VolunteerProfile{IDNumber: v.id[:17] + string(domain.IDCheckChar(v.id[:17])), Districts: v.districts, Qualifications: v.quals,
				Availability: []string{"mon_eve", "wed_eve", "sat_am", "sat_pm", "sun_am"}, Capacity: 2},
		}
		u, err := store.RegisterVolunteer(ctx, "demo", reg)
		if err != nil {
			if skipExisting(err) == nil {
				continue
			}
			return err
		}
		if err := verifyAll(ctx, store, verifier, u.ID); err != nil {
			return err
		}
		if err := demoMatchingFacts(ctx, store, u.ID, reg.Profile); err != nil {
			return err
		}
	}
	if err := seedDemoWaiting(ctx, store, verifier); err != nil {
		return err
	}
	if err := seedDemoFund(ctx, store); err != nil {
		return err
	}
	if err := seedDemoCare(ctx, store); err != nil {
		return err
	}
	if err := seedDemoBenefits(ctx, store); err != nil {
		return err
	}
	if err := seedDemoGrants(ctx, store); err != nil {
		return err
	}
	return seedDemoCertificates(ctx, store)
}

// demoMatchingFacts gives the demo drivers their seats and the tutors their subjects and grades, as the
// volunteer's profile page would; the verified qualifications stay verified.
func demoMatchingFacts(ctx context.Context, store *repository.Store, userID int64, p domain.VolunteerProfile) error {
	f := domain.VolunteerFacts{Districts: p.Districts, Qualifications: p.Qualifications, Availability: p.Availability,
		Capacity: p.Capacity, GradeFrom: -1, GradeTo: -1}
	if f.Has(domain.QualDriver) {
		f.VehicleSeats = 4
	}
	if f.Has(domain.QualTutor) {
		f.Subjects = []string{"math", "chinese", "english"}
		f.GradeFrom, f.GradeTo = domain.GradeIndex("g1"), domain.GradeIndex("g9")
	}
	_, err := store.UpdateVolunteerFacts(ctx, repository.Actor{UserID: userID, Role: domain.RoleVolunteer, IP: "demo"}, userID, f)
	return err
}

// seedDemoWaiting leaves a coordinator something to do: the health authority's list once confirmed and a new one
// waiting, two staff registrations the list does not cover, a volunteer waiting to be verified, and a verified
// volunteer whose second qualification is still to check. The first waiting staff member marks it done.
func seedDemoWaiting(ctx context.Context, store *repository.Store, coordinator repository.Actor) error {
	if _, err := store.UserByPhone(ctx, "13900000006"); err == nil {
		return nil
	}
	list := [][]string{{"姓名", "手机号", "医院", "类别"}}
	for i, s := range demoStaff[:3] {
		list = append(list, []string{s.name, "1390000000" + strconv.Itoa(i+1), s.hospital, s.category})
	}
	if err := demoEligibilityList(ctx, store, coordinator, "卫健委一线名单（第一批）.csv", list, true); err != nil {
		return err
	}
	waiting := [][]string{{"姓名", "手机号", "医院", "类别"},
		{"陈晓明", "13900000101", "浙江省人民医院", "定点医院"}, {"林静", "13900000102", "杭州市第一人民医院", "急救中心"},
		{"王磊", "1390000010", "杭州市西溪医院", "定点医院"}, {"赵敏", "13900000104", "杭州市红十字会医院", "其他类别"}}
	if err := demoEligibilityList(ctx, store, coordinator, "卫健委一线名单（第二批）.xlsx", waiting, false); err != nil {
		return err
	}
	for i, p := range []struct{ name, hospital, dept, district string }{
		{"何雪梅", "杭州市中医院", "护理部", "xihu"}, {"黄家豪", "杭州市儿童医院", "急诊科", "shangcheng"}} {
		_, err := store.RegisterStaff(ctx, "demo", domain.StaffRegistration{
			Account: domain.Account{Name: p.name, Phone: "1390000000" + strconv.Itoa(i+6), Password: DemoPassword, PrivacyConsent: true},
			Profile: domain.StaffProfile{Hospital: p.hospital, Department: p.dept, Position: "护士", Category: "other",
				District: p.district, Address: "杭州市"}})
		if err := skipExisting(err); err != nil {
			return err
		}
	}
	pending := []struct {
		name, id string
		quals    []domain.QualificationClaim
		verified bool
	}{
		{"蒋文博", "330106199402026543", []domain.QualificationClaim{{Code: domain.QualDriver, Detail: "浙A·M13579"}}, false},
		{"沈佳怡", "330105199609097654", []domain.QualificationClaim{{Code: domain.QualErrands}, {Code: domain.QualTutor, Detail: "小学英语"}}, true},
	}
	for i, v := range pending {
		u, err := store.RegisterVolunteer(ctx, "demo", domain.VolunteerRegistration{
			Account: domain.Account{Name: v.name, Phone: fmt.Sprintf("137%08d", 11+i), Password: DemoPassword, PrivacyConsent: true},
			Profile: domain.VolunteerProfile{IDNumber: v.id[:17] + string(domain.IDCheckChar(v.id[:17])), Districts: []string{"xihu"},
				Qualifications: v.quals, Availability: []string{"sat_am", "sun_pm"}, Capacity: 2}})
		if err != nil {
			if skipExisting(err) == nil {
				continue
			}
			return err
		}
		if !v.verified {
			continue
		}
		if err := store.DecideAccount(ctx, coordinator, u.ID, true, ""); err != nil {
			return err
		}
		p, err := store.PersonByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if _, err := store.DecideQualification(ctx, coordinator, p.Qualifications[0].ID, true, ""); err != nil {
			return err
		}
	}
	return nil
}

// demoEligibilityList uploads a list, and confirms it when told to.
func demoEligibilityList(ctx context.Context, store *repository.Store, by repository.Actor, file string, records [][]string, confirm bool) error {
	rows, err := domain.CheckEligibilityRows(records)
	if err != nil {
		return err
	}
	id, err := store.SaveEligibilityPreview(ctx, by, file, rows)
	if err != nil || !confirm {
		return err
	}
	_, err = store.ConfirmEligibility(ctx, by, id)
	return err
}

// skipExisting treats "this phone is taken" as done: the demo account is there from an earlier run.
func skipExisting(err error) error {
	if fe, ok := fieldErrors(err); ok && fe["phone"] == "error.phone_taken" {
		return nil
	}
	return err
}

func verifyAll(ctx context.Context, store *repository.Store, verifier repository.Actor, userID int64) error {
	if err := store.DecideAccount(ctx, verifier, userID, true, ""); err != nil {
		return err
	}
	p, err := store.PersonByID(ctx, userID)
	if err != nil {
		return err
	}
	for _, q := range p.Qualifications {
		if _, err := store.DecideQualification(ctx, verifier, q.ID, true, ""); err != nil {
			return err
		}
	}
	return nil
}

func printDemoLogins(w io.Writer, cfg config.Config) {
	fmt.Fprintf(w, "\nDemo data is loaded. Open %s and log in with any of these (password %q):\n", cfg.BaseURL, DemoPassword)
	for _, op := range append(demoOperators[:len(demoOperators):len(demoOperators)], demoVenues...) {
		fmt.Fprintf(w, "  %-12s %s  %s\n", op.Role, op.Phone, op.Name)
	}
	fmt.Fprintf(w, "  %-12s 13900000001 … 13900000005 (13900000006, 13900000007 wait for verification)\n", domain.RoleStaff)
	fmt.Fprintf(w, "  %-12s 13700000001 … 13700000010 (13700000011 waits; 13700000012 has a qualification to check)\n\n",
		domain.RoleVolunteer)
}

package app

import (
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// auditText is a line as a reader takes it in: the sentence, then the details.
func auditText(l auditLine) string {
	var b strings.Builder
	b.WriteString(l.Actor + " " + l.Did)
	if s := l.Subject; s != nil {
		for _, part := range []string{s.Prefix, s.Number} {
			if part != "" {
				b.WriteString(" " + part)
			}
		}
		if s.Number != "" && s.Name != "" {
			b.WriteString(" ·")
		}
		if s.Name != "" {
			b.WriteString(" " + s.Name)
		}
		if s.Note != "" {
			b.WriteString(" · " + s.Note)
		}
	}
	for i, d := range l.Details {
		if i == 0 {
			b.WriteString(" | ")
		} else {
			b.WriteString("; ")
		}
		if d.Label != "" {
			b.WriteString(d.Label + " ")
		}
		b.WriteString(d.Before)
		if d.Before != "" && d.After != "" {
			b.WriteString(" → ")
		}
		b.WriteString(d.After)
	}
	return b.String()
}

func TestAuditWords(t *testing.T) {
	tr := newTranslator()
	pools := []repository.Pool{{Code: "pool:unrestricted", NameZh: "非定向资金", NameEn: "Unrestricted fund"},
		{Code: "pool:care_fund", ProgramCode: "care_fund", NameZh: "关爱基金（定向）", NameEn: "Care fund grants (restricted)"}}
	id := func(n int64) *int64 { return &n }
	actor := id(3)
	staff := repository.AuditSubject{Found: true, Name: "王芳", Role: domain.RoleStaff}
	for _, c := range []struct {
		name string
		lang string
		e    repository.AuditEntry
		want string
	}{
		{"an action and fields no one taught it read as their codes", langZh,
			repository.AuditEntry{Action: "widget.frobnicate", SubjectType: "widget", SubjectID: id(7),
				Before: `{"colour":"red","size":2}`, After: `{"colour":"blue","size":2,"tags":["a","b"],"nested":{"x":1},"ok":true}`},
			"系统 widget.frobnicate widget #7 | colour red → blue; nested.x 1; ok 是; size 2; tags a, b"},
		{"what is not an object is shown as it is", langZh,
			repository.AuditEntry{Action: "widget.frobnicate", SubjectType: "export", Before: `{"amount":`, After: `[1,2]`},
			"系统 widget.frobnicate | {\"amount\": → [1,2]"},
		{"a reactivation: the state changed, the reason went", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "张管理", Action: "account.status", SubjectType: "user", SubjectID: id(5), Subject: staff,
				Before: `{"role":"staff","status":"suspended","reason":"冒用他人身份"}`, After: `{"role":"staff","status":"active","reason":""}`},
			"张管理 更改账户状态 王芳 · 医务人员 | 状态 已停用 → 已认证; 原因 “冒用他人身份” → —"},
		{"a role that changed is told", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "张管理", Action: "account.status", SubjectType: "user", SubjectID: id(5), Subject: staff,
				Before: `{"role":"volunteer","status":"active"}`, After: `{"role":"staff","status":"active"}`},
			"张管理 更改账户状态 王芳 · 医务人员 | 状态 已认证; 角色 志愿者 → 医务人员"},
		{"an allocation between pools", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "ledger.allocate", SubjectType: "ledger_transaction", SubjectID: id(12),
				After: `{"from":"pool:unrestricted","to":"pool:care_fund","amount":500000,"reason":"支援关爱基金"}`},
			"钱财务 在资金池间调拨 账目 #12 | 金额 ¥5,000.00; 调出 非定向资金; 调入 关爱基金（定向）; 原因 “支援关爱基金”"},
		{"the same in English", langEn,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "ledger.allocate", SubjectType: "ledger_transaction", SubjectID: id(12),
				After: `{"from":"pool:unrestricted","to":"pool:care_fund","amount":500000,"reason":"支援关爱基金"}`},
			"钱财务 moved money between pools in transaction #12 | amount ¥5,000.00; from Unrestricted fund; to Care fund grants (restricted); reason “支援关爱基金”"},
		{"a statement's columns, counted from one", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "statement.map", SubjectType: "statement_import", SubjectID: id(4),
				Subject: repository.AuditSubject{Found: true, Name: "三月.csv"}, After: `{"header_row":2,"columns":{"date":0,"payer":1,"amount":3}}`},
			"钱财务 选择流水各列的含义 三月.csv | 表头 第 3 行; 交易日期 第 1 列; 付款人（对方户名） 第 2 列; 收入金额（贷方） 第 4 列"},
		{"a statement's upload, restricted to a program", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "statement.upload", SubjectType: "statement_import", SubjectID: id(4),
				Subject: repository.AuditSubject{Found: true, Name: "三月.csv"}, After: `{"filename":"三月.csv","lines":120,"channel":"alipay","program":"care_fund"}`},
			"钱财务 上传银行流水 三月.csv | 渠道 支付宝; 定向项目 关爱基金（定向）; 行数 120"},
		{"an upload whose row is gone still says its file", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "statement.upload", SubjectType: "statement_import", SubjectID: id(4),
				After: `{"filename":"三月.csv","lines":120,"channel":"bank_transfer","program":""}`},
			"钱财务 上传银行流水 银行流水 #4 | 渠道 银行转账; 文件 三月.csv; 行数 120"},
		{"a copy of a receipt: its number is the subject's", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "receipt.reissue", SubjectType: "donation", SubjectID: id(1),
				Subject: repository.AuditSubject{Found: true, Name: "王爱心", Receipt: "2026-000001"}, After: `{"number":"2026-000001"}`},
			"钱财务 补打收据复制件 收据 2026-000001 · 王爱心"},
		{"an eligibility import's counts, written with Go's field names", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "孙协调", Action: "eligibility.confirm", SubjectType: "eligibility_import", SubjectID: id(2),
				Subject: repository.AuditSubject{Found: true, Name: "名单.xlsx"}, After: `{"Added":2,"Updated":0,"Unchanged":1,"Skipped":1,"Activated":1}`},
			"孙协调 确认导入一线名单 名单.xlsx | 新增 2; 更新 0; 未变 1; 自动认证 1; 跳过 1"},
		{"activated by the list", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "孙协调", Action: "account.verify", SubjectType: "user", SubjectID: id(5), Subject: staff,
				Before: `{"status":"pending"}`, After: `{"status":"active","by":"eligibility_list"}`},
			"孙协调 审核注册 王芳 · 医务人员 | 状态 待审核 → 已认证; 方式 按一线名单自动认证"},
		{"a qualification, with its own states", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "孙协调", Action: "qualification.verify", SubjectType: "user", SubjectID: id(6),
				Subject: repository.AuditSubject{Found: true, Name: "李志愿", Role: domain.RoleVolunteer},
				Before:  `{"code":"driver","status":"pending"}`, After: `{"code":"driver","status":"rejected","reason":"驾照过期"}`},
			"孙协调 核验资质 李志愿 · 志愿者 | 状态 待核验 → 未通过; 资质 司机(自有车辆); 原因 “驾照过期”"},
		{"a reset link's lifetime, in Shanghai time", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "孙协调", Action: "password.reset_link", SubjectType: "user", SubjectID: id(5), Subject: staff,
				After: `{"expires_at":"2026-03-01T06:30:00.123456Z"}`},
			"孙协调 发放密码重置链接 王芳 · 医务人员 | 有效至 2026年3月1日 14:30"},
		{"a payment, its subject gone from view", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "disbursement.paid", SubjectType: "disbursement", SubjectID: id(9),
				Before: `{"status":"approved"}`, After: `{"status":"paid","amount":60000,"reason":"","bank_reference":"ICBC-0001"}`},
			"钱财务 登记支出已付款 支出 #9 | 状态 已审批 → 已支付; 金额 ¥600.00; 付款流水号 ICBC-0001"},
		{"a donation names its donor and receipt, not the donor's id", langZh,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "donation.record", SubjectType: "donation", SubjectID: id(1),
				Subject: repository.AuditSubject{Found: true, Name: "王爱心", Receipt: "2026-000001"},
				After:   `{"amount":123456,"channel":"wechat_pay","pool":"pool:care_fund","donor_id":77}`},
			"钱财务 录入捐赠 收据 2026-000001 · 王爱心 | 金额 ¥1,234.56; 渠道 微信支付; 资金池 关爱基金（定向）"},
		{"an export has no subject", langEn,
			repository.AuditEntry{ActorID: actor, ActorName: "钱财务", Action: "export.download", SubjectType: "export", After: `{"file":"donations-2026.csv"}`},
			"钱财务 downloaded an export | file donations-2026.csv"},
		{"a registration", langEn,
			repository.AuditEntry{ActorID: id(5), ActorName: "王芳", Action: "account.register", SubjectType: "user", SubjectID: id(5), Subject: staff,
				After: `{"role":"staff","status":"pending","reason":"","eligible":true}`},
			"王芳 registered the account 王芳 · Medical staff | status Pending; frontline list on the list"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Page{Lang: c.lang, loc: tr.localizer(c.lang), User: &domain.User{Role: domain.RoleAdmin},
				may: func(string) bool { return true }}
			if got := auditText(newAuditWords(p, pools).line(c.e)); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// A subject is linked only where its viewer may go: by the route table, and for accounts by who may see whom.
func TestAuditSubjectLinks(t *testing.T) {
	tr := newTranslator()
	id := int64(5)
	admin := repository.AuditSubject{Found: true, Name: "张管理", Role: domain.RoleAdmin}
	staff := repository.AuditSubject{Found: true, Name: "王芳", Role: domain.RoleStaff}
	for _, c := range []struct {
		viewer  domain.Role
		mayOpen string
		e       repository.AuditEntry
		link    string
	}{
		{domain.RoleAuditor, "/admin/people/5", repository.AuditEntry{SubjectType: "user", SubjectID: &id, Subject: staff}, "/admin/people/5"},
		{domain.RoleAuditor, "/admin/people/5", repository.AuditEntry{SubjectType: "user", SubjectID: &id, Subject: admin}, ""},
		{domain.RoleAdmin, "/admin/people/5", repository.AuditEntry{SubjectType: "user", SubjectID: &id, Subject: admin}, "/admin/people/5"},
		{domain.RoleAuditor, "", repository.AuditEntry{SubjectType: "eligibility_import", SubjectID: &id,
			Subject: repository.AuditSubject{Found: true, Name: "名单.csv"}}, ""},
		{domain.RoleAdmin, "/admin/eligibility/imports/5", repository.AuditEntry{SubjectType: "eligibility_import", SubjectID: &id,
			Subject: repository.AuditSubject{Found: true, Name: "名单.csv"}}, "/admin/eligibility/imports/5"},
		{domain.RoleAdmin, "/admin/donations/5", repository.AuditEntry{SubjectType: "donation", SubjectID: &id}, ""}, // gone
	} {
		p := &Page{Lang: langZh, loc: tr.localizer(langZh), User: &domain.User{Role: c.viewer},
			may: func(target string) bool { return target == c.mayOpen }}
		s := newAuditWords(p, nil).subject(c.e)
		if s == nil || s.Link != c.link {
			t.Errorf("%s viewing %s %+v: subject %+v, want the link %q", c.viewer, c.e.SubjectType, c.e.Subject, s, c.link)
		}
	}
}

package domain_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"guanai/domain"
)

// now is a fixed "today" for the checks: 2026-03-10 10:00 in Shanghai.
var statementNow = time.Date(2026, 3, 10, 10, 0, 0, 0, domain.Shanghai)

func TestParseStatementDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" for refused
	}{
		{"2026-03-01", "2026-03-01"},
		{"2026/3/1", "2026-03-01"},
		{"2026/03/01", "2026-03-01"},
		{"20260301", "2026-03-01"},
		{"2026.3.1", "2026-03-01"},
		{"2026年3月1日", "2026-03-01"},
		{" ２０２６－０３－０１ ", "2026-03-01"},
		{"2026-03-01 14:30:00", "2026-03-01"},
		{"2026/3/1 9:05", "2026-03-01"},
		{"2026-03-01T14:30:00+08:00", "2026-03-01"},
		{"20260301143000", "2026-03-01"},
		{"2026-02-30", ""},
		{"2026-13-01", ""},
		{"1999-12-31", ""},
		{"03-01-26", ""},
		{"Mar-26", ""},
		{"", ""},
		{"合计", ""},
		{"2026030", ""},
	} {
		got, ok := domain.ParseStatementDate(tc.in)
		switch {
		case tc.want == "" && ok:
			t.Errorf("%q: read as %s, want refused", tc.in, got.Format("2006-01-02"))
		case tc.want != "" && (!ok || got.Format("2006-01-02") != tc.want || got.Location() != domain.Shanghai || got.Hour() != 0):
			t.Errorf("%q: got %v %v, want %s midnight in Shanghai", tc.in, got, ok, tc.want)
		}
	}
}

func TestGuessStatementMapping(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records [][]string
		header  int
		want    map[string]int
	}{
		{"bank, Chinese, two amount columns", [][]string{
			{"交易日期", "交易时间", "借方金额", "贷方金额", "余额", "对方账号", "对方户名", "摘要", "附言", "交易流水号"},
		}, 0, map[string]int{"date": 0, "debit": 2, "amount": 3, "payer": 6, "memo": 8, "reference": 9}},
		{"bank with a preamble and units", [][]string{
			{"账号：3301 0400 0000 1234"}, {"户名：杭州市医务人员关爱基金", "币种：人民币"}, {},
			{"记账日期", "凭证号", "付款人名称", "收入金额（元）", "支出金额（元）", "用途"},
		}, 3, map[string]int{"date": 0, "reference": 1, "payer": 2, "amount": 3, "debit": 4, "memo": 5}},
		{"WeChat Pay bill", [][]string{
			{"微信支付账单明细"}, {"微信昵称：[关爱基金]"}, {"起始时间：[2026-03-01 00:00:00] 终止时间：[2026-03-31 23:59:59]"},
			{"交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态", "交易单号", "商户单号", "备注"},
		}, 3, map[string]int{"date": 0, "payer": 2, "memo": 3, "direction": 4, "amount": 5, "reference": 8}},
		{"Alipay bill", [][]string{
			{"交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式", "交易状态", "交易订单号", "商家订单号", "备注"},
		}, 0, map[string]int{"date": 0, "payer": 2, "memo": 4, "direction": 5, "amount": 6, "reference": 9}},
		{"English", [][]string{
			{"Value Date", "Counterparty Name", "Debit", "Credit", "Balance", "Reference No.", "Remarks"},
		}, 0, map[string]int{"date": 0, "payer": 1, "debit": 2, "amount": 3, "reference": 5, "memo": 6}},
		{"our own name is not the payer", [][]string{
			{"日期", "本方户名", "付款人", "金额", "流水号"},
		}, 0, map[string]int{"date": 0, "payer": 2, "amount": 3, "reference": 4}},
		{"nothing recognisable", [][]string{{"a", "b", "c"}, {"1", "2", "3"}}, 0, map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := domain.GuessStatementMapping(tc.records)
			if m.HeaderRow != tc.header {
				t.Errorf("header row %d, want %d", m.HeaderRow, tc.header)
			}
			for role, want := range tc.want {
				if got := m.Col(role); got != want {
					t.Errorf("%s: column %d, want %d", role, got, want)
				}
			}
			for role, got := range m.Columns {
				if _, ok := tc.want[role]; !ok {
					t.Errorf("%s guessed as column %d, want none", role, got)
				}
			}
		})
	}
}

func TestStatementMappingCheck(t *testing.T) {
	records := [][]string{{"日期", "户名", "金额", "流水号", "摘要"}, {"2026-03-01", "王芳", "100", "A1", ""}}
	ok := domain.StatementMapping{Columns: map[string]int{"date": 0, "payer": 1, "amount": 2, "reference": 3, "memo": 4}}
	if fe := ok.Check(records); len(fe) != 0 {
		t.Fatalf("a complete mapping: %v", fe)
	}
	missing := domain.StatementMapping{Columns: map[string]int{"date": 0, "amount": 2}}
	fe := missing.Check(records)
	if fe["col_payer"] != "statement.column_required" || fe["col_reference"] != "statement.column_required" || len(fe) != 2 {
		t.Errorf("missing columns: %v", fe)
	}
	twice := domain.StatementMapping{Columns: map[string]int{"date": 0, "payer": 1, "amount": 2, "reference": 2}}
	if fe := twice.Check(records); fe["col_reference"] != "statement.column_twice" {
		t.Errorf("one column for two roles: %v", fe)
	}
	beyond := domain.StatementMapping{HeaderRow: 5, Columns: map[string]int{"date": 0, "payer": 1, "amount": 2, "reference": 9}}
	if fe := beyond.Check(records); fe["col_reference"] != "statement.column_invalid" || fe["header_row"] == "" {
		t.Errorf("a column and header beyond the file: %v", fe)
	}
	if ok.Version() == twice.Version() || ok.Version() != (domain.StatementMapping{Columns: map[string]int{"memo": 4,
		"reference": 3, "amount": 2, "payer": 1, "date": 0}}).Version() {
		t.Error("Version does not identify the mapping")
	}
}

var bankMapping = domain.StatementMapping{Columns: map[string]int{"date": 0, "payer": 1, "debit": 2, "amount": 3, "reference": 4, "memo": 5}}

func checkOne(t *testing.T, cells ...string) domain.StatementRow {
	t.Helper()
	rows := domain.CheckStatement([][]string{{"h"}, cells}, bankMapping, "bank_transfer", statementNow)
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	return rows[0]
}

func TestCheckStatementRows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cells  []string
		status string
		what   string // the skip reason or the first error
	}{
		{"a gift", []string{"2026-03-01", "王芳", "", "1,234.56", "B202603010001", "捐款"}, domain.RowImport, ""},
		{"an organisation", []string{"2026/3/2", "杭州某某科技有限公司", "0.00", "¥50000", "B2", "抗疫捐赠"}, domain.RowImport, ""},
		{"outgoing", []string{"2026-03-01", "杭州市西溪医院", "3,000.00", "", "B3", "拨付"}, domain.RowSkip, domain.SkipOutgoing},
		{"signed negative", []string{"2026-03-01", "手续费", "", "-12.00", "B4", ""}, domain.RowSkip, domain.SkipOutgoing},
		{"accounting brackets", []string{"2026-03-01", "手续费", "", "(12.00)", "B4", ""}, domain.RowSkip, domain.SkipOutgoing},
		{"no credit", []string{"2026-03-01", "结息", "", "", "B5", ""}, domain.RowSkip, domain.SkipNoCredit},
		{"zero credit", []string{"2026-03-01", "结息", "", "0.00", "B5", ""}, domain.RowSkip, domain.SkipNoCredit},
		{"totals line", []string{"合计", "", "3,012.00", "51,234.56", "", ""}, domain.RowSkip, domain.SkipSummary},
		{"both amounts", []string{"2026-03-01", "王芳", "10", "10", "B6", ""}, domain.RowError, "statement.both_amounts"},
		{"bad amount", []string{"2026-03-01", "王芳", "", "12a", "B7", ""}, domain.RowError, "error.amount_invalid"},
		{"three decimals", []string{"2026-03-01", "王芳", "", "1.234", "B7", ""}, domain.RowError, "error.amount_decimals"},
		{"too large", []string{"2026-03-01", "王芳", "", "100000000.01", "B7", ""}, domain.RowError, "error.amount_too_large"},
		{"bad date", []string{"2026-02-30", "王芳", "", "100", "B8", ""}, domain.RowError, "statement.date_invalid"},
		{"no date", []string{"", "王芳", "", "100", "B8", ""}, domain.RowError, "statement.date_missing"},
		{"future date", []string{"2026-03-11", "王芳", "", "100", "B9", ""}, domain.RowError, "statement.date_future"},
		{"today", []string{"20260310", "王芳", "", "100", "B9", ""}, domain.RowImport, ""},
		{"no payer", []string{"2026-03-01", " ", "", "100", "B10", ""}, domain.RowError, "statement.payer_missing"},
		{"long payer", []string{"2026-03-01", strings.Repeat("长", 101), "", "100", "B10", ""}, domain.RowError, "statement.payer_too_long"},
		{"no reference", []string{"2026-03-01", "王芳", "", "100", "", ""}, domain.RowError, "statement.reference_missing"},
		{"long reference", []string{"2026-03-01", "王芳", "", "100", strings.Repeat("1", 101), ""}, domain.RowError, "statement.reference_too_long"},
		{"shortened by Excel", []string{"2026-03-01", "王芳", "", "100", "1.23457E+19", ""}, domain.RowError, "statement.reference_scientific"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := checkOne(t, tc.cells...)
			if r.Status != tc.status {
				t.Fatalf("status %s (%s %v), want %s", r.Status, r.Reason, r.Errors, tc.status)
			}
			switch tc.status {
			case domain.RowSkip:
				if r.Reason != tc.what {
					t.Errorf("reason %s, want %s", r.Reason, tc.what)
				}
			case domain.RowError:
				if !slices.Contains(r.Errors, tc.what) {
					t.Errorf("errors %v, want %s", r.Errors, tc.what)
				}
			}
			for _, k := range append(r.Errors, r.Reason) {
				if k != "" && !slices.Contains(domain.StatementMessageKeys, k) {
					t.Errorf("key %s is not in StatementMessageKeys", k)
				}
			}
		})
	}
}

func TestCheckStatementValues(t *testing.T) {
	r := checkOne(t, "2026/3/1 14:30", " 杭州某某科技有限公司 ", "", "+1,234.56", `="0012345678"`, "  捐赠\t抗疫 ")
	if r.Status != domain.RowImport || r.Date != "2026-03-01" || r.Payer != "杭州某某科技有限公司" || r.Amount != 1234_56 ||
		r.Reference != "0012345678" || r.DonorKind != domain.DonorOrganization || r.Memo != "捐赠抗疫" {
		t.Fatalf("%+v", r)
	}
	in := r.Input("bank_transfer", "care_fund")
	if in.Amount != 1234_56 || in.Channel != "bank_transfer" || in.ProgramCode != "care_fund" ||
		!in.ReceivedOn.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, domain.Shanghai)) || in.Reference != "0012345678" {
		t.Errorf("input %+v", in)
	}
	if d := r.Donor(); d.PublishName || d.Kind != domain.DonorOrganization {
		t.Errorf("a donor from a statement is published: %+v", d)
	}
	huge := checkOne(t, "2026-03-01", strings.Repeat("长", 5000), "", "1", strings.Repeat("9", 5000), "")
	if huge.Status != domain.RowError || len([]rune(huge.Payer)) > 601 || len([]rune(huge.Reference)) > 601 ||
		!slices.Contains(huge.Errors, "statement.payer_too_long") || !slices.Contains(huge.Errors, "statement.reference_too_long") {
		t.Errorf("a huge cell: %s %v, payer %d runes", huge.Status, huge.Errors, len([]rune(huge.Payer)))
	}
	long := checkOne(t, "2026-03-01", "王芳", "", "1", "M1", strings.Repeat("言", 600))
	if long.Status != domain.RowImport || len([]rune(long.Memo)) != 500 {
		t.Errorf("a long memo: %s, %d runes", long.Status, len([]rune(long.Memo)))
	}
}

func TestDirectionColumn(t *testing.T) {
	m := domain.StatementMapping{Columns: map[string]int{"date": 0, "payer": 1, "direction": 2, "amount": 3, "reference": 4}}
	rows := domain.CheckStatement([][]string{
		{"交易时间", "交易对方", "收/支", "金额(元)", "交易单号"},
		{"2026-03-01 10:00:00", "张三", "收入", "¥200.00", "4200001\t"},
		{"2026-03-01 11:00:00", "某商户", "支出", "¥20.00", "4200002\t"},
		{"2026-03-01 12:00:00", "零钱通", "/", "¥5.00", "4200003\t"},
		{"2026-03-01 13:00:00", "李四", "", "¥6.00", "4200004\t"},
	}, m, "wechat_pay", statementNow)
	want := []string{domain.RowImport, domain.RowSkip, domain.RowSkip, domain.RowImport}
	for i, r := range rows {
		if r.Status != want[i] {
			t.Errorf("line %d: %s %s %v, want %s", r.Line, r.Status, r.Reason, r.Errors, want[i])
		}
	}
	if rows[0].Reference != "4200001" || rows[1].Reason != domain.SkipOutgoing || rows[2].Reason != domain.SkipNotIncome {
		t.Errorf("%+v", rows)
	}
}

func TestRepeatedReferencesAndCounts(t *testing.T) {
	records := [][]string{
		{"日期", "户名", "借方", "贷方", "流水号", "摘要"},
		{"2026-03-01", "王芳", "", "100.00", "R1", ""},
		{"2026-03-01", "李强", "", "100.00", "R2", ""}, // same day, same amount, another reference: both count
		{"2026-03-01", "王芳", "", "100.00", "R1", ""}, // the first line again
		{"2026-03-01", "赵敏", "", "bad", "R3", ""},
		{"2026-03-01", "赵敏", "", "50", "R3", ""}, // the first R3 cannot be imported, so this one keeps R3
		{"", "", "", "", "", ""},
		{"2026-03-02", "支出", "80", "", "R4", ""},
		{"2026-03-02", "钱七", "", "20", "R5", ""},
	}
	rows := domain.CheckStatement(records, bankMapping, "bank_transfer", statementNow)
	if len(rows) != 7 {
		t.Fatalf("%d rows, want 7 (blank lines are not rows)", len(rows))
	}
	if rows[2].Status != domain.RowError || rows[2].SameAs != 2 || rows[2].Errors[0] != "statement.reference_repeated" {
		t.Errorf("the repeated line: %+v", rows[2])
	}
	if rows[4].Status != domain.RowImport || rows[4].Line != 6 || rows[6].Line != 9 {
		t.Errorf("lines: %+v", rows)
	}
	c := domain.CountStatement(rows)
	if c != (domain.StatementCounts{Import: 4, Amount: 270_00, Skipped: 1, Errors: 2}) || c.Lines() != 7 {
		t.Errorf("counts %+v", c)
	}
	domain.MarkAlreadyImported(rows, func(ref string) bool { return ref == "R1" || ref == "R4" })
	c = domain.CountStatement(rows)
	if c != (domain.StatementCounts{Import: 3, Amount: 170_00, Already: 2, Skipped: 1, Errors: 1}) {
		t.Errorf("counts after marking R1 imported: %+v", c)
	}
	if rows[5].Reason != domain.SkipOutgoing {
		t.Errorf("an outgoing line stays outgoing: %+v", rows[5])
	}
}

func TestGuessDonorKind(t *testing.T) {
	for name, want := range map[string]string{
		"王芳": domain.DonorIndividual, "欧阳建国": domain.DonorIndividual, "阿卜杜热依木·买买提": domain.DonorIndividual,
		"杭州某某科技有限公司": domain.DonorOrganization, "浙江某某集团": domain.DonorOrganization,
		"杭州市慈善总会": domain.DonorOrganization, "杭州市某某基金会": domain.DonorOrganization, "浙江大学": domain.DonorOrganization,
		"Acme Co., Ltd.": domain.DonorOrganization, "HSBC Bank": domain.DonorOrganization, "John Smith": domain.DonorIndividual,
		"Bancroft": domain.DonorIndividual,
	} {
		if got := domain.GuessDonorKind(name); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

func FuzzCheckStatement(f *testing.F) {
	f.Add("2026-03-01", "王芳", "", "1,234.56", "R1", "捐款", "")
	f.Add("合计", "", "1", "2", "", "", "")
	f.Add("2026/3/1 14:30", "某公司", "", "(5)", `="0012"`, "", "支出")
	f.Fuzz(func(t *testing.T, date, payer, debit, credit, ref, memo, dir string) {
		m := domain.StatementMapping{Columns: map[string]int{"date": 0, "payer": 1, "debit": 2, "amount": 3, "reference": 4,
			"memo": 5, "direction": 6}}
		rows := domain.CheckStatement([][]string{{"h"}, {date, payer, debit, credit, ref, memo, dir}}, m, "bank_transfer", statementNow)
		for _, r := range rows {
			switch r.Status {
			case domain.RowImport:
				if r.Amount <= 0 || r.Amount > domain.MaxAmount || r.Reference == "" || r.Payer == "" || r.ReceivedOn.IsZero() ||
					r.ReceivedOn.After(statementNow) || len(r.Errors) > 0 {
					t.Fatalf("imported a bad row: %+v", r)
				}
			case domain.RowError:
				if len(r.Errors) == 0 {
					t.Fatalf("an error row without errors: %+v", r)
				}
			case domain.RowSkip:
				if r.Reason == "" {
					t.Fatalf("a skipped row without a reason: %+v", r)
				}
			default:
				t.Fatalf("status %q", r.Status)
			}
		}
	})
}

// A line without a reference cannot be told apart from the same line imported before, so it is never imported,
// whatever the channel: importing the statement again must add nothing.
func TestStatementLineWithoutReferenceIsRefused(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, domain.Shanghai)
	rows := domain.CheckStatement([][]string{
		{"日期", "付款人", "支出", "收入", "流水号", "摘要"},
		{"2026-03-01", "测试甲", "", "100", "", ""},
		{"2026-03-01", "测试乙", "", "100", "", ""},
	}, bankMapping, "other", now)
	for _, r := range rows {
		if r.Status != domain.RowError || !slices.Contains(r.Errors, "statement.reference_missing") {
			t.Errorf("line %d: %s %v, want an error for the missing reference", r.Line, r.Status, r.Errors)
		}
	}
}

package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"guanai/domain"
)

func TestCheckEligibilityRowsChineseHeader(t *testing.T) {
	rows, err := domain.CheckEligibilityRows([][]string{
		{"姓名", "手机号码", "所在医院", "人员类别"},
		{" 王芳 ", "139 0000 1111", "浙江省人民医院", "援鄂医疗队员"},
		{"李强", "＋８６ １３９００００２２２２", "杭州市急救中心", "急救中心人员"},
		{"赵敏", "13900003333", "杭州市疾病预防控制中心", "cdc"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.EligibilityRow{
		{Line: 2, Name: "王芳", Phone: "13900001111", Hospital: "浙江省人民医院", Category: "hubei_team"},
		{Line: 3, Name: "李强", Phone: "13900002222", Hospital: "杭州市急救中心", Category: "emergency_center"},
		{Line: 4, Name: "赵敏", Phone: "13900003333", Hospital: "杭州市疾病预防控制中心", Category: "cdc"},
	}
	assertRows(t, rows, want)
}

func TestCheckEligibilityRowsEnglishHeaderWithBOM(t *testing.T) {
	// Columns in another order, a BOM before the first header, capitals and stray spaces, and an extra column.
	rows, err := domain.CheckEligibilityRows([][]string{
		{"\ufeffPhone", " Name ", "Notes", "CATEGORY", "Hospital"},
		{"13900001111", "Wang Fang", "x", "Member of a medical team sent to Hubei", "Zhejiang Provincial People's Hospital"},
		{"13900002222", "Li Qiang", "", "other", "Xixi"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.EligibilityRow{
		{Line: 2, Name: "Wang Fang", Phone: "13900001111", Hospital: "Zhejiang Provincial People's Hospital", Category: "hubei_team"},
		{Line: 3, Name: "Li Qiang", Phone: "13900002222", Hospital: "Xixi", Category: "other"},
	}
	assertRows(t, rows, want)
}

func TestCheckEligibilityRowsErrors(t *testing.T) {
	rows, err := domain.CheckEligibilityRows([][]string{
		{"姓名", "手机", "医院", "类别"},
		{"王芳", "13900001111", "浙江省人民医院", "designated"},
		{"", "13900002222", "浙江省人民医院", "designated"},
		{"李强", "12345", "浙江省人民医院", "designated"},
		{"赵敏", "13900004444", "", "designated"},
		{"钱军", "13900005555", strings.Repeat("院", 101), "designated"},
		{"孙丽", "13900006666", "浙江省人民医院", "医生"},
		{"周杰"}, // a short row: the missing cells are empty
		{"", " ", "", ""},
		{"吴磊", "139 0000 1111", "杭州市西溪医院", "other"}, // the first row's phone again
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{
		2:  nil,
		3:  {"eligibility.name_required"},
		4:  {"eligibility.phone_invalid"},
		5:  {"eligibility.hospital_invalid"},
		6:  {"eligibility.hospital_invalid"},
		7:  {"eligibility.category_invalid"},
		8:  {"eligibility.phone_invalid", "eligibility.hospital_invalid", "eligibility.category_invalid"},
		10: {"eligibility.duplicate_phone"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d (the blank line skipped): %+v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		w, ok := want[r.Line]
		if !ok {
			t.Errorf("unexpected line %d", r.Line)
			continue
		}
		if !slices.Equal(r.Errors, w) {
			t.Errorf("line %d: errors %v, want %v", r.Line, r.Errors, w)
		}
	}
}

func TestCheckEligibilityRowsDuplicatePhoneFlagsLaterRowsOnly(t *testing.T) {
	rows, err := domain.CheckEligibilityRows([][]string{
		{"name", "phone", "hospital", "category"},
		{"王芳", "13900001111", "A", "other"},
		{"李强", "13900002222", "B", "other"},
		{"王芳", "139-0000-1111", "A", "other"},
		{"王芳", "+8613900001111", "C", "other"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]string{nil, nil, {"eligibility.duplicate_phone"}, {"eligibility.duplicate_phone"}} {
		if !slices.Equal(rows[i].Errors, want) {
			t.Errorf("line %d: errors %v, want %v", rows[i].Line, rows[i].Errors, want)
		}
	}
}

func TestCheckEligibilityRowsInvalidFirstOccurrenceDoesNotBlockALaterValidOne(t *testing.T) {
	rows, err := domain.CheckEligibilityRows([][]string{
		{"name", "phone", "hospital", "category"},
		{"王芳", "13900001111", "A", "nurse"},
		{"王芳", "13900001111", "A", "other"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0].Errors, []string{"eligibility.category_invalid"}) || len(rows[1].Errors) != 0 {
		t.Errorf("errors %v then %v: want only the first row's category flagged", rows[0].Errors, rows[1].Errors)
	}
}

func TestCheckEligibilityRowsMissingColumns(t *testing.T) {
	cases := []struct {
		name    string
		records [][]string
		missing []string
	}{
		{"empty file", nil, []string{"name", "phone", "hospital", "category"}},
		{"no hospital or category", [][]string{{"姓名", "手机"}, {"王芳", "13900001111"}}, []string{"hospital", "category"}},
		{"data where the header should be", [][]string{{"王芳", "13900001111", "A", "other"}}, []string{"name", "phone", "hospital", "category"}},
		{"misspelt phone", [][]string{{"name", "phon", "hospital", "category"}}, []string{"phone"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := domain.CheckEligibilityRows(c.records)
			var he *domain.ErrEligibilityHeader
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want *ErrEligibilityHeader", err)
			}
			if !slices.Equal(he.Missing, c.missing) {
				t.Errorf("missing %v, want %v", he.Missing, c.missing)
			}
			if rows != nil {
				t.Errorf("rows %+v with a bad header", rows)
			}
		})
	}
}

func TestCheckEligibilityRowsHeaderOnly(t *testing.T) {
	rows, err := domain.CheckEligibilityRows([][]string{{"姓名", "电话", "单位", "一线类别"}})
	if err != nil || len(rows) != 0 {
		t.Errorf("header only: %v, %v; want no rows and no error", rows, err)
	}
}

func assertRows(t *testing.T, got, want []domain.EligibilityRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Line != w.Line || g.Name != w.Name || g.Phone != w.Phone || g.Hospital != w.Hospital || g.Category != w.Category ||
			!slices.Equal(g.Errors, w.Errors) {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
}

func FuzzCheckEligibilityRows(f *testing.F) {
	f.Add("姓名,手机,医院,类别\n王芳,13900001111,浙江省人民医院,援鄂医疗队员\n王芳,139 0000 1111,A,other", "王芳", "13900001111", "A", "other")
	f.Add("\ufeffname,phone,hospital,category\n,,,\nx,1,y,z", "", "", "", "")
	f.Add("phone,name\n13900001111", "李强", "+86 139-0000-2222", "杭州市急救中心", "急救中心人员")
	f.Add("", "\x00", "１３９００００１１１１", "\xff", "CDC")
	f.Add("a,b,c,d\n", strings.Repeat("名", 60), "8613900001111", strings.Repeat("院", 101), "hubei_team ")
	f.Fuzz(func(t *testing.T, table, name, phone, hospital, category string) {
		// The free-form table exercises headers; the fixed header exercises the checks of each cell.
		var parsed [][]string
		for _, line := range strings.Split(table, "\n") {
			parsed = append(parsed, strings.Split(line, ","))
		}
		fixed := [][]string{
			{"姓名", "手机", "医院", "类别"},
			{name, phone, hospital, category},
			{phone, name, category, hospital},
			{name, phone, hospital, category},
			{name},
		}
		for _, records := range [][][]string{parsed, fixed} {
			rows, err := domain.CheckEligibilityRows(records)
			if err != nil {
				var he *domain.ErrEligibilityHeader
				if !errors.As(err, &he) || len(he.Missing) == 0 {
					t.Fatalf("error %v is not a header error naming what is missing", err)
				}
				continue
			}
			phones := map[string]bool{}
			for _, r := range rows {
				if r.Line < 2 || r.Line > len(records) {
					t.Fatalf("line %d outside the file of %d records", r.Line, len(records))
				}
				if len(r.Errors) > 0 {
					continue
				}
				if !domain.ValidPhone(r.Phone) || !domain.IsFrontlineCategory(r.Category) || r.Name == "" || r.Hospital == "" {
					t.Fatalf("row %+v has no errors but would store a bad phone, category, name or hospital", r)
				}
				if phones[r.Phone] {
					t.Fatalf("phone %s is valid on two rows", r.Phone)
				}
				phones[r.Phone] = true
			}
		}
	})
}

func TestShortCategoryNames(t *testing.T) {
	rows, err := domain.CheckEligibilityRows([][]string{
		{"姓名", "手机号", "医院", "类别"},
		{"王芳", "13900001111", "杭州市西溪医院", "定点医院"},
		{"李娜", "13900001112", "杭州市急救中心", "急救中心"},
		{"张伟", "13900001113", "杭州市疾病预防控制中心", "疾控中心"},
		{"刘洋", "13900001114", "浙江省人民医院", "援鄂医疗队"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"designated", "emergency_center", "cdc", "hubei_team"}
	for i, r := range rows {
		if len(r.Errors) > 0 || r.Category != want[i] {
			t.Errorf("line %d: category %q errors %v, want %s", r.Line, r.Category, r.Errors, want[i])
		}
	}
}

package domain

import (
	"strings"
	"unicode/utf8"
)

// EligibilityRow is one line of the health authority's eligibility list, with what is wrong with it.
type EligibilityRow struct {
	Line     int      `json:"line"`
	Name     string   `json:"name"`
	Phone    string   `json:"phone"`
	Hospital string   `json:"hospital"`
	Category string   `json:"category"`
	Errors   []string `json:"errors,omitempty"` // message keys
}

// Header names people use for each column, in either language.
var eligibilityHeaders = map[string][]string{
	"name":     {"姓名", "名字", "name"},
	"phone":    {"手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"},
	"hospital": {"医院", "单位", "工作单位", "所在医院", "hospital"},
	"category": {"类别", "人员类别", "一线类别", "category"},
}

// ErrEligibilityHeader means the file's first row does not name the four columns.
type ErrEligibilityHeader struct{ Missing []string }

func (e *ErrEligibilityHeader) Error() string {
	return "eligibility list: missing columns " + strings.Join(e.Missing, ", ")
}

// MaxEligibilityRows bounds one upload: a city's list is thousands of people, not millions.
const MaxEligibilityRows = 50000

// CheckEligibilityRows reads records whose first row is a header and checks every line. A phone repeated in the
// file is an error on its later lines, so the preview shows exactly what will be stored.
func CheckEligibilityRows(records [][]string) ([]EligibilityRow, error) {
	if len(records) == 0 {
		return nil, &ErrEligibilityHeader{Missing: []string{"name", "phone", "hospital", "category"}}
	}
	cols, err := eligibilityColumns(records[0])
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []EligibilityRow
	for i, rec := range records[1:] {
		if blank(rec) {
			continue
		}
		if len(out) == MaxEligibilityRows {
			return out, ErrTooManyRows
		}
		row := EligibilityRow{Line: i + 2, Name: cell(rec, cols["name"]), Phone: cell(rec, cols["phone"]),
			Hospital: cell(rec, cols["hospital"]), Category: cell(rec, cols["category"])}
		row.check()
		if seen[row.Phone] && row.Phone != "" {
			row.Errors = append(row.Errors, "eligibility.duplicate_phone")
		} else if len(row.Errors) == 0 {
			seen[row.Phone] = true
		}
		out = append(out, row)
	}
	return out, nil
}

// ErrTooManyRows means an upload is larger than any real list.
var ErrTooManyRows = &ErrEligibilityHeader{Missing: []string{"(too many rows)"}}

func (r *EligibilityRow) check() {
	var key string
	if r.Name, key = CleanName(r.Name); key != "" {
		r.Errors = append(r.Errors, "eligibility.name_"+strings.TrimPrefix(key, "error."))
	}
	// A bad phone stays as it was typed, so the preview shows what to fix; a good one is stored normalised.
	if phone, key := CheckPhone(r.Phone); key != "" {
		r.Phone = StripControl(r.Phone)
		r.Errors = append(r.Errors, "eligibility.phone_invalid")
	} else {
		r.Phone = phone
	}
	if r.Hospital, key = cleanText(r.Hospital, textMaxLen); key != "" {
		r.Errors = append(r.Errors, "eligibility.hospital_invalid")
	}
	r.Category = StripControl(r.Category)
	if code, ok := frontlineCategoryCode(r.Category); ok {
		r.Category = code
	} else {
		r.Errors = append(r.Errors, "eligibility.category_invalid")
	}
}

// frontlineCategoryCode accepts a category's code, either of its names, or the short Chinese name lists use
// (定点医院 for 定点医院一线医务人员, 急救中心, 疾控中心, 援鄂医疗队, 其他).
func frontlineCategoryCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, c := range Reference.FrontlineCategories {
		if strings.EqualFold(s, c.Code) || s == c.Zh || strings.EqualFold(s, c.En) {
			return c.Code, true
		}
	}
	if utf8.RuneCountInString(s) >= 2 {
		for _, c := range Reference.FrontlineCategories {
			if strings.HasPrefix(c.Zh, s) {
				return c.Code, true
			}
		}
	}
	return "", false
}

func eligibilityColumns(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for field, names := range eligibilityHeaders {
			for _, n := range names {
				if h == n {
					if _, dup := cols[field]; !dup {
						cols[field] = i
					}
				}
			}
		}
	}
	var missing []string
	for _, f := range []string{"name", "phone", "hospital", "category"} {
		if _, ok := cols[f]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, &ErrEligibilityHeader{Missing: missing}
	}
	return cols, nil
}

func cell(rec []string, i int) string {
	if i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

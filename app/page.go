package app

import (
	"encoding/gob"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Page is what every template gets: the person, their language, the form being shown with its errors, and
// the page's own view model in Data.
type Page struct {
	Lang    string
	Title   string
	User    *domain.User
	CSRF    string
	Path    string
	Here    string // the path with its query: where a language switch comes back to
	Flashes []Flash
	Nav     []navItem
	Form    url.Values
	Errors  domain.FieldErrors
	Data    any
	// Unread is how many of a signed-in person's notifications are unread, for the header's inbox link.
	Unread repository.Count
	loc    *localizer
	assets *assets
	may    func(target string) bool
}

// UnreadBadge is the header's unread count as its badge shows it: 3, 99+, or "" when there is nothing unread.
func (p *Page) UnreadBadge() string {
	switch {
	case p.Unread.More:
		return strconv.FormatInt(p.Unread.N, 10) + "+"
	case p.Unread.N > 0:
		return strconv.FormatInt(p.Unread.N, 10)
	}
	return ""
}

// May reports whether the person looking at the page may open target: "POST /admin/donations/12/reverse", or a
// path to GET. Pages show a link or a button only when it would be let through.
func (p *Page) May(target string) bool { return p.may(target) }

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string // "ok" or "error"
	Key  string
	Args []string
}

func init() { gob.Register([]Flash{}) }

// T translates a message ID; see localizer.T.
func (p *Page) T(id string, args ...any) string { return p.loc.T(id, args...) }

// CareReason is a reason given in care (why a request was cancelled, an offer declined, a pairing ended) in the
// reader's words: what a person typed is shown as typed; the one the system writes when an account is closed
// (domain.ReasonAccountClosed) is put in words.
func (p *Page) CareReason(reason string) string {
	if reason == domain.ReasonAccountClosed {
		return p.T("care.reason.account_closed")
	}
	return reason
}

// Err is the translated problem with a form field, or "".
func (p *Page) Err(field string) string {
	if key, ok := p.Errors[field]; ok {
		return p.loc.T(key)
	}
	return ""
}

// fieldProblem is one line of a form's error summary: the message, and the field it links to.
type fieldProblem struct {
	Anchor  string
	Message string
}

// errorSummary heads a long form that came back with problems.
type errorSummary struct {
	Heading string
	Items   []fieldProblem
}

// ErrorSummary lists the form's problems in the order of its fields, for the top of a long form: each links to its
// field. Problems with fields not named come last, in name order. It is nil when there is nothing wrong.
func (p *Page) ErrorSummary(fields ...string) *errorSummary {
	if len(p.Errors) == 0 {
		return nil
	}
	return &errorSummary{Heading: p.loc.T("form.has_errors"), Items: p.errorsIn(fields)}
}

func (p *Page) errorsIn(fields []string) []fieldProblem {
	var out []fieldProblem
	seen := map[string]bool{}
	for _, f := range fields {
		if key, ok := p.Errors[f]; ok {
			out = append(out, fieldProblem{Anchor: f, Message: p.loc.T(key)})
			seen[f] = true
		}
	}
	var rest []string
	for f := range p.Errors {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	slices.Sort(rest)
	for _, f := range rest {
		out = append(out, fieldProblem{Anchor: f, Message: p.loc.T(p.Errors[f])})
	}
	return out
}

// ChildOpen reports whether the i-th child block of a form holds anything typed or wrong, so it is shown open.
func (p *Page) ChildOpen(i int) bool {
	for _, f := range []string{"child_name", "child_birth_year", "child_grade"} {
		if p.ValAt(f, i) != "" || p.Errors[f+"_"+strconv.Itoa(i)] != "" {
			return true
		}
	}
	return false
}

// Val is a form field's value as typed, kept when the form comes back with errors.
func (p *Page) Val(field string) string { return p.Form.Get(field) }

// ValAt is the i-th value of a repeated field (rows of a table in a form).
func (p *Page) ValAt(field string, i int) string {
	if vs := p.Form[field]; i < len(vs) {
		return vs[i]
	}
	return ""
}

// Checked reports whether a checkbox or option with this value was chosen.
func (p *Page) Checked(field string, value any) bool {
	return slices.Contains(p.Form[field], fmt.Sprint(value))
}

// Asset is the fingerprinted URL of a static file.
func (p *Page) Asset(name string) string { return p.assets.url(name) }

// Time shows a time in Asia/Shanghai, 2020年3月1日 14:30 or 1 Mar 2020 14:30.
func (p *Page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(shanghai)
	if p.Lang == langEn {
		return t.Format("2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
}

// ISO is a moment as a <time datetime> says it.
func (p *Page) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Date shows a date alone.
func (p *Page) Date(t time.Time) string {
	t = t.In(shanghai)
	if p.Lang == langEn {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// CanSeeAccount reports whether the person looking may open an account in role subject (see domain.CanSeeAccount).
func (p *Page) CanSeeAccount(subject domain.Role) bool {
	return p.User != nil && domain.CanSeeAccount(p.User.Role, subject)
}

// QuarterOf names the quarter a DATE column's day falls in: 2026年第3季度 or Q3 2026.
func (p *Page) QuarterOf(day time.Time) string {
	return quarterName(p.loc, domain.QuarterOf(domain.CalendarDay(day)))
}

// Num writes a count with a comma every three digits: 1,000.
func (p *Page) Num(n int64) string { return transparencyCount(n) }

// Mask shows a phone as 138****1234.
func (p *Page) Mask(phone string) string { return domain.MaskPhone(phone) }

// Named shows a reference item (district, category, qualification) in the page's language.
func (p *Page) Named(list string, code string) string {
	if n, ok := referenceNames[list][code]; ok {
		return n.Name(p.Lang)
	}
	return code
}

// referenceNames are the reference lists Named reads, by code: a board of three hundred rows names as many
// districts.
var referenceNames = func() map[string]map[string]domain.Named {
	byCode := func(items []domain.Named) map[string]domain.Named {
		m := map[string]domain.Named{}
		for _, n := range items {
			m[n.Code] = n
		}
		return m
	}
	var districts []domain.Named
	for _, d := range domain.Reference.Districts {
		districts = append(districts, d.Named)
	}
	return map[string]map[string]domain.Named{"district": byCode(districts),
		"category": byCode(domain.Reference.FrontlineCategories), "qualification": byCode(domain.Reference.VolunteerQualifications)}
}()

// Names lists reference items in the page's language, joined as the language writes a list: 西湖区、上城区 or
// Xihu, Shangcheng.
func (p *Page) Names(list string, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = p.Named(list, c)
	}
	return strings.Join(names, p.loc.T("list.separator"))
}

// Districts and the other lists feed the forms' choices.
func (p *Page) Districts() []domain.District   { return domain.Reference.Districts }
func (p *Page) Categories() []domain.Named     { return domain.Reference.FrontlineCategories }
func (p *Page) Qualifications() []domain.Named { return domain.Reference.VolunteerQualifications }
func (p *Page) Hospitals() []domain.Hospital   { return domain.Reference.Hospitals }
func (p *Page) Grades() []string               { return domain.Grades }
func (p *Page) Weekdays() []string             { return domain.Weekdays }
func (p *Page) DayParts() []string             { return domain.DayParts }

// Name picks the name of a reference item in the page's language.
func (p *Page) Name(n domain.Named) string { return n.Name(p.Lang) }

// Itoa is strconv.Itoa for templates.
func (p *Page) Itoa(i int) string { return strconv.Itoa(i) }

// shanghai is the time zone every date and time is shown in.
var shanghai = domain.Shanghai

// newPage starts a page for the request: language, user, CSRF token, navigation and flashes.
func (a *App) newPage(c echo.Context, title string) *Page {
	lang := langOf(c)
	p := &Page{Lang: lang, Title: title, User: currentUser(c), Path: c.Request().URL.Path,
		Here: c.Request().URL.RequestURI(), loc: a.tr.localizer(lang),
		Form: url.Values{}, Errors: domain.FieldErrors{}}
	if tok, ok := c.Get(csrfContextKey).(string); ok {
		p.CSRF = tok
	}
	p.may = func(target string) bool { return a.access.may(p.User, target) }
	p.Nav = navFor(p.User, p.Path, p.may)
	p.Unread, _ = c.Get(unreadContextKey).(repository.Count)
	p.Flashes = a.popFlashes(c)
	return p
}

// FlashText translates a flash message with its arguments.
func (p *Page) FlashText(f Flash) string {
	args := make([]any, len(f.Args))
	for i, s := range f.Args {
		args[i] = s
	}
	return p.loc.T(f.Key, args...)
}

// RoleCodes and StatusCodes feed the people list's filters.
func (p *Page) RoleCodes() []domain.Role { return domain.Roles }
func (p *Page) StatusCodes() []domain.Status {
	return []domain.Status{domain.StatusPending, domain.StatusActive, domain.StatusRejected, domain.StatusSuspended}
}

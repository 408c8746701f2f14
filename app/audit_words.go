package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// auditWords tells audit events in a page's language: the phrase for each action, the subject by what it is
// called, and each field of the event's before and after with the labels the other pages use. What it does not
// know it shows as the code, so a new action or field reads as itself rather than breaking the page.
type auditWords struct {
	p        *Page
	pools    map[string]string // pool code -> name in the page's language
	programs map[string]string // program code -> its pool's name
}

func newAuditWords(p *Page, pools []repository.Pool) *auditWords {
	w := &auditWords{p: p, pools: map[string]string{}, programs: map[string]string{}}
	for _, pool := range pools {
		w.pools[pool.Code] = pool.Name(p.Lang)
		if pool.ProgramCode != "" {
			w.programs[pool.ProgramCode] = pool.Name(p.Lang)
		}
	}
	return w
}

// auditFieldOrder is the order fields are told in; fields not named here follow, by name. A field inside an
// object is its path ("columns.date").
var auditFieldOrder = []string{"status", "role", "code", "kind", "amount", "channel", "pool", "from", "to", "program",
	"publish_name", "eligible", "by", "number", "bank_reference", "filename", "file", "rows", "lines", "header_row",
	"columns.date", "columns.payer", "columns.amount", "columns.debit", "columns.direction", "columns.reference",
	"columns.memo", "added", "updated", "unchanged", "activated", "already", "skipped", "errors", "new_donors",
	"expires_at", "reason",
	// A program's settings and a volunteer's facts (program.update, account.profile).
	"name_zh", "name_en", "active", "qualification", "sensitive", "offers_emergency", "minutes_emergency",
	"offers_urgent", "minutes_urgent", "offers_normal", "minutes_normal", "daily_offer_cap", "description_zh",
	"description_en", "districts", "availability", "capacity", "vehicle_seats", "subjects", "grade_from", "grade_to",
	// Grants, claims and their documents (grant.*, claim.*, document.view).
	"grant_ceiling", "claim_ceiling", "category", "files", "disbursement", "grant", "claim", "owner",
	// The settings page and a certificate (settings.update, certificate.issue).
	"fundraising_goal", "star_hours", "auto_confirm_hours", "minutes"}

// auditFieldHidden are fields the subject already tells: a donation's donor is named beside its receipt number.
var auditFieldHidden = []string{"donor_id"}

// text is the message id's translation, or fallback when there is none.
func (w *auditWords) text(id, fallback string) string {
	if s := w.p.T(id); s != id {
		return s
	}
	return fallback
}

func (w *auditWords) line(e repository.AuditEntry) auditLine {
	l := auditLine{At: e.At, Actor: e.ActorName, IP: e.ActorIP, Did: w.text("audit.did."+e.Action, e.Action),
		Subject: w.subject(e), Details: w.details(e)}
	if e.ActorID == nil {
		l.Actor = w.p.T("audit.system")
	}
	return l
}

func (w *auditWords) subject(e repository.AuditEntry) *auditSubject {
	if e.SubjectID == nil {
		return nil
	}
	id := itoa64(*e.SubjectID)
	s := &auditSubject{Name: e.Subject.Name}
	var link string
	switch e.SubjectType {
	case "user":
		s.Note = w.text("role."+string(e.Subject.Role), string(e.Subject.Role))
		if w.p.User != nil && domain.CanSeeAccount(w.p.User.Role, e.Subject.Role) {
			link = "/admin/people/" + id
		}
	case "donation":
		s.Prefix, s.Number = w.p.T("audit.subject.receipt"), e.Subject.Receipt
		link = "/admin/donations/" + id
	case "disbursement":
		s.Number, link = "#"+id, "/admin/disbursements/"+id
	case "statement_import":
		link = "/admin/statements/" + id
	case "eligibility_import":
		link = "/admin/eligibility/imports/" + id
	case "donor":
		link = "/admin/donors/" + id
	case "ledger_transaction": // no page of its own: the ledger lists it
		s.Prefix, s.Number, link = w.p.T("audit.subject.ledger_transaction"), "#"+id, "/admin/ledger"
	default:
		s.Prefix, s.Number = e.SubjectType, "#"+id
	}
	if !e.Subject.Found && e.SubjectType != "ledger_transaction" || s.Number == "" && s.Name == "" {
		s = &auditSubject{Prefix: w.text("audit.subject."+e.SubjectType, e.SubjectType), Number: "#" + id}
		link = ""
	}
	if link != "" && w.p.May(link) {
		s.Link = link
	}
	return s
}

// details tells the fields of an event's before and after: a field both hold once if it did not change, and as
// before → after if it did.
func (w *auditWords) details(e repository.AuditEntry) []auditDetail {
	before, rawBefore := auditFields(e.Before)
	after, rawAfter := auditFields(e.After)
	var out []auditDetail
	if rawBefore != "" || rawAfter != "" { // not an object: shown as it is
		out = append(out, auditDetail{Before: rawBefore, After: rawAfter, Wrap: true})
	}
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for _, k := range sortAuditFields(keys) {
		if slices.Contains(auditFieldHidden, k) {
			continue
		}
		b, wrapB := w.value(e, k, before[k])
		a, wrapA := w.value(e, k, after[k])
		if (b == "" || b == a) && w.subjectSays(e, k, a) {
			continue
		}
		d := auditDetail{Label: w.label(k), Wrap: wrapB || wrapA}
		switch {
		case a == "" && b == "":
			continue
		case b == a || b == "":
			d.After = a
		case a == "":
			d.Before = b
			if _, cleared := after[k]; cleared {
				d.After = "—"
			}
		default:
			d.Before, d.After = b, a
		}
		out = append(out, d)
	}
	return out
}

// subjectSays reports whether the subject, as shown, already says what a field does: an account's role, an
// upload's file name, a receipt's number.
func (w *auditWords) subjectSays(e repository.AuditEntry, field, value string) bool {
	if !e.Subject.Found || value == "" {
		return false
	}
	switch field {
	case "role":
		return e.SubjectType == "user" && value == w.value1(e, field, string(e.Subject.Role))
	case "filename":
		return value == e.Subject.Name
	case "number":
		return value == e.Subject.Receipt
	}
	return false
}

// auditFields reads an event's before or after into its fields, objects inside it flattened to paths; what is not
// an object comes back as raw text instead.
func auditFields(s string) (map[string]any, string) {
	if s == "" || s == "null" {
		return nil, ""
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber() // amounts in fen stay exact
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, s
	}
	out := map[string]any{}
	flattenAuditFields("", m, out)
	return out, ""
}

func flattenAuditFields(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		k = prefix + strings.ToLower(k) // an eligibility import's counts are written with Go's field names
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			flattenAuditFields(k+".", sub, out)
			continue
		}
		out[k] = v
	}
}

func sortAuditFields(keys map[string]bool) []string {
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	rank := func(k string) int {
		if i := slices.Index(auditFieldOrder, k); i >= 0 {
			return i
		}
		return len(auditFieldOrder)
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

// label is a field's name in words, or its code.
func (w *auditWords) label(field string) string {
	if role, ok := strings.CutPrefix(field, "columns."); ok {
		return w.text("statement.col_"+role, field)
	}
	if code, ok := strings.CutPrefix(field, "qualifications."); ok { // a volunteer's qualification, by its name
		return w.p.Named("qualification", code)
	}
	return w.text("audit.field."+field, field)
}

// value1 tells a field's value alone.
func (w *auditWords) value1(e repository.AuditEntry, field string, v any) string {
	s, _ := w.value(e, field, v)
	return s
}

// value tells a field's value in words, and whether it is free text that may wrap; "" for a value that is not there.
func (w *auditWords) value(e repository.AuditEntry, field string, v any) (string, bool) {
	if v == nil || v == "" {
		return "", false
	}
	s := auditPlain(v)
	n, isNum := v.(json.Number)
	switch field {
	case "amount", "grant_ceiling", "claim_ceiling":
		if fen, err := n.Int64(); isNum && err == nil {
			return domain.Money(fen).String(), false
		}
	case "channel":
		return w.text("channel."+s, s), false
	case "pool", "from", "to": // names, some long in English: they may wrap
		if name, ok := w.pools[s]; ok {
			return name, true
		}
	case "program":
		if name, ok := w.programs[s]; ok {
			return name, true
		}
	case "status":
		return w.status(e, s), false
	case "role":
		return w.text("role."+s, s), false
	case "code":
		return w.p.Named("qualification", s), false
	case "kind":
		return w.text("donor."+s, s), false
	case "publish_name":
		if b, ok := v.(bool); ok {
			return w.p.T(map[bool]string{true: "donor.publish_yes", false: "donor.publish_no"}[b]), true
		}
	case "eligible":
		if b, ok := v.(bool); ok {
			return w.p.T(fmt.Sprintf("audit.value.eligible_%t", b)), false
		}
	case "by":
		return w.text("audit.value.by_"+s, s), false
	case "expires_at":
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return w.p.Time(t), false
		}
	case "reason":
		return "“" + s + "”", true
	case "qualification":
		return w.p.Named("qualification", s), false
	case "districts":
		return w.eachOf(v, func(x string) string { return w.p.Named("district", x) }), true
	case "availability":
		return w.eachOf(v, func(x string) string {
			day, part, _ := strings.Cut(x, "_")
			if w.p.Lang == langEn {
				return w.text("weekday."+day, day) + " " + strings.ToLower(w.text("daypart."+part, part))
			}
			return w.text("weekday."+day, day) + w.text("daypart."+part, part)
		}), true
	case "subjects":
		return w.eachOf(v, func(x string) string { return w.text("subject."+x, x) }), true
	case "grade_from", "grade_to":
		if i, err := n.Int64(); isNum && err == nil && i >= 0 && int(i) < len(domain.Grades) {
			return w.text("grade."+domain.Grades[i], s), false
		}
	case "filename", "file", "bank_reference": // typed or uploaded: as long as someone made it
		return s, true
	case "header_row":
		if i, err := n.Int64(); isNum && err == nil {
			return w.p.T("audit.value.row", "N", i+1), false
		}
	}
	if strings.HasPrefix(field, "qualifications.") { // where a volunteer's qualification's check stands
		return w.text("qual."+s, s), false
	}
	if strings.HasPrefix(field, "columns.") {
		if i, err := n.Int64(); isNum && err == nil {
			return w.p.T("audit.value.column", "N", i+1), false
		}
	}
	switch v := v.(type) {
	case bool:
		return w.p.T(fmt.Sprintf("audit.value.%t", v)), false
	case string:
		return v, true
	}
	return s, !isNum
}

// status tells a state with the label the subject's own pages use.
func (w *auditWords) status(e repository.AuditEntry, s string) string {
	switch {
	case e.SubjectType == "disbursement":
		return w.text("disbursement.state_"+s, s)
	case e.SubjectType == "grant" || e.SubjectType == "claim":
		return w.text(e.SubjectType+"s.state."+s, s)
	case e.Action == "qualification.verify":
		return w.text("qual."+s, s)
	case e.SubjectType == "user":
		return w.text("status."+s, s)
	}
	return s
}

// eachOf tells each item of a list in words, joined as the language writes a list.
func (w *auditWords) eachOf(v any, word func(string) string) string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, x := range items {
		out = append(out, word(auditPlain(x)))
	}
	return strings.Join(out, w.p.T("list.separator"))
}

// auditPlain is a JSON value as plain text: strings bare, lists joined.
func auditPlain(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = auditPlain(x)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if len(v) == 0 {
			return ""
		}
	}
	return fmt.Sprint(v)
}

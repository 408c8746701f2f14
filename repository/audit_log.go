package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guanai/domain"
)

// AuditEntry is an audit event as the log page shows it. The event itself holds no names (see userRow.auditView);
// ActorName and Subject are read from today's rows when the log is shown, so a closed account reads as
// domain.ClosedAccountName everywhere, its past included.
type AuditEntry struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	ActorID     *int64    `json:"actor_id"`
	ActorName   string    `json:"actor_name"`
	ActorRole   string    `json:"-"`
	ActorIP     string    `json:"actor_ip"`
	Action      string    `json:"action"`
	SubjectType string    `json:"subject_type"`
	SubjectID   *int64    `json:"subject_id"`
	Before      string    `json:"before,omitempty"`
	After       string    `json:"after,omitempty"`
	// Subject is left out of a person's data download, which lists events about that person alone.
	Subject AuditSubject `json:"-" gorm:"-"`
}

// AuditSubject is what a reader needs to recognise an event's subject, as it is now.
type AuditSubject struct {
	Found   bool        // the subject's row exists (an export has none)
	Name    string      // an account's name; a donation's or a donor's donor; a disbursement's payee; an import's file
	Role    domain.Role // an account's role
	Receipt string      // a donation's receipt number
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	SubjectUserID int64
	Area          string // one of AuditAreas; "" is every action, an unknown area none
	ActorID       int64  // events this account did
	NoActor       bool   // events no one signed in did: the command line's, the demo seed's
	Page, Limit   int
}

// AuditAreas are the groups of actions the log can be narrowed to, in the order the filter offers them.
var AuditAreas = []string{"accounts", "verification", "fund", "access"}

// auditAreaActions says which actions each area holds; a name ending in "." is a whole family
// ("disbursement." takes in every state a disbursement moves to).
var auditAreaActions = map[string][]string{
	"accounts":     {"account.register", "account.create", "account.status", "account.close", "password."},
	"verification": {"account.verify", "qualification.", "eligibility."},
	"fund":         {"donation.", "receipt.", "donor.", "disbursement.", "ledger.", "statement.", "quarter."},
	"access":       {"phone.reveal", "export."},
}

// AuditArea is the area an action belongs to, or "" for one no area holds.
func AuditArea(action string) string {
	for _, area := range AuditAreas {
		for _, name := range auditAreaActions[area] {
			if action == name || strings.HasSuffix(name, ".") && strings.HasPrefix(action, name) {
				return area
			}
		}
	}
	return ""
}

// where is the filter as SQL over audit_events a, with named arguments.
func (f AuditFilter) where() (string, map[string]any) {
	conds, args := []string{"true"}, map[string]any{}
	if f.SubjectUserID != 0 {
		conds, args["subject"] = append(conds, "a.subject_type = 'user' AND a.subject_id = @subject"), f.SubjectUserID
	}
	if f.Area != "" {
		var ors []string
		for i, name := range auditAreaActions[f.Area] {
			arg := fmt.Sprintf("action%d", i)
			if strings.HasSuffix(name, ".") {
				ors = append(ors, "starts_with(a.action, @"+arg+")")
			} else {
				ors = append(ors, "a.action = @"+arg)
			}
			args[arg] = name
		}
		if len(ors) == 0 { // an area no one defined holds nothing
			ors = []string{"false"}
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	switch {
	case f.NoActor:
		conds = append(conds, "a.actor_id IS NULL")
	case f.ActorID != 0:
		conds, args["actor"] = append(conds, "a.actor_id = @actor"), f.ActorID
	}
	return strings.Join(conds, " AND "), args
}

// auditLogRow is a row of the log's query, the subject's columns flat.
type auditLogRow struct {
	AuditEntry
	SubjectFound   bool
	SubjectName    string
	SubjectRole    string
	SubjectReceipt string
}

// auditLogQuery reads a page of events with, in the same query, who did each and what its subject is called now.
// Every join is on a key, so a page costs one pass over its own rows however long the log grows.
const auditLogQuery = `SELECT a.id, a.at, a.actor_id, a.actor_ip, a.action, a.subject_type, a.subject_id,
	coalesce(a.before::text, '') AS before, coalesce(a.after::text, '') AS after,
	coalesce(CASE WHEN u.status = 'closed' THEN @closed ELSE u.name END, '') AS actor_name,
	coalesce(u.role, '') AS actor_role,
	(su.id IS NOT NULL OR d.id IS NOT NULL OR p.id IS NOT NULL OR si.id IS NOT NULL OR ei.id IS NOT NULL
		OR dn.id IS NOT NULL) AS subject_found,
	coalesce(CASE WHEN su.status = 'closed' THEN @closed ELSE su.name END, dd.name, p.payee, si.filename, ei.filename,
		dn.name, '') AS subject_name,
	coalesce(su.role, '') AS subject_role,
	coalesce(r.number, '') AS subject_receipt
FROM audit_events a
LEFT JOIN users u ON u.id = a.actor_id
LEFT JOIN users su ON a.subject_type = 'user' AND su.id = a.subject_id
LEFT JOIN donations d ON a.subject_type = 'donation' AND d.id = a.subject_id
LEFT JOIN donors dd ON dd.id = d.donor_id
LEFT JOIN receipts r ON r.donation_id = d.id AND r.copy_of IS NULL
LEFT JOIN disbursements p ON a.subject_type = 'disbursement' AND p.id = a.subject_id
LEFT JOIN statement_imports si ON a.subject_type = 'statement_import' AND si.id = a.subject_id
LEFT JOIN eligibility_imports ei ON a.subject_type = 'eligibility_import' AND ei.id = a.subject_id
LEFT JOIN donors dn ON a.subject_type = 'donor' AND dn.id = a.subject_id
WHERE `

// AuditLog returns audit events, newest first, and their total.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	if f.Limit == 0 {
		f.Limit = PageSize
	}
	where, args := f.where()
	db := s.db.WithContext(ctx)
	var total int64
	var countArgs []any // gorm takes an empty map for a positional argument
	if len(args) > 0 {
		countArgs = []any{args}
	}
	if err := db.Raw("SELECT count(*) FROM audit_events a WHERE "+where, countArgs...).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []auditLogRow
	args["closed"], args["limit"], args["offset"] = domain.ClosedAccountName, f.Limit, max(f.Page-1, 0)*f.Limit
	err := db.Raw(auditLogQuery+where+" ORDER BY a.id DESC LIMIT @limit OFFSET @offset", args).Scan(&rows).Error
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.AuditEntry
		out[i].Subject = AuditSubject{Found: r.SubjectFound, Name: r.SubjectName, Role: domain.Role(r.SubjectRole),
			Receipt: r.SubjectReceipt}
	}
	return out, total, err
}

// AuditActors are the accounts the log's filter offers: the fund's own people, who do nearly everything in it.
func (s *Store) AuditActors(ctx context.Context) ([]domain.User, error) {
	roles := make([]string, len(domain.OperatorRoles))
	for i, r := range domain.OperatorRoles {
		roles[i] = string(r)
	}
	var rows []userRow
	err := s.db.WithContext(ctx).Select("id", "name", "role", "status").
		Where("role IN ? AND status <> 'closed'", roles).Order("name, id").Find(&rows).Error
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, err
}

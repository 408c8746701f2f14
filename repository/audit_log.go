package repository

import (
	"context"
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
	Limit         int    // events to a page; PageSize when 0
}

// AuditAreas are the groups of actions the log can be narrowed to, in the order the filter offers them.
var AuditAreas = []string{"accounts", "verification", "fund", "care", "access"}

// auditAreaActions says which actions each area holds; a name ending in "." is a whole family
// ("disbursement." takes in every state a disbursement moves to).
var auditAreaActions = map[string][]string{
	"accounts":     {"account.register", "account.create", "account.status", "account.close", "account.profile", "password.", "email."},
	"verification": {"account.verify", "qualification.", "eligibility."},
	"fund":         {"donation.", "receipt.", "donor.", "disbursement.", "ledger.", "statement.", "quarter."},
	"care":         {"request.", "pairing.end", "program.", "benefit.", "voucher.", "grant.", "claim.", "settings.", "certificate."},
	"access":       {"phone.reveal", "export.", "pairing.view_contact", "document.view"},
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

// where is the filter as SQL over audit_events a, without its area (areaBranches).
func (f AuditFilter) where() (string, []any) {
	conds, args := []string{"true"}, []any{}
	if f.SubjectUserID != 0 {
		conds, args = append(conds, "a.subject_type = 'user' AND a.subject_id = ?"), append(args, f.SubjectUserID)
	}
	switch {
	case f.NoActor:
		conds = append(conds, "a.actor_id IS NULL")
	case f.ActorID != 0:
		conds, args = append(conds, "a.actor_id = ?"), append(args, f.ActorID)
	}
	return strings.Join(conds, " AND "), args
}

// areaBranches are the area's actions as conditions, one per name (none for an area no one defined).
func (f AuditFilter) areaBranches() ([]string, []any) {
	var conds []string
	var args []any
	for _, name := range auditAreaActions[f.Area] {
		if strings.HasSuffix(name, ".") { // a family: the index on action finds the names that start so
			conds, args = append(conds, "a.action LIKE ?"), append(args, escapeLike(name)+"%")
		} else {
			conds, args = append(conds, "a.action = ?"), append(args, name)
		}
	}
	return conds, args
}

// selection is the SQL of the events the filter matches, in the page's order and size (tail): its ids, read a
// branch per action of the area and merged. One query with the area's names ORed together is planned on an
// estimate of the whole area spread evenly over the log, and then walks a million events backwards to find the few
// old ones ("care": 5,000 events in the city's million, 0.4–1.2 s); each branch alone is planned on its own name's
// figures: the index on (action, id) for a rare one, the log's order for the gifts.
func (f AuditFilter) selection(tail string, tailArgs []any) (string, []any) {
	where, args := f.where()
	if f.Area == "" {
		return "SELECT * FROM audit_events a WHERE " + where + tail, append(args, tailArgs...)
	}
	branches, branchArgs := f.areaBranches()
	if len(branches) == 0 {
		return "SELECT * FROM audit_events a WHERE false", nil
	}
	var parts []string
	var all []any
	for i, b := range branches {
		parts = append(parts, "(SELECT a.id FROM audit_events a WHERE "+where+" AND "+b+tail+")")
		all = append(append(append(all, args...), branchArgs[i]), tailArgs...)
	}
	return "SELECT * FROM audit_events a WHERE a.id IN (" + strings.Join(parts, " UNION ALL ") + ")" + tail,
		append(all, tailArgs...)
}

// auditLogRow is a row of the log's query, the subject's columns flat.
type auditLogRow struct {
	AuditEntry
	SubjectFound   bool
	SubjectName    string
	SubjectRole    string
	SubjectReceipt string
}

// auditLogSelect and auditLogJoins read a page of events with, in the same query, who did each and what its
// subject is called now. The page's own rows are chosen first, in a subquery over audit_events alone (its indexes
// find them however long the log), and only those rows are joined: every join is on a key.
const auditLogSelect = `SELECT a.id, a.at, a.actor_id, a.actor_ip, a.action, a.subject_type, a.subject_id,
	coalesce(a.before::text, '') AS before, coalesce(a.after::text, '') AS after,
	coalesce(CASE WHEN u.status = 'closed' THEN ? ELSE u.name END, '') AS actor_name,
	coalesce(u.role, '') AS actor_role,
	(su.id IS NOT NULL OR d.id IS NOT NULL OR p.id IS NOT NULL OR si.id IS NOT NULL OR ei.id IS NOT NULL
		OR dn.id IS NOT NULL) AS subject_found,
	coalesce(CASE WHEN su.status = 'closed' THEN ? ELSE su.name END, dd.name, p.payee, si.filename, ei.filename,
		dn.name, '') AS subject_name,
	coalesce(su.role, '') AS subject_role,
	coalesce(r.number, '') AS subject_receipt
`

const auditLogJoins = `
LEFT JOIN users u ON u.id = a.actor_id
LEFT JOIN users su ON a.subject_type = 'user' AND su.id = a.subject_id
LEFT JOIN donations d ON a.subject_type = 'donation' AND d.id = a.subject_id
LEFT JOIN donors dd ON dd.id = d.donor_id
LEFT JOIN receipts r ON r.donation_id = d.id AND r.copy_of IS NULL
LEFT JOIN disbursements p ON a.subject_type = 'disbursement' AND p.id = a.subject_id
LEFT JOIN statement_imports si ON a.subject_type = 'statement_import' AND si.id = a.subject_id
LEFT JOIN eligibility_imports ei ON a.subject_type = 'eligibility_import' AND ei.id = a.subject_id
LEFT JOIN donors dn ON a.subject_type = 'donor' AND dn.id = a.subject_id
`

// AuditLog returns the page c names of the events a filter matches, newest first, and how many it matches.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter, c domain.Cursor) (ListPage[AuditEntry], error) {
	pages := keyset{id: "a.id", size: f.Limit}
	if pages.size == 0 {
		pages.size = PageSize
	}
	db := s.db.WithContext(ctx)
	p, err := pageOf(pages, c, func(e AuditEntry) domain.Cursor { return domain.Cursor{ID: e.ID} },
		func(q pageSQL) ([]AuditEntry, error) {
			selection, args := f.selection(q.Tail())
			var rows []auditLogRow
			// The query's first two arguments are what a closed account is called, as actor and as subject.
			query := auditLogSelect + "FROM (" + selection + ") a" + auditLogJoins + " ORDER BY " + q.Order
			err := db.Raw(query, append([]any{domain.ClosedAccountName, domain.ClosedAccountName}, args...)...).
				Scan(&rows).Error
			out := make([]AuditEntry, len(rows))
			for i, r := range rows {
				out[i] = r.AuditEntry
				out[i].Subject = AuditSubject{Found: r.SubjectFound, Name: r.SubjectName, Role: domain.Role(r.SubjectRole),
					Receipt: r.SubjectReceipt}
			}
			return out, err
		})
	if err == nil {
		selection, args := f.selection(" LIMIT ?", []any{countCap + 1})
		p.Count, err = countOf(db, selection, args...)
	}
	return p, err
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

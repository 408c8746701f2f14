package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// auditCall is a call that writes an audit event: audit(tx, actor, "donation.record", "donation", ...), or with an
// action computed from a family and a value, audit(tx, actor, "disbursement."+to, "disbursement", ...).
var auditCall = regexp.MustCompile(`audit\(tx, (?:Actor\{[^}]*\}|\w+), "([a-z_]+\.(?:[a-z_]+)?)"(\+\w+)?, "([a-z_]+)",`)

// TestEveryAuditActionIsTranslated reads the actions the repository writes and checks that the audit log can tell
// each of them in both languages, with its subject's kind, and that the filter puts each in an area.
func TestEveryAuditActionIsTranslated(t *testing.T) {
	zh, en := loadMessages(t, "zh-CN"), loadMessages(t, "en")
	need := func(key, why string) {
		t.Helper()
		if zh[key] == "" || en[key] == "" {
			t.Errorf("%s: message %q is missing in Chinese or English (zh %q, en %q)", why, key, zh[key], en[key])
		}
	}
	files, err := filepath.Glob("../repository/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no repository sources: %v", err)
	}
	actions, subjects := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		found := auditCall.FindAllStringSubmatch(src, -1)
		if n := strings.Count(src, "audit(tx,"); n != len(found) {
			t.Errorf("%s: %d audit calls, %d of them understood: teach auditCall the new form", f, n, len(found))
		}
		for _, m := range found {
			action, computed, subject := m[1], m[2] != "", m[3]
			subjects[subject] = true
			if !computed {
				actions[action] = true
				continue
			}
			if action != "disbursement." {
				t.Errorf("%s: action %q+... is computed: list the values it can take here", f, action)
				continue
			}
			for _, s := range []string{domain.DisbursementDraft, domain.DisbursementApproved, domain.DisbursementPaid,
				domain.DisbursementRejected, domain.DisbursementCancelled} {
				actions[action+s] = true
			}
		}
	}
	if len(actions) < 25 || !actions["donation.record"] || !actions["disbursement.approved"] || !actions["account.register"] {
		t.Fatalf("found only %d actions (%v): the scan is broken", len(actions), actions)
	}
	for a := range actions {
		need("audit.did."+a, "action "+a)
		if repository.AuditArea(a) == "" {
			t.Errorf("action %s is in no area of the filter", a)
		}
	}
	for s := range subjects {
		need("audit.subject."+s, "subject type "+s)
	}
	for _, a := range repository.AuditAreas {
		need("audit.area_"+a, "area "+a)
	}
	for _, f := range auditFieldOrder {
		if role, ok := strings.CutPrefix(f, "columns."); ok {
			need("statement.col_"+role, "field "+f)
		} else {
			need("audit.field."+f, "field "+f)
		}
	}
}

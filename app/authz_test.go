package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// Who may reach each route. everyone: anonymous included; anyone: every logged-in role.
var (
	everyone = []domain.Role{"anonymous", domain.RoleStaff, domain.RoleVolunteer, domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor, domain.RoleVenue}
	anyone   = []domain.Role{domain.RoleStaff, domain.RoleVolunteer, domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor, domain.RoleVenue}
	ops      = []domain.Role{domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor}
	readers  = []domain.Role{domain.RoleAdmin, domain.RoleCoordinator, domain.RoleAuditor}
	coord    = []domain.Role{domain.RoleAdmin, domain.RoleCoordinator}
	admin    = []domain.Role{domain.RoleAdmin}
)

// authzMatrices are the tables every route must be in: a new route without a row fails the test. Each area adds
// its own table (an init in its test file appends it).
var authzMatrices = []map[string][]domain.Role{accountsMatrix}

func authzMatrix() map[string][]domain.Role {
	all := map[string][]domain.Role{}
	for _, m := range authzMatrices {
		for k, v := range m {
			all[k] = v
		}
	}
	return all
}

var accountsMatrix = map[string][]domain.Role{
	"GET /healthz":                                everyone,
	"HEAD /healthz":                               everyone,
	"GET /readyz":                                 everyone,
	"GET /metrics":                                everyone,
	"GET /static/:name":                           everyone,
	"GET /":                                       everyone,
	"GET /lang":                                   everyone,
	"POST /lang":                                  everyone,
	"GET /privacy":                                everyone,
	"GET /login":                                  everyone,
	"POST /login":                                 everyone,
	"GET /register/staff":                         everyone,
	"POST /register/staff":                        everyone,
	"GET /register/volunteer":                     everyone,
	"POST /register/volunteer":                    everyone,
	"GET /reset/:token":                           everyone,
	"POST /reset/:token":                          everyone,
	"POST /logout":                                anyone,
	"GET /account":                                anyone,
	"GET /account/password":                       anyone,
	"POST /account/password":                      anyone,
	"GET /account/data":                           anyone,
	"GET /account/close":                          anyone,
	"POST /account/close":                         anyone,
	"GET /staff":                                  {domain.RoleStaff},
	"GET /volunteer":                              {domain.RoleVolunteer},
	"GET /admin":                                  ops,
	"GET /admin/verification":                     coord,
	"POST /admin/people/:id/approve":              coord,
	"POST /admin/people/:id/reject":               coord,
	"POST /admin/qualifications/:id/verify":       coord,
	"POST /admin/qualifications/:id/reject":       coord,
	"GET /admin/people":                           readers,
	"GET /admin/people/:id":                       readers,
	"POST /admin/people/:id/reveal":               readers,
	"POST /admin/people/:id/reset-link":           coord,
	"POST /admin/people/:id/suspend":              admin,
	"POST /admin/people/:id/reactivate":           admin,
	"GET /admin/eligibility":                      coord,
	"POST /admin/eligibility/upload":              coord,
	"GET /admin/eligibility/imports/:id":          coord,
	"POST /admin/eligibility/imports/:id/confirm": coord,
	"GET /admin/audit":                            {domain.RoleAdmin, domain.RoleAuditor},
}

func TestAuthorizationMatrix(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	clients := map[domain.Role]*client{"anonymous": ta.client()}
	phones := map[domain.Role]string{}
	var adminUser domain.User
	for i, role := range anyone {
		phones[role] = fmt.Sprintf("1360000000%d", i)
		var u domain.User
		clients[role], u = ta.account(role, phones[role])
		if role == domain.RoleAdmin {
			adminUser = u
		}
	}
	// A pending staff member is the subject of the :id routes; an upload is the subject of the import routes.
	subject := registerTestStaff(t, ta, "13500000009", "被审核人")
	importID, err := ta.store.SaveEligibilityPreview(ctx, repository.Actor{UserID: adminUser.ID, IP: "test"}, "list.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	params := strings.NewReplacer(":id/confirm", fmt.Sprintf("%d/confirm", importID), "imports/:id", fmt.Sprintf("imports/%d", importID),
		":id", fmt.Sprint(subject.ID), ":token", "no-such-token", ":name", "no-such-file.css")

	seen := map[string]bool{}
	matrix := authzMatrix()
	for _, rt := range ta.e.Routes() {
		key := rt.Method + " " + rt.Path
		if strings.HasPrefix(rt.Path, "/*") || rt.Method == "echo_route_not_found" {
			continue
		}
		seen[key] = true
		allowed, ok := matrix[key]
		if !ok {
			t.Errorf("route %s is missing from the authorization matrix", key)
			continue
		}
		path := params.Replace(rt.Path)
		for _, role := range everyone {
			c := clients[role]
			var r response
			switch rt.Method {
			case http.MethodGet:
				r = c.get(path)
			case http.MethodHead:
				req, _ := http.NewRequest(http.MethodHead, ta.srv.URL+path, nil)
				r = c.do(req)
			default:
				r = c.post(path, url.Values{})
			}
			checkAccess(t, key, role, slices.Contains(allowed, role), r)
			// Every page a logged-in person sees is no-store; files that are the same for everyone are not pages.
			sameForAll := map[string]bool{"/static/:name": true, "/metrics": true, "/healthz": true, "/readyz": true,
				"/transparency/report.csv": true}
			if role != "anonymous" && rt.Method == http.MethodGet && !sameForAll[rt.Path] && r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s as %s: Cache-Control %q, want no-store on a logged-in page", key, role, r.Header.Get("Cache-Control"))
			}
			if key == "POST /logout" && role != "anonymous" {
				if r := c.login(phones[role], testPassword); r.Status != http.StatusSeeOther {
					t.Fatalf("login again as %s: %d", role, r.Status)
				}
			}
		}
	}
	for key := range matrix {
		if !seen[key] {
			t.Errorf("matrix row %s matches no route", key)
		}
	}
}

func checkAccess(t *testing.T, key string, role domain.Role, allowed bool, r response) {
	t.Helper()
	toLogin := r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location, "/login?next=")
	switch {
	case r.Status >= 500:
		t.Errorf("%s as %s: server error %d", key, role, r.Status)
	case allowed && (r.Status == http.StatusForbidden || toLogin):
		t.Errorf("%s as %s: want access, got %d %s", key, role, r.Status, r.Location)
	case !allowed && role == "anonymous" && !toLogin:
		t.Errorf("%s as anonymous: want a redirect to /login, got %d %s", key, r.Status, r.Location)
	case !allowed && role != "anonymous" && r.Status != http.StatusForbidden:
		t.Errorf("%s as %s: want 403, got %d", key, role, r.Status)
	}
}

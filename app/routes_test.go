package app

import (
	"testing"

	"guanai/domain"
)

// Page.May answers from the route table itself, with echo's precedence: a fixed segment beats a :param.
func TestMayAsksTheRouteTable(t *testing.T) {
	ta := newTestApp(t)
	user := func(r domain.Role) *domain.User { return &domain.User{ID: 1, Role: r} }
	for _, c := range []struct {
		u      *domain.User
		target string
		want   bool
	}{
		{user(domain.RoleAuditor), "/admin/donations/new", false},
		{user(domain.RoleFinance), "/admin/donations/new", true},
		{user(domain.RoleAuditor), "/admin/donations/12", true},
		{user(domain.RoleAuditor), "POST /admin/donations/12/reverse", false},
		{user(domain.RoleFinance), "POST /admin/donations/12/reverse", true},
		{user(domain.RoleFinance), "/admin/people?role=staff&status=active", false},
		{user(domain.RoleCoordinator), "/admin/people?role=staff&status=active", true},
		{nil, "/transparency", true},
		{nil, "/admin", false},
		{user(domain.RoleStaff), "/no/such/page", false},
		{user(domain.RoleAdmin), "/admin/donations/", false},
	} {
		if got := ta.app.access.may(c.u, c.target); got != c.want {
			role := domain.Role("anonymous")
			if c.u != nil {
				role = c.u.Role
			}
			t.Errorf("may(%s, %q) = %v, want %v", role, c.target, got, c.want)
		}
	}
}

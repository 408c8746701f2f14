package loadrun

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// A role is a kind of virtual user: the demo accounts it logs in as (none for the public) and what it does, each
// action with its weight. Every action is named "<group>.<what>", and Options.Mix changes a weight by that name.
type role struct {
	name    string
	phones  []string
	actions []action
}

type action struct {
	name   string
	weight int
	run    func(*user) error
}

// Roles are the kinds of virtual user, in the order reports list them.
var Roles = []string{"public", "admin", "finance", "coordinator", "auditor", "staff", "volunteer", "venue"}

// DefaultRoles shares the virtual users out among the roles: mostly the public and finance, as the fund is used.
var DefaultRoles = map[string]int{"public": 38, "admin": 5, "finance": 20, "coordinator": 10, "auditor": 5,
	"staff": 12, "volunteer": 8, "venue": 2}

// The default mix of each group. A flow of several requests (recording a gift, importing a statement) is one
// action; detail pages follow links read from the list pages before them.
func publicMix() []action {
	return []action{
		{"public.home", 15, home},
		{"public.transparency", 30, transparency},
		{"public.donations", 30, publicDonations}, // deep pages of the public list of gifts
		{"public.report", 25, quarterReport},
		{"public.verify", 5, verifyCertificate}, // a certificate's QR code scanned
	}
}

// fundMix is for finance and the admin: mostly reading, now and then a gift typed in, rarely a statement.
func fundMix() []action {
	return []action{
		{"fund.home", 10, fundHome},
		{"fund.ledger", 6, ledger},
		{"fund.donations", 12, donations},
		{"fund.donations_filter", 6, donationsFiltered},
		{"fund.donation", 14, donation},
		{"fund.donors", 8, donors},
		{"fund.donor_search", 8, donorSearch},
		{"fund.donor", 10, donor},
		{"fund.disbursements", 6, disbursements},
		{"fund.disbursement", 6, disbursement},
		{"fund.record", 3, recordDonation},
		{"fund.import", 1, importStatement},
	}
}

func coordinatorMix() []action {
	return []action{
		{"people.list", 35, people},
		{"people.verification", 30, verificationQueue},
		{"people.person", 35, person},
		{"dispatch.board", 25, dispatchBoard},
		{"dispatch.request", 20, dispatchRequest},
		{"benefits.queue", 10, benefitQueue}, // app/loadrun/benefits.go
		{"grants.queue", 8, grantQueue},
		{"grants.grant", 8, grantPage},
		{"claims.queue", 4, claimQueue},
		{"dispatch.propose", 2, proposeAssignment},
		{"dispatch.proposal", 5, proposal},
	}
}

func auditorMix() []action {
	return []action{
		{"audit.log", 40, auditLog},
		{"audit.pages", 35, auditPages},
		{"audit.area", 25, auditArea},
	}
}

// venueMix is a venue's desk: mostly its page between visitors, a code looked up now and then (benefits.go).
func venueMix() []action {
	return []action{
		{"venue.desk", 60, venueDesk},
		{"venue.look_up", 40, venueLookUp},
	}
}

// newRoles builds the roles with their default mixes changed by mix (action name → weight; 0 leaves it out).
func newRoles(mix map[string]int) (map[string]*role, error) {
	rs := map[string]*role{
		"public":      {name: "public", actions: publicMix()},
		"admin":       {name: "admin", phones: []string{"13800000001"}, actions: fundMix()},
		"finance":     {name: "finance", phones: []string{"13800000002"}, actions: fundMix()},
		"coordinator": {name: "coordinator", phones: []string{"13800000003"}, actions: coordinatorMix()},
		"auditor":     {name: "auditor", phones: []string{"13800000004"}, actions: auditorMix()},
		"staff":       {name: "staff", phones: demoPhones("139", 5), actions: staffMix()},
		"volunteer":   {name: "volunteer", phones: demoPhones("137", 10), actions: volunteerMix()},
		"venue":       {name: "venue", phones: []string{"13800000005", "13800000006"}, actions: venueMix()},
	}
	for name, w := range mix {
		if w < 0 {
			return nil, fmt.Errorf("mix: %s has a negative weight", name)
		}
		found := false
		for _, r := range rs {
			for i := range r.actions {
				if r.actions[i].name == name {
					r.actions[i].weight, found = w, true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("mix: no action %q (there are %s)", name, strings.Join(ActionNames(), ", "))
		}
	}
	return rs, nil
}

// ActionNames lists every action Options.Mix may weigh.
func ActionNames() []string {
	var names []string
	for _, m := range [][]action{publicMix(), fundMix(), coordinatorMix(), auditorMix(), staffMix(), volunteerMix(), venueMix()} {
		for _, a := range m {
			names = append(names, a.name)
		}
	}
	return names
}

// demoPhones are the demo accounts of a kind: 13900000001 … for staff, 13700000001 … for volunteers.
func demoPhones(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%08d", prefix, i+1)
	}
	return out
}

// pick chooses an action by weight.
func (r *role) pick(rng *rand.Rand) (action, bool) {
	total := 0
	for _, a := range r.actions {
		total += a.weight
	}
	if total == 0 {
		return action{}, false
	}
	n := rng.IntN(total)
	for _, a := range r.actions {
		if n < a.weight {
			return a, true
		}
		n -= a.weight
	}
	panic("unreachable: n < total")
}

func (r *role) action(name string) (action, bool) {
	i := slices.IndexFunc(r.actions, func(a action) bool { return a.name == name })
	if i < 0 {
		return action{}, false
	}
	return r.actions[i], true
}

// share divides users among the roles in proportion to their weights, by largest remainder, so that the counts
// add up to users exactly; ties go to the role listed first in Roles.
func share(users int, weights map[string]int) (map[string]int, error) {
	total := 0
	for name, w := range weights {
		if !slices.Contains(Roles, name) {
			return nil, fmt.Errorf("roles: no role %q (there are %s)", name, strings.Join(Roles, ", "))
		}
		if w < 0 {
			return nil, fmt.Errorf("roles: %s has a negative weight", name)
		}
		total += w
	}
	if total == 0 {
		return nil, fmt.Errorf("roles: every weight is zero")
	}
	out := map[string]int{}
	left := users
	rem := map[string]int{}
	for _, name := range Roles {
		out[name] = users * weights[name] / total
		rem[name] = users * weights[name] % total
		left -= out[name]
	}
	order := slices.Clone(Roles)
	slices.SortStableFunc(order, func(a, b string) int { return rem[b] - rem[a] })
	for _, name := range order[:left] {
		out[name]++
	}
	return out, nil
}

// ParseWeights reads "name=weight,name=weight", the form of the --roles and --mix flags.
func ParseWeights(s string) (map[string]int, error) {
	out := map[string]int{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("%q: want name=weight, the weight a whole number ≥ 0", part)
		}
		out[strings.TrimSpace(name)] = n
	}
	return out, nil
}

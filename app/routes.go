package app

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// roleSet is who may open a route: the people whose role is in it. nil is everyone, anonymous visitors included.
type roleSet []domain.Role

// Who may do what. Each route below names one of these, and links and buttons on the pages ask the same table
// (Page.May), so a page never offers what its viewer would be refused.
var (
	public        roleSet // everyone
	signedIn      = roleSet(domain.Roles)
	staffOnly     = roleSet{domain.RoleStaff}
	volunteerOnly = roleSet{domain.RoleVolunteer}
	operators     = roleSet{domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor}
	// People: coordinators verify and help, the auditor reads, only the admin suspends.
	peopleReaders = roleSet{domain.RoleAdmin, domain.RoleCoordinator, domain.RoleAuditor}
	verifiers     = roleSet{domain.RoleAdmin, domain.RoleCoordinator}
	adminsOnly    = roleSet{domain.RoleAdmin}
	auditReaders  = roleSet{domain.RoleAdmin, domain.RoleAuditor}
	// The care programs: those who run and check the care work read them; only the admin changes them.
	programReaders = roleSet{domain.RoleAdmin, domain.RoleCoordinator, domain.RoleAuditor}
	// The fund: finance records and pays, the admin too; an approver is finance or admin other than the maker
	// (domain.CheckDisbursementMove and the database check that); the auditor reads everything, changes nothing.
	fundWriters = roleSet{domain.RoleAdmin, domain.RoleFinance}
	fundReaders = roleSet{domain.RoleAdmin, domain.RoleFinance, domain.RoleAuditor}
	// Dispatch: coordinators (and the admin) assign and re-dispatch; the auditor reads the board.
	dispatchReaders = roleSet{domain.RoleAdmin, domain.RoleCoordinator, domain.RoleAuditor}
	dispatchers     = roleSet{domain.RoleAdmin, domain.RoleCoordinator}
	// Benefits: coordinators (and the admin) decide applications, as they verify people; the auditor reads the
	// queue. A venue's desk redeems vouchers and opens nothing else but its account.
	venueOnly = roleSet{domain.RoleVenue}
	// Grants and claims: every operator reads them (finance checks what it pays); coordinators (and the admin)
	// decide them.
	grantReaders  = roleSet{domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor}
	grantDeciders = roleSet{domain.RoleAdmin, domain.RoleCoordinator}
)

// can reports whether u may open what rs guards.
func can(u *domain.User, rs roleSet) bool {
	return rs == nil || u != nil && slices.Contains(rs, u.Role)
}

func (a *App) routes(e *echo.Echo) {
	r := &routeTable{e: e, who: map[string]roleSet{}}
	a.access = r

	r.add(http.MethodGet, "/healthz", a.healthz, public)
	r.add(http.MethodHead, "/healthz", a.healthz, public)
	r.add(http.MethodGet, "/readyz", a.readyz, public)
	r.add(http.MethodGet, "/metrics", a.metrics.handler(), public, a.metricsNetworks)
	r.add(http.MethodGet, "/static/:name", a.views.assets.serve, public)

	r.add(http.MethodGet, "/", a.index, public)
	// The language switch is a GET form (a preference, nothing to forge), so a public page carries no token and is
	// the same for every visitor; POST stays for the forms already open in browsers.
	r.add(http.MethodGet, "/lang", a.setLang, public)
	r.add(http.MethodPost, "/lang", a.setLang, public)
	r.add(http.MethodGet, "/privacy", a.privacyNotice, public)
	r.add(http.MethodGet, "/login", a.loginForm, public)
	r.add(http.MethodPost, "/login", a.login, public)
	r.add(http.MethodPost, "/logout", a.logout, signedIn)
	r.add(http.MethodGet, "/register/staff", a.staffRegisterForm, public)
	r.add(http.MethodPost, "/register/staff", a.staffRegister, public)
	r.add(http.MethodGet, "/register/volunteer", a.volunteerRegisterForm, public)
	r.add(http.MethodPost, "/register/volunteer", a.volunteerRegister, public)
	r.add(http.MethodGet, "/reset/:token", a.resetForm, public)
	r.add(http.MethodPost, "/reset/:token", a.reset, public)

	r.add(http.MethodGet, "/transparency", a.cachedForVisitors(a.transparencyPage), public)
	r.add(http.MethodGet, "/transparency/report", a.cachedForVisitors(a.transparencyReport), public)
	r.add(http.MethodGet, "/transparency/report.csv", a.transparencyReportCSV, public)

	r.add(http.MethodGet, "/account", a.accountPage, signedIn)
	r.add(http.MethodGet, "/account/password", a.passwordForm, signedIn)
	r.add(http.MethodPost, "/account/password", a.changePassword, signedIn)
	r.add(http.MethodGet, "/account/email", a.emailForm, signedIn)
	r.add(http.MethodPost, "/account/email", a.setEmail, signedIn)
	r.add(http.MethodGet, "/account/notifications", a.mailChoicesPage, signedIn)
	r.add(http.MethodPost, "/account/notifications", a.setMailChoices, signedIn)
	// The link mailed to an address: it is the proof, so it works signed in or not (on another device).
	r.add(http.MethodGet, "/account/email/verify/:token", a.emailLinkPage, public)
	r.add(http.MethodPost, "/account/email/verify/:token", a.verifyEmail, public)
	r.add(http.MethodGet, "/account/data", a.downloadMyData, signedIn)
	r.add(http.MethodGet, "/account/close", a.closeAccountForm, signedIn)
	r.add(http.MethodPost, "/account/close", a.closeAccount, signedIn)
	r.add(http.MethodGet, "/inbox", a.inboxPage, signedIn)
	r.add(http.MethodGet, "/inbox/:id", a.openNotification, signedIn) // opening is reading: it marks it read
	r.add(http.MethodPost, "/inbox/read-all", a.readAll, signedIn)

	// A staff member's care requests and pairings (app/staff_care.go): her own only, anyone else's is not found.
	r.add(http.MethodGet, "/staff/requests/new", a.staffRequestForm, staffOnly)
	r.add(http.MethodPost, "/staff/requests", a.submitStaffRequest, staffOnly)
	r.add(http.MethodGet, "/staff/requests/:id", a.staffRequestPage, staffOnly)
	r.add(http.MethodPost, "/staff/requests/:id/cancel", a.cancelStaffRequest, staffOnly)
	r.add(http.MethodPost, "/staff/requests/:id/close", a.closeStaffRequest, staffOnly)
	r.add(http.MethodPost, "/staff/requests/:id/no-show", a.reportNoShow, staffOnly)
	r.add(http.MethodPost, "/staff/services/:id/confirm", a.confirmStaffService, staffOnly)
	r.add(http.MethodGet, "/staff/pairings/:id", a.staffPairingPage, staffOnly)
	r.add(http.MethodPost, "/staff/pairings/:id/end", a.endStaffPairing, staffOnly)
	r.add(http.MethodGet, "/staff", a.staffHome, staffOnly)
	r.add(http.MethodGet, "/volunteer", a.volunteerHome, volunteerOnly)
	// The volunteer's side of care requests (app/volunteer_*.go): offers, pairings, the requests he serves.
	r.add(http.MethodGet, "/volunteer/offers", a.volunteerOffers, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/offers/:id", a.volunteerOfferPage, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/offers/:id/accept", a.volunteerAcceptOffer, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/offers/:id/decline", a.volunteerDeclineOffer, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/pairings", a.volunteerPairings, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/pairings/:id", a.volunteerPairingPage, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/pairings/:id/end", a.volunteerEndPairing, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/requests/:id", a.volunteerRequestPage, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/requests/:id/checkin", a.volunteerCheckIn, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/services/:id/checkout", a.volunteerCheckOut, volunteerOnly)
	// Hours certificates (app/certificates.go): his own only; anyone checks one by the code of its QR code.
	r.add(http.MethodGet, "/volunteer/certificates/new", a.certificateForm, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/certificates", a.issueCertificate, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/certificates/:id", a.certificatePage, volunteerOnly)
	r.add(http.MethodGet, "/verify/:code", a.verifyCertificate, public)

	r.add(http.MethodGet, "/admin", a.adminHome, operators)
	r.add(http.MethodGet, "/admin/verification", a.verificationQueue, verifiers)
	r.add(http.MethodPost, "/admin/people/:id/approve", a.approvePerson, verifiers)
	r.add(http.MethodPost, "/admin/people/:id/reject", a.rejectPerson, verifiers)
	r.add(http.MethodPost, "/admin/qualifications/:id/verify", a.verifyQualification, verifiers)
	r.add(http.MethodPost, "/admin/qualifications/:id/reject", a.rejectQualification, verifiers)
	r.add(http.MethodGet, "/admin/people", a.peopleList, peopleReaders)
	r.add(http.MethodGet, "/admin/people/:id", a.personPage, peopleReaders)
	r.add(http.MethodPost, "/admin/people/:id/reveal", a.revealPhone, peopleReaders)
	r.add(http.MethodPost, "/admin/people/:id/reset-link", a.issueResetLink, verifiers)
	r.add(http.MethodPost, "/admin/people/:id/suspend", a.suspendPerson, adminsOnly)
	r.add(http.MethodPost, "/admin/people/:id/reactivate", a.reactivatePerson, adminsOnly)
	r.add(http.MethodGet, "/admin/eligibility", a.eligibilityPage, verifiers)
	r.add(http.MethodPost, "/admin/eligibility/upload", a.eligibilityUpload, verifiers)
	r.add(http.MethodGet, "/admin/eligibility/imports/:id", a.eligibilityPreview, verifiers)
	r.add(http.MethodPost, "/admin/eligibility/imports/:id/confirm", a.eligibilityConfirm, verifiers)
	r.add(http.MethodGet, "/admin/audit", a.auditLog, auditReaders)

	// The care programs (as data), and the facts about a volunteer that matching reads, kept by the volunteer.
	r.add(http.MethodGet, "/admin/programs", a.programList, programReaders)
	r.add(http.MethodGet, "/admin/programs/:id/edit", a.programEditForm, adminsOnly)
	r.add(http.MethodPost, "/admin/programs/:id", a.updateProgram, adminsOnly)
	r.add(http.MethodGet, "/admin/settings", a.settingsPage, adminsOnly) // app/settings.go
	r.add(http.MethodPost, "/admin/settings", a.saveSettings, adminsOnly)
	r.add(http.MethodGet, "/volunteer/profile", a.volunteerProfilePage, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/profile", a.updateVolunteerProfile, volunteerOnly)

	r.add(http.MethodGet, "/admin/donors", a.donorList, fundReaders)
	r.add(http.MethodGet, "/admin/donors/new", a.donorForm, fundWriters)
	r.add(http.MethodPost, "/admin/donors", a.createDonor, fundWriters)
	r.add(http.MethodGet, "/admin/donors/:id", a.donorPage, fundReaders)
	r.add(http.MethodGet, "/admin/donors/:id/edit", a.donorEditForm, fundWriters)
	r.add(http.MethodPost, "/admin/donors/:id", a.updateDonor, fundWriters)
	r.add(http.MethodGet, "/admin/donors/:id/merge", a.donorMergeForm, fundWriters)
	r.add(http.MethodPost, "/admin/donors/:id/merge", a.mergeDonor, fundWriters)
	r.add(http.MethodGet, "/admin/donations", a.donationList, fundReaders)
	r.add(http.MethodGet, "/admin/donations/new", a.donationForm, fundWriters)
	r.add(http.MethodPost, "/admin/donations", a.recordDonation, fundWriters)
	r.add(http.MethodGet, "/admin/donations/:id", a.donationPage, fundReaders)
	r.add(http.MethodPost, "/admin/donations/:id/reverse", a.reverseDonation, fundWriters)
	r.add(http.MethodPost, "/admin/donations/:id/reissue", a.reissueReceipt, fundWriters)
	r.add(http.MethodGet, "/admin/receipts/:id", a.receiptPage, fundReaders)
	r.add(http.MethodGet, "/admin/ledger", a.ledgerPage, fundReaders)
	r.add(http.MethodPost, "/admin/ledger/allocate", a.allocate, fundWriters)
	r.add(http.MethodPost, "/admin/ledger/reconcile", a.requestReconciliation, fundReaders) // reads, changes nothing
	r.add(http.MethodGet, "/admin/disbursements", a.disbursementList, fundReaders)
	r.add(http.MethodGet, "/admin/disbursements/new", a.disbursementForm, fundWriters)
	r.add(http.MethodPost, "/admin/disbursements", a.createDisbursement, fundWriters)
	r.add(http.MethodGet, "/admin/disbursements/:id", a.disbursementPage, fundReaders)
	r.add(http.MethodPost, "/admin/disbursements/:id/approve", a.approveDisbursement, fundWriters)
	r.add(http.MethodPost, "/admin/disbursements/:id/pay", a.payDisbursement, fundWriters)
	r.add(http.MethodPost, "/admin/disbursements/:id/reject", a.rejectDisbursement, fundWriters)
	r.add(http.MethodPost, "/admin/disbursements/:id/cancel", a.cancelDisbursement, fundWriters)

	// Bank statement import. The upload's path ends in /upload: it gets the upload body limit, not the form's.
	r.add(http.MethodGet, "/admin/statements", a.statementList, fundReaders)
	r.add(http.MethodPost, "/admin/statements/upload", a.statementUpload, fundWriters)
	r.add(http.MethodGet, "/admin/statements/:id", a.statementPreview, fundReaders)
	r.add(http.MethodGet, "/admin/statements/:id/mapping", a.statementMappingForm, fundWriters)
	r.add(http.MethodPost, "/admin/statements/:id/mapping", a.statementMappingSave, fundWriters)
	r.add(http.MethodPost, "/admin/statements/:id/confirm", a.statementConfirm, fundWriters)

	r.add(http.MethodGet, "/admin/quarters", a.quartersPage, fundReaders)
	r.add(http.MethodPost, "/admin/quarters/close", a.closeQuarter, fundWriters)

	r.add(http.MethodGet, "/admin/exports", a.exportsPage, fundReaders)
	r.add(http.MethodGet, "/admin/exports/download", a.exportDownload, fundReaders)

	// The coordinators' dispatch board: what needs them, the figures, and one request's candidates.
	r.add(http.MethodGet, "/admin/dispatch", a.dispatchBoard, dispatchReaders)
	r.add(http.MethodGet, "/admin/dispatch/requests/:id", a.dispatchRequestPage, dispatchReaders)
	r.add(http.MethodPost, "/admin/dispatch/requests/:id/assign", a.assignVolunteer, dispatchers)
	r.add(http.MethodPost, "/admin/dispatch/requests/:id/redispatch", a.redispatchRequest, dispatchers)

	// Benefits and vouchers (app/benefit_*.go, app/venue_desk.go).
	r.add(http.MethodGet, "/staff/benefits/:code", a.staffBenefitPage, staffOnly)
	r.add(http.MethodPost, "/staff/benefits/:code", a.applyBenefit, staffOnly)
	r.add(http.MethodGet, "/staff/vouchers/:id", a.staffVoucherPage, staffOnly)
	r.add(http.MethodGet, "/admin/benefits", a.benefitQueue, dispatchReaders)
	r.add(http.MethodPost, "/admin/benefits/:id/approve", a.approveApplication, dispatchers)
	r.add(http.MethodPost, "/admin/benefits/:id/reject", a.rejectApplication, dispatchers)
	r.add(http.MethodPost, "/admin/programs/:id/places", a.createBenefitPlace, adminsOnly)
	r.add(http.MethodPost, "/admin/places/:id", a.updateBenefitPlace, adminsOnly)
	r.add(http.MethodGet, "/admin/venues", a.venuesPage, adminsOnly)
	r.add(http.MethodPost, "/admin/venues", a.createVenue, adminsOnly)
	r.add(http.MethodGet, "/venue", a.venueHome, venueOnly)
	r.add(http.MethodGet, "/venue/redeem", a.venueRedeemPage, venueOnly)
	r.add(http.MethodPost, "/venue/redeem", a.venueLookUp, venueOnly)
	r.add(http.MethodPost, "/venue/redeem/confirm", a.venueRedeem, venueOnly)
	// Hardship grants and expense claims (app/grants.go, app/claims.go), and their documents (app/documents.go):
	// a staff member's and a volunteer's own only, anyone else's is not found; a document is its owner's and the
	// operators'. The uploads' paths end in /upload: they get the documents' body limit.
	r.add(http.MethodGet, "/staff/grants", a.staffGrants, staffOnly)
	r.add(http.MethodGet, "/staff/grants/new", a.staffGrantForm, staffOnly)
	r.add(http.MethodPost, "/staff/grants/upload", a.submitStaffGrant, staffOnly)
	r.add(http.MethodGet, "/staff/grants/:id", a.staffGrantPage, staffOnly)
	r.add(http.MethodGet, "/staff/claims", a.staffClaims, staffOnly)
	r.add(http.MethodGet, "/staff/claims/:id", a.staffClaimPage, staffOnly)
	r.add(http.MethodPost, "/staff/claims/:id/confirm", a.confirmStaffClaim, staffOnly)
	r.add(http.MethodPost, "/staff/claims/:id/reject", a.rejectStaffClaim, staffOnly)
	r.add(http.MethodGet, "/volunteer/claims", a.volunteerClaims, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/claims/new", a.volunteerClaimForm, volunteerOnly)
	r.add(http.MethodPost, "/volunteer/claims/upload", a.submitVolunteerClaim, volunteerOnly)
	r.add(http.MethodGet, "/volunteer/claims/:id", a.volunteerClaimPage, volunteerOnly)
	r.add(http.MethodGet, "/admin/grants", a.grantQueue, grantReaders)
	r.add(http.MethodGet, "/admin/grants/:id", a.grantReviewPage, grantReaders)
	r.add(http.MethodPost, "/admin/grants/:id/review", a.takeUpGrant, grantDeciders)
	r.add(http.MethodPost, "/admin/grants/:id/approve", a.approveGrant, grantDeciders)
	r.add(http.MethodPost, "/admin/grants/:id/reject", a.rejectGrant, grantDeciders)
	r.add(http.MethodGet, "/admin/claims", a.claimQueue, grantReaders)
	r.add(http.MethodGet, "/admin/claims/:id", a.claimReviewPage, grantReaders)
	r.add(http.MethodPost, "/admin/claims/:id/confirm", a.confirmAdminClaim, grantDeciders)
	r.add(http.MethodPost, "/admin/claims/:id/reject", a.rejectAdminClaim, grantDeciders)
	r.add(http.MethodGet, "/files/:id", a.documentPage, signedIn)
	// Bulk assignment of scheduled requests (dispatch_assign.go): the auditor reads a proposal, only dispatchers make
	// and confirm one.
	r.add(http.MethodGet, "/admin/dispatch/assignments/new", a.assignmentNew, dispatchers)
	r.add(http.MethodPost, "/admin/dispatch/assignments", a.proposeAssignment, dispatchers)
	r.add(http.MethodGet, "/admin/dispatch/assignments/:id", a.assignmentPage, dispatchReaders)
	r.add(http.MethodPost, "/admin/dispatch/assignments/:id/confirm", a.confirmAssignment, dispatchers)
}

// routeTable registers routes with who may open them, and answers "may this person open that?" for the pages.
type routeTable struct {
	e   *echo.Echo
	who map[string]roleSet // "GET /admin/donations/:id" -> who may
	// guards remembers which route's role set answers a target, by the target with its numbers made "#": every
	// page asks for each link of its menu and buttons, and the answer depends on the route, not on the id.
	guards sync.Map // "POST /admin/donations/#/reverse" -> routeGuard
}

// routeGuard is the role set of the route a target names, if any does.
type routeGuard struct {
	who   roleSet
	found bool
}

func (t *routeTable) add(method, path string, h echo.HandlerFunc, who roleSet, mw ...echo.MiddlewareFunc) {
	if who != nil {
		mw = append([]echo.MiddlewareFunc{allow(who)}, mw...)
	}
	t.e.Add(method, path, h, mw...)
	t.who[method+" "+path] = who
}

// may reports whether u may open target: "POST /admin/donations/12/reverse", or a path to GET ("/admin/ledger").
// A target no route serves may not be opened.
func (t *routeTable) may(u *domain.User, target string) bool {
	method, path, ok := strings.Cut(target, " ")
	if !ok {
		method, path = http.MethodGet, target
	}
	path, _, _ = strings.Cut(path, "?")
	key := method + " " + numbersAsHash(path)
	g, ok := t.guards.Load(key)
	if !ok {
		g = t.guard(method, path)
		t.guards.Store(key, g)
	}
	guard := g.(routeGuard)
	return guard.found && can(u, guard.who)
}

// guard finds the route that serves a path. As echo's router does, a route's fixed segments win over another's
// :params: /admin/donations/new is the form, not the donation with id "new".
func (t *routeTable) guard(method, path string) routeGuard {
	best, g := -1, routeGuard{}
	for route, rs := range t.who {
		m, pattern, _ := strings.Cut(route, " ")
		if fixed, ok := routeMatches(pattern, path); m == method && ok && fixed > best {
			best, g = fixed, routeGuard{who: rs, found: true}
		}
	}
	return g
}

// numbersAsHash writes every all-digit segment of a path as "#": no route has a fixed segment of digits, so two
// paths that differ only in ids are served by the same route.
func numbersAsHash(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "#"
		}
	}
	return strings.Join(segs, "/")
}

// routeMatches reports whether a concrete path fits a route pattern, whose :name segments stand for any one
// segment, and how many of the pattern's segments are fixed.
func routeMatches(pattern, path string) (fixed int, ok bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return 0, false
	}
	for i := range ps {
		switch {
		case strings.HasPrefix(ps[i], ":") && xs[i] != "":
		case ps[i] == xs[i]:
			fixed++
		default:
			return 0, false
		}
	}
	return fixed, true
}

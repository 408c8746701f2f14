package app

import (
	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// Who may do what, in one place. Every route is listed in the authorization matrix test too.
var (
	operators    = []domain.Role{domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor}
	peopleReader = []domain.Role{domain.RoleAdmin, domain.RoleCoordinator, domain.RoleAuditor}
	verifiers    = []domain.Role{domain.RoleAdmin, domain.RoleCoordinator}
	adminsOnly   = []domain.Role{domain.RoleAdmin}
	// The fund: finance records and pays, admin too; an approver is finance or admin other than the maker (the
	// repository and the database check that); the auditor reads everything and changes nothing.
	fundWriters = []domain.Role{domain.RoleAdmin, domain.RoleFinance}
	fundReaders = []domain.Role{domain.RoleAdmin, domain.RoleFinance, domain.RoleAuditor}
)

func (a *App) routes(e *echo.Echo) {
	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", a.metrics.handler())
	e.GET("/static/:name", a.views.assets.serve)

	e.GET("/", a.index)
	e.POST("/lang", a.setLang)
	e.GET("/privacy", a.privacyNotice)
	e.GET("/login", a.loginForm)
	e.POST("/login", a.login)
	e.POST("/logout", a.logout, loggedIn)
	e.GET("/register/staff", a.staffRegisterForm)
	e.POST("/register/staff", a.staffRegister)
	e.GET("/register/volunteer", a.volunteerRegisterForm)
	e.POST("/register/volunteer", a.volunteerRegister)
	e.GET("/reset/:token", a.resetForm)
	e.POST("/reset/:token", a.reset)

	acct := e.Group("/account", loggedIn)
	acct.GET("", a.accountPage)
	acct.GET("/password", a.passwordForm)
	acct.POST("/password", a.changePassword)
	acct.GET("/data", a.downloadMyData)
	acct.GET("/close", a.closeAccountForm)
	acct.POST("/close", a.closeAccount)

	e.GET("/staff", a.staffHome, allow(domain.RoleStaff))
	e.GET("/volunteer", a.volunteerHome, allow(domain.RoleVolunteer))

	adm := e.Group("/admin")
	adm.GET("", a.adminHome, allow(operators...))
	adm.GET("/verification", a.verificationQueue, allow(verifiers...))
	adm.POST("/people/:id/approve", a.approvePerson, allow(verifiers...))
	adm.POST("/people/:id/reject", a.rejectPerson, allow(verifiers...))
	adm.POST("/qualifications/:id/verify", a.verifyQualification, allow(verifiers...))
	adm.POST("/qualifications/:id/reject", a.rejectQualification, allow(verifiers...))
	adm.GET("/people", a.peopleList, allow(peopleReader...))
	adm.GET("/people/:id", a.personPage, allow(peopleReader...))
	adm.POST("/people/:id/reveal", a.revealPhone, allow(peopleReader...))
	adm.POST("/people/:id/reset-link", a.issueResetLink, allow(verifiers...))
	adm.POST("/people/:id/suspend", a.suspendPerson, allow(adminsOnly...))
	adm.POST("/people/:id/reactivate", a.reactivatePerson, allow(adminsOnly...))
	adm.GET("/eligibility", a.eligibilityPage, allow(verifiers...))
	adm.POST("/eligibility/upload", a.eligibilityUpload, allow(verifiers...))
	adm.GET("/eligibility/imports/:id", a.eligibilityPreview, allow(verifiers...))
	adm.POST("/eligibility/imports/:id/confirm", a.eligibilityConfirm, allow(verifiers...))
	adm.GET("/audit", a.auditLog, allow(domain.RoleAdmin, domain.RoleAuditor))

	adm.GET("/donors", a.donorList, allow(fundReaders...))
	adm.GET("/donors/new", a.donorForm, allow(fundWriters...))
	adm.POST("/donors", a.createDonor, allow(fundWriters...))
	adm.GET("/donors/:id", a.donorPage, allow(fundReaders...))
	adm.GET("/donations", a.donationList, allow(fundReaders...))
	adm.GET("/donations/new", a.donationForm, allow(fundWriters...))
	adm.POST("/donations", a.recordDonation, allow(fundWriters...))
	adm.GET("/donations/:id", a.donationPage, allow(fundReaders...))
	adm.POST("/donations/:id/reverse", a.reverseDonation, allow(fundWriters...))
	adm.POST("/donations/:id/reissue", a.reissueReceipt, allow(fundWriters...))
	adm.GET("/receipts/:id", a.receiptPage, allow(fundReaders...))
	adm.GET("/ledger", a.ledgerPage, allow(fundReaders...))
	adm.POST("/ledger/allocate", a.allocate, allow(fundWriters...))
	adm.GET("/disbursements", a.disbursementList, allow(fundReaders...))
	adm.GET("/disbursements/new", a.disbursementForm, allow(fundWriters...))
	adm.POST("/disbursements", a.createDisbursement, allow(fundWriters...))
	adm.GET("/disbursements/:id", a.disbursementPage, allow(fundReaders...))
	adm.POST("/disbursements/:id/approve", a.approveDisbursement, allow(fundWriters...))
	adm.POST("/disbursements/:id/pay", a.payDisbursement, allow(fundWriters...))
	adm.POST("/disbursements/:id/reject", a.rejectDisbursement, allow(fundWriters...))
	adm.POST("/disbursements/:id/cancel", a.cancelDisbursement, allow(fundWriters...))

	a.transparencyRoutes(e)
	a.statementRoutes(adm)
	a.exportRoutes(adm)
}

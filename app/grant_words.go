package app

import (
	"fmt"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// GrantStage is an application's status as its applicant reads it: 已提交, 审核中, 已批准 ¥3,000.00,
// 已拨付 2026年3月1日 — or why not.
func (p *Page) GrantStage(g repository.GrantLine) string {
	return p.stage("grants.stage.", g.Stage(), g.Amount, g.PaidAt)
}

// ClaimStage is a claim's status as the volunteer reads it.
func (p *Page) ClaimStage(c repository.ClaimLine) string {
	return p.stage("claims.stage.", c.Stage(), c.Amount, c.PaidAt)
}

func (p *Page) stage(prefix, stage string, amount domain.Money, paidAt *time.Time) string {
	date := ""
	if paidAt != nil {
		date = p.Date(*paidAt)
	}
	return p.T(prefix+stage, "Amount", amount.String(), "Date", date)
}

// StageClass is the colour of a stage: done, waiting, or refused.
func (p *Page) StageClass(stage string) string {
	switch stage {
	case domain.StagePaid, domain.StageApproved, domain.ClaimConfirmed:
		return "s-active"
	case domain.StageRejected, domain.StageReturned:
		return "s-rejected"
	}
	return "s-pending"
}

// documentList is what the documents partial shows: the files, and whether pictures are shown inline (to an
// operator reviewing them; each picture shown is a view the audit log records).
type documentList struct {
	Page *Page
	Docs []repository.DocumentInfo
	Show bool
}

// Documents lists documents for the documents partial.
func (p *Page) Documents(docs []repository.DocumentInfo, show bool) documentList {
	return documentList{Page: p, Docs: docs, Show: show}
}

// DocumentKind names a document's type: 图片 or PDF.
func (p *Page) DocumentKind(contentType string) string {
	if contentType == domain.DocumentPDF {
		return "PDF"
	}
	return p.T("uploads.kind_image")
}

// FileSize is a size in KB or MB.
func (p *Page) FileSize(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// claimFacts is what the claim_facts partial shows.
type claimFacts struct {
	Page *Page
	C    repository.ClaimView
}

// ClaimFacts hands a claim to the claim_facts partial.
func (p *Page) ClaimFacts(c repository.ClaimView) claimFacts { return claimFacts{Page: p, C: c} }

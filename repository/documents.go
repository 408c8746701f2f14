package repository

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// Documents are the files a grant application or an expense claim carries, kept in PostgreSQL (so any app instance
// serves them). What reaches here is already checked by app: its type sniffed from the content, an image decoded and
// encoded again. The owner and the operators read them; every operator's view is audited.

// Upload is a checked file to store with an application or a claim.
type Upload struct {
	Name        string // domain.DocumentName of what the browser sent
	ContentType string // one of domain.DocumentTypes, as the content says
	Content     []byte
}

type documentRow struct {
	ID          int64
	OwnerID     int64
	GrantID     *int64
	ClaimID     *int64
	Name        string
	ContentType string
	Size        int
	Content     []byte
	CreatedAt   time.Time
}

func (documentRow) TableName() string { return "documents" }

// DocumentInfo is a document as a list shows it: no content.
type DocumentInfo struct {
	ID          int64
	Name        string
	ContentType string
	Size        int
	CreatedAt   time.Time
}

// Image reports whether the document is a picture a page may show inline.
func (d DocumentInfo) Image() bool {
	return d.ContentType == domain.DocumentJPEG || d.ContentType == domain.DocumentPNG
}

// Document is a document with its content, to serve.
type Document struct {
	DocumentInfo
	Content []byte
}

// documentReaders are the roles that read anyone's documents: the fund's own operators, named one by one so that a
// role added later (a venue's desk) reads none until someone decides it should.
var documentReaders = []domain.Role{domain.RoleAdmin, domain.RoleFinance, domain.RoleCoordinator, domain.RoleAuditor}

// errTooManyDocuments is a sixth file (the form says so before it gets here; the database refuses it too).
var errTooManyDocuments = domain.FieldErrors{"files": "uploads.document_too_many"}

// saveDocuments writes an application's or a claim's files in the caller's transaction.
func saveDocuments(tx *gorm.DB, ownerID int64, grantID, claimID *int64, files []Upload) error {
	if len(files) > domain.MaxDocuments {
		return errTooManyDocuments
	}
	at := now(tx)
	for _, f := range files {
		if !slices.Contains(domain.DocumentTypes, f.ContentType) || len(f.Content) == 0 {
			return domain.FieldErrors{"files": "uploads.document_type"}
		}
		r := documentRow{OwnerID: ownerID, GrantID: grantID, ClaimID: claimID, Name: domain.DocumentName(f.Name),
			ContentType: f.ContentType, Size: len(f.Content), Content: f.Content, CreatedAt: at}
		if err := tx.Omit("ID").Create(&r).Error; err != nil {
			if isCheckViolation(err, "documents_at_most_five") {
				return errTooManyDocuments
			}
			return err
		}
	}
	return nil
}

// documentsOf lists the files of an application (column grant_id) or a claim (claim_id), oldest first.
func documentsOf(db *gorm.DB, column string, id int64) ([]DocumentInfo, error) {
	var out []DocumentInfo
	err := db.Raw(`SELECT id, name, content_type, size, created_at FROM documents WHERE `+column+` = ? ORDER BY id`, id).
		Scan(&out).Error
	return out, err
}

// ReadDocument returns a document to the person who uploaded it or to an operator, and records an operator's view
// in the audit log in the same transaction (a view that cannot be recorded is not given). Anyone else is told it
// does not exist, as is a guess at an id.
func (s *Store) ReadDocument(ctx context.Context, actor Actor, id int64) (Document, error) {
	var out Document
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var r documentRow
		err := tx.Take(&r, id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		if r.OwnerID != actor.UserID && !slices.Contains(documentReaders, actor.Role) {
			return domain.ErrNotFound
		}
		out = Document{DocumentInfo: DocumentInfo{ID: r.ID, Name: r.Name, ContentType: r.ContentType, Size: r.Size,
			CreatedAt: r.CreatedAt}, Content: r.Content}
		if r.OwnerID == actor.UserID {
			return nil
		}
		about := map[string]any{"filename": r.Name, "owner": r.OwnerID}
		if r.GrantID != nil {
			about["grant"] = *r.GrantID
		}
		if r.ClaimID != nil {
			about["claim"] = *r.ClaimID
		}
		return audit(tx, actor, "document.view", "document", r.ID, nil, about)
	})
	return out, err
}

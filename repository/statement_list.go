package repository

import (
	"context"
	"time"
)

// StatementImportSummary is a line of the list of imports.
type StatementImportSummary struct {
	ID           int64
	Filename     string
	Channel      string
	Status       string
	UploaderName string
	CreatedAt    time.Time
	CommittedAt  *time.Time
	Lines        int
	Mapped       bool
	Result       *StatementResult `gorm:"serializer:json"` // once committed
}

// StatementImports lists uploads, newest first, one page at a time, with the total count.
func (s *Store) StatementImports(ctx context.Context, page int) ([]StatementImportSummary, int64, error) {
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Model(&statementImportRow{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []StatementImportSummary
	err := db.Raw(`SELECT i.id, i.filename, i.channel, i.status, u.name AS uploader_name, i.created_at, i.committed_at,
			i.data_lines AS lines, i.mapping IS NOT NULL AS mapped, i.result
		FROM statement_imports i JOIN users u ON u.id = i.uploaded_by
		ORDER BY i.id DESC LIMIT ? OFFSET ?`, PageSize, max(page-1, 0)*PageSize).Scan(&out).Error
	return out, total, err
}

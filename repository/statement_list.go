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
	Importing    bool             // its confirmation is waiting or running
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
	pending := make([]string, len(jobPending))
	for i, st := range jobPending {
		pending[i] = string(st)
	}
	err := db.Raw(`SELECT i.id, i.filename, i.channel, i.status, u.name AS uploader_name, i.created_at, i.committed_at,
			i.data_lines AS lines, i.mapping IS NOT NULL AS mapped, i.result,
			i.status <> 'committed' AND coalesce(j.state::text IN ?, false) AS importing
		FROM statement_imports i JOIN users u ON u.id = i.uploaded_by `+statementProgressJoins+`
		ORDER BY i.id DESC LIMIT ? OFFSET ?`, pending, PageSize, max(page-1, 0)*PageSize).Scan(&out).Error
	return out, total, err
}

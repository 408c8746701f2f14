package repository

import (
	"context"
	"encoding/json"
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
	Result       *StatementResult
}

// StatementImports lists uploads, newest first, one page at a time, with the total count.
func (s *Store) StatementImports(ctx context.Context, page int) ([]StatementImportSummary, int64, error) {
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Model(&statementImportRow{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []struct {
		ID           int64
		Filename     string
		Channel      string
		Status       string
		UploaderName string
		CreatedAt    time.Time
		CommittedAt  *time.Time
		Lines        int
		Mapped       bool
		Result       []byte
	}
	err := db.Raw(`SELECT i.id, i.filename, i.channel, i.status, u.name AS uploader_name, i.created_at, i.committed_at,
			i.data_lines AS lines, i.mapping IS NOT NULL AS mapped, i.result
		FROM statement_imports i JOIN users u ON u.id = i.uploaded_by
		ORDER BY i.id DESC LIMIT ? OFFSET ?`, PageSize, max(page-1, 0)*PageSize).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	out := make([]StatementImportSummary, len(rows))
	for i, r := range rows {
		out[i] = StatementImportSummary{ID: r.ID, Filename: r.Filename, Channel: r.Channel, Status: r.Status,
			UploaderName: r.UploaderName, CreatedAt: r.CreatedAt, CommittedAt: r.CommittedAt, Lines: r.Lines, Mapped: r.Mapped}
		if r.Result != nil {
			out[i].Result = &StatementResult{}
			if err := json.Unmarshal(r.Result, out[i].Result); err != nil {
				return nil, 0, err
			}
		}
	}
	return out, total, nil
}

package repository

import (
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// auditEvent is a row of the append-only audit log.
type auditEvent struct {
	ID          int64
	At          time.Time
	ActorID     *int64
	ActorIP     string
	Action      string
	SubjectType string
	SubjectID   *int64
	Before      []byte `gorm:"type:jsonb"`
	After       []byte `gorm:"type:jsonb"`
}

func (auditEvent) TableName() string { return "audit_events" }

// audit appends an event in the caller's transaction, so the record and the change commit or fail together.
func audit(tx *gorm.DB, actor Actor, action, subjectType string, subjectID int64, before, after any) error {
	ev := auditEvent{At: now(tx), ActorIP: actor.IP, Action: action, SubjectType: subjectType}
	if actor.UserID != 0 {
		ev.ActorID = &actor.UserID
	}
	if subjectID != 0 {
		ev.SubjectID = &subjectID
	}
	var err error
	if ev.Before, err = jsonOrNil(before); err != nil {
		return err
	}
	if ev.After, err = jsonOrNil(after); err != nil {
		return err
	}
	return tx.Omit("ID").Create(&ev).Error
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

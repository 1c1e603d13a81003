package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/risk"
)

// PreferenceStore implements risk.PreferenceStore on member_preferences.
type PreferenceStore struct{ DB *bun.DB }

var _ risk.PreferenceStore = (*PreferenceStore)(nil)

type preferenceRow struct {
	bun.BaseModel   `bun:"table:member_preferences,alias:mp"`
	OrganizationID  string    `bun:"organization_id,pk"`
	MemberID        string    `bun:"member_id,pk"`
	RegisterColumns []string  `bun:"register_columns,array"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

// RegisterColumns returns the member's columns, nil when never chosen.
func (s *PreferenceStore) RegisterColumns(ctx context.Context, orgID, memberID string) ([]string, error) {
	var row preferenceRow
	err := idb(ctx, s.DB).NewSelect().Model(&row).
		Where("organization_id = ? AND member_id = ?", orgID, memberID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbErr("read preferences", err)
	}
	if row.RegisterColumns == nil {
		return []string{}, nil
	}
	return row.RegisterColumns, nil
}

// SetRegisterColumns inserts or replaces the member's columns.
func (s *PreferenceStore) SetRegisterColumns(ctx context.Context, orgID, memberID string, cols []string, now time.Time) error {
	if cols == nil {
		cols = []string{}
	}
	row := preferenceRow{OrganizationID: orgID, MemberID: memberID, RegisterColumns: cols, UpdatedAt: now}
	_, err := idb(ctx, s.DB).NewInsert().Model(&row).
		On("CONFLICT (organization_id, member_id) DO UPDATE").
		Set("register_columns = EXCLUDED.register_columns, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return dbErr("save preferences", err)
}

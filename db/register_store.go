package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/uptrace/bun"
)

// RegisterStore keeps risk registers and their matrices: it implements
// risk.RegisterStore on PostgreSQL.
type RegisterStore struct{ DB *bun.DB }

var _ risk.RegisterStore = (*RegisterStore)(nil)

// CreateRegister stores a register.
func (s *RegisterStore) CreateRegister(ctx context.Context, r *risk.Register) error {
	row := &registerRow{OrganizationID: r.OrganizationID, ID: r.ID, Name: r.Name, Description: r.Description,
		Matrix: r.Matrix, IsDefault: r.IsDefault, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Exec(ctx)
	return dbErr("create register", err)
}

// Register returns one register.
func (s *RegisterStore) Register(ctx context.Context, orgID, id string) (*risk.Register, error) {
	if !validKey(id) {
		return nil, apperr.New(apperr.NotFound, "Register not found")
	}
	return s.one(ctx, "get register", "g.organization_id = ? AND g.id = ?", orgID, id)
}

// DefaultRegister returns the organization's default register.
func (s *RegisterStore) DefaultRegister(ctx context.Context, orgID string) (*risk.Register, error) {
	return s.one(ctx, "get default register", "g.organization_id = ? AND g.is_default", orgID)
}

// Registers lists the organization's registers, the default first.
func (s *RegisterStore) Registers(ctx context.Context, orgID string) ([]*risk.Register, error) {
	return s.read(ctx, "list registers", "g.organization_id = ? ORDER BY g.is_default DESC, g.name", orgID)
}

// read returns the registers where (and the order of) where selects. They
// are read as JSON text and decoded through the cache: every page reads a
// register or the list, and decoding a matrix was a tenth of a register
// page's Go time.
func (s *RegisterStore) read(ctx context.Context, op, where string, args ...any) ([]*risk.Register, error) {
	var texts []string
	err := idb(ctx, s.DB).NewRaw(`SELECT to_jsonb(g)::text FROM registers AS g WHERE `+where, args...).Scan(ctx, &texts)
	if err != nil {
		return nil, dbErr(op, err)
	}
	out := make([]*risk.Register, len(texts))
	for i, text := range texts {
		if out[i], err = decodedRegisters.decode([]byte(text)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// one is read for a single register, NotFound without one.
func (s *RegisterStore) one(ctx context.Context, op, where string, args ...any) (*risk.Register, error) {
	regs, err := s.read(ctx, op, where, args...)
	if err != nil {
		return nil, err
	}
	if len(regs) == 0 {
		return nil, dbErr(op, sql.ErrNoRows)
	}
	return regs[0], nil
}

// RegisterForUpdate returns one register and locks its row until the
// transaction in ctx ends.
func (s *RegisterStore) RegisterForUpdate(ctx context.Context, orgID, id string) (*risk.Register, error) {
	if !validKey(id) {
		return nil, apperr.New(apperr.NotFound, "Register not found")
	}
	var row registerRow
	err := idb(ctx, s.DB).NewSelect().Model(&row).Where("organization_id = ? AND id = ?", orgID, id).For("UPDATE").Scan(ctx)
	if err != nil {
		return nil, dbErr("get register", err)
	}
	return row.toDomain(), nil
}

// UpdateRegister writes r's name, description, matrix, version and
// updated_at when the stored version is r.Version-1; it returns a Conflict
// otherwise.
func (s *RegisterStore) UpdateRegister(ctx context.Context, r *risk.Register) error {
	row := &registerRow{OrganizationID: r.OrganizationID, ID: r.ID, Name: r.Name, Description: r.Description,
		Matrix: r.Matrix, Version: r.Version, UpdatedAt: r.UpdatedAt}
	res, err := idb(ctx, s.DB).NewUpdate().Model(row).Column("name", "description", "matrix", "version", "updated_at").
		Where("organization_id = ? AND id = ? AND version = ?", r.OrganizationID, r.ID, r.Version-1).Exec(ctx)
	if err != nil {
		return dbErr("update register", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "The register changed since it was loaded")
	}
	return nil
}

// Relevel recomputes the stored inherent and residual levels of every risk
// of the register from m, in one UPDATE joined to a VALUES table of the
// 10x10 (probability, impact) -> level mapping. Only rows whose level
// changes are written; it returns their number.
func (s *RiskStore) Relevel(ctx context.Context, orgID, registerID string, m risk.Matrix) (int, error) {
	var vals []string
	for p := 1; p <= 10; p++ {
		for i := 1; i <= 10; i++ {
			if l := m.LevelIndexOf(p, i); l != nil {
				vals = append(vals, fmt.Sprintf("(%d,%d,%d)", p, i, *l))
			}
		}
	}
	if len(vals) == 0 {
		vals = append(vals, "(NULL::int,NULL::int,NULL::int)")
	}
	q := `WITH m(p, i, l) AS (VALUES ` + strings.Join(vals, ",") + `)
UPDATE risks r SET
    inherent_level = (SELECT l FROM m WHERE m.p = r.probability AND m.i = r.impact),
    residual_level = (SELECT l FROM m WHERE m.p = r.residual_probability AND m.i = r.residual_impact)
WHERE r.organization_id = ? AND r.register_id = ?
  AND (r.inherent_level IS DISTINCT FROM (SELECT l FROM m WHERE m.p = r.probability AND m.i = r.impact)
    OR r.residual_level IS DISTINCT FROM (SELECT l FROM m WHERE m.p = r.residual_probability AND m.i = r.residual_impact))`
	res, err := idb(ctx, s.DB).ExecContext(ctx, q, orgID, registerID)
	if err != nil {
		return 0, dbErr("relevel risks", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// CountByRegister returns the number of risks per register id.
func (s *RiskStore) CountByRegister(ctx context.Context, orgID string) (map[string]int, error) {
	var rows []struct {
		RegisterID string `bun:"register_id"`
		N          int    `bun:"n"`
	}
	err := idb(ctx, s.DB).NewSelect().TableExpr("risks").ColumnExpr("register_id, count(*) AS n").
		Where("organization_id = ?", orgID).GroupExpr("register_id").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("count risks per register", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.RegisterID] = r.N
	}
	return out, nil
}

package risk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// RegisterInput is a register as submitted.
type RegisterInput struct {
	Name        string
	Description string
	Matrix      Matrix
}

// Validate checks the name and the matrix.
func (in *RegisterInput) Validate() error {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	fe := apperr.FieldErrors{}
	if in.Name == "" || len([]rune(in.Name)) > 120 {
		fe.Add("name", "Give the register a name of 1 to 120 characters")
	}
	if len([]rune(in.Description)) > 2000 {
		fe.Add("description", "Keep the description under 2,000 characters")
	}
	if err := in.Matrix.Validate(); err != nil {
		if e, ok := apperr.As(err); ok {
			for f, msgs := range e.Fields {
				for _, m := range msgs {
					fe.Add(f, m)
				}
			}
		}
	}
	return fe.Err()
}

// ListRegisters lists the organization's registers, the default first.
func (s *Service) ListRegisters(ctx context.Context, orgID string) ([]*Register, error) {
	return s.Registers.Registers(ctx, orgID)
}

// GetRegister returns one register, or NotFound.
func (s *Service) GetRegister(ctx context.Context, orgID, id string) (*Register, error) {
	return s.Registers.Register(ctx, orgID, id)
}

// RegisterRiskCounts returns the number of risks per register id.
func (s *Service) RegisterRiskCounts(ctx context.Context, orgID string) (map[string]int, error) {
	return s.Risks.CountByRegister(ctx, orgID)
}

// ChooseRegister returns the register named id among regs; with no id,
// the default register, else the first. ok is false when id names none
// of regs (or there are none).
func ChooseRegister(regs []*Register, id string) (reg *Register, ok bool) {
	for _, r := range regs {
		if r.ID == id || (id == "" && r.IsDefault) {
			return r, true
		}
	}
	if id == "" && len(regs) > 0 {
		return regs[0], true
	}
	return nil, false
}

// ResolveRegister returns the register named id (the default one when id
// is empty) with every register of the organization, or NotFound
// "Register not found" when id names none of them.
func (s *Service) ResolveRegister(ctx context.Context, orgID, id string) (*Register, []*Register, error) {
	regs, err := s.Registers.Registers(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	reg, ok := ChooseRegister(regs, id)
	if !ok {
		return nil, regs, apperr.New(apperr.NotFound, "Register not found")
	}
	return reg, regs, nil
}

// CreateRegister validates in and stores a new register with its audit
// event.
func (s *Service) CreateRegister(ctx context.Context, orgID string, actor audit.Actor, in RegisterInput) (*Register, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	reg := &Register{ID: s.NewID("reg"), OrganizationID: orgID, Name: in.Name, Description: in.Description,
		Matrix: in.Matrix, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Registers.CreateRegister(ctx, reg); err != nil {
			return nameTaken(err)
		}
		return s.Events.Append(ctx, &audit.Event{
			OrganizationID: orgID, EntityType: audit.EntityRegister, EntityID: reg.ID, EntityLabel: reg.Name,
			Action: audit.ActionCreated, Actor: actor, Changes: registerDiff(&Register{}, reg, -1), CreatedAt: now,
		})
	})
	if err != nil {
		return nil, err
	}
	return reg, nil
}

// UpdateRegister applies in to the register when its version still equals
// version (the one the user's form was rendered from); a stale version is
// a Conflict naming the stored one. A version of 0 skips the check. A changed
// matrix re-levels every risk of the register in the same transaction with
// one UPDATE, and one register event records the change with the number
// of risks whose level changed (no per-risk events).
func (s *Service) UpdateRegister(ctx context.Context, orgID string, actor audit.Actor, id string, version int, in RegisterInput) (*Register, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Register
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Registers.RegisterForUpdate(ctx, orgID, id)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return apperr.Stale("Someone changed this register since you opened it; reload to see their changes", cur.Version, nil)
		}
		now := s.Now().UTC().Truncate(time.Microsecond)
		next := *cur
		next.Name, next.Description, next.Matrix, next.UpdatedAt = in.Name, in.Description, in.Matrix, now
		next.Version = cur.Version + 1
		if err := s.Registers.UpdateRegister(ctx, &next); err != nil {
			return nameTaken(err)
		}
		relevelled := -1
		if matrixText(cur.Matrix) != matrixText(next.Matrix) {
			if relevelled, err = s.Risks.Relevel(ctx, orgID, id, next.Matrix); err != nil {
				return err
			}
		}
		out = &next
		changes := registerDiff(cur, &next, relevelled)
		if len(changes) == 0 {
			return nil
		}
		return s.Events.Append(ctx, &audit.Event{
			OrganizationID: orgID, EntityType: audit.EntityRegister, EntityID: id, EntityLabel: next.Name,
			Action: audit.ActionUpdated, Actor: actor, Changes: changes, CreatedAt: now,
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func nameTaken(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return invalidField("name", "Another register already has this name")
	}
	return err
}

// registerDiff lists the changes as display strings; relevelled >= 0 adds
// the number of risks re-levelled by a matrix change.
func registerDiff(old, new *Register, relevelled int) []audit.Change {
	var d audit.Diff
	d.Add("name", old.Name, new.Name)
	d.Add("description", old.Description, new.Description)
	om, nm := old.Matrix, new.Matrix
	d.Add("likelihood", scaleText(om.Likelihood), scaleText(nm.Likelihood))
	d.Add("impact", scaleText(om.Impact), scaleText(nm.Impact))
	d.Add("risk_levels", levelsText(om.Levels), levelsText(nm.Levels))
	d.Add("grid", gridText(om), gridText(nm))
	d.Add("tolerance", toleranceText(om), toleranceText(nm))
	if relevelled >= 0 {
		d.Add("relevelled_risks", "", fmt.Sprint(relevelled))
	}
	return d
}

func scaleText(levels []ScaleLevel) string {
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = fmt.Sprintf("%s (%s)", l.Name, BandLabel(levels, i))
		if l.Description != "" {
			parts[i] += ": " + l.Description
		}
	}
	return strings.Join(parts, "; ")
}

func levelsText(levels []RiskLevel) string {
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = l.Name + " " + l.Color
	}
	return strings.Join(parts, "; ")
}

func gridText(m Matrix) string {
	rows := make([]string, len(m.Grid))
	for l, row := range m.Grid {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = m.LevelAt(v).Name
		}
		rows[l] = strings.Join(cells, ", ")
	}
	return strings.Join(rows, " / ")
}

func toleranceText(m Matrix) string {
	if len(m.Levels) == 0 {
		return ""
	}
	return m.LevelAt(m.Tolerance).Name
}

func matrixText(m Matrix) string {
	return scaleText(m.Likelihood) + "|" + scaleText(m.Impact) + "|" + levelsText(m.Levels) + "|" + fmt.Sprint(m.Grid) + "|" + fmt.Sprint(m.Tolerance)
}

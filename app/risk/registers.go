package risk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// RegisterStore writes registers; db.RiskStore implements it next to Store.
type RegisterStore interface {
	CreateRegister(ctx context.Context, r *Register) error
	RegisterForUpdate(ctx context.Context, orgID, id string) (*Register, error)
	// UpdateRegister writes r when the stored updated_at equals prev, or
	// returns a Conflict.
	UpdateRegister(ctx context.Context, r *Register, prev time.Time) error
	// Relevel recomputes the stored levels of every risk of the register
	// from m in one statement and returns how many risks changed level.
	Relevel(ctx context.Context, orgID, registerID string, m Matrix) (int, error)
	// RegisterRiskCounts returns the number of risks per register id.
	RegisterRiskCounts(ctx context.Context, orgID string) (map[string]int, error)
}

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

func (s *Service) registerStore() RegisterStore { return s.Store.(RegisterStore) }

// RegisterRiskCounts returns the number of risks per register id.
func (s *Service) RegisterRiskCounts(ctx context.Context, orgID string) (map[string]int, error) {
	return s.registerStore().RegisterRiskCounts(ctx, orgID)
}

// CreateRegister validates in and stores a new register with its audit
// event.
func (s *Service) CreateRegister(ctx context.Context, orgID string, actor audit.Actor, in RegisterInput) (*Register, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	reg := &Register{ID: s.NewID("reg"), OrganizationID: orgID, Name: in.Name, Description: in.Description,
		Matrix: in.Matrix, CreatedAt: now, UpdatedAt: now}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.registerStore().CreateRegister(ctx, reg); err != nil {
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

// UpdateRegister applies in to the register when its updated_at still
// equals loaded (the value the user's form was rendered from). A changed
// matrix re-levels every risk of the register in the same transaction with
// one UPDATE, and one register event records the change with the number
// of risks whose level changed (no per-risk events).
func (s *Service) UpdateRegister(ctx context.Context, orgID string, actor audit.Actor, id string, loaded time.Time, in RegisterInput) (*Register, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Register
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		st := s.registerStore()
		cur, err := st.RegisterForUpdate(ctx, orgID, id)
		if err != nil {
			return err
		}
		if !cur.UpdatedAt.Equal(loaded) {
			return apperr.New(apperr.Conflict, "Someone changed this register since you opened it; reload to see their changes")
		}
		now := s.Now().UTC().Truncate(time.Microsecond)
		if !now.After(cur.UpdatedAt) {
			now = cur.UpdatedAt.Add(time.Microsecond)
		}
		next := *cur
		next.Name, next.Description, next.Matrix, next.UpdatedAt = in.Name, in.Description, in.Matrix, now
		if err := st.UpdateRegister(ctx, &next, cur.UpdatedAt); err != nil {
			return nameTaken(err)
		}
		relevelled := -1
		if matrixText(cur.Matrix) != matrixText(next.Matrix) {
			if relevelled, err = st.Relevel(ctx, orgID, id, next.Matrix); err != nil {
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

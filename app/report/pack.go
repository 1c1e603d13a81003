package report

import (
	"context"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// Limits of the pack's lists (each states the total when it is cut).
const (
	TopRisks     = 10
	MaxListed    = 100
	fetchForTop  = 40 // candidates read for the top ten, closed ones left out
	unknownField = "registerId"
)

// TopRisk is one of the highest residual risks with its plan.
type TopRisk struct {
	Risk      *risk.Risk
	Level     risk.Level // residual
	Treatment *risk.Treatment
	NextStep  *risk.Task // the first task not completed; nil when none
}

// Pack is the committee pack of one register over one period.
type Pack struct {
	Organization string
	Register     *risk.Register
	Period       Period
	GeneratedAt  time.Time
	// Inherent and Residual are the register's heat maps.
	Inherent, Residual risk.Heatmap
	Top                []TopRisk
	// Outside are the risks outside appetite (residual level above the
	// tolerance), highest first; OutsideTotal counts them all.
	Outside      []*risk.Risk
	OutsideTotal int
	Moved        *Changes
	OverdueTasks []OverdueTask
	// OverdueTasksTotal and OverdueReviewsTotal count past the list's cut.
	OverdueTasksTotal   int
	OverdueReviews      []*risk.Risk
	OverdueReviewsTotal int
	Incidents           []*incident.Incident
}

// Committee builds the pack of the register registerID ("" for the
// default one) over p. The heat maps, the top ten and the risks outside
// appetite are the register as it was at the end of the period (or today,
// for a period that has not ended), by the matrix in force then; the
// treatments and next steps are the current ones. An unknown register is
// an Invalid error on registerId.
func (s *Service) Committee(ctx context.Context, orgID, registerID string, p Period) (*Pack, error) {
	reg, _, err := s.Risks.ResolveRegister(ctx, orgID, registerID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, invalid(unknownField, "Register not found")
	} else if err != nil {
		return nil, err
	}
	end := p.To
	if today := s.Today(); end.After(today) {
		end = today
	}
	then, err := s.Risks.RegistersAsOf(ctx, orgID, end)
	if err != nil {
		return nil, err
	}
	if r, ok := risk.ChooseRegister(then, reg.ID); ok && r.ID == reg.ID {
		reg = r // its name and matrix at the end of the period
	}
	pk := &Pack{Register: reg, Period: p, GeneratedAt: s.Now().UTC()}
	if pk.Organization, err = s.Store.OrganizationName(ctx, orgID); err != nil {
		return nil, err
	}
	base := risk.ListQuery{RegisterID: reg.ID, Sort: "residual", Desc: true, Page: 1, PerPage: fetchForTop, AsOf: &end}
	if pk.Inherent, err = s.Risks.HeatmapAsOf(ctx, orgID, reg, base, false, end); err != nil {
		return nil, err
	}
	if pk.Residual, err = s.Risks.HeatmapAsOf(ctx, orgID, reg, base, true, end); err != nil {
		return nil, err
	}
	if pk.Top, err = s.top(ctx, orgID, reg, base, end); err != nil {
		return nil, err
	}
	out := base
	minLevel := reg.Matrix.Tolerance + 1
	out.MinResidualLevel, out.PerPage = &minLevel, MaxListed
	page, err := s.Risks.ListAsOf(ctx, orgID, out, end)
	if err != nil {
		return nil, err
	}
	pk.Outside, pk.OutsideTotal = page.Risks, page.Total
	if pk.Moved, err = s.Changes(ctx, orgID, p.Start(), p.End(), reg); err != nil {
		return nil, err
	}
	if pk.OverdueTasks, pk.OverdueTasksTotal, err = s.Store.OverdueTasks(ctx, orgID, reg.ID, p.To, MaxListed); err != nil {
		return nil, err
	}
	if pk.OverdueReviews, pk.OverdueReviewsTotal, err = s.Store.OverdueReviews(ctx, orgID, reg.ID, p.To, MaxListed); err != nil {
		return nil, err
	}
	if pk.Incidents, err = s.Store.IncidentsBetween(ctx, orgID, p.From, p.To); err != nil {
		return nil, err
	}
	return pk, nil
}

// top returns the ten highest residual risks at the end of day that were
// not closed then, each with its (current) treatment and next step.
func (s *Service) top(ctx context.Context, orgID string, reg *risk.Register, q risk.ListQuery, day time.Time) ([]TopRisk, error) {
	page, err := s.Risks.ListAsOf(ctx, orgID, q, day)
	if err != nil {
		return nil, err
	}
	var out []TopRisk
	for _, r := range page.Risks {
		if len(out) == TopRisks {
			break
		}
		if r.Status == risk.StatusClosed || r.ResidualLevel == nil {
			continue
		}
		t := TopRisk{Risk: r, Level: reg.Matrix.LevelAt(*r.ResidualLevel)}
		if t.Treatment, err = s.Risks.Treatment(ctx, orgID, r.ID); err != nil {
			return nil, err
		}
		tasks, err := s.Risks.Tasks(ctx, orgID, r.ID)
		if err != nil {
			return nil, err
		}
		for _, task := range tasks {
			if task.Status != risk.TaskCompleted {
				t.NextStep = task
				break
			}
		}
		out = append(out, t)
	}
	return out, nil
}

package risk

import (
	"context"

	"github.com/riskreg/riskreg/app/audit"
)

// Detail is one risk with everything its page and the single-risk API
// show: its register (for levels), treatment and mitigation tasks.
type Detail struct {
	Risk      *Risk
	Register  *Register
	Treatment *Treatment // nil when none is set
	Tasks     []*Task
	// Related is what links to the risk; nil when the read did not load it.
	Related *Related
}

// Related is what the single-risk API shows of the records that link to a
// risk: its incidents' ids (newest incident first) and its comment count.
type Related struct {
	IncidentIDs   []string
	CommentsCount int
}

// Detail returns the risk by id or identifier with its register,
// treatment, tasks and Related in one statement; NotFound when it is not
// the organization's.
func (s *Service) Detail(ctx context.Context, orgID, id string) (*Detail, error) {
	return s.Risks.Detail(ctx, orgID, id)
}

func (s *Service) detailOf(ctx context.Context, r *Risk) (*Detail, error) {
	d := &Detail{Risk: r}
	var err error
	if d.Register, err = s.Registers.Register(ctx, r.OrganizationID, r.RegisterID); err != nil {
		return nil, err
	}
	if d.Treatment, err = s.Plans.Treatment(ctx, r.OrganizationID, r.ID); err != nil {
		return nil, err
	}
	if d.Tasks, err = s.Plans.Tasks(ctx, r.OrganizationID, r.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// History returns the latest events of the risk, newest first.
func (s *Service) History(ctx context.Context, orgID, riskID string, limit int) ([]*audit.Event, error) {
	return s.Events.ForEntity(ctx, orgID, audit.EntityRisk, riskID, limit)
}

// RecentEvents returns the organization's latest events, newest first.
func (s *Service) RecentEvents(ctx context.Context, orgID string, limit int) ([]*audit.Event, error) {
	return s.Events.Recent(ctx, orgID, limit)
}

// Heatmap counts the risks matching q (narrowed to reg) per cell of reg's
// matrix, inherent or residual, with one GROUP BY.
func (s *Service) Heatmap(ctx context.Context, orgID string, reg *Register, q ListQuery, residual bool) (Heatmap, error) {
	if q.AsOf != nil { // reg must come from ResolveRegisterAsOf
		return s.HeatmapAsOf(ctx, orgID, reg, q, residual, *q.AsOf)
	}
	q.RegisterID = reg.ID
	vc, err := s.Risks.ValueCounts(ctx, orgID, s.dated(q), residual)
	if err != nil {
		return Heatmap{}, err
	}
	return FoldHeatmap(&reg.Matrix, vc), nil
}

// Movement counts the risks matching q (narrowed to reg) per move from an
// inherent cell to a residual cell of reg's matrix.
func (s *Service) Movement(ctx context.Context, orgID string, reg *Register, q ListQuery) ([]MoveCount, error) {
	q.RegisterID = reg.ID
	mv, err := s.Risks.MoveCounts(ctx, orgID, s.dated(q))
	if err != nil {
		return nil, err
	}
	return FoldMovement(&reg.Matrix, mv), nil
}

// CellRisks lists the first page of the risks of cell (l, i) of reg's
// matrix among those matching q, highest residual first.
func (s *Service) CellRisks(ctx context.Context, orgID string, reg *Register, q ListQuery, residual bool, l, i int) (Page, error) {
	q.RegisterID = reg.ID
	cq := CellQuery(q, &reg.Matrix, residual, l, i)
	cq.Sort, cq.Desc, cq.ThenBy, cq.PerPage = "residual", true, nil, PageSizes[len(PageSizes)-1]
	return s.List(ctx, orgID, cq)
}

// ExportRow is one risk of an export with its register, treatment and
// number of open tasks.
type ExportRow struct {
	Risk                 *Risk
	Register             *Register // nil when the register is unknown
	TreatmentType        string
	TreatmentDescription string
	OpenTasks            int
}

// Export streams every risk matching q (all pages, in q's order) to fn,
// one row at a time and in constant memory; an error from fn stops it.
func (s *Service) Export(ctx context.Context, orgID string, q ListQuery, fn func(*ExportRow) error) error {
	regs, err := s.Registers.Registers(ctx, orgID)
	if err != nil {
		return err
	}
	byID := make(map[string]*Register, len(regs))
	for _, r := range regs {
		byID[r.ID] = r
	}
	return s.Risks.Export(ctx, orgID, s.dated(q), func(row *ExportRow) error {
		row.Register = byID[row.Risk.RegisterID]
		return fn(row)
	})
}

// TreatmentChange is what a write does to a risk's treatment: nothing
// (Set false), clear it (Set with a nil Treatment) or set it.
type TreatmentChange struct {
	Set       bool
	Treatment *TreatmentInput
}

// applyTreatment carries out tc on the risk in the transaction of ctx.
func (s *Service) applyTreatment(ctx context.Context, orgID string, actor audit.Actor, riskID string, tc TreatmentChange) error {
	switch {
	case !tc.Set:
		return nil
	case tc.Treatment == nil:
		return s.ClearTreatment(ctx, orgID, actor, riskID)
	default:
		_, err := s.SetTreatment(ctx, orgID, actor, riskID, *tc.Treatment)
		return err
	}
}

// CreateDetailed creates a risk and applies tc to its treatment in one
// transaction, and returns the created risk's Detail.
func (s *Service) CreateDetailed(ctx context.Context, orgID string, actor audit.Actor, in Input, tc TreatmentChange) (*Detail, error) {
	return s.writeDetailed(ctx, orgID, actor, tc, func(ctx context.Context) (*Risk, error) {
		return s.Create(ctx, orgID, actor, in)
	})
}

// PatchDetailed patches the risk (see Patch) and applies tc to its
// treatment in one transaction, and returns the updated risk's Detail.
func (s *Service) PatchDetailed(ctx context.Context, orgID string, actor audit.Actor, id string, version int, change func(cur *Risk) (Input, error), tc TreatmentChange) (*Detail, error) {
	return s.writeDetailed(ctx, orgID, actor, tc, func(ctx context.Context) (*Risk, error) {
		return s.Patch(ctx, orgID, actor, id, version, change)
	})
}

// writeDetailed runs write, applies tc to the written risk's treatment and
// reads its Detail, all in one transaction.
func (s *Service) writeDetailed(ctx context.Context, orgID string, actor audit.Actor, tc TreatmentChange, write func(ctx context.Context) (*Risk, error)) (*Detail, error) {
	var d *Detail
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := write(ctx)
		if err != nil {
			return err
		}
		if err := s.applyTreatment(ctx, orgID, actor, r.ID, tc); err != nil {
			return err
		}
		if tc.Set { // a treatment change moved the risk's updated time
			if r, err = s.Risks.Get(ctx, orgID, r.ID, false); err != nil {
				return err
			}
		}
		d, err = s.detailOf(ctx, r)
		return err
	})
	return d, err
}

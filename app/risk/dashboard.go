package risk

import (
	"context"

	"github.com/riskreg/riskreg/app/audit"
)

// Count is a number of risks and the query that lists exactly them.
type Count struct {
	N     int
	Query ListQuery
}

// LevelCount is the number of risks at one risk level.
type LevelCount struct {
	Level Level
	Count
}

// Dashboard is the overview of the default register.
type Dashboard struct {
	Register *Register
	Total    Count
	// OutOfAppetite are the risks whose residual level is above the
	// register's tolerance.
	OutOfAppetite Count
	// Overdue are the open and pending risks past their due date.
	Overdue Count
	// ReviewsOverdue are the open and pending risks past their next review date.
	ReviewsOverdue Count
	// Inherent and Residual count the risks per level, highest level first.
	Inherent, Residual []LevelCount
	// Heatmap is the residual heat map of the register.
	Heatmap Heatmap
	// Top are the ten highest residual risks.
	Top    []*Risk
	Events []*audit.Event // the latest activity
	// Titles are the titles of the risks the events are about, by risk id
	// (a deleted risk's from its last state); absent when unknown.
	Titles map[string]string
}

// dashboardEvents is how many recent events the dashboard shows.
const dashboardEvents = 15

// Dashboard returns the default register's overview; every number comes
// from a COUNT or a GROUP BY, never from loading the risks.
func (s *Service) Dashboard(ctx context.Context, orgID string) (*Dashboard, error) {
	reg, err := s.Registers.DefaultRegister(ctx, orgID)
	if err != nil {
		return nil, err
	}
	base := ListQuery{RegisterID: reg.ID, Sort: DefaultSort, Desc: true, Page: 1, PerPage: DefaultPerPage}
	d := &Dashboard{Register: reg}
	count := func(q ListQuery) (Count, error) {
		n, err := s.Risks.Count(ctx, orgID, s.dated(q))
		return Count{N: n, Query: q}, err
	}
	if err := d.countCards(reg, base, count); err != nil {
		return nil, err
	}
	if d.Inherent, err = s.levelCounts(ctx, orgID, reg, base, false); err != nil {
		return nil, err
	}
	if d.Residual, err = s.levelCounts(ctx, orgID, reg, base, true); err != nil {
		return nil, err
	}
	if d.Heatmap, err = s.Heatmap(ctx, orgID, reg, base, true); err != nil {
		return nil, err
	}
	top := base
	top.Sort, top.PerPage = "residual", 10
	if d.Top, err = s.Risks.Rows(ctx, orgID, top); err != nil {
		return nil, err
	}
	if d.Events, err = s.Events.Recent(ctx, orgID, dashboardEvents); err != nil {
		return nil, err
	}
	if d.Titles, err = s.eventTitles(ctx, orgID, d.Events); err != nil {
		return nil, err
	}
	return d, nil
}

// eventTitles returns the titles of the risks events are about, read in
// one query; a deleted risk's title comes from the last state its delete
// event kept.
func (s *Service) eventTitles(ctx context.Context, orgID string, events []*audit.Event) (map[string]string, error) {
	titles := map[string]string{}
	var ids []string
	for _, e := range events {
		if e.EntityType != audit.EntityRisk {
			continue
		}
		if t, ok := e.Snapshot["title"].(string); ok && e.Action == audit.ActionDeleted {
			titles[e.EntityID] = t
		}
		ids = append(ids, e.EntityID)
	}
	if len(ids) == 0 {
		return titles, nil
	}
	rs, err := s.Risks.Rows(ctx, orgID, ListQuery{IDs: ids, Sort: DefaultSort, Page: 1, PerPage: len(ids)})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		titles[r.ID] = r.Title
	}
	return titles, nil
}

// levelCounts returns the count per level of reg, highest first, each with
// the query that lists its risks.
func (s *Service) levelCounts(ctx context.Context, orgID string, reg *Register, base ListQuery, residual bool) ([]LevelCount, error) {
	counts, err := s.Risks.LevelCounts(ctx, orgID, base, residual)
	if err != nil {
		return nil, err
	}
	return perLevel(reg, base, residual, counts), nil
}

// perLevel returns counts (by level index) as reg's levels, highest first,
// each with the query that lists its risks.
func perLevel(reg *Register, base ListQuery, residual bool, counts map[int]int) []LevelCount {
	var out []LevelCount
	for i := len(reg.Matrix.Levels) - 1; i >= 0; i-- {
		q, idx := base, i
		if residual {
			q.ResidualLevel = &idx
		} else {
			q.InherentLevel = &idx
		}
		out = append(out, LevelCount{Level: reg.Matrix.LevelAt(i), Count: Count{N: counts[i], Query: q}})
	}
	return out
}

// countCards fills the dashboard's four numbers — all risks, outside
// appetite, overdue due dates and overdue reviews — with count, from the
// register's base query (today's counts or a past day's).
func (d *Dashboard) countCards(reg *Register, base ListQuery, count func(ListQuery) (Count, error)) error {
	var err error
	if d.Total, err = count(base); err != nil {
		return err
	}
	out := base
	minLevel := reg.Matrix.Tolerance + 1
	out.MinResidualLevel = &minLevel
	if d.OutOfAppetite, err = count(out); err != nil {
		return err
	}
	overdue := base
	overdue.Overdue = true
	if d.Overdue, err = count(overdue); err != nil {
		return err
	}
	reviews := base
	reviews.ReviewOverdue = true
	d.ReviewsOverdue, err = count(reviews)
	return err
}

package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/dashboard"
	"github.com/riskreg/riskreg/views/heatmap"
	"github.com/riskreg/riskreg/views/layout"
)

// showDashboard renders the default register's dashboard; every count
// comes from a GROUP BY or COUNT with the register's own filters.
func (s *Server) showDashboard(c *fiber.Ctx) error {
	ctx, org, store := c.UserContext(), orgID(c), s.heatmapStore()
	reg, err := s.Risks.Store.DefaultRegister(ctx, org)
	if err != nil {
		return err
	}
	base := risk.ListQuery{RegisterID: reg.ID, Sort: risk.DefaultSort, Desc: true, Page: 1, PerPage: risk.DefaultPerPage}
	vm := dashboard.VM{Register: reg, Today: s.today()}
	number := func(q risk.ListQuery) (dashboard.Number, error) {
		n, err := store.Count(ctx, org, q)
		return dashboard.Number{Count: n, URL: dashboard.RegisterURL(q)}, err
	}
	if vm.Total, err = number(base); err != nil {
		return err
	}
	out := base
	minLevel := reg.Matrix.Tolerance + 1
	out.MinResidualLevel = &minLevel
	if vm.OutOfAppetite, err = number(out); err != nil {
		return err
	}
	overdue := base
	overdue.Overdue = true
	if vm.Overdue, err = number(overdue); err != nil {
		return err
	}
	for _, residual := range []bool{false, true} {
		counts, err := store.LevelCounts(ctx, org, base, residual)
		if err != nil {
			return err
		}
		top := 0
		for _, n := range counts {
			top = max(top, n)
		}
		var list []dashboard.LevelCount
		for i := len(reg.Matrix.Levels) - 1; i >= 0; i-- {
			q, idx := base, i
			if residual {
				q.ResidualLevel = &idx
			} else {
				q.InherentLevel = &idx
			}
			list = append(list, dashboard.LevelCount{Level: reg.Matrix.LevelAt(i), Count: counts[i],
				URL: dashboard.RegisterURL(q), Width: dashboard.BarWidth(counts[i], top)})
		}
		if residual {
			vm.Residual = list
		} else {
			vm.Inherent = list
		}
	}
	vc, err := store.ValueCounts(ctx, org, base, true)
	if err != nil {
		return err
	}
	vm.Heatmap = heatmap.VM{Registers: []*risk.Register{reg}, Register: reg, Query: base, Residual: true,
		View: heatmap.ViewGrid, Map: risk.FoldHeatmap(&reg.Matrix, vc)}
	topQ := base
	topQ.Sort, topQ.PerPage = "residual", 10
	page, err := s.Risks.List(ctx, org, topQ)
	if err != nil {
		return err
	}
	vm.Top = page.Risks
	if vm.Events, err = store.RecentEvents(ctx, org, 15); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, dashboard.Page(s.page(c, "Dashboard", layout.NavDashboard), vm))
}

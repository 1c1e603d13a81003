package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/dashboard"
	"github.com/riskreg/riskreg/views/heatmap"
	"github.com/riskreg/riskreg/views/layout"
)

// showDashboard renders the default register's overview.
func (s *Server) showDashboard(c *fiber.Ctx) error {
	d, err := s.Risks.Dashboard(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	reg := d.Register
	vm := dashboard.VM{Register: reg, Today: s.today(), Top: d.Top, Activity: dashboard.ActivityOf(d.Events, d.Titles),
		Total: number(d.Total), OutOfAppetite: number(d.OutOfAppetite), Overdue: number(d.Overdue), ReviewsOverdue: number(d.ReviewsOverdue),
		Inherent: levelBars(d.Inherent), Residual: levelBars(d.Residual),
		Heatmap: heatmap.VM{Registers: []*risk.Register{reg}, Register: reg, Query: d.Total.Query, Residual: true,
			View: heatmap.ViewGrid, Map: d.Heatmap},
	}
	if vm.Incidents.Dashboard, err = s.Incidents.Dashboard(c.UserContext(), orgID(c)); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, dashboard.Page(s.page(c, "Dashboard", layout.NavDashboard), vm))
}

// number is a count with the register URL listing its risks.
func number(n risk.Count) dashboard.Number {
	return dashboard.Number{Count: n.N, URL: dashboard.RegisterURL(n.Query)}
}

// levelBars draws the level counts as bars relative to the largest.
func levelBars(counts []risk.LevelCount) []dashboard.LevelCount {
	top := 0
	for _, lc := range counts {
		top = max(top, lc.N)
	}
	out := make([]dashboard.LevelCount, len(counts))
	for i, lc := range counts {
		out[i] = dashboard.LevelCount{Level: lc.Level, Count: lc.N, URL: dashboard.RegisterURL(lc.Query),
			Width: dashboard.BarWidth(lc.N, top)}
	}
	return out
}

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
	day, err := s.asOfParam(c, "as_of")
	if err != nil {
		return err
	}
	var d *risk.Dashboard
	if day != nil {
		d, err = s.Risks.DashboardAsOf(c.UserContext(), orgID(c), *day)
	} else {
		d, err = s.Risks.Dashboard(c.UserContext(), orgID(c))
	}
	if err != nil {
		return err
	}
	if d.Register == nil { // as of a day before the organization had a register
		return render(c, fiber.StatusOK, dashboard.Page(s.page(c, "Dashboard", layout.NavDashboard), dashboard.VM{AsOf: day, Today: *day}))
	}
	reg := d.Register
	vm := dashboard.VM{Register: reg, Today: s.today(), Top: d.Top, Activity: dashboard.ActivityOf(d.Events, d.Titles),
		Total: number(d.Total), OutOfAppetite: number(d.OutOfAppetite), Overdue: number(d.Overdue), ReviewsOverdue: number(d.ReviewsOverdue),
		Inherent: levelBars(d.Inherent), Residual: levelBars(d.Residual),
		Heatmap: heatmap.VM{Registers: []*risk.Register{reg}, Register: reg, Query: d.Total.Query, Residual: true,
			View: heatmap.ViewGrid, Map: d.Heatmap},
	}
	if day != nil {
		vm.AsOf, vm.Today = day, *day
	} else if vm.Incidents.Dashboard, err = s.Incidents.Dashboard(c.UserContext(), orgID(c)); err != nil {
		return err
	}
	trend, err := s.Risks.Trends(c.UserContext(), orgID(c), reg, vm.Today)
	if err != nil {
		return err
	}
	vm.Trend = dashboard.TrendChart(trend)
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

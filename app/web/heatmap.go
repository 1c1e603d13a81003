package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
	"github.com/riskreg/riskreg/views/heatmap"
	"github.com/riskreg/riskreg/views/layout"
)

// heatmapQuery reads the heat map parameters: the register filters, the
// kind and the selected cell. It resolves the register (the default one
// when none is named) and narrows the query to it.
func (s *Server) heatmapQuery(c *fiber.Ctx) (heatmap.VM, error) {
	q, fe := parseList(c, listquery.Browser)
	s.checkAsOf(&q, fe, "as_of")
	vm := heatmap.VM{View: heatmap.ViewGrid, Today: s.today()}
	switch c.Query("kind") {
	case "", heatmap.KindInherent:
	case heatmap.KindResidual:
		vm.Residual = true
	default:
		fe.Add("kind", "Kind must be inherent or residual")
	}
	if c.Query("view") == heatmap.ViewMovement && q.AsOf == nil { // a past view has the grid only
		vm.View = heatmap.ViewMovement
	}
	resolve := s.Risks.ResolveRegister
	if q.AsOf != nil {
		vm.AsOf, vm.Today = q.AsOf, *q.AsOf
		resolve = func(ctx context.Context, org, id string) (*risk.Register, []*risk.Register, error) {
			return s.Risks.ResolveRegisterAsOf(ctx, org, id, *q.AsOf)
		}
	}
	reg, regs, err := resolve(c.UserContext(), orgID(c), q.RegisterID)
	if err != nil {
		return vm, err
	}
	if reg == nil { // before the organization had a register
		vm.Query = q
		return vm, fe.Err()
	}
	vm.Registers, vm.Register = regs, reg
	q.RegisterID = reg.ID
	if v := c.Query("cell"); v != "" {
		l, i, ok := parseCell(v, &reg.Matrix)
		if !ok {
			fe.Add("cell", "Unknown heat map cell")
		} else {
			vm.Cell = &heatmap.Cell{L: l, I: i}
		}
	}
	vm.Query = q
	if err := fe.Err(); err != nil {
		return vm, err
	}
	return vm, nil
}

// loadHeatmap fills in the counts of the view vm asks for: the movement
// table, or the grid with the selected cell's risks.
func (s *Server) loadHeatmap(c *fiber.Ctx, vm *heatmap.VM) (err error) {
	ctx, org := c.UserContext(), orgID(c)
	if vm.View == heatmap.ViewMovement {
		vm.Moves, err = s.Risks.Movement(ctx, org, vm.Register, vm.Query)
		return err
	}
	if vm.Map, err = s.Risks.Heatmap(ctx, org, vm.Register, vm.Query, vm.Residual); err != nil {
		return err
	}
	if vm.Cell != nil {
		vm.CellRisks, err = s.Risks.CellRisks(ctx, org, vm.Register, vm.Query, vm.Residual, vm.Cell.L, vm.Cell.I)
	}
	return err
}

// parseCell reads "l-i" as level indexes of m.
func parseCell(v string, m *risk.Matrix) (l, i int, ok bool) {
	a, b, found := strings.Cut(v, "-")
	l, err1 := strconv.Atoi(a)
	i, err2 := strconv.Atoi(b)
	if !found || err1 != nil || err2 != nil || l < 0 || i < 0 || l >= len(m.Likelihood) || i >= len(m.Impact) {
		return 0, 0, false
	}
	return l, i, true
}

// showHeatmap renders the heat map, the movement view or, for htmx, the
// swappable view region.
func (s *Server) showHeatmap(c *fiber.Ctx) error {
	vm, err := s.heatmapQuery(c)
	status := fiber.StatusOK
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		vm.Errors, status = e.ForPeople(), fiber.StatusBadRequest
		vm.Cell = nil
	} else if err != nil {
		return err
	}
	if vm.Register != nil && status == fiber.StatusOK {
		if err := s.loadHeatmap(c, &vm); err != nil {
			return err
		}
	}
	if wantsPartial(c, heatmap.ViewID) {
		return render(c, status, heatmap.View(vm))
	}
	return render(c, status, heatmap.Page(s.page(c, "Heat map", layout.NavHeatmap), vm))
}

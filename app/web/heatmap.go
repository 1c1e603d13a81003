package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/views/heatmap"
	"github.com/riskreg/riskreg/views/layout"
)

// heatmapStore returns the GROUP BY store over the server's database.
func (s *Server) heatmapStore() *db.HeatmapStore {
	return &db.HeatmapStore{Risks: &db.RiskStore{DB: s.DB}}
}

// heatmapQuery reads the heat map parameters: the register filters, the
// kind and the selected cell. It resolves the register (the default one
// when none is named) and narrows the query to it.
func (s *Server) heatmapQuery(c *fiber.Ctx) (heatmap.VM, error) {
	q, qerr := risk.ParseListQuery(queryParams{c})
	vm := heatmap.VM{View: heatmap.ViewGrid, Today: s.today()}
	fe := apperr.FieldErrors{}
	if e, ok := apperr.As(qerr); ok {
		for k, msgs := range e.Fields {
			for _, m := range msgs {
				fe.Add(k, m)
			}
		}
	}
	switch c.Query("kind") {
	case "", heatmap.KindInherent:
	case heatmap.KindResidual:
		vm.Residual = true
	default:
		fe.Add("kind", "Kind must be inherent or residual")
	}
	if c.Query("view") == heatmap.ViewMovement {
		vm.View = heatmap.ViewMovement
	}
	regs, err := s.Risks.Store.Registers(c.UserContext(), orgID(c))
	if err != nil {
		return vm, err
	}
	vm.Registers = regs
	for _, r := range regs {
		if r.ID == q.RegisterID || (q.RegisterID == "" && r.IsDefault) {
			vm.Register = r
		}
	}
	if vm.Register == nil {
		if q.RegisterID != "" {
			return vm, apperr.New(apperr.NotFound, "register not found")
		}
		if len(regs) > 0 {
			vm.Register = regs[0]
		}
	}
	if vm.Register != nil {
		q.RegisterID = vm.Register.ID
		if v := c.Query("cell"); v != "" {
			l, i, ok := parseCell(v, &vm.Register.Matrix)
			if !ok {
				fe.Add("cell", "Unknown heat map cell")
			} else {
				vm.Cell = &heatmap.Cell{L: l, I: i}
			}
		}
	}
	vm.Query = q
	if err := fe.Err(); err != nil {
		return vm, err
	}
	return vm, nil
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
		vm.Errors, status = e.Fields, fiber.StatusBadRequest
		vm.Cell = nil
	} else if err != nil {
		return err
	}
	if vm.Register != nil && status == fiber.StatusOK {
		ctx, store := c.UserContext(), s.heatmapStore()
		if vm.View == heatmap.ViewMovement {
			mv, err := store.MoveCounts(ctx, orgID(c), vm.Query)
			if err != nil {
				return err
			}
			vm.Moves = risk.FoldMovement(&vm.Register.Matrix, mv)
		} else {
			vc, err := store.ValueCounts(ctx, orgID(c), vm.Query, vm.Residual)
			if err != nil {
				return err
			}
			vm.Map = risk.FoldHeatmap(&vm.Register.Matrix, vc)
			if vm.Cell != nil {
				cq := risk.CellQuery(vm.Query, &vm.Register.Matrix, vm.Residual, vm.Cell.L, vm.Cell.I)
				cq.Sort, cq.Desc, cq.PerPage = "residual", true, risk.PageSizes[len(risk.PageSizes)-1]
				if vm.CellRisks, err = s.Risks.List(ctx, orgID(c), cq); err != nil {
					return err
				}
			}
		}
	}
	if wantsPartial(c, heatmap.ViewID) {
		return render(c, status, heatmap.View(vm))
	}
	return render(c, status, heatmap.Page(s.page(c, "Heat map", layout.NavHeatmap), vm))
}

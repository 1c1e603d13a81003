package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"

	"github.com/riskreg/riskreg/app/risk"
)

// apiHeatmap is the heat map of GET /api/v1/heatmap.
type apiHeatmap struct {
	Register   apiHeatmapRegister `json:"register"`
	Kind       string             `json:"kind"`
	Matrix     risk.Matrix        `json:"matrix"`
	Cells      []apiHeatmapCell   `json:"cells"`
	Unassessed int                `json:"unassessed"`
	Total      int                `json:"total"`
}

type apiHeatmapRegister struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// apiHeatmapCell is one cell: level indexes (lowest first), its level and count.
type apiHeatmapCell struct {
	Likelihood int      `json:"likelihood"`
	Impact     int      `json:"impact"`
	Level      apiLevel `json:"level"`
	Count      int      `json:"count"`
}

// heatmapAPI returns the matrix of a register and the number of risks per
// cell, for the list filters and the inherent or residual assessment.
func (s *Server) heatmapAPI(c *fiber.Ctx) error {
	q, _, err := parseAPIList(c)
	if err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	if s.checkAsOf(&q, fe, "asOf"); len(fe) > 0 {
		return fe.Err()
	}
	residual := false
	switch c.Query("kind") {
	case "", "inherent":
	case "residual":
		residual = true
	default:
		z := newZod()
		z.add("kind", "Expected 'inherent' | 'residual'")
		return z.err()
	}
	org := apiKeyOf(c).OrganizationID
	reg, _, err := s.Risks.ResolveRegister(c.UserContext(), org, q.RegisterID)
	before := false                  // as of a day before the organization had a register: empty
	if q.AsOf != nil && err == nil { // the register and its matrix as they were then
		var then *risk.Register
		if then, _, err = s.Risks.ResolveRegisterAsOf(c.UserContext(), org, q.RegisterID, *q.AsOf); then != nil {
			reg = then
		} else if err == nil {
			before = true
		}
	}
	if err != nil {
		return err
	}
	h := risk.FoldHeatmap(&reg.Matrix, nil)
	if !before {
		if h, err = s.Risks.Heatmap(c.UserContext(), org, reg, q, residual); err != nil {
			return err
		}
	}
	out := apiHeatmap{Register: apiHeatmapRegister{ID: reg.ID, Name: reg.Name}, Kind: "inherent", Matrix: reg.Matrix,
		Unassessed: h.Unassessed, Total: h.Total, Cells: []apiHeatmapCell{}}
	if residual {
		out.Kind = "residual"
	}
	for l := range h.Counts {
		for i, n := range h.Counts[l] {
			lv := reg.Matrix.LevelAt(reg.Matrix.Grid[l][i])
			out.Cells = append(out.Cells, apiHeatmapCell{Likelihood: l, Impact: i, Count: n,
				Level: apiLevel{Index: lv.Index, Name: lv.Name, Color: lv.Color}})
		}
	}
	return sendData(c, fiber.StatusOK, out)
}

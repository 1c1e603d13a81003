package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// apiRegister is a register as GET /api/v1/registers shows it: its matrix
// spelled out so an integration can label and colour scores as the pages
// do (seed 003's custom risk scales).
type apiRegister struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	IsDefault   bool            `json:"isDefault"`
	RiskCount   int             `json:"riskCount"`
	Version     int             `json:"version"`
	Matrix      apiRegisterGrid `json:"matrix"`
	CreatedAt   string          `json:"createdAt"`
	UpdatedAt   string          `json:"updatedAt"`
}

// apiRegisterGrid is a register's matrix. Grid is indexed
// [likelihood][impact], lowest level first, and holds risk-level indexes.
type apiRegisterGrid struct {
	Likelihood []apiScaleLevel `json:"likelihood"`
	Impact     []apiScaleLevel `json:"impact"`
	Levels     []apiRiskLevel  `json:"levels"`
	Grid       [][]int         `json:"grid"`
	Tolerance  apiTolerance    `json:"tolerance"`
}

// apiScaleLevel is one likelihood or impact level and its band of values
// on the 1-10 scale (probability and impact of a risk).
type apiScaleLevel struct {
	Index       int     `json:"index"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Band        apiBand `json:"band"`
}

type apiBand struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// apiRiskLevel is a risk level with the colours the pages paint it in.
type apiRiskLevel struct {
	Index           int    `json:"index"`
	Name            string `json:"name"`
	Color           string `json:"color"`
	TextColor       string `json:"textColor"`
	OutsideAppetite bool   `json:"outsideAppetite"`
}

// apiTolerance is the highest risk level within appetite.
type apiTolerance struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}

func apiScale(levels []risk.ScaleLevel) []apiScaleLevel {
	out := make([]apiScaleLevel, len(levels))
	lo := 1
	for i, l := range levels {
		out[i] = apiScaleLevel{Index: i, Name: l.Name, Description: l.Description, Band: apiBand{Min: lo, Max: l.Upper}}
		lo = l.Upper + 1
	}
	return out
}

func toAPIRegister(reg *risk.Register, count int) apiRegister {
	m := &reg.Matrix
	out := apiRegister{ID: reg.ID, Name: reg.Name, Description: reg.Description, IsDefault: reg.IsDefault,
		RiskCount: count, Version: reg.Version, CreatedAt: apiTime(reg.CreatedAt), UpdatedAt: apiTime(reg.UpdatedAt),
		Matrix: apiRegisterGrid{Likelihood: apiScale(m.Likelihood), Impact: apiScale(m.Impact), Grid: m.Grid,
			Tolerance: apiTolerance{Index: m.Tolerance, Name: m.LevelAt(m.Tolerance).Name}}}
	if out.Matrix.Grid == nil {
		out.Matrix.Grid = [][]int{}
	}
	out.Matrix.Levels = make([]apiRiskLevel, len(m.Levels))
	for i, l := range m.Levels {
		out.Matrix.Levels[i] = apiRiskLevel{Index: i, Name: l.Name, Color: l.Color, TextColor: risk.TextColor(l.Color),
			OutsideAppetite: i > m.Tolerance}
	}
	return out
}

// listRegistersAPI is GET /api/v1/registers: every register of the key's
// organization, the default first, with its matrix.
func (s *Server) listRegistersAPI(c *fiber.Ctx) error {
	org := apiKeyOf(c).OrganizationID
	regs, err := s.Risks.ListRegisters(c.UserContext(), org)
	if err != nil {
		return err
	}
	counts, err := s.Risks.RegisterRiskCounts(c.UserContext(), org)
	if err != nil {
		return err
	}
	out := make([]apiRegister, len(regs))
	for i, r := range regs {
		out[i] = toAPIRegister(r, counts[r.ID])
	}
	return sendData(c, fiber.StatusOK, out)
}

// getRegisterAPI is GET /api/v1/registers/:id; a register of another
// organization is not found.
func (s *Server) getRegisterAPI(c *fiber.Ctx) error {
	org := apiKeyOf(c).OrganizationID
	reg, err := s.Risks.GetRegister(c.UserContext(), org, c.Params("id"))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.NotFound, "Register not found")
		}
		return err
	}
	counts, err := s.Risks.RegisterRiskCounts(c.UserContext(), org)
	if err != nil {
		return err
	}
	return sendData(c, fiber.StatusOK, toAPIRegister(reg, counts[reg.ID]))
}

package web

import (
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/registers"
)

// listRegisters shows the registers with the import form.
func (s *Server) listRegisters(c *fiber.Ctx) error {
	return s.renderRegisterList(c, fiber.StatusOK, nil)
}

func (s *Server) renderRegisterList(c *fiber.Ctx, status int, fe apperr.FieldErrors) error {
	regs, err := s.Risks.ListRegisters(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	counts, err := s.Risks.RegisterRiskCounts(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	vm := registers.ListVM{Registers: regs, Counts: counts, Errors: fe}
	return render(c, status, registers.ListPage(s.page(c, "Registers", layout.NavSettings), vm))
}

// newRegister shows an empty register form with the default matrix, or
// one resized by the size form's query.
func (s *Server) newRegister(c *fiber.Ctx) error {
	vm := registers.FormVM{Matrix: resized(c, risk.DefaultMatrix())}
	return s.renderRegisterForm(c, fiber.StatusOK, vm)
}

// editRegister shows a register's form.
func (s *Server) editRegister(c *fiber.Ctx) error {
	reg, err := s.Risks.GetRegister(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	vm := registers.FormVM{ID: reg.ID, Name: reg.Name, Description: reg.Description,
		Version: reg.Version, Matrix: resized(c, reg.Matrix), Reviews: registers.ReviewsOf(reg)}
	return s.renderRegisterForm(c, fiber.StatusOK, vm)
}

func (s *Server) renderRegisterForm(c *fiber.Ctx, status int, vm registers.FormVM) error {
	title := "New register"
	if vm.ID != "" {
		title = "Register " + vm.Name
	}
	return render(c, status, registers.FormPage(s.page(c, title, layout.NavSettings), vm))
}

// createRegister stores a new register from the form.
func (s *Server) createRegister(c *fiber.Ctx) error {
	in, fe := registerForm(c)
	if len(fe) == 0 {
		reg, err := s.Risks.CreateRegister(c.UserContext(), orgID(c), actorOf(c), in)
		if err == nil {
			if err := s.flash(c, layout.FlashSuccess, "Register “"+reg.Name+"” created."); err != nil {
				return err
			}
			return redirect(c, registers.EditPath(reg.ID))
		}
		if !apperr.Is(err, apperr.Invalid) {
			return err
		}
		fe = fieldsOf(err)
	}
	return s.renderRegisterForm(c, fiber.StatusUnprocessableEntity,
		registers.FormVM{Name: in.Name, Description: in.Description, Matrix: in.Matrix, Errors: fe})
}

// updateRegister saves the form; a changed matrix re-levels the risks.
func (s *Server) updateRegister(c *fiber.Ctx) error {
	cur, err := s.Risks.GetRegister(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	in, fe := registerForm(c)
	version, perr := strconv.Atoi(c.FormValue("version"))
	if perr != nil || version < 1 {
		fe.Add("form", "The form is missing its version; reload the page and try again")
	}
	vm := registers.FormVM{ID: cur.ID, Name: in.Name, Description: in.Description, Matrix: in.Matrix, Version: version}
	if len(fe) == 0 {
		reg, err := s.Risks.UpdateRegister(c.UserContext(), orgID(c), actorOf(c), cur.ID, version, in)
		switch {
		case err == nil:
			if err := s.flash(c, layout.FlashSuccess, "Register “"+reg.Name+"” saved."); err != nil {
				return err
			}
			return redirect(c, registers.EditPath(reg.ID))
		case apperr.Is(err, apperr.Conflict):
			vm.Errors = apperr.FieldErrors{"form": {"Someone changed this register since you opened it. Reload the page to see their changes, then make yours again."}}
			return s.renderRegisterForm(c, fiber.StatusConflict, vm)
		case !apperr.Is(err, apperr.Invalid):
			return err
		}
		fe = fieldsOf(err)
	}
	vm.Errors = fe
	return s.renderRegisterForm(c, fiber.StatusUnprocessableEntity, vm)
}

// importRegister reads an uploaded CISO Assistant risk-matrix YAML into a
// new register, or into an existing one's matrix.
func (s *Server) importRegister(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderRegisterList(c, fiber.StatusUnprocessableEntity, apperr.FieldErrors{"file": {"Choose a YAML file to import"}})
	}
	if fh.Size > risk.MaxMatrixYAML {
		return s.renderRegisterList(c, fiber.StatusUnprocessableEntity, apperr.FieldErrors{"file": {"The file is larger than 256 KiB"}})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, risk.MaxMatrixYAML+1))
	if err != nil {
		return err
	}
	name, desc, m, err := risk.ParseMatrixYAML(data)
	if err != nil {
		return s.importFailed(c, err)
	}
	var reg *risk.Register
	if id := c.FormValue("register"); id != "" {
		cur, err := s.Risks.GetRegister(c.UserContext(), orgID(c), id)
		if err != nil {
			return err
		}
		in := risk.RegisterInput{Name: cur.Name, Description: cur.Description, Matrix: m}
		reg, err = s.Risks.UpdateRegister(c.UserContext(), orgID(c), actorOf(c), cur.ID, cur.Version, in)
		if err != nil {
			return s.importFailed(c, err)
		}
	} else {
		if name == "" {
			name = "Imported matrix"
		}
		reg, err = s.Risks.CreateRegister(c.UserContext(), orgID(c), actorOf(c), risk.RegisterInput{Name: name, Description: desc, Matrix: m})
		if err != nil {
			return s.importFailed(c, err)
		}
	}
	if err := s.flash(c, layout.FlashSuccess, "Matrix imported into “"+reg.Name+"”."); err != nil {
		return err
	}
	return redirect(c, registers.EditPath(reg.ID))
}

func (s *Server) importFailed(c *fiber.Ctx, err error) error {
	switch {
	case apperr.Is(err, apperr.Invalid):
		return s.renderRegisterList(c, fiber.StatusUnprocessableEntity, fieldsOf(err))
	case apperr.Is(err, apperr.Conflict):
		return s.renderRegisterList(c, fiber.StatusConflict, apperr.FieldErrors{"register": {"The register changed while importing; try again"}})
	}
	return err
}

// exportRegister downloads the register's matrix as CISO Assistant YAML.
func (s *Server) exportRegister(c *fiber.Ctx) error {
	reg, err := s.Risks.GetRegister(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	out, err := risk.MatrixYAML(reg)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+reg.ID+`-matrix.yaml"`)
	return c.Send(out)
}

func fieldsOf(err error) apperr.FieldErrors {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.ForPeople()
	}
	return apperr.FieldErrors{"form": {err.Error()}}
}

// resized applies the size form's query (likelihood, impact, levels) to m:
// a changed axis gets even bands, kept names where they exist and a grid
// filled from the old one.
func resized(c *fiber.Ctx, m risk.Matrix) risk.Matrix {
	want := func(key string, cur, lo, hi int) int {
		v, err := strconv.Atoi(c.Query(key))
		if err != nil || v < lo || v > hi {
			return cur
		}
		return v
	}
	nl, ni, nk := want("likelihood", len(m.Likelihood), 3, 6), want("impact", len(m.Impact), 3, 6), want("levels", len(m.Levels), 2, 8)
	scale := func(old []risk.ScaleLevel, n int) []risk.ScaleLevel {
		if n == len(old) {
			return old
		}
		bands := risk.EvenBands(n)
		out := make([]risk.ScaleLevel, n)
		for i := range out {
			out[i] = risk.ScaleLevel{Name: "Level " + strconv.Itoa(i+1), Upper: bands[i]}
			if i < len(old) {
				out[i].Name, out[i].Description = old[i].Name, old[i].Description
			}
		}
		return out
	}
	out := risk.Matrix{Likelihood: scale(m.Likelihood, nl), Impact: scale(m.Impact, ni), Tolerance: min(m.Tolerance, nk-1)}
	palette := []string{"#4ade80", "#facc15", "#fb923c", "#dc2626", "#7f1d1d", "#a855f7", "#0ea5e9", "#64748b"}
	for k := range nk {
		if k < len(m.Levels) {
			out.Levels = append(out.Levels, m.Levels[k])
		} else {
			out.Levels = append(out.Levels, risk.RiskLevel{Name: "Level " + strconv.Itoa(k+1), Color: palette[k]})
		}
	}
	out.Grid = make([][]int, nl)
	for l := range nl {
		out.Grid[l] = make([]int, ni)
		for i := range ni {
			v := 0
			if l < len(m.Grid) && i < len(m.Grid[l]) {
				v = m.Grid[l][i]
			}
			out.Grid[l][i] = min(v, nk-1)
		}
	}
	return out
}

// registerForm reads the register form. Malformed numbers become field
// errors; the matrix itself is validated by the service.
func registerForm(c *fiber.Ctx) (risk.RegisterInput, apperr.FieldErrors) {
	fe := apperr.FieldErrors{}
	count := func(key string, lo, hi int) int {
		v, err := strconv.Atoi(c.FormValue(key))
		if err != nil || v < lo || v > hi {
			fe.Add("form", "The form is incomplete; reload the page and try again")
			return 0
		}
		return v
	}
	nl, ni, nk := count("likelihood_count", 3, 6), count("impact_count", 3, 6), count("level_count", 2, 8)
	in := risk.RegisterInput{Name: c.FormValue("name"), Description: c.FormValue("description")}
	scale := func(axis string, n int) []risk.ScaleLevel {
		out := make([]risk.ScaleLevel, n)
		for i := range out {
			out[i].Name = c.FormValue(registers.ScaleField(axis, i, "name"))
			out[i].Description = c.FormValue(registers.ScaleField(axis, i, "description"))
			v, err := strconv.Atoi(c.FormValue(registers.ScaleField(axis, i, "upper")))
			if err != nil {
				fe.Add(axis, "Level "+strconv.Itoa(i+1)+"'s upper bound must be a whole number from 1 to 10")
			}
			out[i].Upper = v
		}
		return out
	}
	in.Matrix.Likelihood, in.Matrix.Impact = scale("likelihood", nl), scale("impact", ni)
	for k := range nk {
		in.Matrix.Levels = append(in.Matrix.Levels, risk.RiskLevel{
			Name: c.FormValue(registers.LevelField(k, "name")), Color: c.FormValue(registers.LevelField(k, "color"))})
	}
	in.Matrix.Grid = make([][]int, nl)
	for l := range nl {
		in.Matrix.Grid[l] = make([]int, ni)
		for i := range ni {
			v, err := strconv.Atoi(c.FormValue(registers.CellField(l, i)))
			if err != nil {
				fe.Add("grid", "Every cell needs a risk level")
				v = 0
			}
			in.Matrix.Grid[l][i] = v
		}
	}
	tol, err := strconv.Atoi(c.FormValue("tolerance"))
	if err != nil {
		fe.Add("tolerance", "Choose the tolerance level")
	}
	in.Matrix.Tolerance = tol
	if len(fe) > 0 {
		// Report the matrix's own problems too, so one submit shows them all.
		if err := in.Validate(); err != nil {
			for f, msgs := range fieldsOf(err) {
				for _, m := range msgs {
					if !contains(fe[f], m) {
						fe.Add(f, m)
					}
				}
			}
		}
	}
	return in, fe
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

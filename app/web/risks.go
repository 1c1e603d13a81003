package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/risks"
)

func actorOf(c *fiber.Ctx) audit.Actor {
	p := principal(c)
	return audit.Actor{MemberID: p.MemberID, Name: p.User.Name}
}

func orgID(c *fiber.Ctx) string { return principal(c).Organization.ID }

func (s *Server) today() time.Time { return s.Now().UTC().Truncate(24 * time.Hour) }

func (s *Server) memberOptions(c *fiber.Ctx) ([]risks.MemberOption, error) {
	ms, err := s.Accounts.Members(c.UserContext(), orgID(c))
	if err != nil {
		return nil, err
	}
	out := make([]risks.MemberOption, len(ms))
	for i, m := range ms {
		out[i] = risks.MemberOption{ID: m.ID, Name: m.Name}
	}
	return out, nil
}

func (s *Server) listRisks(c *fiber.Ctx) error {
	q, fe := parseList(c, listquery.Browser)
	s.checkAsOf(&q, fe, "as_of")
	status := fiber.StatusOK
	if len(fe) > 0 {
		status = fiber.StatusBadRequest
	}
	vm, err := s.registerVM(c, q, fe)
	if err != nil {
		return err
	}
	return s.renderRegister(c, status, vm)
}

// registerVM loads the register page: the page of risks, the registers
// whose matrices label them, the members, and the member's columns.
func (s *Server) registerVM(c *fiber.Ctx, q risk.ListQuery, fe apperr.FieldErrors) (risks.RegisterVM, error) {
	ctx, p := c.UserContext(), principal(c)
	vm := risks.RegisterVM{Query: q, CanWrite: p.Role.CanWrite(), Today: s.today(), Errors: fe, CSRF: csrfToken(c)}
	page, err := s.Risks.List(ctx, orgID(c), q)
	if err != nil {
		return vm, err
	}
	vm.Page = page
	var regs []*risk.Register
	if q.AsOf != nil { // a past view: read-only, levelled by the matrices then
		vm.AsOf, vm.CanWrite, vm.Today = q.AsOf, false, *q.AsOf
		regs, err = s.Risks.RegistersAsOf(ctx, orgID(c), *q.AsOf)
	} else {
		regs, err = s.Risks.ListRegisters(ctx, orgID(c))
	}
	if err != nil {
		return vm, err
	}
	vm.Registers = map[string]*risk.Register{}
	for _, r := range regs {
		vm.Registers[r.ID] = r
		if r.IsDefault {
			vm.Register = r
		}
	}
	if vm.CanWrite {
		if vm.Bulk, err = s.bulkVM(c, q, page.Total, regs); err != nil {
			return vm, err
		}
		vm.Members = vm.Bulk.Members // the assignee chip names the member
	} else if vm.Members, err = s.memberOptions(c); err != nil {
		return vm, err
	}
	if vm.Columns, err = s.Risks.RegisterColumns(ctx, orgID(c), p.MemberID); err != nil {
		return vm, err
	}
	if (vm.Shows("treatment") || vm.Shows("tasks")) && vm.AsOf == nil {
		ids := make([]string, len(page.Risks))
		for i, r := range page.Risks {
			ids[i] = r.ID
		}
		vm.Plans, err = s.Risks.PlanSummaries(ctx, orgID(c), ids)
	}
	return vm, err
}

// renderRegister renders the results for htmx, the whole page otherwise.
func (s *Server) renderRegister(c *fiber.Ctx, status int, vm risks.RegisterVM) error {
	if wantsPartial(c, risks.ResultsID) {
		return render(c, status, risks.Results(&vm))
	}
	return render(c, status, risks.RegisterPage(s.page(c, "Risk register", layout.NavRegister), &vm))
}

// setRegisterColumns remembers the columns the member chose (the "col"
// fields; "reset" restores the defaults) and shows the register of the
// URL's filters with them.
func (s *Server) setRegisterColumns(c *fiber.Ctx) error {
	q, _ := parseList(c, listquery.Browser)
	var cols []string
	for _, v := range c.Request().PostArgs().PeekMulti("col") {
		cols = append(cols, string(v))
	}
	if c.FormValue("reset") != "" {
		cols = risk.DefaultColumns
	}
	if _, err := s.Risks.SetRegisterColumns(c.UserContext(), orgID(c), principal(c).MemberID, cols); err != nil {
		return err
	}
	if !isHTMX(c) {
		return redirect(c, risks.Link(q))
	}
	vm, err := s.registerVM(c, q, nil)
	if err != nil {
		return err
	}
	return s.renderRegister(c, fiber.StatusOK, vm)
}

// bindRisk reads the risk form. Values that cannot be parsed are field
// errors; the rest is validated by the service.
func bindRisk(c *fiber.Ctx) (risk.Input, int, apperr.FieldErrors) {
	fe := apperr.FieldErrors{}
	num := func(field string) int {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add(field, risk.FieldLabels[field]+" must be a number from 0 to 10")
		}
		return n
	}
	date := func(field string) *time.Time {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return nil
		}
		t, ok := risk.ParseDate(v)
		if !ok {
			fe.Add(field, risk.DateMessage)
			return nil
		}
		return &t
	}
	in := risk.Input{
		RegisterID: c.FormValue("register_id"), Title: c.FormValue("title"), Description: c.FormValue("description"),
		Category: c.FormValue("category"), Department: c.FormValue("department"), Status: c.FormValue("status"),
		Probability: num("probability"), Impact: num("impact"),
		ResidualProbability: num("residual_probability"), ResidualImpact: num("residual_impact"),
		AssigneeID: c.FormValue("assignee_id"), ClosureReason: c.FormValue("closure_reason"),
		DueDate: date("due_date"), NextReviewDate: date("next_review_date"), Tags: risk.ParseTags(c.FormValue("tags")),
		Type: c.FormValue("risk_type"), ThreatObjectives: formValues(c, "threat_objectives"),
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	return in, version, fe
}

// formVM builds the form view, choosing the register the input names.
func (s *Server) formVM(c *fiber.Ctx, r *risk.Risk, in risk.Input, version int, fe apperr.FieldErrors) (risks.FormVM, error) {
	vm := risks.FormVM{Risk: r, Input: in, Version: version, Errors: fe}
	if r != nil { // an edit keeps the version it started from across re-renders
		if vm.Base = c.FormValue("base"); vm.Base == "" {
			vm.Base = risk.BaseOf(r).Encode()
		}
	}
	regs, err := s.Risks.ListRegisters(c.UserContext(), orgID(c))
	if err != nil {
		return vm, err
	}
	vm.Registers = regs
	if vm.Register, _ = risk.ChooseRegister(regs, in.RegisterID); vm.Register == nil {
		vm.Register, _ = risk.ChooseRegister(regs, "") // an unknown register: the service reports it
	}
	vm.Members, err = s.memberOptions(c)
	return vm, err
}

// renderForm shows the form: the swappable fragment for htmx, the page otherwise.
func (s *Server) renderForm(c *fiber.Ctx, status int, vm risks.FormVM) error {
	if wantsPartial(c, risks.FormID) {
		return render(c, status, risks.Form(csrfToken(c), vm))
	}
	title := "New risk"
	if vm.Risk != nil {
		title = "Edit " + vm.Risk.Identifier()
	}
	return render(c, status, risks.FormPage(s.page(c, title, layout.NavRegister), vm))
}

func (s *Server) newRisk(c *fiber.Ctx) error {
	vm, err := s.formVM(c, nil, risk.Input{Status: risk.StatusOpen, Department: "none"}, 0, nil)
	if err != nil {
		return err
	}
	return s.renderForm(c, fiber.StatusOK, vm)
}

// invalidForm re-renders the form with every message: parse errors from
// binding plus the domain's validation.
func (s *Server) invalidForm(c *fiber.Ctx, r *risk.Risk, in risk.Input, version int, fe apperr.FieldErrors, err error) error {
	if e, ok := apperr.As(err); ok {
		for f, msgs := range e.ForPeople() {
			fe[f] = append(fe[f], msgs...)
		}
	}
	vm, verr := s.formVM(c, r, in, version, fe)
	if verr != nil {
		return verr
	}
	return s.renderForm(c, fiber.StatusUnprocessableEntity, vm)
}

func (s *Server) createRisk(c *fiber.Ctx) error {
	in, _, fe := bindRisk(c)
	if len(fe) > 0 {
		norm := in
		norm.Normalize()
		return s.invalidForm(c, nil, in, 0, fe, norm.Validate())
	}
	created, err := s.Risks.CreateForm(c.UserContext(), orgID(c), actorOf(c), in)
	if apperr.Is(err, apperr.Invalid) {
		return s.invalidForm(c, nil, in, 0, fe, err)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, created.Identifier()+" created."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+created.Identifier())
}

func (s *Server) showRisk(c *fiber.Ctx) error {
	if day, err := s.asOfParam(c, "as_of"); err != nil || day != nil {
		if err != nil {
			return err
		}
		return s.showRiskAsOf(c, *day)
	}
	vm, err := s.detailVM(c, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.showDeletedRisk(c, err)
	}
	if err != nil {
		return err
	}
	return s.renderDetail(c, fiber.StatusOK, vm)
}

// showDeletedRisk answers 410 with a deleted risk's page — who deleted it
// and when, its last state and history — or returns notFound when no risk
// by that name was deleted.
func (s *Server) showDeletedRisk(c *fiber.Ctx, notFound error) error {
	d, err := s.Risks.Deleted(c.UserContext(), orgID(c), c.Params("id"), historyLimit)
	if apperr.Is(err, apperr.NotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	vm := risks.DeletedVM{Deleted: d, CanRestore: principal(c).Role.CanManage(), Today: s.today()}
	title := d.Risk.Identifier() + " " + d.Risk.Title + " (deleted)"
	return render(c, fiber.StatusGone, risks.DeletedPage(s.page(c, title, layout.NavRegister), vm))
}

// restoreRisk brings a deleted risk back (owners and admins).
func (s *Server) restoreRisk(c *fiber.Ctx) error {
	r, err := s.Risks.Restore(c.UserContext(), orgID(c), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, r.Identifier()+" restored."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+r.Identifier())
}

// historyLimit is how many events a risk's page shows.
const historyLimit = 200

// detailVM loads what the risk's page shows: register, plan and history.
func (s *Server) detailVM(c *fiber.Ctx, id string) (risks.DetailVM, error) {
	d, err := s.Risks.Detail(c.UserContext(), orgID(c), id)
	if err != nil {
		return risks.DetailVM{}, err
	}
	vm := risks.DetailVM{Risk: d.Risk, Register: d.Register, CanWrite: principal(c).Role.CanWrite(), Today: s.today()}
	points, err := s.Risks.ScoreHistory(c.UserContext(), orgID(c), d.Risk.ID)
	if err != nil {
		return vm, err
	}
	vm.Scores = risks.ScoreChart(d.Risk, points, s.Now().UTC())
	if vm.Events, err = s.Risks.History(c.UserContext(), orgID(c), d.Risk.ID, historyLimit); err != nil {
		return vm, err
	}
	if vm.Incidents, err = s.riskIncidentsCard(c, d.Risk); err != nil {
		return vm, err
	}
	if vm.Team, err = s.teamVM(c, d); err != nil {
		return vm, err
	}
	vm.Plan, err = s.planVM(c, d)
	return vm, err
}

// renderDetail renders the risk's page.
func (s *Server) renderDetail(c *fiber.Ctx, status int, vm risks.DetailVM) error {
	return render(c, status, risks.DetailPage(s.page(c, vm.Risk.Identifier()+" "+vm.Risk.Title, layout.NavRegister), vm))
}

func (s *Server) editRisk(c *fiber.Ctx) error {
	r, err := s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	vm, err := s.formVM(c, r, risk.InputOf(r), r.Version, nil)
	if err != nil {
		return err
	}
	return s.renderForm(c, fiber.StatusOK, vm)
}

func (s *Server) updateRisk(c *fiber.Ctx) error {
	cur, err := s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	in, version, fe := bindRisk(c)
	if version < 1 {
		return apperr.New(apperr.Invalid, "The form is missing the risk's version; reload the page and try again.")
	}
	if len(fe) > 0 {
		norm := in
		norm.Normalize()
		return s.invalidForm(c, cur, in, version, fe, norm.Validate())
	}
	updated, err := s.Risks.UpdateForm(c.UserContext(), orgID(c), actorOf(c), cur.ID, version, in, c.FormValue(risk.ConfirmCloseField) == "1")
	switch {
	case isStale(err):
		return s.renderConflict(c, cur.ID, in)
	case apperr.Is(err, apperr.Invalid):
		return s.invalidForm(c, cur, in, version, fe, err)
	case err != nil:
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, updated.Identifier()+" saved."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+updated.Identifier())
}

// isStale reports whether err is a write based on an outdated version.
func isStale(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == apperr.Conflict && e.Version > 0
}

// renderConflict answers a stale write with 409: the editor's own changes
// against the version their form started from, the others' since, and a
// form re-applying theirs onto the latest version; for htmx it replaces
// the main area instead of the form.
func (s *Server) renderConflict(c *fiber.Ctx, id string, submitted risk.Input) error {
	var base *risk.Base
	if b, ok := risk.DecodeBase(c.FormValue("base")); ok {
		base = &b
	}
	conflict, err := s.Risks.Conflict(c.UserContext(), orgID(c), id, base, submitted)
	if err != nil {
		return err
	}
	vm := risks.ConflictVM{Conflict: conflict, CSRF: csrfToken(c)}
	if len(conflict.Mine) > 0 {
		stored := conflict.Stored
		form, err := s.formVM(c, stored, conflict.Merged, stored.Version, nil)
		if err != nil {
			return err
		}
		form.Base = risk.BaseOf(stored).Encode()
		vm.Form = &form
	}
	if isHTMX(c) {
		c.Set("HX-Retarget", "#"+layout.MainID)
		c.Set("HX-Reswap", "innerHTML")
		return render(c, fiber.StatusConflict, risks.ConflictBody(vm))
	}
	return render(c, fiber.StatusConflict, risks.ConflictPage(s.page(c, "Changed meanwhile", layout.NavRegister), vm))
}

func (s *Server) confirmDelete(c *fiber.Ctx) error {
	r, err := s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, risks.DeletePage(s.page(c, "Delete "+r.Identifier(), layout.NavRegister), risks.DeleteVM{Risk: r}))
}

func (s *Server) deleteRisk(c *fiber.Ctx) error {
	r, err := s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 1 {
		return apperr.New(apperr.Invalid, "The form is missing the risk's version; reload the page and try again.")
	}
	err = s.Risks.Delete(c.UserContext(), orgID(c), actorOf(c), r.ID, version)
	if isStale(err) {
		return s.renderConflict(c, r.ID, risk.InputOf(r))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, r.Identifier()+" deleted."); err != nil {
		return err
	}
	return redirect(c, "/risks")
}

// assess renders the live score and level preview of the form.
func (s *Server) assess(c *fiber.Ctx) error {
	reg, _, err := s.Risks.ResolveRegister(c.UserContext(), orgID(c), c.Query("register_id"))
	if err != nil {
		return err
	}
	score := func(k string) int {
		n, err := strconv.Atoi(c.Query(k))
		if err != nil || n < 0 || n > 10 {
			return 0
		}
		return n
	}
	vm := risks.PreviewVM{Register: reg, Probability: score("probability"), Impact: score("impact"),
		ResidualProbability: score("residual_probability"), ResidualImpact: score("residual_impact")}
	return render(c, fiber.StatusOK, risks.Preview(vm))
}

package web

import (
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/risks"
)

// Treatment and mitigation task handlers of the risk's page. Each binds the
// form, calls the risk service and answers through planResult.

// planVM shows the treatment and the tasks of d with the assignee choices.
func (s *Server) planVM(c *fiber.Ctx, d *risk.Detail) (risks.PlanVM, error) {
	r, tr, tasks := d.Risk, d.Treatment, d.Tasks
	canWrite := principal(c).Role.CanWrite()
	var members []risks.MemberOption
	var err error
	if canWrite {
		if members, err = s.memberOptions(c); err != nil {
			return risks.PlanVM{}, err
		}
	}
	path := "/risks/" + r.Identifier()
	vm := risks.PlanVM{
		Treatment: risks.TreatmentVM{RiskPath: path, Treatment: tr, CanWrite: canWrite, CSRF: csrfToken(c)},
		Tasks: risks.TasksVM{RiskPath: path, Tasks: tasks, Members: members, CanWrite: canWrite,
			CSRF: csrfToken(c), Today: s.today()},
	}
	if tr != nil {
		vm.Treatment.Input = risk.TreatmentInput{Type: tr.Type, Description: tr.Description}
	}
	return vm, nil
}

// planResult answers a plan change whose service call returned err. An
// error other than field errors (or any error when refused is nil) goes to
// the ErrorHandler. Without htmx, a change redirects back to the risk's
// page at anchor (303) and a refusal renders that page with the messages
// refused puts in place (422). With htmx, swap renders the fragment,
// followed after a change by the history out of band.
func (s *Server) planResult(c *fiber.Ctx, r *risk.Risk, err error, anchor, done string,
	refused func(vm *risks.PlanVM, fe apperr.FieldErrors), swap func(vm risks.DetailVM, changed bool) templ.Component) error {
	e, invalid := apperr.As(err)
	invalid = invalid && e.Code == apperr.Invalid && len(e.Fields) > 0 && refused != nil
	if err != nil && !invalid {
		return err
	}
	if !invalid && !isHTMX(c) {
		if err := s.flash(c, layout.FlashSuccess, done); err != nil {
			return err
		}
		return c.Redirect("/risks/"+r.Identifier()+"#"+anchor, fiber.StatusSeeOther)
	}
	vm, verr := s.detailVM(c, r.ID)
	if verr != nil {
		return verr
	}
	if invalid {
		refused(&vm.Plan, e.ForPeople())
		if !isHTMX(c) {
			return s.renderDetail(c, fiber.StatusUnprocessableEntity, vm)
		}
		return render(c, fiber.StatusUnprocessableEntity, swap(vm, false))
	}
	return render(c, fiber.StatusOK, templ.Join(swap(vm, true), risks.HistoryRegion(vm, true)))
}

// planRisk returns the risk named by the :id parameter.
func (s *Server) planRisk(c *fiber.Ctx) (*risk.Risk, error) {
	return s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
}

func treatmentCard(vm risks.DetailVM, _ bool) templ.Component {
	return risks.TreatmentCard(vm.Plan.Treatment)
}

func tasksCard(vm risks.DetailVM, _ bool) templ.Component { return risks.TasksCard(vm.Plan.Tasks) }

func (s *Server) setTreatment(c *fiber.Ctx) error {
	r, err := s.planRisk(c)
	if err != nil {
		return err
	}
	in := risk.TreatmentInput{Type: c.FormValue("type"), Description: c.FormValue("description")}
	_, err = s.Risks.SetTreatment(c.UserContext(), orgID(c), actorOf(c), r.ID, in)
	return s.planResult(c, r, err, risks.TreatmentID, "Treatment saved.", func(vm *risks.PlanVM, fe apperr.FieldErrors) {
		vm.Treatment.Input, vm.Treatment.Errors = in, fe
	}, treatmentCard)
}

// bindTask reads a task form. A due date that cannot be parsed is a field
// error, returned with the service's validation of the rest so a refused
// form names every bad field at once; otherwise the service validates.
func bindTask(c *fiber.Ctx) (risk.TaskInput, error) {
	fe := apperr.FieldErrors{}
	in := risk.TaskInput{Title: c.FormValue("title"), Description: c.FormValue("description"),
		Status: c.FormValue("status"), AssigneeID: c.FormValue("assignee_id")}
	if v := strings.TrimSpace(c.FormValue("due_date")); v != "" {
		if d, ok := risk.ParseDate(v); ok {
			in.DueDate = &d
		} else {
			fe.Add("due_date", risk.DateMessage)
		}
	}
	if len(fe) == 0 {
		return in, nil
	}
	norm := in
	norm.Normalize()
	if e, ok := apperr.As(norm.Validate()); ok {
		for f, msgs := range e.ForPeople() {
			fe[f] = append(fe[f], msgs...)
		}
	}
	return in, fe.Err()
}

func (s *Server) addTask(c *fiber.Ctx) error {
	r, err := s.planRisk(c)
	if err != nil {
		return err
	}
	in, err := bindTask(c)
	if err == nil {
		_, err = s.Risks.AddTask(c.UserContext(), orgID(c), actorOf(c), r.ID, in)
	}
	return s.planResult(c, r, err, risks.TasksID, "Task added.", func(vm *risks.PlanVM, fe apperr.FieldErrors) {
		vm.Tasks.New, vm.Tasks.NewErrors = in, fe
	}, tasksCard)
}

// editTask shows a task as its inline form: the row for htmx, the risk's
// page with that row open otherwise.
func (s *Server) editTask(c *fiber.Ctx) error {
	vm, err := s.detailVM(c, c.Params("id"))
	if err != nil {
		return err
	}
	t := vm.Plan.Tasks.Find(c.Params("taskId"))
	if t == nil {
		return apperr.New(apperr.NotFound, "Task not found")
	}
	vm.Plan.Tasks.EditID, vm.Plan.Tasks.Edit = t.ID, risk.TaskInputOf(t)
	if isHTMX(c) {
		return render(c, fiber.StatusOK, risks.TaskEditRow(vm.Plan.Tasks, t))
	}
	return s.renderDetail(c, fiber.StatusOK, vm)
}

func (s *Server) updateTask(c *fiber.Ctx) error {
	r, err := s.planRisk(c)
	if err != nil {
		return err
	}
	t, err := s.Risks.Task(c.UserContext(), orgID(c), r.ID, c.Params("taskId"))
	if err != nil {
		return err
	}
	in, err := bindTask(c)
	if err == nil {
		_, err = s.Risks.UpdateTask(c.UserContext(), orgID(c), actorOf(c), r.ID, t.ID, in)
	}
	if err == nil && isHTMX(c) {
		// The edit form targets its row; a saved task refreshes the card.
		c.Set("HX-Retarget", "#"+risks.TasksID)
	}
	return s.planResult(c, r, err, risks.TaskRowID(t.ID), "Task saved.", func(vm *risks.PlanVM, fe apperr.FieldErrors) {
		vm.Tasks.EditID, vm.Tasks.Edit, vm.Tasks.EditErrors = t.ID, in, fe
	}, func(vm risks.DetailVM, changed bool) templ.Component {
		if changed {
			return risks.TasksCard(vm.Plan.Tasks)
		}
		return risks.TaskEditRow(vm.Plan.Tasks, t)
	})
}

func (s *Server) setTaskStatus(c *fiber.Ctx) error {
	r, err := s.planRisk(c)
	if err != nil {
		return err
	}
	t, err := s.Risks.SetTaskStatus(c.UserContext(), orgID(c), actorOf(c), r.ID, c.Params("taskId"), c.FormValue("status"))
	done := "Task reopened."
	if t != nil && t.Status == risk.TaskCompleted {
		done = "Task completed."
	}
	return s.planResult(c, r, err, risks.TasksID, done, nil, tasksCard)
}

func (s *Server) deleteTask(c *fiber.Ctx) error {
	r, err := s.planRisk(c)
	if err != nil {
		return err
	}
	err = s.Risks.DeleteTask(c.UserContext(), orgID(c), actorOf(c), r.ID, c.Params("taskId"))
	return s.planResult(c, r, err, risks.TasksID, "Task deleted.", nil, tasksCard)
}

package web

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/csvio"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
	"github.com/riskreg/riskreg/views/incidents"
	"github.com/riskreg/riskreg/views/layout"
)

// listIncidents is GET /incidents: filters, search, sort and paging.
func (s *Server) listIncidents(c *fiber.Ctx) error {
	q, fe := listquery.ParseIncidents(listquery.Browser, func(k string) string { return c.Query(k) })
	status := fiber.StatusOK
	vm := incidents.ListVM{Query: q, CanWrite: principal(c).Role.CanWrite(), Today: s.today()}
	if len(fe) > 0 {
		vm.Errors, status = fe, fiber.StatusBadRequest
	}
	page, err := s.Incidents.List(c.UserContext(), orgID(c), q)
	if err != nil {
		return err
	}
	vm.Page = page
	if wantsPartial(c, incidents.ResultsID) {
		return render(c, status, incidents.Results(vm))
	}
	return render(c, status, incidents.ListPage(s.page(c, "Incidents", layout.NavIncidents), vm))
}

// exportIncidents is GET /incidents/export.csv: the list's filters,
// search and sort, every page.
func (s *Server) exportIncidents(c *fiber.Ctx) error {
	q, fe := listquery.ParseIncidents(listquery.Browser, func(k string) string { return c.Query(k) })
	if err := fe.Err(); err != nil {
		return err
	}
	q.Page, q.PerPage = 1, 0
	page, err := s.Incidents.List(c.UserContext(), orgID(c), q)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := csvio.WriteIncidents(&buf, c.Query("bom") == "1", page.Incidents); err != nil {
		return err
	}
	name := "incidents-" + principal(c).Organization.Slug + "-" + s.Now().UTC().Format(time.DateOnly) + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// bindIncident reads the incident form; unparsable dates are field errors.
func bindIncident(c *fiber.Ctx) (incident.Input, int, apperr.FieldErrors) {
	fe := apperr.FieldErrors{}
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
	in := incident.Input{Title: c.FormValue("title"), Description: c.FormValue("description"),
		Severity: c.FormValue("severity"), Status: c.FormValue("status"), ReporterID: c.FormValue("reporterId"),
		OccurredAt: date("occurredAt"), DiscoveredAt: date("discoveredAt"), ResolvedAt: date("resolvedAt")}
	version, _ := strconv.Atoi(c.FormValue("version"))
	return in, version, fe
}

func (s *Server) incidentMembers(c *fiber.Ctx) ([]incidents.MemberOption, error) {
	ms, err := s.memberOptions(c)
	out := make([]incidents.MemberOption, len(ms))
	for i, m := range ms {
		out[i] = incidents.MemberOption{ID: m.ID, Name: m.Name}
	}
	return out, err
}

func (s *Server) renderIncidentForm(c *fiber.Ctx, status int, vm incidents.FormVM) error {
	var err error
	if vm.Members, err = s.incidentMembers(c); err != nil {
		return err
	}
	title := "New incident"
	if vm.Incident != nil {
		title = "Edit " + vm.Incident.Identifier()
	}
	return render(c, status, incidents.FormPage(s.page(c, title, layout.NavIncidents), vm))
}

// newIncident is GET /incidents/new; the reporter defaults to the user.
func (s *Server) newIncident(c *fiber.Ctx) error {
	today := s.today()
	in := incident.Input{Severity: "medium", Status: incident.StatusOpen, ReporterID: principal(c).MemberID,
		OccurredAt: &today, DiscoveredAt: &today}
	return s.renderIncidentForm(c, fiber.StatusOK, incidents.FormVM{Input: in})
}

// invalidIncident re-renders the form with the binding's and the
// domain's messages (422).
func (s *Server) invalidIncident(c *fiber.Ctx, cur *incident.Incident, in incident.Input, version int, fe apperr.FieldErrors, err error) error {
	if e, ok := apperr.As(err); ok {
		for f, msgs := range e.Fields {
			fe[f] = append(fe[f], msgs...)
		}
	}
	return s.renderIncidentForm(c, fiber.StatusUnprocessableEntity, incidents.FormVM{Incident: cur, Input: in, Version: version, Errors: fe})
}

// createIncident is POST /incidents.
func (s *Server) createIncident(c *fiber.Ctx) error {
	in, _, fe := bindIncident(c)
	if len(fe) > 0 {
		norm := in
		norm.Normalize()
		return s.invalidIncident(c, nil, in, 0, fe, norm.Validate())
	}
	created, err := s.Incidents.Create(c.UserContext(), orgID(c), actorOf(c), in)
	if apperr.Is(err, apperr.Invalid) {
		return s.invalidIncident(c, nil, in, 0, fe, err)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, created.Identifier()+" recorded."); err != nil {
		return err
	}
	return redirect(c, incidents.IncidentPath(created))
}

// showIncident is GET /incidents/:id.
func (s *Server) showIncident(c *fiber.Ctx) error {
	vm, err := s.incidentVM(c, c.Params("id"))
	if err != nil {
		return err
	}
	return s.renderIncident(c, fiber.StatusOK, vm)
}

func (s *Server) incidentVM(c *fiber.Ctx, key string) (incidents.DetailVM, error) {
	inc, err := s.Incidents.Get(c.UserContext(), orgID(c), key)
	if err != nil {
		return incidents.DetailVM{}, err
	}
	vm := incidents.DetailVM{Incident: inc, CanWrite: principal(c).Role.CanWrite()}
	if vm.Risks, err = s.Incidents.LinkedRisks(c.UserContext(), orgID(c), inc.ID); err != nil {
		return vm, err
	}
	vm.Events, err = s.Incidents.History(c.UserContext(), orgID(c), inc.ID, historyLimit)
	return vm, err
}

func (s *Server) renderIncident(c *fiber.Ctx, status int, vm incidents.DetailVM) error {
	return render(c, status, incidents.DetailPage(s.page(c, vm.Incident.Identifier()+" "+vm.Incident.Title, layout.NavIncidents), vm))
}

// editIncident is GET /incidents/:id/edit.
func (s *Server) editIncident(c *fiber.Ctx) error {
	inc, err := s.Incidents.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	return s.renderIncidentForm(c, fiber.StatusOK, incidents.FormVM{Incident: inc, Input: incident.InputOf(inc), Version: inc.Version})
}

// errNoVersion is a form posted without the version it was based on.
var errNoVersion = apperr.New(apperr.Invalid, "The form is missing the incident's version; reload the page and try again.")

// updateIncident is POST /incidents/:id; a stale version is a 409.
func (s *Server) updateIncident(c *fiber.Ctx) error {
	cur, err := s.Incidents.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	in, version, fe := bindIncident(c)
	if version < 1 {
		return errNoVersion
	}
	if len(fe) > 0 {
		norm := in
		norm.Normalize()
		return s.invalidIncident(c, cur, in, version, fe, norm.Validate())
	}
	updated, err := s.Incidents.Update(c.UserContext(), orgID(c), actorOf(c), cur.ID, version, in)
	switch {
	case apperr.Is(err, apperr.Invalid):
		return s.invalidIncident(c, cur, in, version, fe, err)
	case err != nil:
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, updated.Identifier()+" saved."); err != nil {
		return err
	}
	return redirect(c, incidents.IncidentPath(updated))
}

// confirmDeleteIncident is GET /incidents/:id/delete.
func (s *Server) confirmDeleteIncident(c *fiber.Ctx) error {
	inc, err := s.Incidents.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, incidents.DeletePage(s.page(c, "Delete "+inc.Identifier(), layout.NavIncidents), incidents.DeleteVM{Incident: inc}))
}

// deleteIncident is POST /incidents/:id/delete.
func (s *Server) deleteIncident(c *fiber.Ctx) error {
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 1 {
		return errNoVersion
	}
	inc, err := s.Incidents.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.Incidents.Delete(c.UserContext(), orgID(c), actorOf(c), inc.ID, version); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, inc.Identifier()+" deleted."); err != nil {
		return err
	}
	return redirect(c, incidents.Path)
}

// newRiskFromIncident is GET /incidents/:id/risks/new: the risk form
// prefilled from the incident, posting to createRiskFromIncident.
func (s *Server) newRiskFromIncident(c *fiber.Ctx) error {
	inc, err := s.Incidents.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	in := incident.RiskInput(inc, risk.Input{Status: risk.StatusOpen, Department: "none"})
	vm, err := s.formVM(c, nil, in, 0, nil)
	if err != nil {
		return err
	}
	vm.Incident = inc.Identifier()
	return s.renderForm(c, fiber.StatusOK, vm)
}

// createRiskFromIncident is POST /incidents/:id/risks: the risk form's
// risk, created with source "incident" and linked to the incident.
func (s *Server) createRiskFromIncident(c *fiber.Ctx) error {
	inc, err := s.Incidents.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	in, _, fe := bindRisk(c)
	invalid := func(err error) error {
		if e, ok := apperr.As(err); ok {
			for f, msgs := range e.Fields {
				fe[f] = append(fe[f], msgs...)
			}
		}
		vm, verr := s.formVM(c, nil, in, 0, fe)
		if verr != nil {
			return verr
		}
		vm.Incident = inc.Identifier()
		return s.renderForm(c, fiber.StatusUnprocessableEntity, vm)
	}
	// The form sends every field, so an empty title or description is the
	// user's, refused as on any risk form rather than refilled.
	norm := in
	norm.Normalize()
	if verr := norm.Validate(); verr != nil || len(fe) > 0 {
		return invalid(verr)
	}
	res, err := s.Incidents.CreateRisk(c.UserContext(), orgID(c), actorOf(c), inc.ID, in)
	if apperr.Is(err, apperr.Invalid) {
		return invalid(err)
	}
	if err != nil {
		return err
	}
	r := res.Risk.Risk
	if err := s.flash(c, layout.FlashSuccess, r.Identifier()+" created from "+inc.Identifier()+"."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+r.Identifier())
}

// linkRiskForm is POST /incidents/:id/risks/link ("Link existing risk").
func (s *Server) linkRiskForm(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.FormValue("risk"))
	inc, err := s.Incidents.LinkRisk(c.UserContext(), orgID(c), actorOf(c), c.Params("id"), key)
	if e, ok := apperr.As(err); ok && e.Code == apperr.NotFound && e.Message == "Risk not found" {
		vm, verr := s.incidentVM(c, c.Params("id"))
		if verr != nil {
			return verr
		}
		vm.LinkError, vm.LinkValue = "No risk "+key+" in this organization; enter an identifier such as RSK-00042", key
		return s.renderIncident(c, fiber.StatusUnprocessableEntity, vm)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Risk linked to "+inc.Identifier()+"."); err != nil {
		return err
	}
	return redirect(c, incidents.IncidentPath(inc))
}

// unlinkRiskForm is POST /incidents/:id/risks/:riskId/unlink.
func (s *Server) unlinkRiskForm(c *fiber.Ctx) error {
	inc, err := s.Incidents.UnlinkRisk(c.UserContext(), orgID(c), actorOf(c), c.Params("id"), c.Params("riskId"))
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Risk unlinked from "+inc.Identifier()+"."); err != nil {
		return err
	}
	return redirect(c, incidents.IncidentPath(inc))
}

// riskIncidentsCard loads the "Linked incidents" card of a risk's page.
func (s *Server) riskIncidentsCard(c *fiber.Ctx, r *risk.Risk) (incidents.RiskCardVM, error) {
	vm := incidents.RiskCardVM{RiskPath: "/risks/" + r.Identifier(), CanWrite: principal(c).Role.CanWrite()}
	var err error
	if vm.Incidents, err = s.Incidents.ForRisk(c.UserContext(), orgID(c), r.ID); err != nil || !vm.CanWrite {
		return vm, err
	}
	page, err := s.Incidents.List(c.UserContext(), orgID(c), incident.ListQuery{Sort: "identifier", Desc: true, Page: 1, PerPage: 100})
	vm.Choices = page.Incidents
	return vm, err
}

// linkIncidentForm is POST /risks/:id/incidents (the risk page's card).
func (s *Server) linkIncidentForm(c *fiber.Ctx) error {
	r, err := s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.FormValue("incident"))
	_, err = s.Incidents.LinkRisk(c.UserContext(), orgID(c), actorOf(c), key, r.ID)
	if apperr.Is(err, apperr.NotFound) {
		vm, verr := s.detailVM(c, r.ID)
		if verr != nil {
			return verr
		}
		vm.Incidents.Error = "No incident " + key + " in this organization; enter an identifier such as INC-00007"
		return s.renderDetail(c, fiber.StatusUnprocessableEntity, vm)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Incident linked to "+r.Identifier()+"."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+r.Identifier())
}

// unlinkIncidentForm is POST /risks/:id/incidents/:incidentId/unlink.
func (s *Server) unlinkIncidentForm(c *fiber.Ctx) error {
	r, err := s.Risks.Get(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	if _, err := s.Incidents.UnlinkRisk(c.UserContext(), orgID(c), actorOf(c), c.Params("incidentId"), r.ID); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Incident unlinked from "+r.Identifier()+"."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+r.Identifier())
}

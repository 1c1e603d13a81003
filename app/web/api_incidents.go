package web

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// apiIncident is an incident as the API shows it.
type apiIncident struct {
	ID             string       `json:"id"`
	Identifier     string       `json:"identifier"`
	Title          string       `json:"title"`
	Description    string       `json:"description"`
	Severity       string       `json:"severity"`
	Status         string       `json:"status"`
	OccurredAt     *string      `json:"occurredAt"`
	DiscoveredAt   *string      `json:"discoveredAt"`
	ResolvedAt     *string      `json:"resolvedAt"`
	ReporterID     *string      `json:"reporterId"`
	Reporter       *apiAssignee `json:"reporter"`
	RiskIDs        []string     `json:"riskIds"`
	Version        int          `json:"version"`
	OrganizationID string       `json:"organizationId"`
	CreatedAt      string       `json:"createdAt"`
	UpdatedAt      string       `json:"updatedAt"`
}

func toAPIIncident(i *incident.Incident) apiIncident {
	out := apiIncident{ID: i.ID, Identifier: i.Identifier(), Title: i.Title, Description: i.Description,
		Severity: i.Severity, Status: i.Status, OccurredAt: apiTimePtr(i.OccurredOn), DiscoveredAt: apiTimePtr(i.DiscoveredOn),
		ResolvedAt: apiTimePtr(i.ResolvedOn), ReporterID: optional(i.ReporterID), RiskIDs: i.RiskIDs,
		Version: i.Version, OrganizationID: i.OrganizationID, CreatedAt: apiTime(i.CreatedAt), UpdatedAt: apiTime(i.UpdatedAt)}
	if out.RiskIDs == nil {
		out.RiskIDs = []string{}
	}
	if p := i.Reporter; p != nil {
		out.Reporter = &apiAssignee{ID: p.MemberID, User: apiUser{Name: p.Name, Email: p.Email}}
	}
	return out
}

// apiIncidentFields lists the fields a client may select with fields=.
var apiIncidentFields = func() map[string]bool {
	m := map[string]bool{}
	b, _ := json.Marshal(apiIncident{})
	var keys map[string]any
	_ = json.Unmarshal(b, &keys)
	for k := range keys {
		m[k] = true
	}
	return m
}()

// listIncidentsAPI is GET /api/v1/incidents.
func (s *Server) listIncidentsAPI(c *fiber.Ctx) error {
	q, fe := listquery.ParseIncidents(listquery.API, func(k string) string { return c.Query(k) })
	var fields []string
	if v := c.Query("fields"); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if !apiIncidentFields[f] {
				fe.Add("fields", fmt.Sprintf("Unknown field '%s'", f))
				continue
			}
			fields = append(fields, f)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	page, err := s.Incidents.List(c.UserContext(), apiKeyOf(c).OrganizationID, q)
	if err != nil {
		return err
	}
	data := make([]any, len(page.Incidents))
	for k, i := range page.Incidents {
		data[k] = selectFields(toAPIIncident(i), fields)
	}
	s.setPages(c, q.Page, q.PerPage, q.Pages(page.Total), page.Total, true)
	return sendData(c, fiber.StatusOK, data)
}

// incidentFields are the writable fields of an incident in a JSON body,
// nil when absent.
type incidentFields struct {
	Title, Description, Severity, Status, ReporterID *string
	OccurredAt, DiscoveredAt, ResolvedAt             **time.Time
}

func readIncidentFields(z *zodObject, create bool) incidentFields {
	var f incidentFields
	if v, ok := z.str("title", create, false); ok {
		if v == "" {
			z.add("title", "Title is required")
		}
		f.Title = &v
	}
	if v, ok := z.str("description", false, false); ok {
		f.Description = &v
	}
	if v, ok := z.enum("severity", incident.Severities, false, false); ok {
		f.Severity = &v
	}
	if v, ok := z.enum("status", incident.Statuses, false, false); ok {
		f.Status = &v
	}
	if v, ok := z.str("reporterId", false, true); ok {
		f.ReporterID = &v
	}
	for _, d := range []struct {
		name string
		dst  ***time.Time
	}{{"occurredAt", &f.OccurredAt}, {"discoveredAt", &f.DiscoveredAt}, {"resolvedAt", &f.ResolvedAt}} {
		if t, ok := z.date(d.name); ok {
			*d.dst = &t
		}
	}
	return f
}

func (f incidentFields) applyTo(in *incident.Input) {
	for _, p := range []struct{ dst, v *string }{
		{&in.Title, f.Title}, {&in.Description, f.Description}, {&in.Severity, f.Severity},
		{&in.Status, f.Status}, {&in.ReporterID, f.ReporterID},
	} {
		if p.v != nil {
			*p.dst = *p.v
		}
	}
	for _, p := range []struct{ dst, v **time.Time }{
		{&in.OccurredAt, f.OccurredAt}, {&in.DiscoveredAt, f.DiscoveredAt}, {&in.ResolvedAt, f.ResolvedAt},
	} {
		if p.v != nil {
			*p.dst = *p.v
		}
	}
}

// createIncidentAPI is POST /api/v1/incidents; Idempotency-Key honoured.
func (s *Server) createIncidentAPI(c *fiber.Ctx) error {
	z, body, err := jsonObject(c)
	if err != nil {
		return err
	}
	f := readIncidentFields(z, true)
	if !z.ok() {
		return z.err()
	}
	var in incident.Input
	f.applyTo(&in)
	org, actor := apiKeyOf(c).OrganizationID, apiActor(c)
	return s.idempotent(c, org, body, func(ctx context.Context) (int, []byte, error) {
		i, err := s.Incidents.Create(ctx, org, actor, in)
		if err != nil {
			return 0, nil, err
		}
		b, err := json.Marshal(fiber.Map{"success": true, "data": toAPIIncident(i)})
		return fiber.StatusCreated, b, err
	})
}

// sendIncident writes the incident with its version as the ETag.
func sendIncident(c *fiber.Ctx, status int, i *incident.Incident) error {
	c.Set(fiber.HeaderETag, etag(i.Version))
	return sendData(c, status, toAPIIncident(i))
}

// getIncidentAPI is GET /api/v1/incidents/:id (id, INC identifier or number).
func (s *Server) getIncidentAPI(c *fiber.Ctx) error {
	i, err := s.Incidents.Get(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id"))
	if err != nil {
		return err
	}
	return sendIncident(c, fiber.StatusOK, i)
}

// patchIncidentAPI is PATCH /api/v1/incidents/:id: absent fields stay,
// null clears the dates and the reporter, If-Match refuses a stale write.
func (s *Server) patchIncidentAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	f := readIncidentFields(z, false)
	if !z.ok() {
		return z.err()
	}
	i, err := s.Incidents.Patch(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), ifMatch(c),
		func(cur *incident.Incident) incident.Input {
			in := incident.InputOf(cur)
			f.applyTo(&in)
			return in
		})
	if err != nil {
		return err
	}
	return sendIncident(c, fiber.StatusOK, i)
}

// deleteIncidentAPI is DELETE /api/v1/incidents/:id.
func (s *Server) deleteIncidentAPI(c *fiber.Ctx) error {
	if err := s.Incidents.Delete(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), ifMatch(c)); err != nil {
		return err
	}
	return sendData(c, fiber.StatusOK, fiber.Map{"message": "Incident deleted successfully"})
}

// linkRiskAPI is POST /api/v1/incidents/:id/risks/:riskId.
func (s *Server) linkRiskAPI(c *fiber.Ctx) error {
	i, err := s.Incidents.LinkRisk(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), c.Params("riskId"))
	if err != nil {
		return err
	}
	return sendIncident(c, fiber.StatusOK, i)
}

// unlinkRiskAPI is DELETE /api/v1/incidents/:id/risks/:riskId.
func (s *Server) unlinkRiskAPI(c *fiber.Ctx) error {
	i, err := s.Incidents.UnlinkRisk(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), c.Params("riskId"))
	if err != nil {
		return err
	}
	return sendIncident(c, fiber.StatusOK, i)
}

// createRiskFromIncidentAPI is seed 002's POST /api/v1/incidents/:id/risks:
// an optional body overrides the risk's fields; the answer is 201 with
// seed 002's risk object.
func (s *Server) createRiskFromIncidentAPI(c *fiber.Ctx) error {
	var in risk.Input
	var body []byte
	if len(c.Body()) > 0 || c.Get(fiber.HeaderContentType) != "" {
		z, b, err := jsonObject(c)
		if err != nil {
			return err
		}
		f := readRiskFields(z, false)
		if !z.ok() {
			return z.err()
		}
		f.applyTo(&in)
		body = b
	}
	org, actor := apiKeyOf(c).OrganizationID, apiActor(c)
	return s.idempotent(c, org, body, func(ctx context.Context) (int, []byte, error) {
		res, err := s.Incidents.CreateRisk(ctx, org, actor, c.Params("id"), in)
		if err != nil {
			return 0, nil, err
		}
		b, err := json.Marshal(fiber.Map{"success": true, "data": toSeedRisk(res)})
		return fiber.StatusCreated, b, err
	})
}

// seedRisk is seed 002's risk object, field for field.
type seedRisk struct {
	ID                       string       `json:"id"`
	Title                    string       `json:"title"`
	Description              string       `json:"description"`
	Status                   string       `json:"status"`
	CreatedDate              string       `json:"created_date"`
	UpdatedDate              string       `json:"updated_date"`
	DiscoveredDate           string       `json:"discovered_date"`
	DueDate                  *string      `json:"due_date"`
	ClosedDate               *string      `json:"closed_date"`
	ExpectedDate             *string      `json:"expected_date"`
	Comments                 int          `json:"comments"`
	IncidentAssociations     []string     `json:"incident_associations"`
	Tags                     []seedTag    `json:"tags"`
	ThreatObjectives         []seedThreat `json:"threat_objectives"`
	Type                     string       `json:"type"`
	Source                   *string      `json:"source"`
	RemediationTask          *string      `json:"remediation_task"`
	ControlStatement         *string      `json:"control_statement"`
	AssignedTo               *seedPerson  `json:"assigned_to"`
	OpenedBy                 *seedPerson  `json:"opened_by"`
	Likelihood               *seedScale   `json:"likelihood"`
	Impact                   *seedScale   `json:"impact"`
	InitiallyReportedUrgency *seedUrgency `json:"initially_reported_urgency"`
	LikelihoodAnalysis       *string      `json:"likelihood_analysis"`
	ImpactAnalysis           *string      `json:"impact_analysis"`
}

type seedTag struct {
	ID        string  `json:"id"`
	Content   string  `json:"content"`
	CreatorID string  `json:"creator_id"`
	OrgID     *string `json:"org_id"`
}

type seedThreat struct {
	ThreatObjective string  `json:"threat_objective"`
	CreatedDate     *string `json:"created_date"`
	Relevance       *string `json:"relevance"`
}

type seedPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type seedScale struct {
	Value int    `json:"value"`
	Name  string `json:"name"`
}

type seedUrgency struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// seedStatus maps riskreg's statuses to seed 002's.
func seedStatus(status string) string {
	switch status {
	case risk.StatusPending:
		return "Remediation"
	case risk.StatusClosed, risk.StatusArchived:
		return "Closed"
	}
	return "New"
}

// nameUUID is a stable name-based UUID (version 5 layout) for one of
// riskreg's text ids, where seed 002 documents UUIDs.
func nameUUID(kind, id string) string {
	sum := sha1.Sum([]byte("riskreg:" + kind + ":" + id))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func seedPersonOf(p *risk.Person) *seedPerson {
	if p == nil {
		return nil
	}
	return &seedPerson{ID: p.MemberID, Name: p.Name, Email: p.Email}
}

func seedScaleOf(levels []risk.ScaleLevel, v int) *seedScale {
	if v <= 0 {
		return nil
	}
	for _, l := range levels {
		if v <= l.Upper {
			return &seedScale{Value: v, Name: l.Name}
		}
	}
	return &seedScale{Value: v}
}

func toSeedRisk(res *incident.RiskFromIncident) seedRisk {
	r, inc := res.Risk.Risk, res.Incident
	discovered := inc.CreatedAt
	for _, d := range []*time.Time{inc.DiscoveredOn, inc.OccurredOn} {
		if d != nil {
			discovered = *d
			break
		}
	}
	orgUUID := nameUUID("organization", r.OrganizationID)
	out := seedRisk{
		ID: r.Identifier(), Title: r.Title, Description: r.Description, Status: seedStatus(r.Status),
		CreatedDate: apiTime(r.CreatedAt), UpdatedDate: apiTime(r.UpdatedAt), DiscoveredDate: apiTime(discovered),
		DueDate: apiTimePtr(r.DueDate), ClosedDate: apiTimePtr(r.ClosedAt), IncidentAssociations: []string{},
		Tags: []seedTag{}, ThreatObjectives: []seedThreat{}, Source: optional(r.Source),
		AssignedTo: seedPersonOf(r.Assignee), OpenedBy: seedPersonOf(res.OpenedBy),
		InitiallyReportedUrgency: &seedUrgency{Value: inc.Severity, Name: incident.Severities.Label(inc.Severity)},
	}
	// type: the label of the risk's type as seed 002 spells it, "" when
	// the risk has none (the seed's field is a required string).
	out.Type = risk.RiskTypes.Label(r.Type)
	mutated := apiTime(r.UpdatedAt)
	for _, o := range r.ThreatObjectives {
		out.ThreatObjectives = append(out.ThreatObjectives, seedThreat{ThreatObjective: risk.ThreatObjectives.Label(o), CreatedDate: &mutated})
	}
	for _, ref := range res.Incidents {
		out.IncidentAssociations = append(out.IncidentAssociations, ref.Identifier())
	}
	for _, t := range r.Tags {
		out.Tags = append(out.Tags, seedTag{ID: nameUUID("tag", r.OrganizationID+":"+t), Content: t,
			CreatorID: nameUUID("member", r.CreatedBy), OrgID: &orgUUID})
	}
	for _, t := range res.Risk.Tasks {
		if t.Status != risk.TaskCompleted {
			out.RemediationTask = &t.Title
			break
		}
	}
	if t := res.Risk.Treatment; t != nil && t.Description != "" {
		out.ControlStatement = &t.Description
	}
	if reg := res.Risk.Register; reg != nil {
		out.Likelihood = seedScaleOf(reg.Matrix.Likelihood, r.Probability)
		out.Impact = seedScaleOf(reg.Matrix.Impact, r.Impact)
	}
	return out
}

package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// apiTime formats a timestamp as the contract does: RFC 3339 UTC with milliseconds.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func apiTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := apiTime(*t)
	return &s
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

type apiLevel struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

type apiUser struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type apiAssignee struct {
	ID   string  `json:"id"`
	User apiUser `json:"user"`
}

// apiRisk is a risk as the API shows it: seed 000's field names (camelCase
// and snake_case mixed, as documented) plus riskreg's additions.
type apiRisk struct {
	ID                  string       `json:"id"`
	Identifier          string       `json:"identifier"`
	Title               string       `json:"title"`
	Description         string       `json:"description"`
	Category            string       `json:"category"`
	Department          string       `json:"department"`
	Status              string       `json:"status"`
	Probability         int          `json:"probability"`
	Impact              int          `json:"impact"`
	ResidualProbability int          `json:"residual_probability"`
	ResidualImpact      int          `json:"residual_impact"`
	InherentScore       int          `json:"inherentScore"`
	InherentLevel       *apiLevel    `json:"inherentLevel"`
	ResidualScore       int          `json:"residualScore"`
	ResidualLevel       *apiLevel    `json:"residualLevel"`
	RegisterID          string       `json:"registerId"`
	AssigneeID          *string      `json:"assigneeId"`
	Assignee            *apiAssignee `json:"assignee"`
	ClosureReason       *string      `json:"closureReason"`
	ClosedAt            *string      `json:"closedAt"`
	DueDate             *string      `json:"dueDate"`
	Tags                []string     `json:"tags"`
	Type                *string      `json:"type"`
	ThreatObjectives    []string     `json:"threatObjectives"`
	Version             int          `json:"version"`
	OrganizationID      string       `json:"organizationId"`
	CreatedAt           string       `json:"createdAt"`
	UpdatedAt           string       `json:"updatedAt"`
	// The review cycle and the comments (issue 11).
	NextReviewDate *string `json:"nextReviewDate"`
	LastReviewedAt *string `json:"lastReviewedAt"`
	CommentsCount  int     `json:"commentsCount"`
}

// apiRiskDetail adds the single-risk fields of seed 000.
type apiRiskDetail struct {
	apiRisk
	TreatmentStrategy *apiTreatment `json:"treatmentStrategy"`
	MitigationTasks   []apiTask     `json:"mitigationTasks"`
	// IncidentIDs are the ids of the incidents linked to the risk.
	IncidentIDs []string `json:"incidentIds"`
}

type apiTreatment struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Description string `json:"description"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

type apiTask struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Status      string  `json:"status"`
	DueDate     *string `json:"dueDate"`
	CompletedAt *string `json:"completedAt"`
	CreatedAt   string  `json:"createdAt"`
	UpdatedAt   string  `json:"updatedAt"`
	AssigneeID  *string `json:"assigneeId"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func levelJSON(lv risk.Level, ok bool) *apiLevel {
	if !ok {
		return nil
	}
	return &apiLevel{Index: lv.Index, Name: lv.Name, Color: lv.Color}
}

func toAPIRisk(r *risk.Risk, reg *risk.Register) apiRisk {
	out := apiRisk{
		ID: r.ID, Identifier: r.Identifier(), Title: r.Title, Description: r.Description,
		Category: r.Category, Department: r.Department, Status: r.Status,
		Probability: r.Probability, Impact: r.Impact,
		ResidualProbability: r.ResidualProbability, ResidualImpact: r.ResidualImpact,
		InherentScore: r.InherentScore(), ResidualScore: r.ResidualScore(),
		RegisterID: r.RegisterID, AssigneeID: optional(r.AssigneeID), ClosureReason: optional(r.ClosureReason),
		ClosedAt: apiTimePtr(r.ClosedAt), DueDate: apiTimePtr(r.DueDate), Tags: r.Tags, Version: r.Version,
		OrganizationID: r.OrganizationID, CreatedAt: apiTime(r.CreatedAt), UpdatedAt: apiTime(r.UpdatedAt),
		NextReviewDate: apiTimePtr(r.NextReviewDate), LastReviewedAt: apiTimePtr(r.LastReviewedAt),
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	out.Type, out.ThreatObjectives = optional(r.Type), r.ThreatObjectives
	if out.ThreatObjectives == nil {
		out.ThreatObjectives = []string{}
	}
	if reg != nil {
		out.InherentLevel = levelJSON(reg.InherentLevel(r))
		out.ResidualLevel = levelJSON(reg.ResidualLevel(r))
	}
	if r.Assignee != nil {
		out.Assignee = &apiAssignee{ID: r.Assignee.MemberID, User: apiUser{Name: r.Assignee.Name, Email: r.Assignee.Email}}
	}
	return out
}

// apiFieldNames lists the fields a client may select with fields=.
var apiFieldNames = func() map[string]bool {
	m := map[string]bool{}
	b, _ := json.Marshal(apiRisk{})
	var keys map[string]any
	_ = json.Unmarshal(b, &keys)
	for k := range keys {
		m[k] = true
	}
	return m
}()

// selectFields keeps only the requested fields of v (id always).
func selectFields(v any, fields []string) any {
	if len(fields) == 0 {
		return v
	}
	b, _ := json.Marshal(v)
	var all map[string]json.RawMessage
	_ = json.Unmarshal(b, &all)
	out := map[string]json.RawMessage{"id": all["id"]}
	for _, f := range fields {
		if raw, ok := all[f]; ok {
			out[f] = raw
		}
	}
	return out
}

// parseAPIList reads the list parameters (listquery's table, API names)
// and fields=, the fields to return.
func parseAPIList(c *fiber.Ctx) (risk.ListQuery, []string, error) {
	q, fe := parseList(c, listquery.API)
	var fields []string
	if v := c.Query("fields"); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if !apiFieldNames[f] {
				fe.Add("fields", fmt.Sprintf("Unknown field '%s'", f))
				continue
			}
			fields = append(fields, f)
		}
	}
	return q, fields, fe.Err()
}

// setPagination writes the 4me-style X-Pagination-* headers and, with
// links, the Link header; the links are absolute URLs under BASE_URL,
// never the request's Host.
func (s *Server) setPagination(c *fiber.Ctx, q risk.ListQuery, total int, estimated, links bool) {
	if estimated {
		// The total is the planner's estimate (a filtered list of more
		// than 10,000 risks): so are the page count and the last link.
		c.Set("X-Pagination-Total-Estimated", "true")
	}
	s.setPages(c, q.Page, q.PerPage, q.Pages(total), total, links)
}

// setPages writes the paging headers of page (of pages, perPage each,
// total entries) of any list; links as for setPagination.
func (s *Server) setPages(c *fiber.Ctx, page, perPage, pages, total int, links bool) {
	q := struct{ Page, PerPage int }{page, perPage}
	c.Set("X-Pagination-Total-Entries", strconv.Itoa(total))
	c.Set("X-Pagination-Total-Pages", strconv.Itoa(pages))
	c.Set("X-Pagination-Current-Page", strconv.Itoa(q.Page))
	c.Set("X-Pagination-Per-Page", strconv.Itoa(q.PerPage))
	if !links {
		return
	}
	base := s.Config.BaseURL + c.Path()
	params, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	link := func(page int, rel string) string {
		params.Set("page", strconv.Itoa(page))
		params.Set("per_page", strconv.Itoa(q.PerPage))
		return fmt.Sprintf(`<%s?%s>; rel="%s"`, base, params.Encode(), rel)
	}
	rels := []string{link(1, "first")}
	if q.Page > 1 {
		rels = append(rels, link(min(q.Page-1, pages), "prev"))
	}
	if q.Page < pages {
		rels = append(rels, link(q.Page+1, "next"))
	}
	rels = append(rels, link(pages, "last"))
	c.Set("Link", strings.Join(rels, ", "))
}

// listRisksAPI is GET /api/v1/risks.
func (s *Server) listRisksAPI(c *fiber.Ctx) error {
	q, fields, err := parseAPIList(c)
	if err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	if s.checkAsOf(&q, fe, "asOf"); len(fe) > 0 {
		return fe.Err()
	}
	return s.sendRiskList(c, q, fields, true)
}

// sendRiskList sends a page of risks; links adds the Link header, whose
// URLs repeat the request as GETs, so only a GET list may send it.
func (s *Server) sendRiskList(c *fiber.Ctx, q risk.ListQuery, fields []string, links bool) error {
	org := apiKeyOf(c).OrganizationID
	page, err := s.Risks.List(c.UserContext(), org, q)
	if err != nil {
		return err
	}
	regs, err := s.registerMap(c, org)
	if err != nil {
		return err
	}
	ids := make([]string, len(page.Risks))
	for i, r := range page.Risks {
		ids[i] = r.ID
	}
	counts, err := s.Comments.Counts(c.UserContext(), org, ids)
	if err != nil {
		return err
	}
	if q.AsOf != nil { // levels by the matrices in force then
		then, err := s.Risks.RegistersAsOf(c.UserContext(), org, *q.AsOf)
		if err != nil {
			return err
		}
		for _, r := range then {
			regs[r.ID] = r
		}
	}
	data := make([]any, len(page.Risks))
	for i, r := range page.Risks {
		ar := toAPIRisk(r, regs[r.RegisterID])
		ar.CommentsCount = counts[r.ID]
		data[i] = selectFields(ar, fields)
	}
	s.setPagination(c, q, page.Total, page.Estimated, links)
	return sendData(c, fiber.StatusOK, data)
}

func (s *Server) registerMap(c *fiber.Ctx, orgID string) (map[string]*risk.Register, error) {
	regs, err := s.Risks.ListRegisters(c.UserContext(), orgID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*risk.Register, len(regs))
	for _, r := range regs {
		m[r.ID] = r
	}
	return m, nil
}

// filterRisksAPI is PUT /api/v1/risks/filter (seed 004): the filters in
// the body, paging and sorting in the query.
func (s *Server) filterRisksAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	q, fields, err := parseAPIList(c)
	if err != nil {
		return err
	}
	if z.ok() {
		if ids, ok := riskIDs(z); ok {
			q.IDs = ids
			if len(ids) == 0 {
				q.IDs = []string{""} // an empty list selects nothing
			}
		}
		if s, ok := z.str("modifiedAfter", false, true); ok && s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || !risk.InDateRange(t) {
				z.add("modifiedAfter", "Invalid datetime")
			} else {
				q.ModifiedAfter = &t
			}
		}
		if st, ok := z.enum("status", risk.Statuses, false, true); ok {
			q.Status = st
		}
	}
	if !z.ok() {
		return z.err()
	}
	return s.sendRiskList(c, q, fields, false)
}

// riskIDs reads riskIds: risk ids, RSK identifiers or risk numbers (42
// or "42", as RSK-00042). Ids of no risk of the organization match
// nothing; the store scopes every lookup to the key's organization.
func riskIDs(z *zodObject) ([]string, bool) {
	v, ok := z.raw["riskIds"]
	if !ok {
		return nil, false
	}
	var items []json.RawMessage
	if t := jsonType(v); t != "array" {
		z.add("riskIds", "Expected array, received "+t)
		return nil, false
	}
	_ = json.Unmarshal(v, &items)
	if len(items) > 1000 {
		z.add("riskIds", "Array must contain at most 1000 element(s)")
		return nil, false
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		switch jsonType(it) {
		case "string":
			var s string
			_ = json.Unmarshal(it, &s)
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
				s = risk.FormatIdentifier(n)
			}
			ids = append(ids, s)
		case "number": // any JSON spelling of a whole number: 42, 42.0, 4.2e1
			n, err := strconv.ParseFloat(string(it), 64)
			if err != nil || n != math.Trunc(n) || n < 1 || n > 1e15 {
				z.add("riskIds", "Expected a risk id, an identifier such as RSK-00042 or a positive whole number")
				return nil, false
			}
			ids = append(ids, risk.FormatIdentifier(int64(n)))
		default:
			z.add("riskIds", "Expected string or number, received "+jsonType(it))
			return nil, false
		}
	}
	return ids, true
}

// getRiskAPI is GET /api/v1/risks/:id (id or RSK identifier).
func (s *Server) getRiskAPI(c *fiber.Ctx) error {
	if day, err := s.asOfParam(c, "asOf"); err != nil || day != nil {
		if err != nil { // an unknown risk is a 404 whatever the day
			if _, derr := s.Risks.Detail(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id")); derr != nil {
				return apiNotFound(derr)
			}
			return err
		}
		r, reg, err := s.Risks.GetAsOf(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id"), *day)
		if err != nil {
			return apiNotFound(err)
		}
		return s.sendRisk(c, fiber.StatusOK, &risk.Detail{Risk: r, Register: reg})
	}
	d, err := s.Risks.Detail(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id"))
	if err != nil {
		return apiNotFound(err)
	}
	return s.sendRisk(c, fiber.StatusOK, d)
}

// apiNotFound names the risk in a NotFound, as seed 000 does.
func apiNotFound(err error) error {
	if e, ok := apperr.As(err); ok && e.Code == apperr.NotFound && e.Message != "Task not found" {
		return errRiskNotFound
	}
	return err
}

// toAPIDetail renders a risk with its treatment and tasks.
func toAPIDetail(d *risk.Detail) apiRiskDetail {
	out := apiRiskDetail{apiRisk: toAPIRisk(d.Risk, d.Register), MitigationTasks: []apiTask{}, IncidentIDs: []string{}}
	if t := d.Treatment; t != nil {
		out.TreatmentStrategy = &apiTreatment{ID: t.ID, Type: t.Type, Description: t.Description,
			CreatedAt: apiTime(t.CreatedAt), UpdatedAt: apiTime(t.UpdatedAt)}
	}
	for _, t := range d.Tasks {
		out.MitigationTasks = append(out.MitigationTasks, toAPITask(t))
	}
	return out
}

func toAPITask(t *risk.Task) apiTask {
	return apiTask{ID: t.ID, Title: t.Title, Description: t.Description, Status: t.Status,
		DueDate: apiTimePtr(t.DueDate), CompletedAt: apiTimePtr(t.CompletedAt),
		CreatedAt: apiTime(t.CreatedAt), UpdatedAt: apiTime(t.UpdatedAt), AssigneeID: optional(t.AssigneeID)}
}

// sendRisk writes the risk's detail and linked incidents with its
// version as the ETag.
func (s *Server) sendRisk(c *fiber.Ctx, status int, d *risk.Detail) error {
	rel := d.Related
	if rel == nil { // a past state or a write's result: read them now
		refs, err := s.Incidents.ForRisk(c.UserContext(), d.Risk.OrganizationID, d.Risk.ID)
		if err != nil {
			return err
		}
		counts, err := s.Comments.Counts(c.UserContext(), d.Risk.OrganizationID, []string{d.Risk.ID})
		if err != nil {
			return err
		}
		rel = &risk.Related{CommentsCount: counts[d.Risk.ID]}
		for _, r := range refs {
			rel.IncidentIDs = append(rel.IncidentIDs, r.ID)
		}
	}
	out := toAPIDetail(d)
	out.CommentsCount = rel.CommentsCount
	out.IncidentIDs = append(out.IncidentIDs, rel.IncidentIDs...)
	c.Set(fiber.HeaderETag, etag(d.Risk.Version))
	return sendData(c, status, out)
}

package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/risk"
)

// riskFields are the writable fields of a risk in a JSON body. Each is
// nil when absent, so PATCH leaves it unchanged.
type riskFields struct {
	Title, Description, Category, Department, Status         *string
	Probability, Impact, ResidualProbability, ResidualImpact *int
	AssigneeID, RegisterID, ClosureReason                    *string
	DueDate                                                  **time.Time
	Tags                                                     *[]string
	Type                                                     *string   // "" clears
	ThreatObjectives                                         *[]string // empty clears
	Treatment                                                risk.TreatmentChange
}

// readRiskFields reads a create (create=true: title, description and
// category required) or patch body, collecting zod-style errors.
func readRiskFields(z *zodObject, create bool) riskFields {
	var f riskFields
	text := func(field, emptyMsg string) *string {
		v, ok := z.str(field, create, false)
		if !ok {
			return nil
		}
		if v == "" && emptyMsg != "" {
			z.add(field, emptyMsg)
		}
		return &v
	}
	enum := func(field string, e risk.Enum, required, nullable bool) *string {
		v, ok := z.enum(field, e, required, nullable)
		if !ok {
			return nil
		}
		return &v
	}
	num := func(field string) *int {
		if z.isNull(field) {
			z.add(field, "Expected number, received null")
			return nil
		}
		v, ok := z.score(field)
		if !ok {
			return nil
		}
		return &v
	}
	f.Title = text("title", "Title is required")
	f.Description = text("description", "Description is required")
	f.Category = enum("category", risk.Categories, create, false)
	f.Department = enum("department", risk.Departments, false, false)
	f.Status = enum("status", risk.Statuses, false, false)
	f.Probability, f.Impact = num("probability"), num("impact")
	f.ResidualProbability, f.ResidualImpact = num("residual_probability"), num("residual_impact")
	if v, ok := z.str("assigneeId", false, true); ok {
		f.AssigneeID = &v
	}
	if v, ok := z.str("registerId", false, false); ok {
		f.RegisterID = &v
	}
	f.ClosureReason = enum("closureReason", risk.ClosureReasons, false, true)
	if d, ok := z.date("dueDate"); ok {
		f.DueDate = &d
	}
	if t, ok := z.tags("tags"); ok {
		f.Tags = &t
	}
	if v, ok := z.labelEnum("type", risk.RiskTypes); ok {
		f.Type = &v
	}
	if v, ok := z.labelEnums("threatObjectives", risk.ThreatObjectives); ok {
		f.ThreatObjectives = &v
	}
	if obj, present, isNull := z.object("treatmentStrategy"); present {
		var trt *risk.TreatmentInput
		if !isNull && obj != nil {
			trt = &risk.TreatmentInput{}
			if v, ok := obj.enum("type", risk.TreatmentTypes, true, false); ok {
				trt.Type = v
			}
			if v, ok := obj.str("description", false, false); ok {
				trt.Description = v
			}
			z.merge("treatmentStrategy", obj)
		}
		if obj != nil || isNull {
			f.Treatment = risk.TreatmentChange{Set: true, Treatment: trt}
		}
	}
	return f
}

// applyTo sets the present fields on in.
func (f riskFields) applyTo(in *risk.Input) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Title, f.Title)
	set(&in.Description, f.Description)
	set(&in.Category, f.Category)
	set(&in.Department, f.Department)
	set(&in.Status, f.Status)
	setInt(&in.Probability, f.Probability)
	setInt(&in.Impact, f.Impact)
	setInt(&in.ResidualProbability, f.ResidualProbability)
	setInt(&in.ResidualImpact, f.ResidualImpact)
	set(&in.AssigneeID, f.AssigneeID)
	set(&in.RegisterID, f.RegisterID)
	set(&in.ClosureReason, f.ClosureReason)
	if f.DueDate != nil {
		in.DueDate = *f.DueDate
	}
	if f.Tags != nil {
		in.Tags = *f.Tags
	}
	set(&in.Type, f.Type)
	if f.ThreatObjectives != nil {
		in.ThreatObjectives = *f.ThreatObjectives
	}
}

// createRiskAPI is POST /api/v1/risks; an Idempotency-Key replays the
// first response for repeated requests.
func (s *Server) createRiskAPI(c *fiber.Ctx) error {
	z, body, err := jsonObject(c)
	if err != nil {
		return err
	}
	f := readRiskFields(z, true)
	if !z.ok() {
		return z.err()
	}
	in := risk.Input{}
	f.applyTo(&in)
	org, actor := apiKeyOf(c).OrganizationID, apiActor(c)
	create := func(ctx context.Context) (int, []byte, error) {
		d, err := s.Risks.CreateDetailed(ctx, org, actor, in, f.Treatment)
		if err != nil {
			return 0, nil, err
		}
		b, err := json.Marshal(fiber.Map{"success": true, "data": toAPIDetail(d)})
		return fiber.StatusCreated, b, err
	}
	return s.idempotent(c, org, body, create)
}

func sendJSONBytes(c *fiber.Ctx, status int, b []byte) error {
	var env struct {
		Data struct {
			Version int `json:"version"`
		} `json:"data"`
	}
	if json.Unmarshal(b, &env) == nil && env.Data.Version > 0 {
		c.Set(fiber.HeaderETag, etag(env.Data.Version))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Status(status).Send(b)
}

// ifMatch returns the version an If-Match header requires: 0 for none or
// "*" (no check), and -1, which no stored version equals, for a header
// that names no version of ours, so the write fails its precondition.
func ifMatch(c *fiber.Ctx) int {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" || h == "*" {
		return 0
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.Atoi(h)
	if err != nil || n < 1 {
		return -1
	}
	return n
}

// patchRiskAPI is PATCH /api/v1/risks/:id: absent fields are unchanged,
// null clears a nullable field, If-Match guards against lost updates.
func (s *Server) patchRiskAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	f := readRiskFields(z, false)
	if !z.ok() {
		return z.err()
	}
	patch := func(stored *risk.Risk) (risk.Input, error) {
		in := risk.InputOf(stored)
		f.applyTo(&in)
		return in, nil
	}
	d, err := s.Risks.PatchDetailed(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), ifMatch(c), patch, f.Treatment)
	if err != nil {
		return apiNotFound(err)
	}
	return s.sendRisk(c, fiber.StatusOK, d)
}

// deleteRiskAPI is DELETE /api/v1/risks/:id.
func (s *Server) deleteRiskAPI(c *fiber.Ctx) error {
	if err := s.Risks.Delete(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), ifMatch(c)); err != nil {
		return apiNotFound(err)
	}
	return sendData(c, fiber.StatusOK, fiber.Map{"message": "Risk deleted successfully"})
}

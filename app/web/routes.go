package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/static"
	"github.com/riskreg/riskreg/views/components"
	"github.com/riskreg/riskreg/views/importpage"
)

// Policy names who may call a route. Every route in the table has one,
// and a test walks the table to prove each policy holds.
type Policy string

// Policies.
const (
	Public  Policy = "public"  // anyone, no session (health, API reference)
	Visitor Policy = "visitor" // anyone, with a browser session (sign-in and sign-up)
	Member  Policy = "member"  // any signed-in member, viewers included
	Writer  Policy = "writer"  // owner, admin or editor
	Manager Policy = "manager" // owner or admin (settings)
	// API routes: an API key with the risks:read or risks:write scope.
	APIRead  Policy = "api:read"
	APIWrite Policy = "api:write"
)

// Route is one entry of the route table.
type Route struct {
	Method, Path string
	Policy       Policy
	handler      fiber.Handler
}

func route(method, path string, p Policy, h fiber.Handler) Route {
	return Route{Method: method, Path: path, Policy: p, handler: h}
}

// apiPrefix is where the JSON API lives; its routes never pass through the
// session and CSRF middleware.
const apiPrefix = "/api/v1"

const (
	get  = fiber.MethodGet
	post = fiber.MethodPost
)

// Routes is the one route table: every route with its policy.
func (s *Server) Routes() []Route {
	return []Route{
		route(get, "/healthz", Public, s.healthz),
		route(get, "/readyz", Public, s.readyz),
		route(get, "/api/openapi.json", Public, s.openAPIDocument),
		route(get, "/api/docs", Public, s.apiDocs),

		route(get, apiPrefix+"/risks", APIRead, s.listRisksAPI),
		route(post, apiPrefix+"/risks", APIWrite, s.createRiskAPI),
		route(fiber.MethodPatch, apiPrefix+"/risks", APIWrite, s.bulkRisksAPI),
		route(fiber.MethodPut, apiPrefix+"/risks/filter", APIRead, s.filterRisksAPI),
		route(get, apiPrefix+"/risks/export.csv", APIRead, s.exportRisksAPI),
		route(get, apiPrefix+"/risks/:id", APIRead, s.getRiskAPI),
		route(fiber.MethodPatch, apiPrefix+"/risks/:id", APIWrite, s.patchRiskAPI),
		route(fiber.MethodDelete, apiPrefix+"/risks/:id", APIWrite, s.deleteRiskAPI),
		route(get, apiPrefix+"/risks/:id/tasks", APIRead, s.listTasksAPI),
		route(post, apiPrefix+"/risks/:id/tasks", APIWrite, s.createTaskAPI),
		route(fiber.MethodPatch, apiPrefix+"/risks/:id/tasks/:taskId", APIWrite, s.patchTaskAPI),
		route(fiber.MethodDelete, apiPrefix+"/risks/:id/tasks/:taskId", APIWrite, s.deleteTaskAPI),
		route(get, apiPrefix+"/risks/:id/reviews", APIRead, s.listReviewsAPI),
		route(post, apiPrefix+"/risks/:id/reviews", APIWrite, s.createReviewAPI),
		route(get, apiPrefix+"/risks/:id/comments", APIRead, s.listCommentsAPI),
		route(post, apiPrefix+"/risks/:id/comments", APIWrite, s.createCommentAPI),
		route(get, apiPrefix+"/heatmap", APIRead, s.heatmapAPI),
		route(get, apiPrefix+"/registers", APIRead, s.listRegistersAPI),
		route(get, apiPrefix+"/registers/:id", APIRead, s.getRegisterAPI),
		route(get, apiPrefix+"/incidents", APIRead, s.listIncidentsAPI),
		route(post, apiPrefix+"/incidents", APIWrite, s.createIncidentAPI),
		route(get, apiPrefix+"/incidents/:id", APIRead, s.getIncidentAPI),
		route(fiber.MethodPatch, apiPrefix+"/incidents/:id", APIWrite, s.patchIncidentAPI),
		route(fiber.MethodDelete, apiPrefix+"/incidents/:id", APIWrite, s.deleteIncidentAPI),
		route(post, apiPrefix+"/incidents/:id/risks", APIWrite, s.createRiskFromIncidentAPI),
		route(post, apiPrefix+"/incidents/:id/risks/:riskId", APIWrite, s.linkRiskAPI),
		route(fiber.MethodDelete, apiPrefix+"/incidents/:id/risks/:riskId", APIWrite, s.unlinkRiskAPI),
		route(get, apiPrefix+"/reports/committee.pdf", APIRead, s.committeePDFAPI),

		route(get, "/", Member, s.showDashboard),
		route(get, "/login", Visitor, s.showLogin),
		route(post, "/login", Visitor, s.login),
		route(get, "/signup", Visitor, s.showSignup),
		route(post, "/signup", Visitor, s.signup),
		route(post, "/logout", Visitor, s.logout),
		route(post, "/orgs/switch", Member, s.switchOrganization),
		route(get, "/levels.css", Member, s.levelsCSS),

		route(get, "/risks", Member, s.listRisks),
		route(get, "/heatmap", Member, s.showHeatmap),
		route(get, "/risks/new", Writer, s.newRisk),
		route(get, "/risks/assess", Member, s.assess),
		route(get, "/risks/export.csv", Member, s.exportRisks),
		route(post, "/risks/columns", Member, s.setRegisterColumns),
		route(post, "/risks", Writer, s.createRisk),
		route(post, "/risks/bulk", Writer, s.bulkEdit),
		route(get, "/risks/:id", Member, s.showRisk),
		route(get, "/risks/:id/edit", Writer, s.editRisk),
		route(post, "/risks/:id", Writer, s.updateRisk),
		route(get, "/risks/:id/delete", Writer, s.confirmDelete),
		route(post, "/risks/:id/delete", Writer, s.deleteRisk),
		route(post, "/risks/:id/restore", Manager, s.restoreRisk),
		route(post, "/risks/:id/treatment", Writer, s.setTreatment),
		route(post, "/risks/:id/tasks", Writer, s.addTask),
		route(get, "/risks/:id/tasks/:taskId/edit", Writer, s.editTask),
		route(post, "/risks/:id/tasks/:taskId", Writer, s.updateTask),
		route(post, "/risks/:id/tasks/:taskId/status", Writer, s.setTaskStatus),
		route(post, "/risks/:id/tasks/:taskId/delete", Writer, s.deleteTask),
		route(post, "/risks/:id/incidents", Writer, s.linkIncidentForm),
		route(post, "/risks/:id/incidents/:incidentId/unlink", Writer, s.unlinkIncidentForm),
		route(get, "/risks/:id/timeline", Member, s.showTimeline),
		route(post, "/risks/:id/reviews", Writer, s.markReviewed),
		route(post, "/risks/:id/comments", Member, s.addComment),
		route(get, "/risks/:id/comments/:commentId/edit", Member, s.editComment),
		route(post, "/risks/:id/comments/:commentId", Member, s.updateComment),
		route(post, "/risks/:id/comments/:commentId/delete", Member, s.deleteComment),

		route(get, "/incidents", Member, s.listIncidents),
		route(get, "/incidents/export.csv", Member, s.exportIncidents),
		route(get, "/incidents/new", Writer, s.newIncident),
		route(post, "/incidents", Writer, s.createIncident),
		route(get, "/incidents/:id", Member, s.showIncident),
		route(get, "/incidents/:id/edit", Writer, s.editIncident),
		route(post, "/incidents/:id", Writer, s.updateIncident),
		route(get, "/incidents/:id/delete", Writer, s.confirmDeleteIncident),
		route(post, "/incidents/:id/delete", Writer, s.deleteIncident),
		route(get, "/incidents/:id/risks/new", Writer, s.newRiskFromIncident),
		route(post, "/incidents/:id/risks", Writer, s.createRiskFromIncident),
		route(post, "/incidents/:id/risks/link", Writer, s.linkRiskForm),
		route(post, "/incidents/:id/risks/:riskId/unlink", Writer, s.unlinkRiskForm),

		route(get, "/changes", Member, s.showChanges),
		route(get, "/reports/committee", Member, s.showCommittee),
		route(get, "/reports/committee.pdf", Member, s.committeePDF),

		route(get, importpage.Path, Writer, s.showImport),
		route(get, importpage.TemplatePath, Writer, s.importTemplate),
		route(post, importpage.PreviewPath, Writer, s.previewImport),
		route(post, importpage.CommitPath, Writer, s.commitImport),

		route(get, "/me", Member, s.showMyWork),
		route(get, "/notifications", Member, s.showNotifications),
		route(post, "/notifications/read", Member, s.markNotificationRead),
		route(post, "/notifications/read-all", Member, s.markAllNotificationsRead),
		route(get, "/activity", Manager, s.showActivity),
		route(get, "/activity/export.csv", Manager, s.exportActivity),

		route(get, "/settings", Manager, s.showSettings),
		route(get, "/settings/api-keys", Manager, s.listAPIKeys),
		route(post, "/settings/api-keys", Manager, s.createAPIKey),
		route(post, "/settings/api-keys/:id/revoke", Manager, s.revokeAPIKey),
		route(get, "/settings/registers", Manager, s.listRegisters),
		route(get, "/settings/registers/new", Manager, s.newRegister),
		route(post, "/settings/registers", Manager, s.createRegister),
		route(post, "/settings/registers/import", Manager, s.importRegister),
		route(get, "/settings/registers/:id/matrix.yaml", Manager, s.exportRegister),
		route(get, "/settings/registers/:id", Manager, s.editRegister),
		route(post, "/settings/registers/:id", Manager, s.updateRegister),
		route(get, "/settings/members", Manager, s.listMembers),
		route(post, "/settings/members/invite", Manager, s.inviteMember),
		route(post, "/settings/members/:id/role", Manager, s.changeMemberRole),
		route(post, "/settings/members/:id/disable", Manager, s.disableMember),
		route(post, "/settings/members/:id/enable", Manager, s.enableMember),
		route(post, "/settings/members/:id/remove", Manager, s.removeMember),
		route(post, "/settings/members/:id/reset-password", Manager, s.resetMemberPassword),
		route(post, "/settings/invitations/:id/revoke", Manager, s.revokeInvitation),
		route(get, "/invite/:token", Visitor, s.showInvitation),
		route(post, "/invite/:token", Visitor, s.acceptInvitation),
		route(get, "/reset/:token", Visitor, s.showPasswordReset),
		route(post, "/reset/:token", Visitor, s.resetPassword),
		route(get, "/account", Member, s.showAccount),
		route(post, "/account/name", Member, s.updateAccountName),
		route(post, "/account/password", Member, s.changeAccountPassword),
		route(post, "/account/sessions/:id/end", Member, s.endAccountSession),
		route(post, "/settings/registers/:id/reviews", Manager, s.setReviewIntervals),
	}
}

// mount registers the middleware and the route table: the public routes
// first, then the API group (API key, never the session), then the browser
// group (session and CSRF). Each route gets its policy's guards.
func (s *Server) mount(app *fiber.App) {
	app.Use(recover.New())
	app.Use(s.observe)
	app.Use(s.secureHeaders)
	app.Use(s.limitHeaders)
	app.Use(s.limitBody)
	app.Use("/static", func(c *fiber.Ctx) error {
		if c.Query("v") != "" {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		}
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: http.FS(static.FS)}))

	table := s.Routes()
	for _, r := range table {
		if r.Policy == Public {
			app.Add(r.Method, r.Path, r.handler)
		}
	}
	api := app.Group(apiPrefix, s.apiAuth)
	for _, r := range table {
		if r.Policy == APIRead || r.Policy == APIWrite {
			api.Add(r.Method, strings.TrimPrefix(r.Path, apiPrefix), append(s.guards(r.Policy), r.handler)...)
		}
	}
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	web := app.Group("", s.loadSession, s.checkCSRF)
	for _, r := range table {
		switch r.Policy {
		case Public, APIRead, APIWrite:
		default:
			web.Add(r.Method, r.Path, append(s.guards(r.Policy), r.handler)...)
		}
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// guards returns the handlers that enforce p in front of a route's
// handler (after the group's authentication). An unknown policy is a
// programming error: deny by default.
func (s *Server) guards(p Policy) []fiber.Handler {
	switch p {
	case Public, Visitor:
		return nil
	case Member:
		return []fiber.Handler{s.requireMember}
	case Writer:
		return []fiber.Handler{s.requireMember, s.requireWriter}
	case Manager:
		return []fiber.Handler{s.requireMember, s.requireManager}
	case APIRead:
		return []fiber.Handler{scope(apikey.ScopeRead)}
	case APIWrite:
		return []fiber.Handler{scope(apikey.ScopeWrite)}
	}
	panic("route policy " + string(p) + " has no guards")
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz reports whether the database answers within two seconds.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unreachable"})
	}
	return c.JSON(fiber.Map{"status": "ok", "database": "ok"})
}

// levelsCSS serves one badge class per level colour of the organization's
// registers: dynamic colours without inline styles (the CSP forbids them).
func (s *Server) levelsCSS(c *fiber.Ctx) error {
	regs, err := s.Risks.ListRegisters(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, reg := range regs {
		for _, l := range reg.Matrix.Levels {
			class := components.LevelClass(l.Color)
			if seen[class] || risk.TextColor(l.Color) == "" {
				continue
			}
			seen[class] = true
			b.WriteString("." + class + "{background-color:" + l.Color + ";color:" + risk.TextColor(l.Color) + "}\n")
		}
	}
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.SendString(b.String())
}

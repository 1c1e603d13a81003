package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/static"
	"github.com/riskreg/riskreg/views/components"
	"github.com/riskreg/riskreg/views/importpage"
)

// Access policies of browser routes. Every route in the table names one;
// a test walks the table to prove none is left open by accident.
const (
	policyPublic  = "public"  // anyone (sign-in pages, health, assets)
	policyMember  = "member"  // any signed-in member, viewers included
	policyWriter  = "writer"  // owner, admin or editor
	policyManager = "manager" // owner or admin (settings)
	// API routes: an API key with the risks:read or risks:write scope.
	policyAPIRead  = "api:read"
	policyAPIWrite = "api:write"
)

// routes is the one route table.
func (s *Server) routes(app *fiber.App) {
	app.Use(recover.New())
	app.Use(s.observe)
	app.Use(s.secureHeaders)
	app.Use(s.limitBody)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Use("/static", func(c *fiber.Ctx) error {
		if c.Query("v") != "" {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		}
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: http.FS(static.FS)}))

	// The API comes before the browser group: it never passes through the
	// session and CSRF middleware.
	s.apiRoutes(app)

	web := app.Group("", s.loadSession, s.checkCSRF)
	member := []fiber.Handler{s.requireMember}
	writer := []fiber.Handler{s.requireMember, s.requireWriter}
	manager := []fiber.Handler{s.requireMember, s.requireManager}
	with := func(mw []fiber.Handler, h fiber.Handler) []fiber.Handler {
		return append(append([]fiber.Handler{}, mw...), h)
	}

	web.Get("/", with(member, s.showDashboard)...)
	web.Get("/login", s.showLogin)
	web.Post("/login", s.login)
	web.Get("/signup", s.showSignup)
	web.Post("/signup", s.signup)
	web.Post("/logout", s.logout)

	web.Post("/orgs/switch", with(member, s.switchOrganization)...)
	web.Get("/levels.css", with(member, s.levelsCSS)...)
	web.Get("/risks", with(member, s.listRisks)...)
	web.Get("/heatmap", with(member, s.showHeatmap)...)
	web.Get("/risks/new", with(writer, s.newRisk)...)
	web.Get("/risks/assess", with(member, s.assess)...)
	web.Get("/risks/export.csv", with(member, s.exportRisks)...)
	web.Post("/risks", with(writer, s.createRisk)...)
	web.Get("/risks/:id", with(member, s.showRisk)...)
	web.Get("/risks/:id/edit", with(writer, s.editRisk)...)
	web.Post("/risks/:id", with(writer, s.updateRisk)...)
	web.Get("/risks/:id/delete", with(writer, s.confirmDelete)...)
	web.Post("/risks/:id/delete", with(writer, s.deleteRisk)...)
	web.Post("/risks/:id/treatment", with(writer, s.setTreatment)...)
	web.Post("/risks/:id/tasks", with(writer, s.addTask)...)
	web.Get("/risks/:id/tasks/:taskId/edit", with(writer, s.editTask)...)
	web.Post("/risks/:id/tasks/:taskId", with(writer, s.updateTask)...)
	web.Post("/risks/:id/tasks/:taskId/status", with(writer, s.setTaskStatus)...)
	web.Post("/risks/:id/tasks/:taskId/delete", with(writer, s.deleteTask)...)

	web.Get(importpage.Path, with(writer, s.showImport)...)
	web.Post(importpage.PreviewPath, with(writer, s.previewImport)...)
	web.Post(importpage.CommitPath, with(writer, s.commitImport)...)

	web.Get("/settings", with(manager, s.showSettings)...)
	web.Get("/settings/api-keys", with(manager, s.listAPIKeys)...)
	web.Post("/settings/api-keys", with(manager, s.createAPIKey)...)
	web.Post("/settings/api-keys/:id/revoke", with(manager, s.revokeAPIKey)...)
	web.Get("/settings/registers", with(manager, s.listRegisters)...)
	web.Get("/settings/registers/new", with(manager, s.newRegister)...)
	web.Post("/settings/registers", with(manager, s.createRegister)...)
	web.Post("/settings/registers/import", with(manager, s.importRegister)...)
	web.Get("/settings/registers/:id/matrix.yaml", with(manager, s.exportRegister)...)
	web.Get("/settings/registers/:id", with(manager, s.editRegister)...)
	web.Post("/settings/registers/:id", with(manager, s.updateRegister)...)

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// RoutePolicies maps "METHOD /path" to its access policy, for tests.
var RoutePolicies = map[string]string{
	// JSON API: an API key with the named scope (never the session cookie).
	"GET /api/openapi.json": policyPublic, "GET /api/docs": policyPublic,
	"GET /api/v1/risks": policyAPIRead, "POST /api/v1/risks": policyAPIWrite, "PUT /api/v1/risks/filter": policyAPIRead,
	"GET /api/v1/risks/:id": policyAPIRead, "PATCH /api/v1/risks/:id": policyAPIWrite, "DELETE /api/v1/risks/:id": policyAPIWrite,
	"GET /api/v1/risks/:id/tasks": policyAPIRead, "POST /api/v1/risks/:id/tasks": policyAPIWrite,
	"PATCH /api/v1/risks/:id/tasks/:taskId": policyAPIWrite, "DELETE /api/v1/risks/:id/tasks/:taskId": policyAPIWrite,
	"GET /api/v1/heatmap": policyAPIRead,

	"GET /healthz": policyPublic, "GET /readyz": policyPublic, "GET /": policyMember,
	"GET /login": policyPublic, "POST /login": policyPublic, "GET /signup": policyPublic,
	"POST /signup": policyPublic, "POST /logout": policyPublic,
	"POST /orgs/switch": policyMember, "GET /levels.css": policyMember, "GET /risks": policyMember, "GET /heatmap": policyMember,
	"GET /risks/assess": policyMember, "GET /risks/:id": policyMember,
	"GET /risks/export.csv": policyMember, "GET /api/v1/risks/export.csv": policyAPIRead,
	"GET /risks/new": policyWriter, "POST /risks": policyWriter, "GET /risks/:id/edit": policyWriter,
	"POST /risks/:id": policyWriter, "GET /risks/:id/delete": policyWriter, "POST /risks/:id/delete": policyWriter,
	"POST /risks/:id/treatment": policyWriter, "POST /risks/:id/tasks": policyWriter,
	"GET /risks/:id/tasks/:taskId/edit": policyWriter, "POST /risks/:id/tasks/:taskId": policyWriter,
	"POST /risks/:id/tasks/:taskId/status": policyWriter, "POST /risks/:id/tasks/:taskId/delete": policyWriter,
	"GET /import": policyWriter, "POST /import/preview": policyWriter, "POST /import/commit": policyWriter,
	"GET /settings": policyManager, "GET /settings/api-keys": policyManager, "POST /settings/api-keys": policyManager,
	"POST /settings/api-keys/:id/revoke": policyManager,

	"GET /settings/registers": policyManager, "GET /settings/registers/new": policyManager, "POST /settings/registers": policyManager,
	"POST /settings/registers/import": policyManager, "GET /settings/registers/:id/matrix.yaml": policyManager,
	"GET /settings/registers/:id": policyManager, "POST /settings/registers/:id": policyManager,
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

package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/web/openapi"
	"github.com/riskreg/riskreg/views/apidocs"
)

// apiRoutes mounts the JSON API. Every route needs an API key with the
// scope named here; none reads the session cookie.
func (s *Server) apiRoutes(app *fiber.App) {
	app.Get("/api/openapi.json", s.openAPIDocument)
	app.Get("/api/docs", s.apiDocs)

	api := app.Group("/api/v1", s.apiAuth)
	read, write := scope(apikey.ScopeRead), scope(apikey.ScopeWrite)
	api.Get("/risks", read, s.listRisksAPI)
	api.Post("/risks", write, s.createRiskAPI)
	api.Put("/risks/filter", read, s.filterRisksAPI)
	api.Get("/risks/export.csv", read, s.exportRisksAPI)
	api.Get("/risks/:id", read, s.getRiskAPI)
	api.Patch("/risks/:id", write, s.patchRiskAPI)
	api.Delete("/risks/:id", write, s.deleteRiskAPI)
	api.Get("/risks/:id/tasks", read, s.listTasksAPI)
	api.Post("/risks/:id/tasks", write, s.createTaskAPI)
	api.Patch("/risks/:id/tasks/:taskId", write, s.patchTaskAPI)
	api.Delete("/risks/:id/tasks/:taskId", write, s.deleteTaskAPI)
	api.Get("/heatmap", read, s.heatmapAPI)
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/v1") }

// openAPIDocument serves the OpenAPI 3.1 document.
func (s *Server) openAPIDocument(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(openapi.Document)
}

// apiDocs renders the API reference from the OpenAPI document.
func (s *Server) apiDocs(c *fiber.Ctx) error {
	vm, err := apidocs.Parse(openapi.Document, s.Config.BaseURL)
	if err != nil {
		return err
	}
	p := s.page(c, "API reference", "")
	p.Wide = true
	return render(c, fiber.StatusOK, apidocs.Page(p, vm))
}

package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/web/openapi"
	"github.com/riskreg/riskreg/views/apidocs"
)

// isAPI reports whether the request is for the JSON API.
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), apiPrefix) }

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

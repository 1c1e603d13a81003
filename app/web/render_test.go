package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/config"
)

// A template that fails after writing part of the page answers with a
// clean error page: none of the half-rendered page reaches the client.
func TestRenderFailureGivesCleanErrorPage(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		if k == "SESSION_SECRET" {
			return "test-secret-test-secret-test-secret-000"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(cfg, Services{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	app.Use(s.observe)
	half := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "<main>HALF-RENDERED")
		return errors.New("template blew up")
	})
	app.Get("/broken", func(c *fiber.Ctx) error { return render(c, fiber.StatusOK, half) })

	res, err := app.Test(httptest.NewRequest("GET", "/broken", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != fiber.StatusInternalServerError {
		t.Errorf("status %d, want 500", res.StatusCode)
	}
	if strings.Contains(string(body), "HALF-RENDERED") || strings.Contains(string(body), "template blew up") {
		t.Errorf("the response carries the half page or the internal error:\n%s", body)
	}
	if !strings.Contains(string(body), "Something went wrong") || strings.Count(string(body), "<html") != 1 {
		t.Errorf("want one clean error page, got:\n%s", body)
	}
}

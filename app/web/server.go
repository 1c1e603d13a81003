// Package web is the HTTP transport: the Fiber app, its one route table,
// middleware, HTML handlers and rendering. Handlers bind input, call a
// domain service and render; the ErrorHandler turns errors into pages.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"
	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/views/errorpage"
)

// Server holds what the handlers need.
type Server struct {
	Config   *config.Config
	DB       *bun.DB
	Accounts *account.Service
	Risks    *risk.Service
	// Importer plans and commits CSV imports.
	Importer *risk.Importer
	APIKeys  *apikey.Service
	// Idempotency replays API POSTs repeated with the same Idempotency-Key.
	Idempotency *db.Idempotency
	Events      *db.EventStore
	Sessions    *sessions.CookieStore
	Log         *slog.Logger
	Now         func() time.Time
}

// New returns the Fiber app serving every route.
func New(s *Server) *fiber.App {
	cfg := fiber.Config{
		AppName:               "riskreg",
		Immutable:             true,          // handlers keep strings past the request
		BodyLimit:             maxUploadBody, // limitBody keeps 1 MiB outside CSV imports
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
	}
	if len(s.Config.TrustedProxies) > 0 {
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = s.Config.TrustedProxies
	}
	app := fiber.New(cfg)
	s.routes(app)
	return app
}

// statusOf maps an error to its HTTP status and a user-safe message.
func statusOf(err error) (int, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		msg := http.StatusText(fe.Code)
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			msg = "The request is too large"
		}
		return fe.Code, msg
	}
	var ce *risk.ConflictError
	if errors.As(err, &ce) {
		return fiber.StatusConflict, ce.Error()
	}
	var rl *account.RateLimitedError
	if errors.As(err, &rl) {
		return fiber.StatusTooManyRequests, "Too many attempts; please wait and try again"
	}
	e, ok := apperr.As(err)
	if !ok {
		return fiber.StatusInternalServerError, "Something went wrong"
	}
	switch e.Code {
	case apperr.Invalid:
		return fiber.StatusUnprocessableEntity, e.Message
	case apperr.NotFound:
		return fiber.StatusNotFound, e.Message
	case apperr.Conflict:
		return fiber.StatusConflict, e.Message
	case apperr.Forbidden:
		return fiber.StatusForbidden, e.Message
	case apperr.Unauthenticated:
		return fiber.StatusUnauthorized, e.Message
	case apperr.TooManyRequests:
		return fiber.StatusTooManyRequests, e.Message
	case apperr.Unavailable:
		return fiber.StatusServiceUnavailable, "The service is temporarily unavailable; please try again shortly"
	default:
		return fiber.StatusInternalServerError, "Something went wrong"
	}
}

// handleError renders every error: internals are logged once with the
// request id and never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	rid := requestID(c)
	if rid == "" { // an error Fiber met before any middleware ran
		rid = newRequestID()
		c.Locals(localRequestID, rid)
		c.Set("X-Request-ID", rid)
		s.setSecurityHeaders(c)
	}
	if isAPI(c) {
		return s.apiError(c, err)
	}
	status, msg := statusOf(err)
	if status >= 500 {
		s.Log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return redirectToLogin(c)
	}
	if rl := (*account.RateLimitedError)(nil); errors.As(err, &rl) {
		c.Set(fiber.HeaderRetryAfter, itoa(int(rl.RetryAfter.Seconds())+1))
	}
	if status == fiber.StatusNotFound && msg == "Not Found" {
		msg = "This page does not exist, or you do not have access to it."
	}
	vm := errorpage.VM{Status: status, Title: itoa(status) + " · " + http.StatusText(status), Message: msg, RequestID: rid}
	return render(c, status, errorpage.Page(s.page(c, http.StatusText(status), ""), vm))
}

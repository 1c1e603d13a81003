// Package web is the HTTP transport: the Fiber app, its one route table,
// middleware, HTML handlers and rendering. Handlers bind input, call a
// domain service and render; the ErrorHandler turns errors into pages.
package web

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"
	"github.com/valyala/fasthttp"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/activity"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/idempotency"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/report"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/work"
)

// Services are the domain services the handlers call; the transport
// reaches data only through them.
type Services struct {
	Accounts *account.Service
	Risks    *risk.Service
	// Incidents records incidents and links them to risks.
	Incidents *incident.Service
	// Importer plans and commits CSV imports.
	Importer *risk.Importer
	APIKeys  *apikey.Service
	// Idempotency replays API POSTs repeated with the same Idempotency-Key.
	Idempotency *idempotency.Service
	// Work answers "My work" and the notifications of the signed-in member.
	Work *work.Service
	// Activity reads the organization's audit trail as one log.
	Activity *activity.Service
	// Reviews records risk reviews; Comments keeps the comments on risks.
	Reviews  *risk.ReviewService
	Comments *risk.CommentService
	// Reports builds the look-back reports: changes since a date and the committee pack.
	Reports *report.Service
	// Ping reports whether the database answers (for /readyz).
	Ping func(ctx context.Context) error
}

// Server holds what the handlers need.
type Server struct {
	Services
	Config   *config.Config
	Sessions *sessions.CookieStore
	Log      *slog.Logger
	Now      func() time.Time
}

// NewServer returns a server over the services, with the cookie store of cfg.
func NewServer(cfg *config.Config, svc Services, log *slog.Logger) (*Server, error) {
	sessions, err := NewSessionStore(cfg)
	if err != nil {
		return nil, err
	}
	return &Server{Services: svc, Config: cfg, Sessions: sessions, Log: log, Now: cfg.Clock()}, nil
}

// New returns the Fiber app serving every route.
func New(s *Server) *fiber.App {
	cfg := fiber.Config{
		AppName:               "riskreg",
		Immutable:             true,            // handlers keep strings past the request
		BodyLimit:             maxUploadBody,   // limitBody keeps 1 MiB outside CSV imports
		ReadBufferSize:        readBufferBytes, // see limitHeaders
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// X-Forwarded-* headers are believed only from TRUSTED_PROXIES
		// (none by default); absolute URLs come from BASE_URL, never from
		// the request's Host.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.Config.TrustedProxies,
	}
	if len(s.Config.TrustedProxies) > 0 {
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
	}
	app := fiber.New(cfg)
	// A CSV download streams for as long as the export takes (a million
	// risks is well over a minute to a slow client): those responses get
	// the export's own bound instead of the 60 s every other one has.
	app.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		path, _, _ := bytes.Cut(h.RequestURI(), []byte("?"))
		if bytes.HasSuffix(path, []byte(".csv")) {
			return fasthttp.RequestConfig{WriteTimeout: exportTimeout}
		}
		return fasthttp.RequestConfig{}
	}
	s.mount(app)
	return app
}

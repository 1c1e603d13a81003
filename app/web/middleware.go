package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
)

const (
	localRequestID = "request-id"
	localPrincipal = "principal"
	localCSRF      = "csrf"
)

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// validRequestID accepts a caller's request id of 1-64 [A-Za-z0-9._-].
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// observe gives each request an id, a context with a deadline (handlers
// pass c.UserContext() on, never c.Context()), and one structured log line.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	rid := c.Get("X-Request-ID")
	if !validRequestID(rid) {
		rid = newRequestID()
	}
	c.Locals(localRequestID, rid)
	c.Set("X-Request-ID", rid)
	ctx, cancel := context.WithTimeout(context.Background(), s.Config.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)

	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	// Checked first so that a LOG_LEVEL above info does not build the line's
	// attributes (the client's IP among them) for nothing.
	if s.Log.Enabled(ctx, slog.LevelInfo) && !strings.HasPrefix(c.Path(), "/static/") {
		s.Log.Info("request", "request_id", rid, "method", c.Method(), "path", logPath(c.Path()),
			"status", c.Response().StatusCode(), "duration_ms", time.Since(start).Milliseconds(), "ip", c.IP())
	}
	return nil
}

// logPath is a request path as the log keeps it: the token of a one-time
// link (an invitation, a password reset) is a credential, so it is left out.
func logPath(p string) string {
	for _, prefix := range []string{"/invite/", "/reset/"} {
		if strings.HasPrefix(p, prefix) {
			return prefix + "…"
		}
	}
	return p
}

// contentSecurityPolicy allows scripts and styles from our origin only:
// no inline script, no eval (htmx runs with allowEval=false).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"

// secureHeaders sets the security headers of every response.
func (s *Server) secureHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders is also called by the error handler, which Fiber runs
// without middleware for errors it meets before routing (413, 431, …).
func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.Config.Production() {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	if !strings.HasPrefix(c.Path(), "/static/") {
		h.Set(fiber.HeaderCacheControl, "no-store")
	}
}

// loadSession resolves the signed-in member, if any, and the CSRF token
// the request must carry.
func (s *Server) loadSession(c *fiber.Ctx) error {
	sess := s.browserSession(c)
	if token, _ := sess.Values[valToken].(string); token != "" {
		p, err := s.Accounts.Authenticate(c.UserContext(), token)
		switch {
		case err == nil:
			c.Locals(localPrincipal, p)
			c.Locals(localCSRF, p.Session.CSRFToken)
			return c.Next()
		case apperr.Is(err, apperr.Unauthenticated):
			delete(sess.Values, valToken)
			if err := s.saveSession(c, sess); err != nil {
				return err
			}
		default:
			return err
		}
	}
	anon, _ := sess.Values[valAnonCSRF].(string)
	if anon == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		anon = hex.EncodeToString(b)
		sess.Values[valAnonCSRF] = anon
		if err := s.saveSession(c, sess); err != nil {
			return err
		}
	}
	c.Locals(localCSRF, anon)
	return c.Next()
}

func principal(c *fiber.Ctx) *account.Principal {
	p, _ := c.Locals(localPrincipal).(*account.Principal)
	return p
}

func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(localCSRF).(string)
	return t
}

var errCSRF = apperr.New(apperr.Forbidden, "This form has expired or came from another site. Reload the page and try again.")

// checkCSRF guards every state-changing browser request: the request must
// come from our own origin (Sec-Fetch-Site / Origin) and carry the token
// bound to its session, in the X-CSRF-Token header (htmx) or the _csrf field.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if site := c.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errCSRF
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.sameOrigin(origin) {
		return errCSRF
	}
	sent := c.Get("X-CSRF-Token")
	if sent == "" {
		sent = c.FormValue("_csrf")
	}
	want := csrfToken(c)
	if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return errCSRF
	}
	return c.Next()
}

// sameOrigin reports whether origin is BASE_URL's. The request's own
// Host and X-Forwarded-* headers are the client's to choose, so they never
// vouch for an origin.
func (s *Server) sameOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	base, err := url.Parse(s.Config.BaseURL)
	return err == nil && strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// requireMember lets signed-in members through and sends everyone else to
// the login page (GET) or a 401.
func (s *Server) requireMember(c *fiber.Ctx) error {
	if principal(c) == nil {
		return apperr.New(apperr.Unauthenticated, "Please sign in")
	}
	return c.Next()
}

// requireWriter refuses viewers: 403 on every write route.
func (s *Server) requireWriter(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "Please sign in")
	}
	if !p.Role.CanWrite() {
		return apperr.New(apperr.Forbidden, "Your role (viewer) can read the register but not change it.")
	}
	return c.Next()
}

// requireManager lets only owners and admins into the settings: 403 for
// editors and viewers.
func (s *Server) requireManager(c *fiber.Ctx) error {
	p := principal(c)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "Please sign in")
	}
	if !p.Role.CanManage() {
		return apperr.New(apperr.Forbidden, "Only owners and admins can change the organization's settings.")
	}
	return c.Next()
}

func redirectToLogin(c *fiber.Ctx) error {
	next := c.OriginalURL()
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", "/login")
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect("/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
}

// safeNext returns next when it is a local path, else the register. It
// refuses //host, /\host and scheme-relative tricks (open redirects).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

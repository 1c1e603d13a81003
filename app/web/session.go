package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"

	"github.com/riskreg/riskreg/app/config"
)

// Cookie values: the server-side session token when signed in, and a
// CSRF token for anonymous forms (login, sign-up). Nothing else.
const (
	valToken    = "t"
	valAnonCSRF = "c"
	localCookie = "browser-session"
)

// CookieName is the session cookie's name; production uses the __Host-
// prefix (Secure, Path=/, no Domain).
func CookieName(cfg *config.Config) string {
	if cfg.Production() {
		return "__Host-riskreg"
	}
	return "riskreg"
}

// NewSessionStore returns the cookie store (signed and encrypted) with
// keys derived from SESSION_SECRET, or — in development without one — from
// a random key kept in DATA_DIR/session.key so restarts keep people signed in.
func NewSessionStore(cfg *config.Config) (*sessions.CookieStore, error) {
	secret := cfg.SessionSecret
	if secret == "" {
		var err error
		if secret, err = devSecret(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	hashKey := sha256.Sum256([]byte("riskreg/session/hash/" + secret))
	blockKey := sha256.Sum256([]byte("riskreg/session/block/" + secret))
	store := sessions.NewCookieStore(hashKey[:], blockKey[:])
	// gorilla's defaults are SameSite=None and no HttpOnly: override both.
	store.Options = &sessions.Options{
		Path: "/", HttpOnly: true, Secure: cfg.Production(), SameSite: http.SameSiteLaxMode,
	}
	store.MaxAge(int(cfg.SessionMaxLifetime.Seconds()))
	return store, nil
}

func devSecret(dir string) (string, error) {
	path := filepath.Join(dir, "session.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return string(b), nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("session key: %w", err)
	}
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session key: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(b)
	if err := os.WriteFile(path, []byte(key), 0o600); err != nil {
		return "", fmt.Errorf("session key: %w", err)
	}
	return key, nil
}

// cookieRequest is the minimal *http.Request gorilla/sessions needs: it
// only reads the Cookie header.
func cookieRequest(c *fiber.Ctx) *http.Request {
	r, _ := http.NewRequestWithContext(c.UserContext(), http.MethodGet, "/", nil)
	r.Header.Set("Cookie", string(c.Request().Header.Peek(fiber.HeaderCookie)))
	return r
}

// browserSession returns the request's cookie session, decoded once per
// request. A missing, tampered or expired cookie gives a new empty session.
func (s *Server) browserSession(c *fiber.Ctx) *sessions.Session {
	if sess, ok := c.Locals(localCookie).(*sessions.Session); ok {
		return sess
	}
	sess, err := s.Sessions.New(cookieRequest(c), CookieName(s.Config))
	if err != nil {
		sess = sessions.NewSession(s.Sessions, CookieName(s.Config))
		opts := *s.Sessions.Options
		sess.Options = &opts
		sess.IsNew = true
	}
	c.Locals(localCookie, sess)
	return sess
}

// headerWriter collects the Set-Cookie headers gorilla writes.
type headerWriter struct{ h http.Header }

func (w headerWriter) Header() http.Header         { return w.h }
func (w headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w headerWriter) WriteHeader(int)             {}

// saveSession writes the cookie session to the response.
func (s *Server) saveSession(c *fiber.Ctx, sess *sessions.Session) error {
	w := headerWriter{h: http.Header{}}
	if err := s.Sessions.Save(cookieRequest(c), w, sess); err != nil {
		return fmt.Errorf("save session cookie: %w", err)
	}
	for _, v := range w.h.Values("Set-Cookie") {
		c.Response().Header.Add(fiber.HeaderSetCookie, v)
	}
	return nil
}

// flash queues a message for the next page.
func (s *Server) flash(c *fiber.Ctx, kind, msg string) error {
	sess := s.browserSession(c)
	sess.AddFlash(kind + "\x1f" + msg)
	return s.saveSession(c, sess)
}

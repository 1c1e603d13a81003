package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// The JSON API (/api/v1) mirrors the Comp AI risks contract (seed 000):
// {"success":true,"data":…} or {"success":false,"error":"…"[,"details":…]}.
// It is authenticated by API keys only: it never reads the session cookie,
// so it needs no CSRF token, and it sends no CORS headers.

const localAPIKey = "api-key"

var (
	errMalformedJSON = apperr.New(apperr.Invalid, "Malformed JSON body")
	errNoKey         = apperr.New(apperr.Unauthenticated, "Invalid or missing API key")
	errScope         = apperr.New(apperr.Forbidden, "Insufficient permissions")
	errRiskNotFound  = apperr.New(apperr.NotFound, "Risk not found")
)

// dataEnvelope is {"success":true,"data":…} as encoding a map wrote it
// (keys sorted), without building and sorting a map per response.
type dataEnvelope struct {
	Data    any  `json:"data"`
	Success bool `json:"success"`
}

// sendData writes {"success":true,"data":…}.
func sendData(c *fiber.Ctx, status int, data any) error {
	return c.Status(status).JSON(dataEnvelope{Data: data, Success: true}, fiber.MIMEApplicationJSONCharsetUTF8)
}

// apiAuth authenticates the API key from the Authorization (Bearer) or
// X-API-Key header. Keys in the URL are refused so they never reach logs.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	for _, k := range []string{"api_key", "apikey", "apiKey", "key", "token", "access_token"} {
		if c.Query(k) != "" {
			return apperr.New(apperr.Unauthenticated, "API keys must be sent in the Authorization or X-API-Key header, never in the URL")
		}
	}
	bearer := ""
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return errNoKey
		}
		bearer = strings.TrimSpace(token)
	}
	header := strings.TrimSpace(c.Get("X-API-Key"))
	key := bearer
	switch {
	case bearer == "" && header == "":
		return errNoKey
	case bearer == "":
		key = header
	case header != "" && header != bearer:
		return errNoKey
	}
	p, err := s.APIKeys.Authenticate(c.UserContext(), key)
	if err != nil {
		if apperr.Is(err, apperr.Unauthenticated) {
			return errNoKey
		}
		return err
	}
	c.Locals(localAPIKey, p)
	return c.Next()
}

func apiKeyOf(c *fiber.Ctx) *apikey.Principal {
	p, _ := c.Locals(localAPIKey).(*apikey.Principal)
	return p
}

// scope requires a scope of the key.
func scope(sc string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if p := apiKeyOf(c); p == nil || !p.Has(sc) {
			return errScope
		}
		return c.Next()
	}
}

// apiActor attributes a change to the key and the member who created it.
func apiActor(c *fiber.Ctx) audit.Actor { return apiKeyOf(c).Actor() }

// jsonBody returns the request body after checking its media type and
// bytes: 415 for a non-JSON content type, 400 for NUL bytes or bad JSON.
func jsonBody(c *fiber.Ctx) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	body := c.Body()
	if strings.Contains(string(body), "\\u0000") || strings.ContainsRune(string(body), 0) {
		return nil, invalidInput("Strings must not contain NUL characters")
	}
	if !json.Valid(body) {
		return nil, errMalformedJSON
	}
	return body, nil
}

// jsonObject reads the request body as a JSON object for zod-style
// field checks.
func jsonObject(c *fiber.Ctx) (*zodObject, []byte, error) {
	body, err := jsonBody(c)
	if err != nil {
		return nil, nil, err
	}
	z, err := parseZodObject(body)
	return z, body, err
}

// bodyHash identifies a request body for Idempotency-Key checks.
func bodyHash(c *fiber.Ctx, body []byte) string {
	sum := sha256.Sum256(append([]byte(c.Method()+" "+c.Path()+"\n"), body...))
	return hex.EncodeToString(sum[:])
}

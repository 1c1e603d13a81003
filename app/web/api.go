package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
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

// validationError carries zod-formatted details for a 400.
type validationError struct{ details map[string]any }

func (e *validationError) Error() string { return "Validation failed" }

// preconditionError is a stale If-Match.
type preconditionError struct{ current int }

func (e *preconditionError) Error() string { return "precondition failed" }

// apiFailure names the 500 message of each endpoint, as seed 000 does.
func apiFailure(c *fiber.Ctx) string {
	switch {
	case c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/risks"):
		return "Failed to create risk"
	case c.Method() == fiber.MethodDelete:
		return "Failed to delete risk"
	case c.Method() == fiber.MethodPatch:
		return "Failed to update risk"
	case c.Params("id") != "":
		return "Failed to fetch risk"
	default:
		return "Failed to fetch risks"
	}
}

// apiError writes err in the envelope; internals are logged, never sent.
func (s *Server) apiError(c *fiber.Ctx, err error) error {
	body := fiber.Map{"success": false}
	var ve *validationError
	var pe *preconditionError
	var ce *risk.ConflictError
	status, msg := statusOf(err)
	switch {
	case errors.As(err, &ve):
		status, msg = fiber.StatusBadRequest, "Validation failed"
		body["details"] = ve.details
	case errors.As(err, &pe):
		status, msg = fiber.StatusPreconditionFailed, "The risk was changed since the given ETag; fetch it again"
		c.Set(fiber.HeaderETag, etag(pe.current))
	case errors.As(err, &ce):
		status, msg = fiber.StatusPreconditionFailed, "The risk was changed since the given ETag; fetch it again"
		c.Set(fiber.HeaderETag, etag(ce.Current.Version))
	case apperr.Is(err, apperr.Invalid):
		if e, _ := apperr.As(err); len(e.Fields) > 0 {
			status, msg = fiber.StatusBadRequest, "Validation failed"
			body["details"] = fieldDetails(e.Fields)
		} else if err == errMalformedJSON {
			status = fiber.StatusBadRequest
		} else {
			status = fiber.StatusUnprocessableEntity
		}
	case isFiberError(err):
		msg = fiberMessage(err)
	case status >= 500 && status != fiber.StatusServiceUnavailable:
		msg = apiFailure(c)
	}
	if status >= 500 {
		s.Log.Error("api request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	body["error"] = msg
	return c.Status(status).JSON(body, fiber.MIMEApplicationJSONCharsetUTF8)
}

// fieldDetails renders domain field errors in zod's format.
func fieldDetails(fe apperr.FieldErrors) map[string]any {
	d := map[string]any{"_errors": []string{}}
	for f, msgs := range fe {
		d[f] = map[string]any{"_errors": msgs}
	}
	return d
}

// sendData writes {"success":true,"data":…}.
func sendData(c *fiber.Ctx, status int, data any) error {
	return c.Status(status).JSON(fiber.Map{"success": true, "data": data}, fiber.MIMEApplicationJSONCharsetUTF8)
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
		return nil, &validationError{details: map[string]any{"_errors": []string{"Strings must not contain NUL characters"}}}
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

func isFiberError(err error) bool {
	var fe *fiber.Error
	return errors.As(err, &fe)
}

func fiberMessage(err error) string {
	var fe *fiber.Error
	errors.As(err, &fe)
	switch fe.Code {
	case fiber.StatusNotFound:
		return "Not found"
	case fiber.StatusRequestEntityTooLarge:
		return "The request body is larger than 1 MiB"
	}
	return fe.Message
}

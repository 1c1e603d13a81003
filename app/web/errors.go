package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/views/errorpage"
)

// Every error a handler returns reaches one of the two mappers below: the
// page mapper for the browser, the envelope mapper for /api/. Both read
// only apperr codes (and Fiber's own transport errors).

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
	e, ok := apperr.As(err)
	if !ok {
		return fiber.StatusInternalServerError, "Something went wrong"
	}
	status, known := codeStatus[e.Code]
	switch {
	case !known || status == fiber.StatusInternalServerError:
		return fiber.StatusInternalServerError, "Something went wrong"
	case status == fiber.StatusServiceUnavailable:
		return status, "The service is temporarily unavailable; please try again shortly"
	}
	return status, e.Message
}

// codeStatus is the HTTP status of each error code.
var codeStatus = map[apperr.Code]int{
	apperr.Invalid:            fiber.StatusUnprocessableEntity,
	apperr.NotFound:           fiber.StatusNotFound,
	apperr.Conflict:           fiber.StatusConflict,
	apperr.PreconditionFailed: fiber.StatusPreconditionFailed,
	apperr.Forbidden:          fiber.StatusForbidden,
	apperr.Unauthenticated:    fiber.StatusUnauthorized,
	apperr.TooManyRequests:    fiber.StatusTooManyRequests,
	apperr.Unavailable:        fiber.StatusServiceUnavailable,
	apperr.Internal:           fiber.StatusInternalServerError,
}

// setRetryAfter tells a rate-limited client when to come back.
func setRetryAfter(c *fiber.Ctx, e *apperr.Error) {
	if e != nil && e.Code == apperr.TooManyRequests {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(e.RetryAfter.Seconds())+1))
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
		s.Log.Error("request failed", "request_id", rid, "method", c.Method(), "path", logPath(c.Path()), "status", status, "err", err)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return redirectToLogin(c)
	}
	e, _ := apperr.As(err)
	setRetryAfter(c, e)
	if status == fiber.StatusNotFound && msg == "Not Found" {
		msg = "This page does not exist, or you do not have access to it."
	}
	vm := errorpage.VM{Status: status, Title: itoa(status) + " · " + http.StatusText(status), Message: msg, RequestID: rid}
	if e != nil { // a refused parameter is named, as the API names it
		for _, name := range e.Fields.Names() {
			if name == "" { // about the whole input: the message says it
				continue
			}
			vm.Fields = append(vm.Fields, errorpage.Field{Name: name, Message: e.Fields.First(name)})
		}
	}
	return render(c, status, errorpage.Page(s.page(c, http.StatusText(status), ""), vm))
}

// errStaleETag is the API's message for a write whose If-Match names an
// outdated version.
const errStaleETag = "The risk was changed since the given ETag; fetch it again"

// apiError writes err in the envelope; internals are logged, never sent.
func (s *Server) apiError(c *fiber.Ctx, err error) error {
	body := fiber.Map{"success": false}
	status, msg := statusOf(err)
	e, _ := apperr.As(err)
	switch {
	case isFiberError(err):
		msg = fiberMessage(err)
	case e == nil:
		if status >= 500 {
			msg = apiFailure(c)
		}
	case len(e.Items) > 0:
		// A refused bulk edit: which risks, and why; nothing was written.
		body["details"] = fiber.Map{"_errors": []string{}, "risks": apiBulkItems(e.Items)}
	case e.Code == apperr.Invalid && len(e.Fields) > 0:
		status, msg = fiber.StatusBadRequest, "Validation failed"
		body["details"] = zodDetails(e.Fields)
	case e.Code == apperr.Invalid && err == errMalformedJSON:
		status = fiber.StatusBadRequest
	case e.Code == apperr.Conflict && e.Version > 0, e.Code == apperr.PreconditionFailed:
		// A stale version in the API is HTTP's failed precondition: the
		// client sent If-Match, and the ETag tells it the current one.
		status, msg = fiber.StatusPreconditionFailed, errStaleETag
		if e.Version > 0 {
			c.Set(fiber.HeaderETag, etag(e.Version))
		}
	case e.Code == apperr.TooManyRequests:
		setRetryAfter(c, e)
	case status >= 500 && status != fiber.StatusServiceUnavailable:
		msg = apiFailure(c)
	}
	if status >= 500 {
		s.Log.Error("api request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	body["error"] = msg
	return c.Status(status).JSON(body, fiber.MIMEApplicationJSONCharsetUTF8)
}

// apiFailure names the 500 message of each endpoint, as seed 000 does.
func apiFailure(c *fiber.Ctx) string {
	if strings.HasPrefix(c.Path(), apiPrefix+"/incidents") && !strings.HasSuffix(c.Path(), "/risks") {
		switch c.Method() {
		case fiber.MethodPost:
			return "Failed to create incident"
		case fiber.MethodDelete:
			return "Failed to delete incident"
		case fiber.MethodPatch:
			return "Failed to update incident"
		}
		return "Failed to fetch incidents"
	}
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
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return "The request headers are larger than 16 KiB"
	}
	return fe.Message
}

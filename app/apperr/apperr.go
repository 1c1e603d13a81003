// Package apperr defines the application's error codes and field errors.
// The transport layer maps a Code to an HTTP status; the message of an
// Internal error never reaches a client.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Code classifies an error for the transport layer.
type Code string

// Error codes.
const (
	Invalid            Code = "invalid"             // bad input; Fields says which
	NotFound           Code = "not_found"           // missing, or belongs to another organization
	Conflict           Code = "conflict"            // stale version (Version, Changes) or duplicate
	PreconditionFailed Code = "precondition_failed" // a request precondition (If-Match) names no current version
	Forbidden          Code = "forbidden"           // authenticated but not allowed
	Unauthenticated    Code = "unauthenticated"     // no valid session or key
	TooManyRequests    Code = "too_many_requests"   // rate limited; RetryAfter says for how long
	Unavailable        Code = "unavailable"         // a dependency (the database) is down
	Internal           Code = "internal"
)

// Error is an error with a code, a message safe to show a user, and
// optional details that the transport turns into fields, headers or pages.
type Error struct {
	Code    Code
	Message string
	Fields  FieldErrors // Invalid: the messages per field ("" for the whole input)
	// Plain words some of Fields for people — labels, not codes: a form or
	// an import preview shows Plain[f] in place of Fields[f] where it has
	// one (see ForPeople). Fields keeps the API's words, which the Comp AI
	// contract (zod) fixes.
	Plain FieldErrors
	// Version is the stored version of the entity a Conflict or
	// PreconditionFailed is about (0 when unknown).
	Version int
	// Changes lists the fields that differ between what a stale write
	// submitted and what is stored (Conflict).
	Changes []Change
	// RetryAfter says when a TooManyRequests caller may try again.
	RetryAfter time.Duration
	// Items lists, for an operation on many entities (bulk edit), each
	// entity that made it fail; nothing was changed.
	Items []Item
	Err   error // the cause, logged but never shown
}

// Change is one field that differs: Old is what the caller submitted,
// New what is stored now, as display strings.
type Change struct {
	Field string
	Old   string
	New   string
}

// Item is one entity's problem in an operation on many: Ref is the
// reference the caller gave, Code what is wrong with it, Version its stored
// version (when stale) and Fields its invalid fields.
type Item struct {
	Ref     string
	ID      string
	Label   string
	Code    Code
	Message string
	Version int
	Fields  FieldErrors
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// FieldErrors maps a field name to the messages about it.
type FieldErrors map[string][]string

// Add records a message for field.
func (f FieldErrors) Add(field, msg string) { f[field] = append(f[field], msg) }

// Has reports whether field has a message.
func (f FieldErrors) Has(field string) bool { return len(f[field]) > 0 }

// First returns the first message for field, or "".
func (f FieldErrors) First(field string) string {
	if len(f[field]) == 0 {
		return ""
	}
	return f[field][0]
}

// Names returns the fields with messages, sorted.
func (f FieldErrors) Names() []string {
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Err returns an Invalid error carrying f, or nil when f is empty.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "Validation failed", Fields: f}
}

// ForPeople returns the field messages as a form or an import preview
// shows them: for each field of Fields, its Plain messages when it has
// any, else its Fields messages.
func (e *Error) ForPeople() FieldErrors {
	out := make(FieldErrors, len(e.Fields))
	for f, msgs := range e.Fields {
		if plain, ok := e.Plain[f]; ok && len(plain) > 0 {
			msgs = plain
		}
		out[f] = append([]string(nil), msgs...)
	}
	return out
}

// PlainFields returns ForPeople of err, or nil when err is no *Error.
func PlainFields(err error) FieldErrors {
	if e, ok := As(err); ok {
		return e.ForPeople()
	}
	return nil
}

// Problems collects field errors in two wordings at once: API, the words
// of the JSON API, and Plain, the words for people. Add says a problem
// once when both read the same; Add2 says it both ways.
type Problems struct{ API, Plain FieldErrors }

// NewProblems returns an empty collection.
func NewProblems() Problems { return Problems{API: FieldErrors{}, Plain: FieldErrors{}} }

// Add records msg, worded the same for both, for field.
func (p Problems) Add(field, msg string) { p.Add2(field, msg, msg) }

// Add2 records a problem of field worded for the API and for people.
func (p Problems) Add2(field, api, plain string) {
	p.API.Add(field, api)
	p.Plain.Add(field, plain)
}

// Err returns an Invalid error carrying both wordings, or nil when empty.
func (p Problems) Err() error {
	if len(p.API) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "Validation failed", Fields: p.API, Plain: p.Plain}
}

// Stale returns a Conflict for a write based on an outdated version: the
// stored version and the fields that differ from what was submitted.
func Stale(msg string, version int, changes []Change) *Error {
	return &Error{Code: Conflict, Message: msg, Version: version, Changes: changes}
}

// RateLimited returns a TooManyRequests error that may be retried after wait.
func RateLimited(msg string, wait time.Duration) *Error {
	return &Error{Code: TooManyRequests, Message: msg, RetryAfter: wait}
}

// Invalidf returns an Invalid error about the input as a whole.
func Invalidf(format string, a ...any) *Error {
	return &Error{Code: Invalid, Message: fmt.Sprintf(format, a...)}
}

// New returns an error with code and a user-safe message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Wrap returns an Internal error whose cause is err; msg is user-safe.
func Wrap(err error, msg string) *Error { return &Error{Code: Internal, Message: msg, Err: err} }

// CodeOf returns the code of err, or Internal when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

// zodObject reads a JSON object field by field and collects errors in
// the shape and wording of zod's format() (the Comp AI contract):
// {"_errors":[], "<field>":{"_errors":["…"]}}. Unknown keys are ignored.
type zodObject struct {
	raw    map[string]json.RawMessage
	errors map[string][]string
}

// jsonType names the JSON type of a raw value as zod does.
func jsonType(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "undefined"
	}
	switch v[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// parseZodObject decodes body as an object; a non-object body is a
// validation error of its own (zod's top-level _errors).
func parseZodObject(body []byte) (*zodObject, error) {
	z := &zodObject{errors: map[string][]string{}}
	if !json.Valid(body) {
		return nil, errMalformedJSON
	}
	if t := jsonType(body); t != "object" {
		return nil, &validationError{details: map[string]any{"_errors": []string{"Expected object, received " + t}}}
	}
	if err := json.Unmarshal(body, &z.raw); err != nil {
		return nil, errMalformedJSON
	}
	return z, nil
}

func (z *zodObject) add(field, msg string) { z.errors[field] = append(z.errors[field], msg) }

// ok reports whether no error was collected.
func (z *zodObject) ok() bool { return len(z.errors) == 0 }

// details renders the errors as zod's format() does.
func (z *zodObject) details() map[string]any {
	d := map[string]any{"_errors": nonNil(z.errors[""])}
	for f, msgs := range z.errors {
		if f != "" {
			d[f] = map[string]any{"_errors": msgs}
		}
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isNull reports whether field is present and null.
func (z *zodObject) isNull(field string) bool {
	v, ok := z.raw[field]
	return ok && jsonType(v) == "null"
}

// str reads a string field. required=true reports "Required" when absent.
// A null is a type error unless nullable.
func (z *zodObject) str(field string, required, nullable bool) (string, bool) {
	v, ok := z.raw[field]
	if !ok {
		if required {
			z.add(field, "Required")
		}
		return "", false
	}
	t := jsonType(v)
	if t == "null" && nullable {
		return "", true
	}
	if t != "string" {
		z.add(field, "Expected string, received "+t)
		return "", false
	}
	var s string
	_ = json.Unmarshal(v, &s)
	return s, true
}

// enum reads a string field restricted to e.
func (z *zodObject) enum(field string, e risk.Enum, required, nullable bool) (string, bool) {
	v, ok := z.raw[field]
	if !ok {
		if required {
			z.add(field, "Required")
		}
		return "", false
	}
	t := jsonType(v)
	if t == "null" && nullable {
		return "", true
	}
	if t != "string" {
		quoted := make([]string, len(e))
		for i, o := range e {
			quoted[i] = "'" + o.Value + "'"
		}
		z.add(field, fmt.Sprintf("Expected %s, received %s", strings.Join(quoted, " | "), t))
		return "", false
	}
	var s string
	_ = json.Unmarshal(v, &s)
	if !e.Has(s) {
		z.add(field, risk.EnumMessage(e, s))
		return "", false
	}
	return s, true
}

// score reads a 0-10 integer.
func (z *zodObject) score(field string) (int, bool) {
	v, ok := z.raw[field]
	if !ok {
		return 0, false
	}
	if t := jsonType(v); t != "number" {
		z.add(field, "Expected number, received "+t)
		return 0, false
	}
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		z.add(field, "Expected number, received string")
		return 0, false
	}
	switch {
	case f != math.Trunc(f):
		z.add(field, "Expected integer, received float")
	case f < 0:
		z.add(field, "Number must be greater than or equal to 0")
	case f > 10:
		z.add(field, "Number must be less than or equal to 10")
	default:
		return int(f), true
	}
	return 0, false
}

// date reads a calendar date ("2026-12-31" or an RFC 3339 timestamp);
// null clears it.
func (z *zodObject) date(field string) (*time.Time, bool) {
	s, ok := z.str(field, false, true)
	if !ok || z.isNull(field) {
		return nil, ok
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return &d, true
		}
	}
	z.add(field, "Invalid date")
	return nil, false
}

// tags reads an array of strings; null clears it.
func (z *zodObject) tags(field string) ([]string, bool) {
	v, ok := z.raw[field]
	if !ok {
		return nil, false
	}
	switch jsonType(v) {
	case "null":
		return []string{}, true
	case "array":
	default:
		z.add(field, "Expected array, received "+jsonType(v))
		return nil, false
	}
	var items []json.RawMessage
	_ = json.Unmarshal(v, &items)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if t := jsonType(it); t != "string" {
			z.add(field, "Expected string, received "+t)
			return nil, false
		}
		var s string
		_ = json.Unmarshal(it, &s)
		out = append(out, s)
	}
	return out, true
}

// object returns a nested object field; null is reported as isNull.
func (z *zodObject) object(field string) (obj *zodObject, present, isNull bool) {
	v, ok := z.raw[field]
	if !ok {
		return nil, false, false
	}
	switch jsonType(v) {
	case "null":
		return nil, true, true
	case "object":
		sub := &zodObject{errors: map[string][]string{}}
		_ = json.Unmarshal(v, &sub.raw)
		return sub, true, false
	default:
		z.add(field, "Expected object, received "+jsonType(v))
		return nil, true, false
	}
}

// merge folds a nested object's errors into field.
func (z *zodObject) merge(field string, sub *zodObject) {
	for f, msgs := range sub.errors {
		for _, m := range msgs {
			if f == "" {
				z.add(field, m)
			} else {
				z.add(field, f+": "+m)
			}
		}
	}
}

package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// zodObject reads a JSON object field by field and collects errors in
// the shape and wording of zod's format() (the Comp AI contract):
// {"_errors":[], "<field>":{"_errors":["…"]}}. Unknown keys are ignored.
type zodObject struct {
	raw    map[string]json.RawMessage
	errors apperr.FieldErrors // "" holds errors of the object as a whole
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
	z := newZod()
	if !json.Valid(body) {
		return nil, errMalformedJSON
	}
	if t := jsonType(body); t != "object" {
		return nil, invalidInput("Expected object, received " + t)
	}
	if err := json.Unmarshal(body, &z.raw); err != nil {
		return nil, errMalformedJSON
	}
	return z, nil
}

func newZod() *zodObject { return &zodObject{errors: apperr.FieldErrors{}} }

// invalidInput is a validation failure of the input as a whole (zod's
// top-level _errors).
func invalidInput(msg string) error { return apperr.FieldErrors{"": {msg}}.Err() }

func (z *zodObject) add(field, msg string) { z.errors.Add(field, msg) }

// ok reports whether no error was collected.
func (z *zodObject) ok() bool { return len(z.errors) == 0 }

// err returns the collected errors as an Invalid error, or nil.
func (z *zodObject) err() error { return z.errors.Err() }

// zodDetails renders field errors as zod's format() does; the field ""
// holds the errors of the input as a whole.
func zodDetails(fe apperr.FieldErrors) map[string]any {
	d := map[string]any{"_errors": nonNil(fe[""])}
	for f, msgs := range fe {
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
			if !risk.InDateRange(d) {
				z.add(field, "Date must be from 1900-01-01 to 2999-12-31")
				return nil, false
			}
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
		sub := newZod()
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

// labelEnum reads a nullable string field restricted to e, accepting a
// value ("control_deficiency") or a label ("Control Deficiency", seed
// 002's spelling) and returning the value; null and "" clear it.
func (z *zodObject) labelEnum(field string, e risk.Enum) (string, bool) {
	s, ok := z.str(field, false, true)
	if !ok || strings.TrimSpace(s) == "" {
		return "", ok
	}
	v, known := e.Parse(s)
	if !known {
		z.add(field, risk.EnumMessage(e, s))
		return "", false
	}
	return v, true
}

// labelEnums reads an array of e's values or labels (null clears it),
// returning the values; an unknown item names the field.
func (z *zodObject) labelEnums(field string, e risk.Enum) ([]string, bool) {
	items, ok := z.tags(field)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		v, known := e.Parse(it)
		if !known {
			z.add(field, risk.EnumMessage(e, it))
			return nil, false
		}
		out = append(out, v)
	}
	return risk.NormalizeObjectives(out), true
}

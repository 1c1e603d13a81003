package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// bulkChangeKeys are the keys a bulk edit's "changes" object may hold;
// any other key is refused, so a typo never turns into "change nothing".
var bulkChangeKeys = []string{"status", "closureReason", "assigneeId", "registerId", "addTags", "removeTags", "dueDate", "type", "delete"}

// bulkRisksAPI is PATCH /api/v1/risks: one change to up to 1,000 risks,
// all or nothing. Ids are internal ids, RSK identifiers or risk numbers;
// duplicates are changed once; "ifVersions" maps a riskId to the version
// it must still have. An Idempotency-Key replays the first response.
func (s *Server) bulkRisksAPI(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderIfMatch) != "" {
		return invalidInput("If-Match names one version; send each risk's version in ifVersions instead")
	}
	z, body, err := jsonObject(c)
	if err != nil {
		return err
	}
	targets := readBulkTargets(z)
	ch := readBulkChange(z)
	if !z.ok() {
		return z.err()
	}
	org, actor := apiKeyOf(c).OrganizationID, apiActor(c)
	return s.idempotent(c, org, body, func(ctx context.Context) (int, []byte, error) {
		res, err := s.Risks.Bulk(ctx, org, actor, risk.BulkSelection{Targets: targets}, ch)
		if err != nil {
			return 0, nil, err
		}
		b, err := json.Marshal(fiber.Map{"success": true, "data": toAPIBulk(res)})
		return fiber.StatusOK, b, err
	})
}

// idempotent runs write once per Idempotency-Key (when the request has
// one) and sends its response, replaying the stored one on a repeat.
func (s *Server) idempotent(c *fiber.Ctx, org string, body []byte, write func(ctx context.Context) (int, []byte, error)) error {
	key := c.Get("Idempotency-Key")
	if key == "" {
		status, b, err := write(c.UserContext())
		if err != nil {
			return err
		}
		return sendJSONBytes(c, status, b)
	}
	if len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return invalidInput("Idempotency-Key must be 1 to 255 visible ASCII characters")
	}
	resp, replayed, err := s.Idempotency.Do(c.UserContext(), org, key, bodyHash(c, body), write)
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	return sendJSONBytes(c, resp.Status, resp.Body)
}

// readBulkTargets reads riskIds (strings or numbers) and ifVersions.
func readBulkTargets(z *zodObject) []risk.BulkTarget {
	v, ok := z.raw["riskIds"]
	if !ok {
		z.add("riskIds", "Required")
		return nil
	}
	if t := jsonType(v); t != "array" {
		z.add("riskIds", "Expected array, received "+t)
		return nil
	}
	var items []json.RawMessage
	_ = json.Unmarshal(v, &items)
	switch {
	case len(items) == 0:
		z.add("riskIds", "Array must contain at least 1 element(s)")
		return nil
	case len(items) > risk.MaxBulk:
		z.add("riskIds", fmt.Sprintf("Array must contain at most %d element(s)", risk.MaxBulk))
		return nil
	}
	seen := make(map[string]bool, len(items))
	out := make([]risk.BulkTarget, 0, len(items))
	for i, it := range items {
		ref, key, ok := bulkKey(it)
		if !ok {
			z.add("riskIds", fmt.Sprintf("Element %d: expected a risk id, RSK identifier or number", i))
			return nil
		}
		if seen[ref] {
			continue // de-duplicated
		}
		seen[ref] = true
		out = append(out, risk.BulkTarget{Key: key, Ref: ref})
	}
	if v, ok := z.raw["ifVersions"]; ok && jsonType(v) != "null" {
		var versions map[string]json.RawMessage
		if jsonType(v) != "object" || json.Unmarshal(v, &versions) != nil {
			z.add("ifVersions", "Expected object, received "+jsonType(v))
			return nil
		}
		byRef := make(map[string]int, len(out))
		for i, t := range out {
			byRef[t.Ref] = i
		}
		refs := make([]string, 0, len(versions))
		for ref := range versions {
			refs = append(refs, ref)
		}
		sort.Strings(refs)
		for _, ref := range refs {
			i, named := byRef[ref]
			n, isInt := positiveInt(versions[ref])
			switch {
			case !named:
				z.add("ifVersions", ref+": not one of riskIds")
			case !isInt:
				z.add("ifVersions", ref+": expected a version, a positive integer")
			default:
				out[i].Version = n
			}
		}
	}
	return out
}

// bulkKey reads one riskIds element: a string id or identifier, or a
// number (a bare number string counts as one). ref is how errors name
// it; key is what the store looks up.
func bulkKey(raw json.RawMessage) (ref, key string, ok bool) {
	switch jsonType(raw) {
	case "string":
		var s string
		_ = json.Unmarshal(raw, &s)
		s = strings.TrimSpace(s)
		if s == "" || len(s) > 100 || strings.ContainsRune(s, 0) {
			return "", "", false
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return s, risk.FormatIdentifier(n), true
		}
		return s, s, true
	case "number":
		if n, isInt := positiveInt(raw); isInt {
			return strconv.Itoa(n), risk.FormatIdentifier(int64(n)), true
		}
	}
	return "", "", false
}

// positiveInt reads a JSON integer of at least 1.
func positiveInt(raw json.RawMessage) (int, bool) {
	var f float64
	if jsonType(raw) != "number" || json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || f < 1 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// readBulkChange reads the "changes" object; its errors are named
// changes.<field>.
func readBulkChange(z *zodObject) risk.BulkChange {
	var ch risk.BulkChange
	sub, present, isNull := z.object("changes")
	switch {
	case !present:
		z.add("changes", "Required")
		return ch
	case isNull:
		z.add("changes", "Expected object, received null")
		return ch
	case sub == nil:
		return ch
	}
	var unknown []string
	for k := range sub.raw {
		if !slices.Contains(bulkChangeKeys, k) {
			unknown = append(unknown, "'"+k+"'")
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		sub.add("", "Unrecognized key(s) in object: "+strings.Join(unknown, ", "))
	}
	if len(sub.raw) == 0 {
		sub.add("", "Choose at least one change")
	}
	if v, ok := sub.enum("status", risk.Statuses, false, false); ok {
		ch.Status = v
	}
	if v, ok := sub.enum("closureReason", risk.ClosureReasons, false, false); ok {
		ch.ClosureReason = v
	}
	if v, ok := sub.str("assigneeId", false, true); ok {
		ch.AssigneeID = &v
	}
	if v, ok := sub.str("registerId", false, false); ok {
		ch.RegisterID = v
		if strings.TrimSpace(v) == "" {
			sub.add("registerId", "Register not found")
		}
	}
	if v, ok := sub.tags("addTags"); ok {
		ch.AddTags = v
	}
	if v, ok := sub.tags("removeTags"); ok {
		ch.RemoveTags = v
	}
	if d, ok := sub.date("dueDate"); ok {
		ch.SetDueDate, ch.DueDate = true, d
	}
	if v, ok := sub.labelEnum("type", risk.RiskTypes); ok {
		ch.SetType, ch.Type = true, v
	}
	if v, ok := sub.raw["delete"]; ok {
		if !bytes.Equal(bytes.TrimSpace(v), []byte("true")) {
			sub.add("delete", "Expected true, received "+jsonType(v)+"; leave it out to keep the risks")
		} else {
			ch.Delete = true
		}
	}
	if sub.ok() {
		// Rules across fields (closure reason, delete alone, tags) are the
		// service's; run them here so they are named changes.<field>.
		c := ch
		c.Normalize()
		if e, ok := apperr.As(c.Validate()); ok {
			for f, msgs := range e.Fields {
				for _, m := range msgs {
					if f == "changes" {
						sub.add("", m)
					} else {
						sub.add(f, m)
					}
				}
			}
		}
	}
	for f, msgs := range sub.errors {
		name := "changes"
		if f != "" {
			name += "." + f
		}
		for _, m := range msgs {
			z.add(name, m)
		}
	}
	return ch
}

type apiBulkRisk struct {
	ID         string `json:"id"`
	Identifier string `json:"identifier"`
	Version    int    `json:"version"`
	Result     string `json:"result"`
}

type apiBulkResult struct {
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Deleted   int           `json:"deleted"`
	Risks     []apiBulkRisk `json:"risks"`
}

func toAPIBulk(res *risk.BulkResult) apiBulkResult {
	out := apiBulkResult{Updated: res.Updated, Unchanged: res.Unchanged, Deleted: res.Deleted, Risks: make([]apiBulkRisk, len(res.Items))}
	for i, it := range res.Items {
		out.Risks[i] = apiBulkRisk{ID: it.ID, Identifier: it.Identifier, Version: it.Version, Result: it.Action}
	}
	return out
}

// apiBulkItems renders the per-risk problems of a refused bulk edit for
// the envelope's details.
func apiBulkItems(items []apperr.Item) []fiber.Map {
	out := make([]fiber.Map, len(items))
	for i, it := range items {
		m := fiber.Map{"riskId": it.Ref, "error": it.Message}
		if it.ID != "" {
			m["id"], m["identifier"] = it.ID, it.Label
		}
		if it.Version > 0 {
			m["currentVersion"] = it.Version
		}
		if len(it.Fields) > 0 {
			m["details"] = zodDetails(it.Fields)
		}
		out[i] = m
	}
	return out
}

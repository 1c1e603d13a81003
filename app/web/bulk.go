package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
	"github.com/riskreg/riskreg/static"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/risks"
)

// bulkVM fills the register's bulk action bar for a writer: the filter
// and the stamp of its matching set, for "all N matching".
func (s *Server) bulkVM(c *fiber.Ctx, q risk.ListQuery, total int, regs []*risk.Register) (risks.BulkVM, error) {
	vm := risks.BulkVM{Enabled: true, CSRF: csrfToken(c), StaticVersion: static.Version(), Filter: bulkFilter(q), Registers: regs}
	var err error
	if vm.Stamp, err = s.Risks.MatchStamp(c.UserContext(), orgID(c), q, total); err != nil {
		return vm, err
	}
	vm.Members, err = s.memberOptions(c)
	return vm, err
}

// bulkFilter is q's filters as the register's URL query, without sort and
// page: what "all matching" means.
func bulkFilter(q risk.ListQuery) string {
	v := listquery.Values(q)
	for _, k := range []string{"sort", "page", "per_page"} {
		v.Del(k)
	}
	return v.Encode()
}

// bulkEdit is POST /risks/bulk: the action bar's form. It applies one
// change to the ticked risks (each with the version the page showed) or to
// all risks matching the page's filter (when they are still the set the
// page counted), all or nothing. Success flashes and returns to the
// register; a refusal is shown in the bar (htmx) or flashed (no script).
func (s *Server) bulkEdit(c *fiber.Ctx) error {
	filter := c.FormValue("filter")
	back := risks.RegisterPath
	if filter != "" {
		back += "?" + filter
	}
	sel, ch, err := bindBulk(c, filter)
	if err == nil {
		var res *risk.BulkResult
		if res, err = s.Risks.Bulk(c.UserContext(), orgID(c), actorOf(c), sel, ch); err == nil {
			if err := s.flash(c, layout.FlashSuccess, res.Message()); err != nil {
				return err
			}
			return redirect(c, back)
		}
	}
	e, ok := apperr.As(err)
	if !ok || (e.Code != apperr.Invalid && e.Code != apperr.NotFound && e.Code != apperr.PreconditionFailed) {
		return err
	}
	msg := bulkMessage(e)
	if isHTMX(c) {
		status := fiber.StatusConflict // swapped into the bar (see app.js)
		if e.Code == apperr.Invalid {
			status = fiber.StatusUnprocessableEntity
		}
		return render(c, status, risks.BulkError(msg))
	}
	if err := s.flash(c, layout.FlashError, msg); err != nil {
		return err
	}
	return redirect(c, back)
}

// bulkFieldLabels name the change's fields as the bar shows them.
var bulkFieldLabels = map[string]string{
	"riskIds": "Selection", "changes": "Change", "status": "Status", "closureReason": "Closure reason",
	"assigneeId": "Assignee", "registerId": "Register", "type": "Type", "addTags": "Tags", "removeTags": "Tags",
	"dueDate": "Due date", "delete": "Delete",
}

// bulkMessage is one plain sentence (or a few) for a refused bulk edit.
func bulkMessage(e *apperr.Error) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	var parts []string
	for _, f := range e.Fields.Names() {
		label := bulkFieldLabels[f]
		if label == "" || f == "riskIds" || f == "changes" {
			parts = append(parts, e.Fields.First(f))
			continue
		}
		parts = append(parts, label+": "+e.Fields.First(f))
	}
	return strings.Join(parts, " ")
}

// bindBulk reads the bar's form into a selection and a change.
func bindBulk(c *fiber.Ctx, filter string) (risk.BulkSelection, risk.BulkChange, error) {
	var sel risk.BulkSelection
	var ch risk.BulkChange
	if c.FormValue("all") == "1" {
		vals, err := url.ParseQuery(filter)
		if err != nil {
			return sel, ch, invalidField("riskIds", "The filters of the page could not be read; reload the page.")
		}
		q, fe := listquery.Parse(listquery.Browser, vals.Get)
		if len(fe) > 0 {
			return sel, ch, invalidField("riskIds", "The filters of the page are not valid; fix them first.")
		}
		sel.Query = &q
		sel.Expect.Count, _ = strconv.Atoi(c.FormValue("match_count"))
		if v := c.FormValue("match_last"); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return sel, ch, invalidField("riskIds", "The page is out of date; reload it.")
			}
			sel.Expect.LastUpdated = t
		}
	} else {
		args := c.Request().PostArgs()
		seen := map[string]bool{}
		for _, raw := range args.PeekMulti("risk") {
			v := string(raw)
			if seen[v] {
				continue
			}
			seen[v] = true
			id, ver, _ := strings.Cut(v, ":")
			n, err := strconv.Atoi(ver)
			if err != nil || n < 1 {
				return sel, ch, invalidField("riskIds", "The selection could not be read; reload the page.")
			}
			sel.Targets = append(sel.Targets, risk.BulkTarget{Key: id, Ref: id, Version: n})
		}
		if len(sel.Targets) == 0 {
			return sel, ch, invalidField("riskIds", "Tick at least one risk first.")
		}
	}
	switch c.FormValue("action") {
	case "status":
		ch.Status = c.FormValue("status")
		ch.ClosureReason = c.FormValue("closure_reason") // refused unless closing: never silently dropped
		if ch.Status == "" {
			return sel, ch, invalidField("status", "Choose a status.")
		}
	case "assignee":
		a := c.FormValue("assignee_id")
		if a == risk.Unassigned {
			a = ""
		}
		ch.AssigneeID = &a
	case "register":
		ch.RegisterID = c.FormValue("register_id")
		if ch.RegisterID == "" {
			return sel, ch, invalidField("registerId", "Choose a register.")
		}
	case "add_tags", "remove_tags":
		tags := risk.ParseTags(c.FormValue("tags"))
		if len(tags) == 0 {
			return sel, ch, invalidField("addTags", "Type at least one tag.")
		}
		if c.FormValue("action") == "add_tags" {
			ch.AddTags = tags
		} else {
			ch.RemoveTags = tags
		}
	case "due_date":
		ch.SetDueDate = true
		if v := strings.TrimSpace(c.FormValue("due_date")); v != "" {
			t, ok := risk.ParseDate(v)
			if !ok {
				return sel, ch, invalidField("dueDate", risk.DateMessage)
			}
			ch.DueDate = &t
		}
	case "risk_type":
		ch.SetType, ch.Type = true, c.FormValue("risk_type")
	case "archive":
		ch.Status = risk.StatusArchived
	case "delete":
		if c.FormValue("confirm_delete") != "1" {
			return sel, ch, invalidField("delete", "Tick “Yes, delete them” to confirm.")
		}
		ch.Delete = true
	default:
		return sel, ch, invalidField("changes", "Choose what to change.")
	}
	return sel, ch, nil
}

func invalidField(field, msg string) error {
	fe := apperr.FieldErrors{}
	fe.Add(field, msg)
	return fe.Err()
}

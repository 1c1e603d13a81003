package web

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/activity"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/csvio"
	activityview "github.com/riskreg/riskreg/views/activity"
	"github.com/riskreg/riskreg/views/layout"
)

func activityFilter(c *fiber.Ctx) (activity.Filter, map[string]string, apperr.FieldErrors) {
	raw := map[string]string{}
	for _, k := range activity.Params {
		raw[k] = c.Query(k)
	}
	f, fe := activity.ParseFilter(func(k string) string { return c.Query(k) })
	return f, raw, fe
}

// showActivity renders a page of the organization's events.
func (s *Server) showActivity(c *fiber.Ctx) error {
	f, raw, fe := activityFilter(c)
	ms, err := s.Accounts.Members(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	vm := activityview.VM{Filter: f, Raw: raw, First: f.After == nil}
	for _, m := range ms {
		vm.Actors = append(vm.Actors, activityview.Actor{ID: m.ID, Name: m.Name})
	}
	status := fiber.StatusOK
	if len(fe) > 0 {
		// A bad filter shows the form with the error, never a 500.
		vm.Errors = fe
		status = fiber.StatusBadRequest
	} else if vm.Page, err = s.Activity.List(c.UserContext(), orgID(c), f); err != nil {
		return err
	}
	return render(c, status, activityview.Page(s.page(c, "Activity", layout.NavActivity), vm))
}

// exportActivity streams every event the filters select as CSV, reading
// the trail in keyset batches while it writes.
func (s *Server) exportActivity(c *fiber.Ctx) error {
	f, _, fe := activityFilter(c)
	if err := fe.Err(); err != nil {
		return err
	}
	org, bom := orgID(c), c.Query("bom") == "1"
	name := "activity-" + principal(c).Organization.Slug + "-" + s.Now().UTC().Format(time.DateOnly) + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	ctx, acts, log, rid := context.WithoutCancel(c.UserContext()), s.Activity, s.Log, requestID(c)
	pr, pw := io.Pipe()
	go func() {
		ctx, cancel := context.WithTimeout(ctx, exportTimeout)
		defer cancel()
		cw, err := csvio.NewEventWriter(pw, bom)
		if err == nil {
			err = acts.Export(ctx, org, f, cw.Write)
		}
		if err == nil {
			err = cw.Flush()
		}
		if err != nil && !errors.Is(err, io.ErrClosedPipe) {
			log.Error("activity export failed; the download is aborted", "request_id", rid, "err", err)
		}
		pw.CloseWithError(err) // nil ends the body; an error aborts it
	}()
	c.Context().SetBodyStream(pr, -1)
	return nil
}

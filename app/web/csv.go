package web

import (
	"bufio"
	"context"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/csvio"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// exportTimeout bounds one streamed export; it runs after the handler has
// returned, outside any request-timeout middleware.
const exportTimeout = 10 * time.Minute

// exportFlushRows is how many rows are written between flushes.
const exportFlushRows = 1000

// exportRisks is GET /risks/export.csv: the register's current filters,
// search and sort, every page.
func (s *Server) exportRisks(c *fiber.Ctx) error {
	q, fe := parseList(c, listquery.Browser)
	if err := fe.Err(); err != nil {
		return err
	}
	p := principal(c)
	return s.streamExport(c, p.Organization.ID, p.Organization.Slug, q)
}

// exportRisksAPI is GET /api/v1/risks/export.csv with the list's parameters.
func (s *Server) exportRisksAPI(c *fiber.Ctx) error {
	q, _, err := parseAPIList(c)
	if err != nil {
		return err
	}
	org, err := s.Accounts.Organization(c.UserContext(), apiKeyOf(c).OrganizationID)
	if err != nil {
		return err
	}
	return s.streamExport(c, org.ID, org.Slug, q)
}

// exportFilename is risks-<org-slug>-<yyyy-mm-dd>.csv.
func exportFilename(slug string, now time.Time) string {
	return "risks-" + slug + "-" + now.UTC().Format(time.DateOnly) + ".csv"
}

// contentDisposition is an RFC 6266 attachment header with an ASCII
// fallback and the RFC 5987 encoded name.
func contentDisposition(name string) string {
	ascii := make([]rune, 0, len(name))
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return `attachment; filename="` + string(ascii) + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// streamExport writes the CSV row by row from a database cursor. Everything
// the writer needs is captured before the handler returns: the fiber.Ctx is
// recycled before the stream writer runs.
func (s *Server) streamExport(c *fiber.Ctx, orgID, slug string, q risk.ListQuery) error {
	bom := c.Query("bom") == "1" || c.Query("bom") == "true"
	ctx := context.WithoutCancel(c.UserContext())
	risks, log := s.Risks, s.Log
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(exportFilename(slug, s.Now())))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(ctx, exportTimeout)
		defer cancel()
		cw, err := csvio.NewWriter(w, bom)
		if err != nil {
			return
		}
		n := 0
		err = risks.Export(ctx, orgID, q, func(row *risk.ExportRow) error {
			rec := csvio.Record{Risk: row.Risk, TreatmentType: row.TreatmentType,
				TreatmentDescription: row.TreatmentDescription, OpenTasks: row.OpenTasks}
			if row.Register != nil {
				rec.Matrix = &row.Register.Matrix
			}
			if err := cw.Write(&rec); err != nil {
				return err
			}
			if n++; n%exportFlushRows == 0 {
				if err := cw.Flush(); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					cancel() // the client is gone: cancel the query before closing the rows
					return err
				}
			}
			return nil
		})
		if err != nil {
			log.Warn("csv export stopped", "rows", n, "error", err)
			return
		}
		if err := cw.Flush(); err == nil {
			_ = w.Flush()
		}
	})
	return nil
}

package web

import (
	"context"
	"errors"
	"io"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
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
	if q.AsOf != nil {
		fe.Add("as_of", errExportAsOf)
	}
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
	if q.AsOf != nil {
		fe := apperr.FieldErrors{}
		fe.Add("asOf", errExportAsOf)
		return fe.Err()
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

// streamExport writes the CSV row by row from a database cursor, through
// a pipe the response reads from. Everything the writer needs is captured
// before the handler returns: the fiber.Ctx is recycled before the stream
// is written. A failure after the first byte cannot change the status any
// more, so it aborts the response instead (the pipe's error makes the
// server drop the connection without the final chunk): the download fails
// visibly rather than ending as a silently truncated file.
func (s *Server) streamExport(c *fiber.Ctx, orgID, slug string, q risk.ListQuery) error {
	bom := c.Query("bom") == "1" || c.Query("bom") == "true"
	ctx := context.WithoutCancel(c.UserContext())
	risks, log, rid := s.Risks, s.Log, requestID(c)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(exportFilename(slug, s.Now())))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	pr, pw := io.Pipe()
	go func() {
		ctx, cancel := context.WithTimeout(ctx, exportTimeout)
		defer cancel()
		n, err := writeExport(pw, bom, func(fn func(*risk.ExportRow) error) error {
			return risks.Export(ctx, orgID, q, fn)
		})
		if err != nil && !errors.Is(err, io.ErrClosedPipe) {
			log.Error("csv export failed; the download is aborted", "request_id", rid, "rows", n, "err", err)
		}
		pw.CloseWithError(err) // nil ends the body; an error aborts it
	}()
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// writeExport writes the CSV of the rows export yields to w and returns how
// many rows it wrote. An error from w (the client is gone, the reader was
// closed) stops the export, and with it the query.
func writeExport(w io.Writer, bom bool, export func(fn func(*risk.ExportRow) error) error) (int, error) {
	cw, err := csvio.NewWriter(w, bom)
	if err != nil {
		return 0, err
	}
	n := 0
	err = export(func(row *risk.ExportRow) error {
		rec := csvio.Record{Risk: row.Risk, TreatmentType: row.TreatmentType,
			TreatmentDescription: row.TreatmentDescription, OpenTasks: row.OpenTasks}
		if row.Register != nil {
			rec.Matrix = &row.Register.Matrix
		}
		if err := cw.Write(&rec); err != nil {
			return err
		}
		if n++; n%exportFlushRows == 0 {
			return cw.Flush()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, cw.Flush()
}

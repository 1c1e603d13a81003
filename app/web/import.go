package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/csvio"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/importpage"
	"github.com/riskreg/riskreg/views/layout"
)

// Body limits: the server accepts up to maxUploadBody for CSV imports;
// every other route keeps maxBody.
const (
	maxBody       = 1 << 20
	maxUploadBody = 6 << 20
)

// maxHeaderBytes is the largest request line plus headers we serve. The
// server reads up to readBufferBytes, so a request between the two is
// refused here, where its path is known and the API can answer in its
// envelope; past readBufferBytes the server refuses it before routing.
const (
	maxHeaderBytes  = 16 << 10
	readBufferBytes = 32 << 10
)

// limitHeaders refuses oversized request headers with 431.
func (s *Server) limitHeaders(c *fiber.Ctx) error {
	if len(c.Request().Header.RawHeaders())+len(c.Request().RequestURI()) > maxHeaderBytes {
		return fiber.ErrRequestHeaderFieldsTooLarge
	}
	return c.Next()
}

// limitBody refuses bodies over 1 MiB with 413, except on the CSV import
// routes, which take files of up to 5 MiB.
func (s *Server) limitBody(c *fiber.Ctx) error {
	if c.Path() == importpage.PreviewPath || c.Path() == importpage.CommitPath {
		return c.Next()
	}
	if c.Request().Header.ContentLength() > maxBody || len(c.Request().Body()) > maxBody {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

func (s *Server) showImport(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, importpage.UploadPage(s.page(c, "Import", layout.NavImport), importpage.UploadVM{}))
}

// importTemplate downloads the import template, its example row in the
// level names of the default register's matrix, where new risks go.
func (s *Server) importTemplate(c *fiber.Ctx) error {
	reg, _, err := s.Risks.ResolveRegister(c.UserContext(), orgID(c), "")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := csvio.WriteTemplate(&b, &reg.Matrix); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(importpage.TemplateFilename))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Send(b.Bytes())
}

// previewImport parses the uploaded file and shows what importing it would
// do; a file-level problem shows the upload form again with its message.
func (s *Server) previewImport(c *fiber.Ctx) error {
	fh, err := c.FormFile(importpage.FileField)
	if err != nil {
		return s.importFileError(c, "Choose a CSV file to import.")
	}
	if fh.Size > csvio.MaxImportBytes {
		return s.importFileError(c, "The file is larger than 5 MiB.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	var text strings.Builder
	rows, err := csvio.Read(io.TeeReader(f, &text))
	if err != nil {
		return s.importReadFailed(c, err)
	}
	plan, err := s.Importer.PlanImport(c.UserContext(), orgID(c), rows)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if plan.Invalid > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	vm := importpage.PreviewVM{FileName: fh.Filename, Plan: plan, CSV: text.String()}
	return render(c, status, importpage.PreviewPage(s.page(c, "Import preview", layout.NavImport), vm))
}

// commitImport re-parses and re-validates the previewed CSV text and
// imports every row in one transaction, or shows the preview again.
func (s *Server) commitImport(c *fiber.Ctx) error {
	text := c.FormValue(importpage.CSVField)
	rows, err := csvio.Read(strings.NewReader(text))
	if err != nil {
		return s.importReadFailed(c, err)
	}
	plan, err := s.Importer.Commit(c.UserContext(), orgID(c), actorOf(c), rows)
	if errors.Is(err, risk.ErrImportInvalid) {
		vm := importpage.PreviewVM{FileName: "Import", Plan: plan}
		return render(c, fiber.StatusUnprocessableEntity, importpage.PreviewPage(s.page(c, "Import preview", layout.NavImport), vm))
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Imported: %d created, %d updated.", plan.Created, plan.Updated)
	if err := s.flash(c, layout.FlashSuccess, msg); err != nil {
		return err
	}
	return redirect(c, "/risks")
}

func (s *Server) importReadFailed(c *fiber.Ctx, err error) error {
	if msg, ok := csvio.IsFileError(err); ok {
		return s.importFileError(c, msg)
	}
	return err
}

func (s *Server) importFileError(c *fiber.Ctx, msg string) error {
	vm := importpage.UploadVM{FileError: msg}
	return render(c, fiber.StatusUnprocessableEntity, importpage.UploadPage(s.page(c, "Import", layout.NavImport), vm))
}

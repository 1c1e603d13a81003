package web

import (
	"bytes"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/report"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/reports"
)

// formErrors returns the field messages of an Invalid error for a form
// (and 400), or the error itself when it is of another kind.
func formErrors(err error) (map[string][]string, error) {
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		return e.ForPeople(), nil
	}
	return nil, err
}

// showChanges renders "Changes since": what moved in the register (or in
// one register) from the start of the since day to now.
func (s *Server) showChanges(c *fiber.Ctx) error {
	ctx, org := c.UserContext(), orgID(c)
	vm := reports.ChangesVM{Since: c.Query("since"), Register: c.Query("register"), Today: s.today()}
	regs, err := s.Risks.ListRegisters(ctx, org)
	if err != nil {
		return err
	}
	vm.Registers = regs
	status := fiber.StatusOK
	since, err := s.Reports.ParseSince("since", vm.Since)
	var reg *risk.Register
	if err == nil && vm.Register != "" {
		var ok bool
		if reg, ok = risk.ChooseRegister(regs, vm.Register); !ok {
			err = apperr.FieldErrors{"register": {"Register not found"}}.Err()
		}
	}
	if err == nil {
		vm.Since = since.Format(time.DateOnly)
		vm.Changes, err = s.Reports.Changes(ctx, org, since, s.Now().UTC(), reg)
	}
	if err != nil {
		if vm.Errors, err = formErrors(err); err != nil {
			return err
		}
		status = fiber.StatusBadRequest
	}
	return render(c, status, reports.ChangesPage(s.page(c, "Changes since", layout.NavRegister), vm))
}

// committeeInput reads the pack's period and register from a form or the
// API (field names differ by caller).
func (s *Server) committeePack(c *fiber.Ctx, registerField string) (*report.Pack, error) {
	p, err := s.Reports.ParsePeriod("from", c.Query("from"), "to", c.Query("to"))
	if err != nil {
		return nil, err
	}
	org := orgOf(c)
	pk, err := s.Reports.Committee(c.UserContext(), org, c.Query(registerField), p)
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid && registerField != "registerId" {
		return nil, apperr.FieldErrors{registerField: e.Fields["registerId"]}.Err()
	}
	return pk, err
}

// orgOf is the organization of a browser session or of an API key.
func orgOf(c *fiber.Ctx) string {
	if k := apiKeyOf(c); k != nil {
		return k.OrganizationID
	}
	return orgID(c)
}

// showCommittee renders the committee pack form and, for a valid period,
// the printable pack.
func (s *Server) showCommittee(c *fiber.Ctx) error {
	ctx, org := c.UserContext(), orgID(c)
	def := report.LastQuarter(s.today())
	vm := reports.CommitteeVM{From: c.Query("from"), To: c.Query("to"), Register: c.Query("register")}
	if vm.From == "" && vm.To == "" {
		vm.From, vm.To = def.From.Format(time.DateOnly), def.To.Format(time.DateOnly)
	}
	regs, err := s.Risks.ListRegisters(ctx, org)
	if err != nil {
		return err
	}
	vm.Registers = regs
	status := fiber.StatusOK
	if vm.Pack, err = s.committeePack(c, "register"); err != nil {
		if vm.Errors, err = formErrors(err); err != nil {
			return err
		}
		status = fiber.StatusBadRequest
	}
	return render(c, status, reports.CommitteePage(s.page(c, "Committee pack", layout.NavReports), vm))
}

// committeePDF downloads the pack as a PDF from the browser.
func (s *Server) committeePDF(c *fiber.Ctx) error {
	pk, err := s.committeePack(c, "register")
	if err != nil {
		return err
	}
	return sendPackPDF(c, pk)
}

// committeePDFAPI is GET /api/v1/reports/committee.pdf.
func (s *Server) committeePDFAPI(c *fiber.Ctx) error {
	pk, err := s.committeePack(c, "registerId")
	if err != nil {
		return err
	}
	return sendPackPDF(c, pk)
}

func sendPackPDF(c *fiber.Ctx, pk *report.Pack) error {
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, pk); err != nil {
		return apperr.Wrap(err, "The PDF could not be made")
	}
	name := "committee-pack-" + slug(pk.Register.Name) + "-" + pk.Period.From.Format(time.DateOnly) + "-to-" + pk.Period.To.Format(time.DateOnly) + ".pdf"
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// slug keeps the letters and digits of s, lower-cased, joined by dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "register"
	}
	return b.String()
}

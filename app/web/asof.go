package web

// Looking back (issue 14): the pages and the API as of a past day.

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/risks"
)

// errExportAsOf refuses a past day on an export (issue 14 leaves exports
// of the past out).
const errExportAsOf = "Exports are of today's register; open the register as of that day to read it"

// checkAsOf refuses a day after today (the register cannot be read in the
// future): a field error named name, and the day is dropped.
func (s *Server) checkAsOf(q *risk.ListQuery, fe apperr.FieldErrors, name string) {
	if q.AsOf == nil {
		return
	}
	if msg := s.Risks.CheckAsOf(*q.AsOf); msg != "" {
		fe.Add(name, msg)
		q.AsOf = nil
	}
}

// asOfParam reads a page's or the API's single as-of day parameter.
func (s *Server) asOfParam(c *fiber.Ctx, name string) (*time.Time, error) {
	return s.Risks.ParseAsOf(name, c.Query(name))
}

// showRiskAsOf renders a risk as it was at the end of day; a risk that
// did not exist then is a 404.
func (s *Server) showRiskAsOf(c *fiber.Ctx, day time.Time) error {
	r, reg, err := s.Risks.GetAsOf(c.UserContext(), orgID(c), c.Params("id"), day)
	if err != nil {
		return err
	}
	vm := risks.AsOfVM{Risk: r, Register: reg, Day: day}
	points, err := s.Risks.ScoreHistory(c.UserContext(), orgID(c), r.ID)
	if err != nil {
		return err
	}
	vm.Scores = risks.ScoreChart(r, points, risk.EndOfDay(day))
	title := r.Identifier() + " " + r.Title + " (as of " + day.Format(time.DateOnly) + ")"
	return render(c, fiber.StatusOK, risks.AsOfPage(s.page(c, title, layout.NavRegister), vm))
}

package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/registers"
	"github.com/riskreg/riskreg/views/risks"
)

// teamVM loads the review card and the comments of the risk's page.
func (s *Server) teamVM(c *fiber.Ctx, d *risk.Detail) (risks.TeamVM, error) {
	ctx, p, org := c.UserContext(), principal(c), orgID(c)
	vm := risks.TeamVM{CSRF: csrfToken(c), Now: s.Now().UTC(), MemberID: p.MemberID, Moderator: p.Role.CanManage(),
		CanReview: p.Role.CanWrite(), Show: risks.ParseShow(c.Query("show")),
		SuggestedNext: s.Reviews.SuggestedNext(d.Register, d.Risk)}
	var err error
	if _, vm.Reviews, err = s.Reviews.List(ctx, org, d.Risk.ID); err != nil {
		return vm, err
	}
	if _, vm.Comments, err = s.Comments.List(ctx, org, d.Risk.ID); err != nil {
		return vm, err
	}
	vm.Members, err = s.Comments.Members(ctx, org)
	return vm, err
}

// showTimeline is the risk page's timeline region, filtered by ?show=
// (htmx swaps it; without htmx it is the whole page).
func (s *Server) showTimeline(c *fiber.Ctx) error {
	vm, err := s.detailVM(c, c.Params("id"))
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return s.renderDetail(c, fiber.StatusOK, vm)
	}
	return render(c, fiber.StatusOK, risks.HistoryRegion(vm, false))
}

// markReviewed records a review of the risk (writers).
func (s *Server) markReviewed(c *fiber.Ctx) error {
	in := risk.ReviewInput{Note: strings.TrimSpace(c.FormValue("note"))}
	next := strings.TrimSpace(c.FormValue("next_review_date"))
	fe := apperr.FieldErrors{}
	if next != "" {
		d, err := time.Parse(time.DateOnly, next)
		if err != nil || !risk.InDateRange(d) {
			fe.Add("nextReviewDate", "Enter a date such as 2026-12-31")
		} else {
			in.NextReviewDate = &d
		}
	}
	var rv *risk.Review
	err := fe.Err()
	if err == nil {
		rv, err = s.Reviews.MarkReviewed(c.UserContext(), orgID(c), actorOf(c), c.Params("id"), in)
	}
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		vm, verr := s.detailVM(c, c.Params("id"))
		if verr != nil {
			return verr
		}
		vm.Team.ReviewNote, vm.Team.ReviewNext, vm.Team.ReviewErrors = in.Note, next, e.ForPeople()
		return s.renderDetail(c, fiber.StatusUnprocessableEntity, vm)
	}
	if err != nil {
		return err
	}
	msg := "Marked reviewed."
	if rv.NextReviewDate != nil {
		msg = "Marked reviewed; next review " + risks.FormatDate(rv.NextReviewDate) + "."
	}
	if err := s.flash(c, layout.FlashSuccess, msg); err != nil {
		return err
	}
	return redirect(c, "/risks/"+c.Params("id")+"#"+risks.ReviewID)
}

// addComment posts a comment on the risk (any member, viewers included).
func (s *Server) addComment(c *fiber.Ctx) error {
	body := c.FormValue("body")
	cm, err := s.Comments.Add(c.UserContext(), orgID(c), actorOf(c), c.Params("id"), body)
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		vm, verr := s.detailVM(c, c.Params("id"))
		if verr != nil {
			return verr
		}
		vm.Team.CommentBody, vm.Team.CommentErrors = body, e.ForPeople()
		return s.renderDetail(c, fiber.StatusUnprocessableEntity, vm)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/risks/"+c.Params("id")+"#comment-"+cm.ID)
}

// editComment shows the form that edits the member's own comment.
func (s *Server) editComment(c *fiber.Ctx) error {
	r, cm, err := s.Comments.Get(c.UserContext(), orgID(c), c.Params("id"), c.Params("commentId"))
	if err != nil {
		return err
	}
	if !cm.CanEdit(principal(c).MemberID, s.Now().UTC()) {
		return apperr.New(apperr.Forbidden, "You can edit your own comments for 15 minutes after posting them.")
	}
	vm := risks.CommentEditVM{Risk: r, Comment: cm, Body: cm.Body}
	return render(c, fiber.StatusOK, risks.CommentEditPage(s.page(c, "Edit comment on "+r.Identifier(), layout.NavRegister), vm))
}

// updateComment saves the member's own comment (within 15 minutes).
func (s *Server) updateComment(c *fiber.Ctx) error {
	body := c.FormValue("body")
	cm, err := s.Comments.Edit(c.UserContext(), orgID(c), actorOf(c), c.Params("id"), c.Params("commentId"), body)
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		r, cur, gerr := s.Comments.Get(c.UserContext(), orgID(c), c.Params("id"), c.Params("commentId"))
		if gerr != nil {
			return gerr
		}
		vm := risks.CommentEditVM{Risk: r, Comment: cur, Body: body, Errors: e.ForPeople()}
		return render(c, fiber.StatusUnprocessableEntity, risks.CommentEditPage(s.page(c, "Edit comment on "+r.Identifier(), layout.NavRegister), vm))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Comment saved."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+c.Params("id")+"#comment-"+cm.ID)
}

// deleteComment removes a comment: the author's own within 15 minutes, or
// any comment for owners and admins.
func (s *Server) deleteComment(c *fiber.Ctx) error {
	err := s.Comments.Delete(c.UserContext(), orgID(c), actorOf(c), c.Params("id"), c.Params("commentId"), principal(c).Role.CanManage())
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Comment deleted."); err != nil {
		return err
	}
	return redirect(c, "/risks/"+c.Params("id")+"#"+risks.HistoryID)
}

// setReviewIntervals saves a register's review intervals (owners and admins).
func (s *Server) setReviewIntervals(c *fiber.Ctx) error {
	reg, err := s.Risks.GetRegister(c.UserContext(), orgID(c), c.Params("id"))
	if err != nil {
		return err
	}
	days := map[int]int{}
	fe := apperr.FieldErrors{}
	for i := range reg.Matrix.Levels {
		key := "days_" + strconv.Itoa(i)
		v := strings.TrimSpace(c.FormValue(key))
		if v == "" {
			continue
		}
		n, perr := strconv.Atoi(v)
		if perr != nil {
			fe.Add(key, "Enter a whole number of days")
			continue
		}
		days[i] = n
	}
	if err = fe.Err(); err == nil {
		_, err = s.Reviews.SetReviewIntervals(c.UserContext(), orgID(c), actorOf(c), reg.ID, days)
	}
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		vm := registers.FormVM{ID: reg.ID, Name: reg.Name, Description: reg.Description, Version: reg.Version,
			Matrix: reg.Matrix, Reviews: registers.ReviewsOf(reg)}
		for i := range vm.Reviews.Levels {
			l := &vm.Reviews.Levels[i]
			l.Days = c.FormValue("days_" + strconv.Itoa(l.Index))
		}
		vm.Reviews.Errors = e.ForPeople()
		return s.renderRegisterForm(c, fiber.StatusUnprocessableEntity, vm)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Review intervals of “"+reg.Name+"” saved."); err != nil {
		return err
	}
	return redirect(c, registers.EditPath(reg.ID))
}

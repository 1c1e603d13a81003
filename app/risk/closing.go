package risk

import (
	"context"
	"fmt"
	"strings"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// ConfirmCloseField is the field of the question a form asks before it
// closes a risk whose mitigation tasks are not all completed.
const ConfirmCloseField = "confirm_close"

// Messages of the browser form's closing rules.
const (
	MsgClosureReasonRequired = "Choose a closure reason to close the risk"
	MsgClosureReasonOnlyOpen = "A closure reason applies only to a closed risk: set the status to Closed, or choose no reason"
)

// CreateForm is Create with the browser form's closing rules (see
// checkClosing); the API keeps the contract's looser rules.
func (s *Service) CreateForm(ctx context.Context, orgID string, actor audit.Actor, in Input) (*Risk, error) {
	if _, err := s.checkClosing(ctx, nil, in, false); err != nil {
		return nil, err
	}
	return s.Create(ctx, orgID, actor, in)
}

// UpdateForm is Update with the browser form's closing rules: closing
// needs a reason, a reason newly chosen for a risk that stays open is
// refused rather than dropped, and closing a risk with unfinished tasks
// needs confirmed. A refusal is an Invalid error; the question about
// unfinished tasks is on ConfirmCloseField.
func (s *Service) UpdateForm(ctx context.Context, orgID string, actor audit.Actor, id string, version int, in Input, confirmed bool) (*Risk, error) {
	return s.patch(ctx, orgID, actor, id, version, &in, func(cur *Risk) (Input, error) {
		return s.checkClosing(ctx, cur, in, confirmed)
	})
}

// checkClosing returns in, or an Invalid error with the closing rules'
// messages and the rest of in's validation; cur is the stored risk (nil
// when creating), read in the caller's transaction.
func (s *Service) checkClosing(ctx context.Context, cur *Risk, in Input, confirmed bool) (Input, error) {
	fe := apperr.NewProblems()
	status, reason := strings.TrimSpace(in.Status), strings.TrimSpace(in.ClosureReason)
	stored, wasClosed := "", false
	if cur != nil {
		stored, wasClosed = cur.ClosureReason, cur.Status == StatusClosed
	}
	switch {
	case status == StatusClosed && reason == "":
		fe.Add("closure_reason", MsgClosureReasonRequired)
	case status != StatusClosed && reason != "" && reason != stored:
		// Reopening a closed risk clears its stored reason (recorded in
		// the history); a reason picked now would be lost without a word.
		fe.Add("closure_reason", MsgClosureReasonOnlyOpen)
	}
	if len(fe.API) == 0 && cur != nil && status == StatusClosed && !wasClosed && !confirmed {
		tasks, err := s.Plans.Tasks(ctx, cur.OrganizationID, cur.ID)
		if err != nil {
			return in, err
		}
		open := 0
		for _, t := range tasks {
			if t.Status != TaskCompleted {
				open++
			}
		}
		switch {
		case open == 1:
			fe.Add(ConfirmCloseField, "1 mitigation task is not completed. Close the risk anyway?")
		case open > 1:
			fe.Add(ConfirmCloseField, fmt.Sprintf("%d mitigation tasks are not completed. Close the risk anyway?", open))
		}
	}
	if len(fe.API) == 0 {
		return in, nil
	}
	norm := in
	norm.Normalize()
	if e, ok := apperr.As(norm.Validate()); ok {
		plain := e.ForPeople()
		for f, msgs := range e.Fields {
			fe.API[f] = append(fe.API[f], msgs...)
			fe.Plain[f] = append(fe.Plain[f], plain[f]...)
		}
	}
	return in, fe.Err()
}

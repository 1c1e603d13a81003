package risk

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// ReviewService runs the review cycle: "Mark reviewed" records a review
// and sets the risk's next review date from its register's interval.
type ReviewService struct {
	Risks     RiskStore
	Registers RegisterStore
	Reviews   ReviewStore
	Events    EventStore
	Tx        TxRunner
	NewID     IDFunc
	Now       func() time.Time
}

// ReviewInput is a "Mark reviewed": an optional note, and the next review
// date (nil = from the register's interval for the risk's level).
type ReviewInput struct {
	Note           string
	NextReviewDate *time.Time
}

// MaxReviewNote is the longest review note, in characters.
const MaxReviewNote = 2000

// FieldReviewed is the field of a review's change on the risk's history.
const FieldReviewed = "reviewed"

// Today is the service clock's day.
func (s *ReviewService) Today() time.Time { return s.Now().UTC().Truncate(24 * time.Hour) }

// MarkReviewed records a review of the risk by actor and sets its next
// review date, with an event on the risk's history, in one transaction.
func (s *ReviewService) MarkReviewed(ctx context.Context, orgID string, actor audit.Actor, riskID string, in ReviewInput) (*Review, error) {
	now := s.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	fe := apperr.FieldErrors{}
	if utf8.RuneCountInString(in.Note) > MaxReviewNote {
		fe.Add("note", "Keep the note under 2000 characters")
	}
	if d := in.NextReviewDate; d != nil {
		day := d.UTC().Truncate(24 * time.Hour)
		in.NextReviewDate = &day
		switch {
		case day.Before(today):
			fe.Add("nextReviewDate", "Pick today or a later date")
		case day.After(today.AddDate(10, 0, 0)):
			fe.Add("nextReviewDate", "Pick a date within ten years")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *Review
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, true)
		if err != nil {
			return err
		}
		reg, err := s.Registers.Register(ctx, orgID, r.RegisterID)
		if err != nil {
			return err
		}
		next := in.NextReviewDate
		if next == nil {
			d := reg.NextReviewFrom(r, today)
			next = &d
		}
		prev, err := s.Reviews.Reviews(ctx, orgID, r.ID, 1)
		if err != nil {
			return err
		}
		var since *time.Time
		if len(prev) > 0 {
			since = &prev[0].ReviewedAt
		}
		events, err := s.Events.ForEntity(ctx, orgID, audit.EntityRisk, r.ID, 500)
		if err != nil {
			return err
		}
		out = &Review{ID: s.NewID("rvw"), OrganizationID: orgID, RiskID: r.ID, ReviewerID: actor.MemberID,
			ReviewerName: actor.Name, ReviewedAt: now, Note: in.Note, Changes: ChangesSinceReview(events, since),
			NextReviewDate: next}
		if err := s.Reviews.InsertReview(ctx, out); err != nil {
			return err
		}
		if err := s.Reviews.SetReviewed(ctx, orgID, r.ID, now, next, actor.MemberID); err != nil {
			return err
		}
		var d audit.Diff
		d.Add(FieldReviewed, "", reviewSummary(out))
		d.Add("next_review_date", dateString(r.NextReviewDate), dateString(next))
		return s.Events.Append(ctx, &audit.Event{
			OrganizationID: orgID, EntityType: audit.EntityRisk, EntityID: r.ID, EntityLabel: r.Identifier(),
			Action: audit.ActionUpdated, Actor: actor, Changes: d, CreatedAt: now,
		})
	})
	return out, err
}

func reviewSummary(r *Review) string {
	s := "No change"
	if !r.NoChange() {
		s = "Changed since the previous review"
	}
	if r.Note != "" {
		s += ": " + r.Note
	}
	return s
}

// ChangesSinceReview merges the risk's update events (newest first, as the
// trail returns them) after since (nil = since it was created) into one
// change per field, from the first old value to the last new one; fields
// that came back to where they were are left out, and so are reviews.
func ChangesSinceReview(events []*audit.Event, since *time.Time) []audit.Change {
	type span struct{ old, new string }
	var order []string
	spans := map[string]*span{}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Action != audit.ActionUpdated || (since != nil && !e.CreatedAt.After(*since)) || isReview(e) {
			continue
		}
		for _, c := range e.Changes {
			sp, ok := spans[c.Field]
			if !ok {
				sp = &span{old: c.Old}
				spans[c.Field] = sp
				order = append(order, c.Field)
			}
			sp.new = c.New
		}
	}
	out := []audit.Change{}
	for _, f := range order {
		if sp := spans[f]; sp.old != sp.new {
			out = append(out, audit.Change{Field: f, Old: sp.old, New: sp.new})
		}
	}
	return out
}

func isReview(e *audit.Event) bool {
	for _, c := range e.Changes {
		if c.Field == FieldReviewed {
			return true
		}
	}
	return false
}

// List returns the risk's reviews, newest first (at most 100), or
// NotFound for a risk of another organization.
func (s *ReviewService) List(ctx context.Context, orgID, riskID string) (*Risk, []*Review, error) {
	r, err := s.Risks.Get(ctx, orgID, riskID, false)
	if err != nil {
		return nil, nil, err
	}
	rs, err := s.Reviews.Reviews(ctx, orgID, r.ID, 100)
	return r, rs, err
}

// SuggestedNext returns the next review date a review today would set.
func (s *ReviewService) SuggestedNext(reg *Register, r *Risk) time.Time {
	return reg.NextReviewFrom(r, s.Today())
}

// SetReviewIntervals sets the register's review interval per level index
// (days; every level of its matrix), with an event on the register's
// history. A bad interval is an Invalid error naming "days_<index>".
func (s *ReviewService) SetReviewIntervals(ctx context.Context, orgID string, actor audit.Actor, registerID string, days map[int]int) (*Register, error) {
	var out *Register
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		reg, err := s.Registers.RegisterForUpdate(ctx, orgID, registerID)
		if err != nil {
			return err
		}
		fe := apperr.FieldErrors{}
		iv := ReviewIntervals{}
		var d audit.Diff
		for i, l := range reg.Matrix.Levels {
			v, ok := days[i]
			if !ok {
				v = reg.ReviewDays(i)
			}
			if v < MinReviewDays || v > MaxReviewDays {
				fe.Add("days_"+strconv.Itoa(i), "Enter a number of days from 1 to 3660")
				continue
			}
			iv[strconv.Itoa(i)] = v
			d.Add("review_interval_"+l.Name, strconv.Itoa(reg.ReviewDays(i)), strconv.Itoa(v))
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.Now().UTC()
		if err := s.Reviews.SetReviewIntervals(ctx, orgID, reg.ID, iv, now); err != nil {
			return err
		}
		reg.ReviewIntervals = iv
		out = reg
		if len(d) == 0 {
			return nil
		}
		return s.Events.Append(ctx, &audit.Event{OrganizationID: orgID, EntityType: audit.EntityRegister, EntityID: reg.ID,
			EntityLabel: reg.Name, Action: audit.ActionUpdated, Actor: actor, Changes: d, CreatedAt: now})
	})
	return out, err
}

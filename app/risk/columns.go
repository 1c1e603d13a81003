package risk

import (
	"context"
	"slices"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

// Column is a column of the register's table that a member can show or
// hide; the identifier and the title always show.
type Column struct {
	Key   string
	Label string
}

// Columns are the register's optional columns, in table order.
var Columns = []Column{
	{"category", "Category"}, {"department", "Department"}, {"assignee", "Assignee"}, {"status", "Status"},
	{"inherent", "Inherent level"}, {"residual", "Residual level"}, {"treatment", "Treatment"},
	{"tasks", "Open tasks"}, {"due", "Due date"}, {"next_review", "Next review"}, {"updated", "Updated"},
	{"created", "Created"}, {"type", "Type"},
}

// DefaultColumns are the columns of a member who never chose.
var DefaultColumns = []string{"category", "department", "assignee", "status", "inherent", "residual", "due", "updated"}

// PreferenceStore keeps what each member chose to see.
type PreferenceStore interface {
	// RegisterColumns returns the member's columns, or nil and no error
	// when the member never chose.
	RegisterColumns(ctx context.Context, orgID, memberID string) ([]string, error)
	// SetRegisterColumns stores the member's columns.
	SetRegisterColumns(ctx context.Context, orgID, memberID string, cols []string, now time.Time) error
}

// PlanSummary is what the register shows of a risk's plan.
type PlanSummary struct {
	Treatment string // the treatment type, "" when none
	OpenTasks int    // tasks not completed
}

// RegisterColumns returns the columns the member shows, the defaults when
// they never chose.
func (s *Service) RegisterColumns(ctx context.Context, orgID, memberID string) ([]string, error) {
	cols, err := s.Prefs.RegisterColumns(ctx, orgID, memberID)
	if err != nil || cols == nil {
		return slices.Clone(DefaultColumns), err
	}
	return orderColumns(cols), nil
}

// SetRegisterColumns remembers the member's columns and returns them in
// table order; an unknown column is an Invalid error naming the field "columns".
func (s *Service) SetRegisterColumns(ctx context.Context, orgID, memberID string, cols []string) ([]string, error) {
	for _, c := range cols {
		if !slices.ContainsFunc(Columns, func(k Column) bool { return k.Key == c }) {
			return nil, &apperr.Error{Code: apperr.Invalid, Message: "Unknown column; choose columns from the Columns menu",
				Fields: apperr.FieldErrors{"columns": {"Unknown column"}}}
		}
	}
	cols = orderColumns(cols)
	return cols, s.Prefs.SetRegisterColumns(ctx, orgID, memberID, cols, s.Now())
}

// orderColumns keeps the known columns of cols, once each, in table order.
func orderColumns(cols []string) []string {
	out := []string{}
	for _, c := range Columns {
		if slices.Contains(cols, c.Key) {
			out = append(out, c.Key)
		}
	}
	return out
}

// PlanSummaries returns the treatment and open-task count of each of the
// risks (by id) that has either, from one query.
func (s *Service) PlanSummaries(ctx context.Context, orgID string, riskIDs []string) (map[string]PlanSummary, error) {
	if len(riskIDs) == 0 {
		return map[string]PlanSummary{}, nil
	}
	return s.Plans.Summaries(ctx, orgID, riskIDs)
}

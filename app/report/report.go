// Package report looks back over the register: what moved between two
// dates (read from the audit trail) and the committee pack, the periodic
// report to a risk committee. It imports no web, database or template
// package.
package report

import (
	"context"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// Store reads what the reports need beyond the risk service.
type Store interface {
	// OrganizationName returns the organization's name.
	OrganizationName(ctx context.Context, orgID string) (string, error)
	// RiskEventsSince returns the organization's risk events at or after
	// since, oldest first: created, deleted (with the snapshot) and
	// restored events, and updated events that changed the status, the
	// residual level or the register, each with only those changes.
	RiskEventsSince(ctx context.Context, orgID string, since time.Time) ([]*audit.Event, error)
	// OverdueTasks returns the unfinished tasks of the register's risks
	// (neither closed nor archived) due before day and not completed by
	// its end, by due date, at most limit, and how many there are.
	OverdueTasks(ctx context.Context, orgID, registerID string, day time.Time, limit int) ([]OverdueTask, int, error)
	// OverdueReviews returns the register's risks (neither closed nor
	// archived) whose next review date is before day, oldest first, at most
	// limit, and how many there are.
	OverdueReviews(ctx context.Context, orgID, registerID string, day time.Time, limit int) ([]*risk.Risk, int, error)
	// IncidentsBetween returns the incidents that occurred or were
	// discovered on a day from from to to (inclusive), by occurrence.
	IncidentsBetween(ctx context.Context, orgID string, from, to time.Time) ([]*incident.Incident, error)
}

// OverdueTask is a mitigation task past its due date, with its risk.
type OverdueTask struct {
	Task           *risk.Task
	RiskID         string
	RiskIdentifier string
	RiskTitle      string
}

// Service builds the reports.
type Service struct {
	Risks *risk.Service
	Store Store
	Now   func() time.Time
}

// day is 24 hours: periods are whole UTC days.
const day = 24 * time.Hour

// Today returns the service clock's day (UTC midnight).
func (s *Service) Today() time.Time { return s.Now().UTC().Truncate(day) }

// DefaultSinceDays is how far back "changes since" looks by default.
const DefaultSinceDays = 90

// ParseSince reads the since parameter (YYYY-MM-DD); empty is
// DefaultSinceDays before today. A bad date is an Invalid error on field.
func (s *Service) ParseSince(field, v string) (time.Time, error) {
	if v == "" {
		return s.Today().AddDate(0, 0, -DefaultSinceDays), nil
	}
	t, ok := risk.ParseDate(v)
	if !ok {
		return time.Time{}, invalid(field, "Enter "+field+" as a date, YYYY-MM-DD")
	}
	return t, nil
}

// Period is a range of whole days, From to To inclusive (UTC midnights).
type Period struct{ From, To time.Time }

// Start is the first instant of the period.
func (p Period) Start() time.Time { return p.From }

// End is the first instant after the period (the end of its last day).
func (p Period) End() time.Time { return p.To.Add(day) }

// LastQuarter returns the calendar quarter before today's.
func LastQuarter(today time.Time) Period {
	q := (int(today.Month()) - 1) / 3
	start := time.Date(today.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	from := start.AddDate(0, -3, 0)
	return Period{From: from, To: start.AddDate(0, 0, -1)}
}

// ParsePeriod reads a period from from and to (YYYY-MM-DD); both empty is
// the last quarter. Errors are Invalid, on fromField and toField.
func (s *Service) ParsePeriod(fromField, from, toField, to string) (Period, error) {
	p := LastQuarter(s.Today())
	fe := apperr.NewProblems()
	if from != "" {
		if t, ok := risk.ParseDate(from); ok {
			p.From = t
		} else {
			fe.Add(fromField, "Enter "+fromField+" as a date, YYYY-MM-DD")
		}
	}
	if to != "" {
		if t, ok := risk.ParseDate(to); ok {
			p.To = t
		} else {
			fe.Add(toField, "Enter "+toField+" as a date, YYYY-MM-DD")
		}
	}
	if len(fe.API) == 0 && p.From.After(p.To) {
		fe.Add(toField, "The period must end on or after its start ("+fromField+")")
	}
	if err := fe.Err(); err != nil {
		return Period{}, err
	}
	return p, nil
}

func invalid(field, msg string) error {
	fe := apperr.FieldErrors{}
	fe.Add(field, msg)
	return fe.Err()
}

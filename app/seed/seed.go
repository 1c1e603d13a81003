// Package seed creates the demo organization: Northwind Logistics, its
// people and about forty realistic risks, written through the domain
// services so every risk has its audit trail.
package seed

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// Demo login, printed by `make run`.
const (
	DemoOrganization = "Northwind Logistics"
	DemoSlug         = "northwind-logistics"
	DemoPassword     = "riskreg-demo"
)

// DemoEmail is the demo owner's sign-in.
func DemoEmail() string { return demoPeople[0].Email }

// Seeder writes the demo data.
type Seeder struct {
	Accounts *account.Service
	Risks    *risk.Service
	// Incidents, when set, records the demo incidents.
	Incidents *incident.Service
}

// Demo creates the demo organization unless it exists; created reports
// whether it did.
func (s *Seeder) Demo(ctx context.Context) (created bool, err error) {
	if _, err := s.Accounts.FindOrganization(ctx, DemoSlug); err == nil {
		return false, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	var org *account.Organization
	for _, p := range demoPeople {
		_, o, err := s.Accounts.CreateUser(ctx, account.NewUserInput{
			Organization: DemoOrganization, Name: p.Name, Email: p.Email, Password: DemoPassword, Role: account.Role(p.Role),
		})
		if err != nil {
			return false, fmt.Errorf("seed %s: %w", p.Email, err)
		}
		org = o
	}
	members, err := s.Accounts.Members(ctx, org.ID)
	if err != nil {
		return false, err
	}
	byEmail := map[string]account.Member{}
	for _, m := range members {
		byEmail[m.Email] = m
	}
	owner := byEmail[demoPeople[0].Email]
	actor := audit.Actor{MemberID: owner.ID, Name: owner.Name}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	seeded := map[string]*risk.Risk{}
	recorded := map[string]time.Time{}
	assignee := map[string]int{}
	var steps []step
	for i, d := range demoRisks {
		in := risk.Input{
			Title: d.Title, Description: d.Description, Category: d.Category, Department: d.Department,
			Status: d.Status, Probability: d.Probability, Impact: d.Impact,
			ResidualProbability: d.ResidualProbability, ResidualImpact: d.ResidualImpact,
			ClosureReason: d.ClosureReason, Tags: d.Tags,
		}
		if c, ok := demoClasses[d.Title]; ok {
			in.Type, in.ThreatObjectives = c.Type, c.Objectives
		}
		if d.Assignee >= 0 {
			in.AssigneeID = byEmail[demoPeople[d.Assignee].Email].ID
		}
		if d.DueInDays != 0 {
			due := today.AddDate(0, 0, d.DueInDays)
			in.DueDate = &due
		}
		// Risks were recorded over the last three months, oldest first.
		at := today.AddDate(0, 0, i-90).Add(9*time.Hour + time.Duration(i)*11*time.Minute)
		recorded[d.Title], assignee[d.Title] = at, d.Assignee
		steps = append(steps, step{at, func(svc *risk.Service) error {
			r, err := svc.Create(ctx, org.ID, actor, in)
			seeded[d.Title] = r
			return err
		}})
	}
	for _, p := range demoPlans {
		at, ok := recorded[p.Risk]
		if !ok {
			return false, fmt.Errorf("seed the plan of %q: no demo risk has this title", p.Risk)
		}
		steps = append(steps, planSteps(ctx, org.ID, p, at, assignee[p.Risk], seeded, byEmail, today)...)
	}
	// Every change is written in the order of its date, so the history and
	// the dashboard's recent activity read in time order.
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	for _, st := range steps {
		if err := st.run(s.at(st.at)); err != nil {
			return false, fmt.Errorf("seed the demo data: %w", err)
		}
	}
	if s.Incidents != nil {
		memberOf := func(i int) string { return byEmail[demoPeople[i].Email].ID }
		if err := s.demoIncidents(ctx, org.ID, actor, memberOf, today); err != nil {
			return false, err
		}
	}
	return true, nil
}

// step is one change of the demo data at its date.
type step struct {
	at  time.Time
	run func(svc *risk.Service) error
}

// at returns the risk service with its clock stopped at t, so that the
// demo history spreads over past days.
func (s *Seeder) at(t time.Time) *risk.Service {
	svc := *s.Risks
	svc.Now = func() time.Time { return t }
	return &svc
}

// planSteps are a demo risk's treatment, tasks and later changes, each a
// few days after the risk was recorded (at), made by its assignee (index
// into demoPeople, or the owner); the risk is read from seeded when the
// steps run.
func planSteps(ctx context.Context, orgID string, p demoPlan, at time.Time, assignee int, seeded map[string]*risk.Risk, byEmail map[string]account.Member, today time.Time) []step {
	person := func(i int) audit.Actor {
		if i < 0 || i >= len(demoPeople) || demoPeople[i].Role == "viewer" {
			i = 0
		}
		m := byEmail[demoPeople[i].Email]
		return audit.Actor{MemberID: m.ID, Name: m.Name}
	}
	actor := person(assignee)
	day := func(n int) time.Time { return at.AddDate(0, 0, n) }
	id := func() string { return seeded[p.Risk].ID }
	steps := []step{{day(2), func(svc *risk.Service) error {
		_, err := svc.SetTreatment(ctx, orgID, actor, id(), risk.TreatmentInput{Type: p.Treatment, Description: p.How})
		return err
	}}}
	for j, t := range p.Tasks {
		due := today.AddDate(0, 0, t.DueInDays)
		in := risk.TaskInput{Title: t.Title, DueDate: &due}
		if t.Assignee >= 0 {
			in.AssigneeID = byEmail[demoPeople[t.Assignee].Email].ID
		}
		var task *risk.Task
		steps = append(steps, step{day(3).Add(time.Duration(j) * time.Hour), func(svc *risk.Service) (err error) {
			task, err = svc.AddTask(ctx, orgID, actor, id(), in)
			return err
		}})
		status := ""
		switch {
		case t.Done:
			status = risk.TaskCompleted
		case t.Started:
			status = risk.TaskInProgress
		}
		if status != "" { // work starts a week later
			steps = append(steps, step{day(9 + j), func(svc *risk.Service) error {
				_, err := svc.SetTaskStatus(ctx, orgID, person(t.Assignee), id(), task.ID, status)
				return err
			}})
		}
	}
	return append(steps, step{day(14), func(svc *risk.Service) error {
		_, err := svc.Patch(ctx, orgID, actor, id(), 0, func(cur *risk.Risk) (risk.Input, error) {
			in := risk.InputOf(cur)
			if p.ReviewInDays != 0 {
				review := today.AddDate(0, 0, p.ReviewInDays)
				in.NextReviewDate = &review
			}
			if p.Pending {
				in.Status = risk.StatusPending
			}
			return in, nil
		})
		return err
	}})
}

// BulkInsert stores n generated risks in reg as the named member, with
// SQL set operations (db.BulkInsertRisks).
type BulkInsert func(ctx context.Context, reg *risk.Register, memberID, memberName string, n int) error

// ManyRisks adds n generated risks to the demo organization's default
// register, for scale tests; the demo organization must exist.
func (s *Seeder) ManyRisks(ctx context.Context, n int, insert BulkInsert) error {
	org, err := s.Accounts.FindOrganization(ctx, DemoSlug)
	if err != nil {
		return fmt.Errorf("find the demo organization: %w", err)
	}
	reg, _, err := s.Risks.ResolveRegister(ctx, org.ID, "")
	if err != nil {
		return fmt.Errorf("find the demo register: %w", err)
	}
	members, err := s.Accounts.Members(ctx, org.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Email == DemoEmail() {
			return insert(ctx, reg, m.ID, m.Name, n)
		}
	}
	return fmt.Errorf("the demo owner %s is missing", DemoEmail())
}

// Package seed creates the demo organization: Northwind Logistics, its
// people and about forty realistic risks, written through the domain
// services so every risk has its audit trail.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
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
	for i, d := range demoRisks {
		in := risk.Input{
			Title: d.Title, Description: d.Description, Category: d.Category, Department: d.Department,
			Status: d.Status, Probability: d.Probability, Impact: d.Impact,
			ResidualProbability: d.ResidualProbability, ResidualImpact: d.ResidualImpact,
			ClosureReason: d.ClosureReason, Tags: d.Tags,
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
		r, err := s.at(at).Create(ctx, org.ID, actor, in)
		if err != nil {
			return false, fmt.Errorf("seed risk %q: %w", d.Title, err)
		}
		seeded[d.Title] = r
	}
	for _, p := range demoPlans {
		if err := s.plan(ctx, org.ID, p, seeded[p.Risk], byEmail, today); err != nil {
			return false, fmt.Errorf("seed the plan of %q: %w", p.Risk, err)
		}
	}
	return true, nil
}

// at returns the risk service with its clock stopped at t, so that the
// demo history spreads over past days.
func (s *Seeder) at(t time.Time) *risk.Service {
	svc := *s.Risks
	svc.Now = func() time.Time { return t }
	return &svc
}

// plan writes a demo risk's treatment, tasks and later changes, each a few
// days after the previous one, as the risk's assignee (or the owner).
func (s *Seeder) plan(ctx context.Context, orgID string, p demoPlan, r *risk.Risk, byEmail map[string]account.Member, today time.Time) error {
	if r == nil {
		return fmt.Errorf("no demo risk has this title")
	}
	person := func(i int) audit.Actor {
		if i < 0 || i >= len(demoPeople) || demoPeople[i].Role == "viewer" {
			i = 0
		}
		m := byEmail[demoPeople[i].Email]
		return audit.Actor{MemberID: m.ID, Name: m.Name}
	}
	actor := person(-1)
	if r.AssigneeID != "" {
		for i, dp := range demoPeople {
			if byEmail[dp.Email].ID == r.AssigneeID {
				actor = person(i)
			}
		}
	}
	day := func(n int) time.Time { return r.CreatedAt.AddDate(0, 0, n) }
	if _, err := s.at(day(2)).SetTreatment(ctx, orgID, actor, r.ID, risk.TreatmentInput{Type: p.Treatment, Description: p.How}); err != nil {
		return err
	}
	added := make([]*risk.Task, len(p.Tasks))
	for j, t := range p.Tasks {
		due := today.AddDate(0, 0, t.DueInDays)
		in := risk.TaskInput{Title: t.Title, DueDate: &due}
		if t.Assignee >= 0 {
			in.AssigneeID = byEmail[demoPeople[t.Assignee].Email].ID
		}
		task, err := s.at(day(3).Add(time.Duration(j)*time.Hour)).AddTask(ctx, orgID, actor, r.ID, in)
		if err != nil {
			return err
		}
		added[j] = task
	}
	// Work on the tasks starts a week later, in the order of the history.
	for j, t := range p.Tasks {
		status := ""
		switch {
		case t.Done:
			status = risk.TaskCompleted
		case t.Started:
			status = risk.TaskInProgress
		}
		if status != "" {
			if _, err := s.at(day(9+j)).SetTaskStatus(ctx, orgID, person(t.Assignee), r.ID, added[j].ID, status); err != nil {
				return err
			}
		}
	}
	_, err := s.at(day(14)).Patch(ctx, orgID, actor, r.ID, 0, func(cur *risk.Risk) (risk.Input, error) {
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

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
	for _, d := range demoRisks {
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
		if _, err := s.Risks.Create(ctx, org.ID, actor, in); err != nil {
			return false, fmt.Errorf("seed risk %q: %w", d.Title, err)
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

package seed

import (
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

var (
	validCategories = []string{"customer", "governance", "operations", "other", "people",
		"regulatory", "reporting", "resilience", "technology", "vendor_management"}
	validDepartments = []string{"none", "admin", "gov", "hr", "it", "itsm", "qms"}
	validClosure     = map[string]bool{"eliminated": true, "accepted": true, "mitigated": true,
		"transferred": true, "no_risk": true}
	validRoles = map[string]bool{"owner": true, "admin": true, "editor": true, "viewer": true}
)

// band maps a 1–10 value to the 1–5 matrix band.
func band(v int) int { return (v + 1) / 2 }

// level classifies an assessed risk by the product of its bands.
func level(p, i int) string {
	switch s := band(p) * band(i); {
	case s <= 4:
		return "low"
	case s <= 9:
		return "medium"
	case s <= 16:
		return "high"
	default:
		return "critical"
	}
}

func TestDemoPeople(t *testing.T) {
	if len(demoPeople) != 6 {
		t.Fatalf("want 6 people, got %d", len(demoPeople))
	}
	if demoPeople[0].Role != "owner" || demoPeople[0].Email != "demo@northwind.example" {
		t.Errorf("first person must be the demo owner, got %+v", demoPeople[0])
	}
	roles := map[string]int{}
	emails := map[string]bool{}
	for _, p := range demoPeople {
		if p.Name == "" {
			t.Errorf("empty name: %+v", p)
		}
		if !validRoles[p.Role] {
			t.Errorf("%s: invalid role %q", p.Name, p.Role)
		}
		roles[p.Role]++
		if p.Email != strings.ToLower(p.Email) {
			t.Errorf("%s: email %q is not lowercase", p.Name, p.Email)
		}
		if !strings.HasSuffix(p.Email, "@northwind.example") {
			t.Errorf("%s: email %q not on northwind.example", p.Name, p.Email)
		}
		if emails[p.Email] {
			t.Errorf("duplicate email %q", p.Email)
		}
		emails[p.Email] = true
	}
	want := map[string]int{"owner": 1, "admin": 1, "editor": 3, "viewer": 1}
	for r, n := range want {
		if roles[r] != n {
			t.Errorf("role %s: want %d, got %d", r, n, roles[r])
		}
	}
}

func TestDemoRisks(t *testing.T) {
	if len(demoRisks) != 42 {
		t.Fatalf("want 42 risks, got %d", len(demoRisks))
	}
	cats := map[string]int{}
	depts := map[string]int{}
	statuses := map[string]int{}
	levels := map[string]int{}
	titles := map[string]bool{}
	vuln, notAssessed, overdue := 0, 0, 0

	for _, c := range validCategories {
		cats[c] = 0
	}
	for _, d := range validDepartments {
		depts[d] = 0
	}

	for _, r := range demoRisks {
		name := r.Title
		if r.Title == "" || len(r.Title) > 200 {
			t.Errorf("%q: title length %d out of range", name, len(r.Title))
		}
		if n := len(strings.Fields(r.Title)); n < 4 || n > 10 {
			t.Errorf("%q: title has %d words, want 4–10", name, n)
		}
		if titles[r.Title] {
			t.Errorf("duplicate title %q", name)
		}
		titles[r.Title] = true
		if strings.TrimSpace(r.Description) == "" || len(r.Description) > 2000 {
			t.Errorf("%q: description length %d out of range", name, len(r.Description))
		}
		if strings.Contains(strings.ToLower(r.Description), "vulnerab") {
			vuln++
		}

		if _, ok := cats[r.Category]; !ok {
			t.Errorf("%q: invalid category %q", name, r.Category)
		}
		cats[r.Category]++
		if _, ok := depts[r.Department]; !ok {
			t.Errorf("%q: invalid department %q", name, r.Department)
		}
		depts[r.Department]++
		statuses[r.Status]++

		if r.Status == "closed" {
			if !validClosure[r.ClosureReason] {
				t.Errorf("%q: closed with invalid closure reason %q", name, r.ClosureReason)
			}
		} else if r.ClosureReason != "" {
			t.Errorf("%q: status %s must not have a closure reason", name, r.Status)
		}

		for _, v := range []int{r.Probability, r.Impact, r.ResidualProbability, r.ResidualImpact} {
			if v < 0 || v > 10 {
				t.Errorf("%q: value %d outside 0–10", name, v)
			}
		}
		if (r.Probability == 0) != (r.Impact == 0) {
			t.Errorf("%q: probability and impact must both be set or both be 0", name)
		}
		if (r.ResidualProbability == 0) != (r.ResidualImpact == 0) {
			t.Errorf("%q: residual probability and impact must both be set or both be 0", name)
		}
		if r.Probability == 0 {
			notAssessed++
			if r.ResidualProbability != 0 {
				t.Errorf("%q: unassessed risk has residual values", name)
			}
		} else {
			levels[level(r.Probability, r.Impact)]++
		}

		if r.Assignee < -1 || r.Assignee >= len(demoPeople) {
			t.Errorf("%q: assignee index %d out of range", name, r.Assignee)
		} else if r.Assignee >= 0 && demoPeople[r.Assignee].Role == "viewer" {
			t.Errorf("%q: assigned to viewer %s", name, demoPeople[r.Assignee].Name)
		}
		if r.DueInDays < 0 {
			overdue++
		}
		for _, tag := range r.Tags {
			if tag == "" || tag != strings.ToLower(tag) || strings.ContainsAny(tag, " \t") {
				t.Errorf("%q: bad tag %q", name, tag)
			}
		}
		if len(r.Tags) > 3 {
			t.Errorf("%q: %d tags, want at most 3", name, len(r.Tags))
		}
	}

	for c, n := range cats {
		if n < 2 {
			t.Errorf("category %s used %d times, want ≥ 2", c, n)
		}
	}
	for d, n := range depts {
		if n < 2 {
			t.Errorf("department %s used %d times, want ≥ 2", d, n)
		}
	}
	wantStatus := map[string]int{"open": 28, "pending": 7, "closed": 5, "archived": 2}
	for s, n := range wantStatus {
		if statuses[s] != n {
			t.Errorf("status %s: want %d, got %d", s, n, statuses[s])
		}
	}
	if len(statuses) != len(wantStatus) {
		t.Errorf("unexpected statuses: %v", statuses)
	}
	for _, l := range []string{"low", "medium", "high", "critical"} {
		if levels[l] == 0 {
			t.Errorf("no %s risk in the demo data (levels: %v)", l, levels)
		}
	}
	if notAssessed != 3 {
		t.Errorf("want 3 unassessed risks, got %d", notAssessed)
	}
	if vuln < 2 {
		t.Errorf("want ≥ 2 descriptions mentioning vulnerab*, got %d", vuln)
	}
	if overdue < 3 {
		t.Errorf("want several overdue risks, got %d", overdue)
	}
	t.Logf("levels: %v, overdue: %d", levels, overdue)
}

// TestDemoIncidents: every demo incident is valid, names a demo person and
// links only demo risks.
func TestDemoIncidents(t *testing.T) {
	if len(demoIncidents) < 5 {
		t.Fatalf("%d demo incidents, want a handful", len(demoIncidents))
	}
	for _, d := range demoIncidents {
		in := incident.Input{Title: d.Title, Description: d.Description, Severity: d.Severity, Status: d.Status}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Errorf("%q: %v", d.Title, err)
		}
		if d.Reporter < 0 || d.Reporter >= len(demoPeople) {
			t.Errorf("%q: reporter %d is not a demo person", d.Title, d.Reporter)
		}
		for _, n := range d.Risks {
			if n < 1 || int(n) > len(demoRisks) {
				t.Errorf("%q: links RSK-%05d, not a demo risk", d.Title, n)
			}
		}
	}
}

// Every classified demo title is a demo risk, with a valid type and
// objectives.
func TestDemoClassifications(t *testing.T) {
	titles := map[string]bool{}
	for _, r := range demoRisks {
		titles[r.Title] = true
	}
	types := map[string]bool{}
	for title, c := range demoClasses {
		if !titles[title] {
			t.Errorf("%q is not a demo risk", title)
		}
		in := risk.Input{Title: "t", Description: "d", Category: "other", Type: c.Type, ThreatObjectives: c.Objectives}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Errorf("%q: %v", title, err)
		}
		types[c.Type] = true
	}
	if len(types) != len(risk.RiskTypes) {
		t.Errorf("the demo uses %d of the %d types", len(types), len(risk.RiskTypes))
	}
}

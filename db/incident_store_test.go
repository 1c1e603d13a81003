package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

func incidentService(f *fixture) *incident.Service {
	return &incident.Service{Store: &db.IncidentStore{DB: f.DB}, Risks: f.Risks, Events: f.Events,
		Tx: db.Tx{DB: f.DB}, NewID: db.NewID, Now: time.Now}
}

func date(s string) *time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return &t
}

// TestIncidentLifecycle: numbering per organization, validation naming
// fields, update with versions, links both ways, history on both sides,
// and delete keeping the risks.
func TestIncidentLifecycle(t *testing.T) {
	f := newFixture(t)
	svc := incidentService(f)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha Ltd"), f.tenant(t, "Beta Ltd")

	_, err := svc.Create(ctx, a.OrgID, a.Actor, incident.Input{Title: " ", Severity: "huge",
		OccurredAt: date("2026-05-02"), DiscoveredAt: date("2026-05-01"), ReporterID: "mem_nobody"})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("invalid create: %v, want Invalid", err)
	}
	for _, field := range []string{"title", "severity", "discoveredAt"} {
		if !e.Fields.Has(field) {
			t.Errorf("invalid create: no error on %s: %v", field, e.Fields)
		}
	}
	if _, err := svc.Create(ctx, a.OrgID, a.Actor, incident.Input{Title: "x", ReporterID: "mem_nobody"}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown reporter: %v, want Invalid", err)
	}
	var n int
	if err := f.DB.NewRaw("SELECT count(*) FROM incidents").Scan(ctx, &n); err != nil || n != 0 {
		t.Fatalf("%d incidents after refused creates (%v), want 0", n, err)
	}

	i1, err := svc.Create(ctx, a.OrgID, a.Actor, incident.Input{Title: "Phishing wave", Severity: "high",
		OccurredAt: date("2026-05-01"), ReporterID: a.Actor.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	i2, _ := svc.Create(ctx, a.OrgID, a.Actor, incident.Input{Title: "Second"})
	ib, _ := svc.Create(ctx, b.OrgID, b.Actor, incident.Input{Title: "Beta's first"})
	if i1.Identifier() != "INC-00001" || i2.Identifier() != "INC-00002" || ib.Identifier() != "INC-00001" {
		t.Errorf("identifiers %s %s %s, want INC-00001 INC-00002 and Beta's INC-00001", i1.Identifier(), i2.Identifier(), ib.Identifier())
	}
	if i1.Status != incident.StatusOpen || i2.Severity != "medium" {
		t.Errorf("defaults: status %q severity %q", i1.Status, i2.Severity)
	}
	for _, key := range []string{i1.ID, "INC-00001", "inc-1", "1"} {
		got, err := svc.Get(ctx, a.OrgID, key)
		if err != nil || got.ID != i1.ID || got.Reporter == nil || got.Reporter.Name != a.Actor.Name {
			t.Errorf("Get(%q) = %+v, %v", key, got, err)
		}
	}
	if _, err := svc.Get(ctx, b.OrgID, i1.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another organization's incident by id: %v, want NotFound", err)
	}

	// Resolving sets the resolved date; a stale version is a Conflict.
	up, err := svc.Update(ctx, a.OrgID, a.Actor, i1.ID, 1, incident.Input{Title: "Phishing wave", Severity: "critical", Status: "resolved", OccurredAt: date("2026-05-01")})
	if err != nil || up.Version != 2 || up.ResolvedOn == nil {
		t.Fatalf("update: %+v, %v", up, err)
	}
	if _, err := svc.Update(ctx, a.OrgID, a.Actor, i1.ID, 1, incident.Input{Title: "Lost"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("stale update: %v, want Conflict", err)
	}

	// Links: same organization only, idempotent, in both histories.
	ra := f.create(t, a, risk.Input{Title: "Credential theft"})
	rb := f.create(t, b, risk.Input{Title: "Beta's risk"})
	if _, err := svc.LinkRisk(ctx, a.OrgID, a.Actor, i1.ID, rb.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("linking another organization's risk: %v, want NotFound", err)
	}
	if _, err := svc.LinkRisk(ctx, b.OrgID, b.Actor, i1.ID, rb.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("linking from another organization: %v, want NotFound", err)
	}
	for range 2 {
		got, err := svc.LinkRisk(ctx, a.OrgID, a.Actor, "INC-00001", ra.Identifier())
		if err != nil || len(got.RiskIDs) != 1 || got.RiskIDs[0] != ra.ID {
			t.Fatalf("link: %+v, %v", got, err)
		}
	}
	refs, err := svc.ForRisk(ctx, a.OrgID, ra.ID)
	if err != nil || len(refs) != 1 || refs[0].Identifier() != "INC-00001" {
		t.Errorf("ForRisk = %+v, %v", refs, err)
	}
	riskEvents, _ := f.Risks.History(ctx, a.OrgID, ra.ID, 10)
	if len(riskEvents) != 2 || riskEvents[0].Changes[0].Field != "linked_incident" || riskEvents[0].Changes[0].New != "INC-00001 Phishing wave" {
		t.Errorf("risk history after one link (twice) = %+v", riskEvents)
	}
	incEvents, _ := svc.History(ctx, a.OrgID, i1.ID, 10)
	if len(incEvents) != 3 || incEvents[0].Changes[0].Field != "linked_risk" {
		t.Errorf("incident history = %d events, newest %+v; want created, updated, linked", len(incEvents), incEvents[0])
	}

	// A database-level cross-organization link is refused by the composite key.
	_, err = f.DB.NewRaw("INSERT INTO incident_risks (organization_id, incident_id, risk_id) VALUES (?, ?, ?)", a.OrgID, i1.ID, rb.ID).Exec(ctx)
	if err == nil {
		t.Error("a link to another organization's risk was stored")
	}

	if _, err := svc.UnlinkRisk(ctx, a.OrgID, a.Actor, i1.ID, ra.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UnlinkRisk(ctx, a.OrgID, a.Actor, i1.ID, ra.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unlinking twice: %v, want NotFound", err)
	}

	// Delete: the risk stays, its history notes the unlinking.
	if _, err := svc.LinkRisk(ctx, a.OrgID, a.Actor, i2.ID, ra.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, a.OrgID, a.Actor, i2.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.Get(ctx, a.OrgID, ra.ID); err != nil {
		t.Errorf("the risk went with the incident: %v", err)
	}
	riskEvents, _ = f.Risks.History(ctx, a.OrgID, ra.ID, 10)
	if c := riskEvents[0].Changes[0]; c.Field != "linked_incident" || c.Old != "INC-00002 Second" || c.New != "" {
		t.Errorf("risk history after the incident's delete: %+v", c)
	}
	deleted, _ := svc.History(ctx, a.OrgID, i2.ID, 1)
	if len(deleted) != 1 || deleted[0].Action != audit.ActionDeleted || deleted[0].Snapshot["title"] != "Second" {
		t.Errorf("deleted incident's last event = %+v", deleted)
	}
}

// TestIncidentCreateRisk: the risk is prefilled, sourced and linked in one
// transaction; a refused risk leaves nothing behind.
func TestIncidentCreateRisk(t *testing.T) {
	f := newFixture(t)
	svc := incidentService(f)
	ctx := context.Background()
	a := f.tenant(t, "Alpha Ltd")
	inc, _ := svc.Create(ctx, a.OrgID, a.Actor, incident.Input{Title: "VPN outage", Description: "The VPN was down for six hours.", Severity: "high"})

	res, err := svc.CreateRisk(ctx, a.OrgID, a.Actor, "1", risk.Input{Probability: 6})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Risk.Risk
	if r.Title != "VPN outage" || r.Description != "The VPN was down for six hours." || r.Category != "operations" ||
		r.Source != incident.Source || r.SourceID != "INC-00001" || r.Probability != 6 {
		t.Errorf("risk from incident = %+v", r)
	}
	if len(res.Incidents) != 1 || res.Incidents[0].ID != inc.ID || len(res.Incident.RiskIDs) != 1 || res.OpenedBy == nil {
		t.Errorf("links = %+v / %+v, opened by %+v", res.Incidents, res.Incident.RiskIDs, res.OpenedBy)
	}

	_, err = svc.CreateRisk(ctx, a.OrgID, a.Actor, inc.ID, risk.Input{Category: "nonsense", AssigneeID: "mem_nobody"})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("bad risk input: %v, want Invalid", err)
	}
	var risks, links int
	_ = f.DB.NewRaw("SELECT count(*) FROM risks").Scan(ctx, &risks)
	_ = f.DB.NewRaw("SELECT count(*) FROM incident_risks").Scan(ctx, &links)
	if risks != 1 || links != 1 {
		t.Errorf("after a refused create: %d risks, %d links; want 1 and 1", risks, links)
	}
	if _, err := svc.CreateRisk(ctx, a.OrgID, a.Actor, "INC-00099", risk.Input{}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown incident: %v, want NotFound", err)
	}
}

// TestIncidentListAndDashboard: filters, search (LIKE characters taken
// literally), sort, paging, and the 90-day window.
func TestIncidentListAndDashboard(t *testing.T) {
	f := newFixture(t)
	svc := incidentService(f)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha Ltd"), f.tenant(t, "Beta Ltd")
	old := time.Now().UTC().AddDate(0, 0, -200).Truncate(24 * time.Hour)
	recent := time.Now().UTC().AddDate(0, 0, -3).Truncate(24 * time.Hour)
	mk := func(tn tenant, title, sev, status string, occurred *time.Time) *incident.Incident {
		i, err := svc.Create(ctx, tn.OrgID, tn.Actor, incident.Input{Title: title, Severity: sev, Status: status, OccurredAt: occurred})
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	mk(a, "Disk full 100%", "low", "open", &old)
	i2 := mk(a, "Laptop stolen", "critical", "investigating", &recent)
	mk(a, "Old outage", "high", "closed", &old)
	mk(b, "Beta disk full", "low", "open", nil)

	page, err := svc.List(ctx, a.OrgID, incident.ListQuery{Search: "100%", Page: 1, PerPage: 50})
	if err != nil || page.Total != 1 || page.Incidents[0].Title != "Disk full 100%" {
		t.Errorf("search 100%%: %+v, %v", page, err)
	}
	page, _ = svc.List(ctx, a.OrgID, incident.ListQuery{Search: "_", Page: 1, PerPage: 50})
	if page.Total != 0 {
		t.Errorf("search _ matched %d, want 0 (literal underscore)", page.Total)
	}
	page, _ = svc.List(ctx, a.OrgID, incident.ListQuery{Open: true, Sort: "severity", Desc: true, Page: 1, PerPage: 1})
	if page.Total != 2 || len(page.Incidents) != 1 || page.Incidents[0].ID != i2.ID {
		t.Errorf("open by severity, page 1 of 1 row: total %d, %+v", page.Total, page.Incidents)
	}
	page, _ = svc.List(ctx, a.OrgID, incident.ListQuery{Page: 9, PerPage: 25})
	if page.Total != 3 || len(page.Incidents) != 0 {
		t.Errorf("page past the end: total %d, rows %d; want 3, 0", page.Total, len(page.Incidents))
	}

	r1 := f.create(t, a, risk.Input{Title: "Device loss"})
	r2 := f.create(t, a, risk.Input{Title: "Capacity"})
	_, _ = svc.LinkRisk(ctx, a.OrgID, a.Actor, i2.ID, r1.ID)
	_, _ = svc.LinkRisk(ctx, a.OrgID, a.Actor, "INC-00001", r2.ID)
	d, err := svc.Dashboard(ctx, a.OrgID)
	if err != nil || d.Open != 2 || len(d.RecentRisks) != 1 || d.RecentRisks[0].ID != r1.ID {
		t.Errorf("dashboard = %+v, %v; want 2 open and only %s (its incident is 3 days old)", d, err, r1.Identifier())
	}
}

// TestIncidentNumbersConcurrent: concurrent creates in one organization
// get distinct consecutive numbers.
func TestIncidentNumbersConcurrent(t *testing.T) {
	f := newFixture(t)
	svc := incidentService(f)
	a := f.tenant(t, "Alpha Ltd")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Create(context.Background(), a.OrgID, a.Actor, incident.Input{Title: "Same time"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(errors.Join(err))
		}
	}
	var maxN, count int
	_ = f.DB.NewRaw("SELECT max(number), count(DISTINCT number) FROM incidents").Scan(context.Background(), &maxN, &count)
	if maxN != 8 || count != 8 {
		t.Errorf("numbers: max %d, distinct %d; want 8 and 8", maxN, count)
	}
}

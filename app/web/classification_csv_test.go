package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

// TestCSVRiskTypeAndObjectives: the export writes risk_type and
// threat_objectives; an import reads values or seed 002's labels, shows
// the change in the preview, names the column of a bad value, and the
// template carries both columns.
func TestCSVRiskTypeAndObjectives(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	r := e.createRisk(o, risk.Input{Title: "Skimming", Type: "third_party", ThreatObjectives: []string{"fraud", "data_disclosure"}})
	rows := parseExport(t, o.Owner.get("/risks/export.csv").Body)
	if len(rows) != 1 || rows[0]["risk_type"] != "third_party" || rows[0]["threat_objectives"] != "data_disclosure;fraud" {
		t.Fatalf("export = %v", rows)
	}
	if rows := parseExport(t, o.Owner.get("/risks/export.csv?type=code").Body); len(rows) != 0 {
		t.Errorf("export ?type=code has %d rows", len(rows))
	}
	if rows := parseExport(t, o.Owner.get("/risks/export.csv?objective=fraud").Body); len(rows) != 1 {
		t.Errorf("export ?objective=fraud has %d rows", len(rows))
	}

	body := "identifier,title,description,category,risk_type,threat_objectives,version\r\n" +
		r.Identifier() + ",Skimming,D,Technology,Control Deficiency,Extortion; Customer Targeting,1\r\n" +
		",New one,D,People,,,\r\n"
	prev := o.Owner.uploadCSV("c.csv", body)
	doc := prev.Doc(t)
	change := func(field string) string {
		return strings.Join(strings.Fields(doc.Find(`[data-testid=import-change][data-field="`+field+`"]`).Text()), " ")
	}
	if prev.StatusCode != http.StatusOK || change("Risk type") != "Risk type: Third-party → Control Deficiency" ||
		change("Threat objectives") != "Threat objectives: Data Disclosure, Fraud → Extortion, Customer Targeting" {
		t.Errorf("preview: %d %v %q %q", prev.StatusCode, previewErrors(t, prev), change("Risk type"), change("Threat objectives"))
	}
	if res := o.Owner.commitCSV(body); res.StatusCode != http.StatusOK {
		t.Fatalf("commit: %d %v", res.StatusCode, previewErrors(t, res))
	}
	got, err := e.Server.Risks.Get(context.Background(), o.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "control_deficiency" || strings.Join(got.ThreatObjectives, ",") != "extortion,customer_targeting" {
		t.Errorf("imported: %q %v", got.Type, got.ThreatObjectives)
	}
	fresh, err := e.Server.Risks.Get(context.Background(), o.ID, "RSK-00002")
	if err != nil || fresh.Type != "" || len(fresh.ThreatObjectives) != 0 {
		t.Errorf("unclassified import: %v %+v", err, fresh)
	}

	bad := "title,description,category,risk_type,threat_objectives\r\nX,D,Other,Weather,Fraud;Spying\r\n"
	errs := strings.Join(previewErrors(t, o.Owner.uploadCSV("bad.csv", bad)), "\n")
	if !strings.Contains(errs, "2 risk_type: Risk type must be one of Code, Configuration, Control Deficiency") ||
		!strings.Contains(errs, "2 threat_objectives: Threat objectives must be one of Sabotage") || !strings.Contains(errs, "Spying") {
		t.Errorf("errors = %s", errs)
	}

	recs, err := csv.NewReader(strings.NewReader(o.Owner.get("/import/template.csv").Body)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("template: %v %v", err, recs)
	}
	ti, oi := slices.Index(recs[0], "risk_type"), slices.Index(recs[0], "threat_objectives")
	if ti < 0 || oi < 0 || recs[1][ti] != "Third-party" || recs[1][oi] != "Extortion;Sabotage" {
		t.Errorf("template = %v", recs)
	}
}

package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// demoIncident is one incident of the demo organization; Risks are the
// numbers of the demo risks it is linked to.
type demoIncident struct {
	Title, Description, Severity, Status string
	DaysAgo                              int
	Reporter                             int // index into demoPeople
	Risks                                []int64
}

var demoIncidents = []demoIncident{
	{"Phishing email led to a redirected supplier payment", "A spoofed supplier asked finance to change bank details; one invoice of EUR 18,400 was paid to the new account before the bank recalled it.",
		"high", incident.StatusResolved, 41, 2, []int64{6}},
	{"Forklift clipped a picker in aisle 14", "Minor bruising, first aid only. The picker was walking in the forklift lane during the peak shift.",
		"medium", incident.StatusClosed, 120, 3, []int64{4}},
	{"VPN appliance probed with a known exploit", "The IDS flagged exploit attempts against the VPN appliance from two hosting providers; the appliance was patched the same night.",
		"critical", incident.StatusInvestigating, 6, 1, []int64{12, 38}},
	{"Cold-chain trailer above 8 °C for 3 hours", "A reefer unit failed on the A12; two pallets of vaccines were quarantined and later destroyed.",
		"high", incident.StatusOpen, 2, 4, []int64{16}},
	{"Booking API down after certificate expiry", "Customers could not book collections for 95 minutes on Monday morning.",
		"medium", incident.StatusResolved, 70, 1, []int64{36}},
	{"Scanner shared password posted in a group chat", "A team lead shared the handheld scanners' admin password with agency staff in a messaging group.",
		"low", incident.StatusOpen, 12, 3, []int64{38}},
}

// demoIncidents records the demo incidents and links them to the demo
// risks by number, as the owner.
func (s *Seeder) demoIncidents(ctx context.Context, orgID string, actor audit.Actor, memberOf func(int) string, today time.Time) error {
	for _, d := range demoIncidents {
		occurred := today.AddDate(0, 0, -d.DaysAgo)
		in := incident.Input{Title: d.Title, Description: d.Description, Severity: d.Severity, Status: d.Status,
			OccurredAt: &occurred, DiscoveredAt: &occurred, ReporterID: memberOf(d.Reporter)}
		inc, err := s.Incidents.Create(ctx, orgID, actor, in)
		if err != nil {
			return fmt.Errorf("seed incident %q: %w", d.Title, err)
		}
		for _, n := range d.Risks {
			if _, err := s.Incidents.LinkRisk(ctx, orgID, actor, inc.ID, risk.FormatIdentifier(n)); err != nil {
				return fmt.Errorf("seed incident %q link: %w", d.Title, err)
			}
		}
	}
	return nil
}

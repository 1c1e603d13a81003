package csvio

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// IncidentColumns are the incident export's columns, in order.
var IncidentColumns = []string{
	"identifier", "id", "title", "description", "severity", "status", "occurred_at", "discovered_at",
	"resolved_at", "reporter_email", "reporter_name", "risks", "created_at", "updated_at", "version",
}

// WriteIncidents writes incs as CSV (the optional BOM, the header row,
// one record per incident, text cells neutralised like the risk export's)
// and returns the first write error.
func WriteIncidents(w io.Writer, bom bool, incs []*incident.Incident) error {
	if bom {
		if _, err := io.WriteString(w, BOM); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	if err := writeRecord(bw, IncidentColumns); err != nil {
		return err
	}
	for _, i := range incs {
		email, name := "", ""
		if i.Reporter != nil {
			email, name = i.Reporter.Email, i.Reporter.Name
		}
		risks := make([]string, len(i.RiskNumbers))
		for k, n := range i.RiskNumbers {
			risks[k] = risk.FormatIdentifier(n)
		}
		rec := []string{
			i.Identifier(), i.ID, SafeCell(i.Title), SafeCell(i.Description), i.Severity, i.Status,
			date(i.OccurredOn), date(i.DiscoveredOn), date(i.ResolvedOn), SafeCell(email), SafeCell(name),
			strings.Join(risks, ";"), i.CreatedAt.UTC().Format(time.RFC3339), i.UpdatedAt.UTC().Format(time.RFC3339),
			strconv.Itoa(i.Version),
		}
		if err := writeRecord(bw, rec); err != nil {
			return err
		}
	}
	return bw.Flush()
}

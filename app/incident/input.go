package incident

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// Field length limits, shared by the form and the API.
const (
	MaxTitle       = 200
	MaxDescription = 10000
)

// Input is what a user may set on an incident: the same for the form and
// the API, whose field names the errors use. Identity, number and version
// are never taken from input.
type Input struct {
	Title        string
	Description  string
	Severity     string
	Status       string
	OccurredAt   *time.Time
	DiscoveredAt *time.Time
	ResolvedAt   *time.Time
	ReporterID   string
}

// InputOf returns the input that reproduces i, used to prefill the edit
// form and as the base of a partial update.
func InputOf(i *Incident) Input {
	return Input{Title: i.Title, Description: i.Description, Severity: i.Severity, Status: i.Status,
		OccurredAt: i.OccurredOn, DiscoveredAt: i.DiscoveredOn, ResolvedAt: i.ResolvedOn, ReporterID: i.ReporterID}
}

// Normalize trims text and applies the defaults (medium, open).
func (in *Input) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.Severity = strings.TrimSpace(in.Severity)
	in.Status = strings.TrimSpace(in.Status)
	in.ReporterID = strings.TrimSpace(in.ReporterID)
	if in.Severity == "" {
		in.Severity = "medium"
	}
	if in.Status == "" {
		in.Status = StatusOpen
	}
}

// Validate returns an Invalid error naming every bad field, or nil.
func (in *Input) Validate() error {
	fe := apperr.FieldErrors{}
	text(fe, "title", in.Title, true, MaxTitle)
	text(fe, "description", in.Description, false, MaxDescription)
	if !Severities.Has(in.Severity) {
		fe.Add("severity", risk.EnumMessage(Severities, in.Severity))
	}
	if !Statuses.Has(in.Status) {
		fe.Add("status", risk.EnumMessage(Statuses, in.Status))
	}
	for _, d := range []struct {
		field string
		t     *time.Time
	}{{"occurredAt", in.OccurredAt}, {"discoveredAt", in.DiscoveredAt}, {"resolvedAt", in.ResolvedAt}} {
		if d.t != nil && !risk.InDateRange(*d.t) {
			fe.Add(d.field, risk.DateMessage)
		}
	}
	if before(in.DiscoveredAt, in.OccurredAt) && !fe.Has("discoveredAt") {
		fe.Add("discoveredAt", "Discovered date must not be before the occurred date")
	}
	if before(in.ResolvedAt, in.OccurredAt) && !fe.Has("resolvedAt") {
		fe.Add("resolvedAt", "Resolved date must not be before the occurred date")
	}
	if strings.ContainsRune(in.ReporterID, 0) || utf8.RuneCountInString(in.ReporterID) > 100 {
		fe.Add("reporterId", "Reporter is not a member of this organization")
	}
	return fe.Err()
}

func before(a, b *time.Time) bool { return a != nil && b != nil && a.Before(*b) }

func text(fe apperr.FieldErrors, field, v string, required bool, max int) {
	switch {
	case v == "":
		if required {
			fe.Add(field, "Title is required")
		}
	case strings.ContainsRune(v, 0):
		fe.Add(field, "Must not contain NUL bytes")
	case !utf8.ValidString(v):
		fe.Add(field, "Must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("String must contain at most %d character(s)", max))
	}
}

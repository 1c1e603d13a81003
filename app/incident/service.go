package incident

import (
	"context"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// Store persists incidents and their links to risks. Every method is
// scoped by the organization; another organization's row is not found.
type Store interface {
	// NextNumber reserves the next per-organization incident number.
	NextNumber(ctx context.Context, orgID string) (int64, error)
	Insert(ctx context.Context, i *Incident) error
	// Update writes i when its stored version is i.Version-1, or returns
	// a Conflict.
	Update(ctx context.Context, i *Incident) error
	Delete(ctx context.Context, orgID, id string) error
	// Get returns the incident by id, INC identifier or number, with its
	// reporter and linked risk ids; forUpdate locks the row.
	Get(ctx context.Context, orgID, key string, forUpdate bool) (*Incident, error)
	List(ctx context.Context, orgID string, q ListQuery) (Page, error)
	// Link links the risk to the incident; it reports false when they
	// were linked already.
	Link(ctx context.Context, orgID, incidentID, riskID string, at time.Time) (bool, error)
	// Unlink removes the link; it reports false when there was none.
	Unlink(ctx context.Context, orgID, incidentID, riskID string) (bool, error)
	// LinkedRisks lists the incident's risks by number.
	LinkedRisks(ctx context.Context, orgID, incidentID string) ([]LinkedRisk, error)
	// ForRisk lists the incidents linked to a risk, newest first.
	ForRisk(ctx context.Context, orgID, riskID string) ([]Ref, error)
	// Reporter returns the member as a Person, or NotFound.
	Reporter(ctx context.Context, orgID, memberID string) (*risk.Person, error)
	// CountOpen returns the number of open or investigating incidents.
	CountOpen(ctx context.Context, orgID string) (int, error)
	// RisksWithIncidentsSince lists the risks linked to an incident that
	// occurred (or, without a date, was recorded) on or after since, the
	// most recent first, at most limit.
	RisksWithIncidentsSince(ctx context.Context, orgID string, since time.Time, limit int) ([]RecentRisk, error)
}

// Risks is what incidents need of the risk register.
type Risks interface {
	Get(ctx context.Context, orgID, id string) (*risk.Risk, error)
	Detail(ctx context.Context, orgID, id string) (*risk.Detail, error)
	CreateFrom(ctx context.Context, orgID string, actor audit.Actor, in risk.Input, source, sourceID string) (*risk.Risk, error)
}

// Service owns incidents: it validates, numbers, persists, links them to
// risks and writes the audit event of every change in one transaction.
type Service struct {
	Store  Store
	Risks  Risks
	Events risk.EventStore
	Tx     risk.TxRunner
	NewID  risk.IDFunc
	Now    func() time.Time
}

// Entity is the audit trail's entity type of incidents.
const Entity = "incident"

// Source is the risk source of risks created from an incident.
const Source = "incident"

// errStale is the message of a write based on an outdated version.
const errStale = "This incident was changed since it was loaded"

// Get returns an incident by id, INC identifier or number.
func (s *Service) Get(ctx context.Context, orgID, key string) (*Incident, error) {
	return s.Store.Get(ctx, orgID, key, false)
}

// List returns a page of incidents.
func (s *Service) List(ctx context.Context, orgID string, q ListQuery) (Page, error) {
	return s.Store.List(ctx, orgID, q)
}

// LinkedRisks lists the risks linked to the incident.
func (s *Service) LinkedRisks(ctx context.Context, orgID, incidentID string) ([]LinkedRisk, error) {
	return s.Store.LinkedRisks(ctx, orgID, incidentID)
}

// ForRisk lists the incidents linked to the risk.
func (s *Service) ForRisk(ctx context.Context, orgID, riskID string) ([]Ref, error) {
	return s.Store.ForRisk(ctx, orgID, riskID)
}

// History returns the incident's latest events, newest first.
func (s *Service) History(ctx context.Context, orgID, incidentID string, limit int) ([]*audit.Event, error) {
	return s.Events.ForEntity(ctx, orgID, Entity, incidentID, limit)
}

// DashboardWindow is how far back the dashboard looks for incidents.
const DashboardWindow = 90

// Dashboard returns the open incidents count and the risks with an
// incident in the last DashboardWindow days.
func (s *Service) Dashboard(ctx context.Context, orgID string) (*Dashboard, error) {
	today := s.Now().UTC().Truncate(24 * time.Hour)
	d := &Dashboard{WindowDays: DashboardWindow, WindowCutoff: today.AddDate(0, 0, -DashboardWindow)}
	var err error
	if d.Open, err = s.Store.CountOpen(ctx, orgID); err != nil {
		return nil, err
	}
	page, err := s.Store.List(ctx, orgID, ListQuery{Open: true, Sort: "updated", Desc: true, Page: 1, PerPage: 5})
	if err != nil {
		return nil, err
	}
	d.OpenRecent = page.Incidents
	d.RecentRisks, err = s.Store.RisksWithIncidentsSince(ctx, orgID, d.WindowCutoff, 10)
	return d, err
}

// Create validates in and stores a new incident with its audit event.
func (s *Service) Create(ctx context.Context, orgID string, actor audit.Actor, in Input) (*Incident, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var created *Incident
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		reporter, err := s.reporter(ctx, orgID, in.ReporterID)
		if err != nil {
			return err
		}
		num, err := s.Store.NextNumber(ctx, orgID)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		i := &Incident{ID: s.NewID("inc"), OrganizationID: orgID, Number: num, Version: 1,
			CreatedBy: actor.MemberID, UpdatedBy: actor.MemberID, CreatedAt: now, UpdatedAt: now, RiskIDs: []string{}}
		apply(i, in, now)
		i.Reporter = reporter
		if err := s.Store.Insert(ctx, i); err != nil {
			return err
		}
		created = i
		return s.Events.Append(ctx, &audit.Event{OrganizationID: orgID, EntityType: Entity, EntityID: i.ID,
			EntityLabel: i.Identifier(), Action: audit.ActionCreated, Actor: actor, Changes: diff(&Incident{}, i), CreatedAt: now})
	})
	return created, err
}

// Update applies in when version is still current (0 skips the check);
// a stale version returns a Conflict with the stored version.
func (s *Service) Update(ctx context.Context, orgID string, actor audit.Actor, key string, version int, in Input) (*Incident, error) {
	return s.Patch(ctx, orgID, actor, key, version, func(*Incident) Input { return in })
}

// Patch updates the incident with the input change derives from the
// stored incident, read under a row lock, so a partial update never loses
// a concurrent change to the fields it leaves alone.
func (s *Service) Patch(ctx context.Context, orgID string, actor audit.Actor, key string, version int, change func(cur *Incident) Input) (*Incident, error) {
	var updated *Incident
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Store.Get(ctx, orgID, key, true)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return apperr.Stale(errStale, cur.Version, nil)
		}
		in := change(cur)
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		reporter, err := s.reporter(ctx, orgID, in.ReporterID)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		next := *cur
		apply(&next, in, now)
		next.Reporter = reporter
		changes := diff(cur, &next)
		if len(changes) == 0 {
			updated = cur
			return nil
		}
		next.Version, next.UpdatedBy, next.UpdatedAt = cur.Version+1, actor.MemberID, now
		if err := s.Store.Update(ctx, &next); err != nil {
			return err
		}
		updated = &next
		return s.Events.Append(ctx, &audit.Event{OrganizationID: orgID, EntityType: Entity, EntityID: cur.ID,
			EntityLabel: cur.Identifier(), Action: audit.ActionUpdated, Actor: actor, Changes: changes, CreatedAt: now})
	})
	return updated, err
}

// Delete removes the incident and its links (0 skips the version check),
// keeping its last state in the audit trail and noting the unlinking in
// each linked risk's history.
func (s *Service) Delete(ctx context.Context, orgID string, actor audit.Actor, key string, version int) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Store.Get(ctx, orgID, key, true)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return apperr.Stale(errStale, cur.Version, nil)
		}
		linked, err := s.Store.LinkedRisks(ctx, orgID, cur.ID)
		if err != nil {
			return err
		}
		if err := s.Store.Delete(ctx, orgID, cur.ID); err != nil {
			return err
		}
		now := s.Now().UTC()
		events := []*audit.Event{{OrganizationID: orgID, EntityType: Entity, EntityID: cur.ID, EntityLabel: cur.Identifier(),
			Action: audit.ActionDeleted, Actor: actor, Snapshot: Snapshot(cur, linked), CreatedAt: now}}
		for _, r := range linked {
			events = append(events, riskLinkEvent(orgID, actor, r.ID, r.Identifier(), incidentLabel(cur), "", now))
		}
		return s.Events.AppendMany(ctx, events)
	})
}

// LinkRisk links a risk of the organization (id or RSK identifier) to the
// incident and records it in both histories; linking twice changes
// nothing.
func (s *Service) LinkRisk(ctx context.Context, orgID string, actor audit.Actor, key, riskKey string) (*Incident, error) {
	var out *Incident
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		inc, err := s.Store.Get(ctx, orgID, key, true)
		if err != nil {
			return err
		}
		r, err := s.Risks.Get(ctx, orgID, riskKey)
		if err != nil {
			return err
		}
		if err := s.link(ctx, orgID, actor, inc, r); err != nil {
			return err
		}
		out, err = s.Store.Get(ctx, orgID, inc.ID, false)
		return err
	})
	return out, err
}

// UnlinkRisk removes the link between the incident and the risk; NotFound
// when they are not linked.
func (s *Service) UnlinkRisk(ctx context.Context, orgID string, actor audit.Actor, key, riskKey string) (*Incident, error) {
	var out *Incident
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		inc, err := s.Store.Get(ctx, orgID, key, true)
		if err != nil {
			return err
		}
		r, err := s.Risks.Get(ctx, orgID, riskKey)
		if err != nil {
			return err
		}
		removed, err := s.Store.Unlink(ctx, orgID, inc.ID, r.ID)
		if err != nil {
			return err
		}
		if !removed {
			return apperr.New(apperr.NotFound, "The risk is not linked to this incident")
		}
		now := s.Now().UTC()
		err = s.Events.AppendMany(ctx, []*audit.Event{
			{OrganizationID: orgID, EntityType: Entity, EntityID: inc.ID, EntityLabel: inc.Identifier(), Action: audit.ActionUpdated,
				Actor: actor, Changes: []audit.Change{{Field: "linked_risk", Old: riskLabel(r), New: ""}}, CreatedAt: now},
			riskLinkEvent(orgID, actor, r.ID, r.Identifier(), incidentLabel(inc), "", now),
		})
		if err != nil {
			return err
		}
		out, err = s.Store.Get(ctx, orgID, inc.ID, false)
		return err
	})
	return out, err
}

// RiskFromIncident is what creating a risk from an incident returns: the
// incident (with the new link), the new risk's detail, the incidents it is
// linked to, and the member who opened it (nil when unknown).
type RiskFromIncident struct {
	Incident  *Incident
	Risk      *risk.Detail
	Incidents []Ref
	OpenedBy  *risk.Person
}

// CreateRisk creates a risk from the incident (seed 002): the input's
// empty title, description and category default to the incident's title,
// description and "operations"; the risk's source is "incident" with the
// incident's identifier, and it is linked to the incident, all in one
// transaction.
func (s *Service) CreateRisk(ctx context.Context, orgID string, actor audit.Actor, key string, in risk.Input) (*RiskFromIncident, error) {
	out := &RiskFromIncident{}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		inc, err := s.Store.Get(ctx, orgID, key, true)
		if err != nil {
			return err
		}
		r, err := s.Risks.CreateFrom(ctx, orgID, actor, RiskInput(inc, in), Source, inc.Identifier())
		if err != nil {
			return err
		}
		if err := s.link(ctx, orgID, actor, inc, r); err != nil {
			return err
		}
		if out.Risk, err = s.Risks.Detail(ctx, orgID, r.ID); err != nil {
			return err
		}
		if out.Incidents, err = s.Store.ForRisk(ctx, orgID, r.ID); err != nil {
			return err
		}
		if actor.MemberID != "" {
			if out.OpenedBy, err = s.Store.Reporter(ctx, orgID, actor.MemberID); err != nil {
				return err
			}
		}
		out.Incident, err = s.Store.Get(ctx, orgID, inc.ID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RiskInput fills the empty title, description and category of in from
// the incident: the prefilled risk of "create a risk from this incident".
func RiskInput(inc *Incident, in risk.Input) risk.Input {
	if strings.TrimSpace(in.Title) == "" {
		in.Title = inc.Title
	}
	if strings.TrimSpace(in.Description) == "" {
		in.Description = inc.Description
		if in.Description == "" {
			in.Description = "Revealed by " + inc.Identifier() + ": " + inc.Title
		}
	}
	if in.Category == "" {
		in.Category = "operations"
	}
	return in
}

func (s *Service) link(ctx context.Context, orgID string, actor audit.Actor, inc *Incident, r *risk.Risk) error {
	now := s.Now().UTC()
	added, err := s.Store.Link(ctx, orgID, inc.ID, r.ID, now)
	if err != nil || !added {
		return err
	}
	return s.Events.AppendMany(ctx, []*audit.Event{
		{OrganizationID: orgID, EntityType: Entity, EntityID: inc.ID, EntityLabel: inc.Identifier(), Action: audit.ActionUpdated,
			Actor: actor, Changes: []audit.Change{{Field: "linked_risk", Old: "", New: riskLabel(r)}}, CreatedAt: now},
		riskLinkEvent(orgID, actor, r.ID, r.Identifier(), "", incidentLabel(inc), now),
	})
}

// riskLinkEvent is the event in a risk's history when an incident is
// linked (old empty) or unlinked (new empty).
func riskLinkEvent(orgID string, actor audit.Actor, riskID, riskIdent, old, new string, now time.Time) *audit.Event {
	return &audit.Event{OrganizationID: orgID, EntityType: audit.EntityRisk, EntityID: riskID, EntityLabel: riskIdent,
		Action: audit.ActionUpdated, Actor: actor, Changes: []audit.Change{{Field: "linked_incident", Old: old, New: new}}, CreatedAt: now}
}

func riskLabel(r *risk.Risk) string { return r.Identifier() + " " + r.Title }

func incidentLabel(i *Incident) string { return i.Identifier() + " " + i.Title }

func (s *Service) reporter(ctx context.Context, orgID, memberID string) (*risk.Person, error) {
	if memberID == "" {
		return nil, nil
	}
	p, err := s.Store.Reporter(ctx, orgID, memberID)
	if apperr.Is(err, apperr.NotFound) {
		fe := apperr.FieldErrors{}
		fe.Add("reporterId", "Reporter is not a member of this organization")
		return nil, fe.Err()
	}
	return p, err
}

// apply copies validated input onto i; moving to resolved or closed sets
// the resolved date to today when none is given.
func apply(i *Incident, in Input, now time.Time) {
	wasDone := i.Status == StatusResolved || i.Status == StatusClosed
	i.Title, i.Description, i.Severity, i.Status = in.Title, in.Description, in.Severity, in.Status
	i.OccurredOn, i.DiscoveredOn, i.ResolvedOn = in.OccurredAt, in.DiscoveredAt, in.ResolvedAt
	i.ReporterID = in.ReporterID
	if !wasDone && (i.Status == StatusResolved || i.Status == StatusClosed) && i.ResolvedOn == nil {
		d := now.Truncate(24 * time.Hour)
		i.ResolvedOn = &d
	}
}

func diff(old, new *Incident) []audit.Change {
	var d audit.Diff
	d.Add("title", old.Title, new.Title)
	d.Add("description", old.Description, new.Description)
	d.Add("severity", old.Severity, new.Severity)
	d.Add("status", old.Status, new.Status)
	d.Add("occurred_at", date(old.OccurredOn), date(new.OccurredOn))
	d.Add("discovered_at", date(old.DiscoveredOn), date(new.DiscoveredOn))
	d.Add("resolved_at", date(old.ResolvedOn), date(new.ResolvedOn))
	d.Add("reporter", personName(old.Reporter), personName(new.Reporter))
	return d
}

func personName(p *risk.Person) string {
	if p == nil {
		return ""
	}
	return p.Name
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Snapshot returns the incident's fields and linked risks as a map, kept
// in the audit trail when it is deleted.
func Snapshot(i *Incident, linked []LinkedRisk) map[string]any {
	risks := make([]string, len(linked))
	for k, r := range linked {
		risks[k] = r.Identifier()
	}
	return map[string]any{
		"id": i.ID, "identifier": i.Identifier(), "title": i.Title, "description": i.Description,
		"severity": i.Severity, "status": i.Status, "occurredAt": date(i.OccurredOn),
		"discoveredAt": date(i.DiscoveredOn), "resolvedAt": date(i.ResolvedOn), "reporterId": i.ReporterID,
		"risks": risks, "version": i.Version,
	}
}

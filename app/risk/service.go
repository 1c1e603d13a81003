package risk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// RiskStore persists and counts risks. Every method is scoped by the
// organization; a row of another organization is reported as not found.
type RiskStore interface {
	// NextNumber reserves the next per-organization risk number.
	NextNumber(ctx context.Context, orgID string) (int64, error)
	// ReserveNumbers reserves n consecutive risk numbers in one statement
	// and returns the first; outside a transaction it holds the
	// organization's counter only for that statement.
	ReserveNumbers(ctx context.Context, orgID string, n int) (int64, error)
	Insert(ctx context.Context, r *Risk) error
	// InsertMany stores new risks in a few multi-row statements.
	InsertMany(ctx context.Context, rs []*Risk) error
	// Update writes r when its stored version equals r.Version-1; it
	// returns a Conflict error otherwise.
	Update(ctx context.Context, r *Risk) error
	// UpdateMany writes every risk of rs like Update, in a few statements;
	// it returns a Conflict error, and the caller must roll back, when any
	// stored version is not r.Version-1.
	UpdateMany(ctx context.Context, rs []*Risk) error
	Delete(ctx context.Context, orgID, id string) error
	// DeleteMany removes the organization's risks with these ids; it
	// returns NotFound, and the caller must roll back, when one is missing.
	DeleteMany(ctx context.Context, orgID string, ids []string) error
	// LockKeys returns the organization's risks named by keys (ids or RSK
	// identifiers), each once, locked in number order; a key without a
	// risk is left out.
	LockKeys(ctx context.Context, orgID string, keys []string) ([]*Risk, error)
	// LockMatching returns at most limit risks matching q (its filters
	// only), locked in number order.
	LockMatching(ctx context.Context, orgID string, q ListQuery, limit int) ([]*Risk, error)
	// MatchStamp returns how many risks match q (at most limit) and their
	// latest update.
	MatchStamp(ctx context.Context, orgID string, q ListQuery, limit int) (MatchStamp, error)
	// Detail returns the risk by id or RSK identifier with its register,
	// treatment and tasks, in one round trip.
	Detail(ctx context.Context, orgID, idOrIdentifier string) (*Detail, error)
	// Touch sets the risk's updated_at (and updated_by, when by is not
	// empty) without a new version: a change to its treatment or tasks.
	Touch(ctx context.Context, orgID, id, by string, at time.Time) error
	// Get returns the risk by id or RSK identifier; forUpdate locks the row.
	Get(ctx context.Context, orgID, idOrIdentifier string, forUpdate bool) (*Risk, error)
	// GetMany returns the organization's risks with these numbers, keyed by
	// number, from one query; a number without a risk is absent. forUpdate
	// locks the rows, in number order.
	GetMany(ctx context.Context, orgID string, numbers []int64, forUpdate bool) (map[int64]*Risk, error)
	List(ctx context.Context, orgID string, q ListQuery) (Page, error)
	// Rows returns List's page of risks without counting their total.
	Rows(ctx context.Context, orgID string, q ListQuery) ([]*Risk, error)
	// Assignee returns the member as a Person, or NotFound.
	Assignee(ctx context.Context, orgID, memberID string) (*Person, error)
	// Count returns the number of risks matching q.
	Count(ctx context.Context, orgID string, q ListQuery) (int, error)
	// ValueCounts returns the number of risks matching q per inherent (or
	// residual) (probability, impact) pair, from one GROUP BY.
	ValueCounts(ctx context.Context, orgID string, q ListQuery, residual bool) ([]ValueCount, error)
	// MoveCounts returns the number of risks matching q per inherent and
	// residual (probability, impact) pair.
	MoveCounts(ctx context.Context, orgID string, q ListQuery) ([]MoveValueCount, error)
	// LevelCounts returns the number of risks matching q per inherent (or
	// residual) level index; unassessed risks count under -1.
	LevelCounts(ctx context.Context, orgID string, q ListQuery, residual bool) (map[int]int, error)
	// CountByRegister returns the number of risks per register id.
	CountByRegister(ctx context.Context, orgID string) (map[string]int, error)
	// Relevel recomputes the stored levels of every risk of the register
	// from m in one statement and returns how many risks changed level.
	Relevel(ctx context.Context, orgID, registerID string, m Matrix) (int, error)
	// Export calls fn for every risk matching q in q's order, streaming
	// from a cursor; an error from fn stops it and is returned.
	Export(ctx context.Context, orgID string, q ListQuery, fn func(*ExportRow) error) error
}

// RegisterStore persists registers, scoped by the organization.
type RegisterStore interface {
	CreateRegister(ctx context.Context, r *Register) error
	Register(ctx context.Context, orgID, id string) (*Register, error)
	DefaultRegister(ctx context.Context, orgID string) (*Register, error)
	// Registers lists the organization's registers, the default first.
	Registers(ctx context.Context, orgID string) ([]*Register, error)
	// RegisterForUpdate returns a register and locks its row until the
	// transaction in ctx ends.
	RegisterForUpdate(ctx context.Context, orgID, id string) (*Register, error)
	// UpdateRegister writes r when the stored version is r.Version-1, or
	// returns a Conflict.
	UpdateRegister(ctx context.Context, r *Register) error
}

// EventStore appends to and reads the audit trail.
type EventStore interface {
	// Append writes e; call it in the transaction of the change.
	Append(ctx context.Context, e *audit.Event) error
	// AppendMany writes events in a few multi-row statements; call it in
	// the transaction of the changes.
	AppendMany(ctx context.Context, es []*audit.Event) error
	// ForEntity returns an entity's latest events, newest first.
	ForEntity(ctx context.Context, orgID, entityType, entityID string, limit int) ([]*audit.Event, error)
	// Recent returns the organization's latest events, newest first.
	Recent(ctx context.Context, orgID string, limit int) ([]*audit.Event, error)
	// LatestRiskEvent returns the latest event of the risk with this id or
	// RSK identifier, deleted risks included, or NotFound.
	LatestRiskEvent(ctx context.Context, orgID, idOrIdentifier string) (*audit.Event, error)
	// LatestID returns the id of the organization's latest event (0 when
	// none): it moves with every audited change.
	LatestID(ctx context.Context, orgID string) (int64, error)
}

// TxRunner runs fn in one database transaction carried by ctx.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// IDFunc returns a new opaque id with a prefix such as "rsk".
type IDFunc func(prefix string) string

// Service owns risks, their registers, treatments and tasks: it
// validates, scores, persists and writes the audit event of every change
// in one transaction, and answers every read the pages and the API need.
type Service struct {
	Risks     RiskStore
	Registers RegisterStore
	Plans     PlanStore
	Prefs     PreferenceStore
	Events    EventStore
	Past      HistoryStore // the recorded past (as-of views, trends)
	Tx        TxRunner
	NewID     IDFunc
	Now       func() time.Time
	// Incidents, when set, hear of deleted and restored risks (see
	// IncidentLinks).
	Incidents IncidentLinks

	// TrendCache, when set, keeps computed trends until the organization's
	// trail moves (see Service.Trends); nil counts on every call.
	TrendCache *TrendCache
}

// errStale is the message of a write based on an outdated version.
const errStale = "This risk was changed since it was loaded"

// staleRisk is the Conflict of a write based on an outdated version of
// cur; submitted, when known, names the fields that now differ.
func staleRisk(cur *Risk, submitted *Input) error {
	var changes []apperr.Change
	if submitted != nil {
		changes = ChangesSince(cur, *submitted)
	}
	return apperr.Stale(errStale, cur.Version, changes)
}

// Get returns one risk by id or identifier.
func (s *Service) Get(ctx context.Context, orgID, id string) (*Risk, error) {
	return s.Risks.Get(ctx, orgID, id, false)
}

// List returns a page of risks.
func (s *Service) List(ctx context.Context, orgID string, q ListQuery) (Page, error) {
	if q.AsOf != nil {
		return s.ListAsOf(ctx, orgID, q, *q.AsOf)
	}
	return s.Risks.List(ctx, orgID, s.dated(q))
}

// dated stamps q with the service clock's day, the day "overdue" means.
func (s *Service) dated(q ListQuery) ListQuery {
	if q.Today.IsZero() {
		q.Today = s.Now().UTC().Truncate(24 * time.Hour)
	}
	return q
}

// Create validates in and stores a new risk with its audit event.
func (s *Service) Create(ctx context.Context, orgID string, actor audit.Actor, in Input) (*Risk, error) {
	return s.CreateFrom(ctx, orgID, actor, in, "", "")
}

// CreateFrom is Create for a risk that comes from elsewhere: source (such
// as "incident") and sourceID (its identifier) are stored with it. In a
// caller's transaction it joins that transaction.
func (s *Service) CreateFrom(ctx context.Context, orgID string, actor audit.Actor, in Input, source, sourceID string) (*Risk, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var created *Risk
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		reg, err := s.register(ctx, orgID, in.RegisterID)
		if err != nil {
			return err
		}
		assignee, err := s.assignee(ctx, orgID, in.AssigneeID)
		if err != nil {
			return err
		}
		num, err := s.Risks.NextNumber(ctx, orgID)
		if err != nil {
			return err
		}
		r, event := s.newRisk(orgID, actor, in, reg, assignee, num, s.Now().UTC())
		r.Source, r.SourceID = source, sourceID
		if err := s.Risks.Insert(ctx, r); err != nil {
			return err
		}
		created = r
		return s.Events.Append(ctx, event)
	})
	return created, err
}

// newRisk returns the risk that validated input creates in reg with number
// num and the event that records it; it writes nothing.
func (s *Service) newRisk(orgID string, actor audit.Actor, in Input, reg *Register, assignee *Person, num int64, now time.Time) (*Risk, *audit.Event) {
	r := &Risk{
		ID: s.NewID("rsk"), OrganizationID: orgID, RegisterID: reg.ID, Number: num,
		Version: 1, CreatedBy: actor.MemberID, UpdatedBy: actor.MemberID, CreatedAt: now, UpdatedAt: now,
	}
	apply(r, in, now)
	relevel(r, reg)
	r.Assignee = assignee
	return r, &audit.Event{
		OrganizationID: orgID, EntityType: audit.EntityRisk, EntityID: r.ID, EntityLabel: r.Identifier(),
		Action: audit.ActionCreated, Actor: actor, Changes: diff(&Risk{}, r, reg, reg), CreatedAt: now,
	}
}

// revise returns cur with validated input applied on reg (oldReg is cur's
// register), at the next version, and the event that records the change;
// it returns nil, nil when nothing would change. It writes nothing.
func revise(cur *Risk, in Input, oldReg, reg *Register, assignee *Person, actor audit.Actor, now time.Time) (*Risk, *audit.Event) {
	next := *cur
	apply(&next, in, now)
	relevel(&next, reg)
	next.Assignee = assignee
	changes := diff(cur, &next, oldReg, reg)
	if len(changes) == 0 {
		return nil, nil
	}
	next.Version = cur.Version + 1
	next.UpdatedBy = actor.MemberID
	next.UpdatedAt = now
	return &next, &audit.Event{
		OrganizationID: cur.OrganizationID, EntityType: audit.EntityRisk, EntityID: cur.ID, EntityLabel: cur.Identifier(),
		Action: audit.ActionUpdated, Actor: actor, Changes: changes, CreatedAt: now,
	}
}

// Update applies in to the risk when version is still current. A stale
// version returns a Conflict naming the stored version and the fields that
// differ from in, and changes nothing.
func (s *Service) Update(ctx context.Context, orgID string, actor audit.Actor, id string, version int, in Input) (*Risk, error) {
	return s.patch(ctx, orgID, actor, id, version, &in, func(*Risk) (Input, error) { return in, nil })
}

// Patch updates the risk with the input that change derives from the
// stored risk, read under a row lock, so a partial update never loses a
// concurrent change to the fields it leaves alone. A version of 0 skips
// the staleness check (the API without If-Match); any other stale version
// returns a Conflict with the stored version and changes nothing.
func (s *Service) Patch(ctx context.Context, orgID string, actor audit.Actor, id string, version int, change func(cur *Risk) (Input, error)) (*Risk, error) {
	return s.patch(ctx, orgID, actor, id, version, nil, change)
}

func (s *Service) patch(ctx context.Context, orgID string, actor audit.Actor, id string, version int, submitted *Input, change func(cur *Risk) (Input, error)) (*Risk, error) {
	var updated *Risk
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Risks.Get(ctx, orgID, id, true)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return staleRisk(cur, submitted)
		}
		in, err := change(cur)
		if err != nil {
			return err
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		oldReg, err := s.Registers.Register(ctx, orgID, cur.RegisterID)
		if err != nil {
			return err
		}
		if in.RegisterID == "" {
			in.RegisterID = cur.RegisterID
		}
		reg, err := s.register(ctx, orgID, in.RegisterID)
		if err != nil {
			return err
		}
		assignee, err := s.assignee(ctx, orgID, in.AssigneeID)
		if err != nil {
			return err
		}
		next, event := revise(cur, in, oldReg, reg, assignee, actor, s.Now().UTC())
		if next == nil {
			updated = cur
			return nil
		}
		if err := s.Risks.Update(ctx, next); err != nil {
			return err
		}
		updated = next
		return s.Events.Append(ctx, event)
	})
	return updated, err
}

// Delete removes the risk, keeping its last state in the audit trail.
// A version of 0 skips the staleness check (the API without If-Match).
func (s *Service) Delete(ctx context.Context, orgID string, actor audit.Actor, id string, version int) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Risks.Get(ctx, orgID, id, true)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return staleRisk(cur, nil)
		}
		snap := Snapshot(cur)
		if err := s.snapshotPlan(ctx, cur, snap); err != nil {
			return err
		}
		if err := s.unlinkIncidents(ctx, cur, actor, snap); err != nil {
			return err
		}
		if err := s.Risks.Delete(ctx, orgID, cur.ID); err != nil {
			return err
		}
		return s.Events.Append(ctx, &audit.Event{
			OrganizationID: orgID, EntityType: audit.EntityRisk, EntityID: cur.ID, EntityLabel: cur.Identifier(),
			Action: audit.ActionDeleted, Actor: actor, Snapshot: snap, CreatedAt: s.Now().UTC(),
		})
	})
}

// ChangesSince lists what differs between the risk a user edited (as
// submitted) and the stored one, for the conflict page.
func ChangesSince(stored *Risk, submitted Input) []apperr.Change {
	var d audit.Diff
	mine := InputOf(stored)
	submitted.Normalize()
	d.Add("title", submitted.Title, mine.Title)
	d.Add("description", submitted.Description, mine.Description)
	d.Add("category", submitted.Category, mine.Category)
	d.Add("department", submitted.Department, mine.Department)
	d.Add("status", submitted.Status, mine.Status)
	d.Add("probability", fmt.Sprint(submitted.Probability), fmt.Sprint(mine.Probability))
	d.Add("impact", fmt.Sprint(submitted.Impact), fmt.Sprint(mine.Impact))
	d.Add("residual_probability", fmt.Sprint(submitted.ResidualProbability), fmt.Sprint(mine.ResidualProbability))
	d.Add("residual_impact", fmt.Sprint(submitted.ResidualImpact), fmt.Sprint(mine.ResidualImpact))
	d.Add("due_date", dateString(submitted.DueDate), dateString(mine.DueDate))
	d.Add("tags", strings.Join(submitted.Tags, ", "), strings.Join(mine.Tags, ", "))
	d.Add("risk_type", submitted.Type, mine.Type)
	d.Add("threat_objectives", strings.Join(submitted.ThreatObjectives, ", "), strings.Join(mine.ThreatObjectives, ", "))
	out := make([]apperr.Change, len(d))
	for i, c := range d {
		out[i] = apperr.Change{Field: c.Field, Old: c.Old, New: c.New}
	}
	return out
}

func (s *Service) register(ctx context.Context, orgID, id string) (*Register, error) {
	if id == "" {
		return s.Registers.DefaultRegister(ctx, orgID)
	}
	reg, err := s.Registers.Register(ctx, orgID, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, invalidField("registerId", "Register not found")
	}
	return reg, err
}

func (s *Service) assignee(ctx context.Context, orgID, memberID string) (*Person, error) {
	if memberID == "" {
		return nil, nil
	}
	p, err := s.Risks.Assignee(ctx, orgID, memberID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, invalidField("assigneeId", "Assignee is not a member of this organization")
	}
	return p, err
}

func invalidField(field, msg string) error {
	fe := apperr.FieldErrors{}
	fe.Add(field, msg)
	return fe.Err()
}

// apply copies validated input onto r, keeping closed_at in step with the
// status (4me semantics: closing sets it, reopening clears it).
func apply(r *Risk, in Input, now time.Time) {
	wasClosed := r.Status == StatusClosed
	r.RegisterID = firstNonEmpty(in.RegisterID, r.RegisterID)
	r.Title, r.Description = in.Title, in.Description
	r.Category, r.Department, r.Status = in.Category, in.Department, in.Status
	r.Probability, r.Impact = in.Probability, in.Impact
	r.ResidualProbability, r.ResidualImpact = in.ResidualProbability, in.ResidualImpact
	r.AssigneeID, r.ClosureReason = in.AssigneeID, in.ClosureReason
	r.DueDate, r.NextReviewDate = in.DueDate, in.NextReviewDate
	r.Tags = in.Tags
	r.Type, r.ThreatObjectives = in.Type, in.ThreatObjectives
	if r.ThreatObjectives == nil {
		r.ThreatObjectives = []string{}
	}
	switch {
	case r.Status == StatusClosed && !wasClosed:
		t := now
		r.ClosedAt = &t
	case r.Status != StatusClosed:
		r.ClosedAt = nil
	}
}

// relevel computes r's stored levels on reg's matrix.
func relevel(r *Risk, reg *Register) {
	r.InherentLevel = reg.Matrix.LevelIndexOf(r.Probability, r.Impact)
	r.ResidualLevel = reg.Matrix.LevelIndexOf(r.ResidualProbability, r.ResidualImpact)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// diff lists the changed fields between two states of a risk as display
// strings; levels are computed on each state's register.
func diff(old, new *Risk, oldReg, newReg *Register) []audit.Change {
	var d audit.Diff
	if old.RegisterID != "" {
		d.Add("register", oldReg.Name, newReg.Name)
	}
	d.Add("title", old.Title, new.Title)
	d.Add("description", old.Description, new.Description)
	d.Add("category", old.Category, new.Category)
	d.Add("department", old.Department, new.Department)
	d.Add("status", old.Status, new.Status)
	d.Add("closure_reason", old.ClosureReason, new.ClosureReason)
	d.Add("probability", score(old.Probability), score(new.Probability))
	d.Add("impact", score(old.Impact), score(new.Impact))
	d.Add("residual_probability", score(old.ResidualProbability), score(new.ResidualProbability))
	d.Add("residual_impact", score(old.ResidualImpact), score(new.ResidualImpact))
	d.Add("inherent_level", levelName(oldReg, old.Probability, old.Impact), levelName(newReg, new.Probability, new.Impact))
	d.Add("residual_level", levelName(oldReg, old.ResidualProbability, old.ResidualImpact), levelName(newReg, new.ResidualProbability, new.ResidualImpact))
	d.Add("assignee", personName(old.Assignee), personName(new.Assignee))
	d.Add("due_date", dateString(old.DueDate), dateString(new.DueDate))
	d.Add("next_review_date", dateString(old.NextReviewDate), dateString(new.NextReviewDate))
	d.Add("tags", strings.Join(old.Tags, ", "), strings.Join(new.Tags, ", "))
	d.Add("risk_type", old.Type, new.Type)
	d.Add("threat_objectives", strings.Join(old.ThreatObjectives, ", "), strings.Join(new.ThreatObjectives, ", "))
	return d
}

func score(v int) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprint(v)
}

func levelName(reg *Register, p, i int) string {
	if reg == nil {
		return ""
	}
	if lv, ok := reg.Matrix.LevelOf(p, i); ok {
		return lv.Name
	}
	return ""
}

func personName(p *Person) string {
	if p == nil {
		return ""
	}
	return p.Name
}

func dateString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Snapshot returns the risk's fields as a map, kept in the audit trail
// when the risk is deleted.
func Snapshot(r *Risk) map[string]any {
	return map[string]any{
		"id": r.ID, "identifier": r.Identifier(), "registerId": r.RegisterID, "title": r.Title,
		"description": r.Description, "category": r.Category, "department": r.Department,
		"status": r.Status, "probability": r.Probability, "impact": r.Impact,
		"residual_probability": r.ResidualProbability, "residual_impact": r.ResidualImpact,
		"assigneeId": r.AssigneeID, "closureReason": r.ClosureReason, "dueDate": dateString(r.DueDate),
		"tags": r.Tags, "version": r.Version, "nextReviewDate": dateString(r.NextReviewDate),
		"closedAt": r.ClosedAt, "source": r.Source, "type": r.Type, "threatObjectives": r.ThreatObjectives, "sourceId": r.SourceID,
		"createdBy": r.CreatedBy, "createdAt": r.CreatedAt, "updatedBy": r.UpdatedBy, "updatedAt": r.UpdatedAt,
	}
}

package db

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

type organizationRow struct {
	bun.BaseModel `bun:"table:organizations"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	Slug          string    `bun:"slug"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *organizationRow) toDomain() *account.Organization {
	return &account.Organization{ID: r.ID, Name: r.Name, Slug: r.Slug, CreatedAt: r.CreatedAt}
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`
	ID            string     `bun:"id,pk"`
	Email         string     `bun:"email"`
	Name          string     `bun:"name"`
	PasswordHash  string     `bun:"password_hash"`
	DisabledAt    *time.Time `bun:"disabled_at"`
	CreatedAt     time.Time  `bun:"created_at"`
}

func (r *userRow) toDomain() *account.User {
	return &account.User{ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash, DisabledAt: r.DisabledAt, CreatedAt: r.CreatedAt}
}

type memberRow struct {
	bun.BaseModel  `bun:"table:members"`
	OrganizationID string    `bun:"organization_id,pk"`
	ID             string    `bun:"id,pk"`
	UserID         string    `bun:"user_id"`
	Role           string    `bun:"role"`
	CreatedAt      time.Time `bun:"created_at"`
}

type sessionRow struct {
	bun.BaseModel  `bun:"table:sessions"`
	ID             string    `bun:"id,pk"`
	UserID         string    `bun:"user_id"`
	OrganizationID string    `bun:"organization_id"`
	MemberID       string    `bun:"member_id"`
	CSRFToken      string    `bun:"csrf_token"`
	CreatedAt      time.Time `bun:"created_at"`
	LastSeenAt     time.Time `bun:"last_seen_at"`
	ExpiresAt      time.Time `bun:"expires_at"`
	UserAgent      string    `bun:"user_agent"`
	IP             string    `bun:"ip"`
}

type registerRow struct {
	bun.BaseModel   `bun:"table:registers"`
	OrganizationID  string               `bun:"organization_id,pk"`
	ID              string               `bun:"id,pk"`
	Name            string               `bun:"name"`
	Description     string               `bun:"description"`
	Matrix          risk.Matrix          `bun:"matrix,type:jsonb"`
	IsDefault       bool                 `bun:"is_default"`
	ReviewIntervals risk.ReviewIntervals `bun:"review_intervals,type:jsonb,nullzero,notnull,default:'{}'"`
	Version         int                  `bun:"version"`
	CreatedAt       time.Time            `bun:"created_at"`
	UpdatedAt       time.Time            `bun:"updated_at"`
}

func (r *registerRow) toDomain() *risk.Register {
	return &risk.Register{ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name, Description: r.Description,
		Matrix: r.Matrix, IsDefault: r.IsDefault, ReviewIntervals: r.ReviewIntervals, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// riskRow is a risk as stored; the generated columns (scores, search) are
// read-only.
type riskRow struct {
	bun.BaseModel       `bun:"table:risks,alias:r"`
	OrganizationID      string     `bun:"organization_id,pk"`
	ID                  string     `bun:"id,pk"`
	RegisterID          string     `bun:"register_id"`
	Number              int64      `bun:"number"`
	Title               string     `bun:"title"`
	Description         string     `bun:"description"`
	Category            string     `bun:"category"`
	Department          string     `bun:"department"`
	Status              string     `bun:"status"`
	Probability         int        `bun:"probability"`
	Impact              int        `bun:"impact"`
	ResidualProbability int        `bun:"residual_probability"`
	ResidualImpact      int        `bun:"residual_impact"`
	InherentLevel       *int       `bun:"inherent_level"`
	ResidualLevel       *int       `bun:"residual_level"`
	AssigneeID          *string    `bun:"assignee_id"`
	ClosureReason       *string    `bun:"closure_reason"`
	ClosedAt            *time.Time `bun:"closed_at"`
	DueDate             *time.Time `bun:"due_date,type:date"`
	NextReviewDate      *time.Time `bun:"next_review_date,type:date"`
	LastReviewedAt      *time.Time `bun:"last_reviewed_at"`
	Tags                []string   `bun:"tags,array,nullzero,notnull,default:'{}'"`
	RiskType            *string    `bun:"risk_type"`
	ThreatObjectives    []string   `bun:"threat_objectives,array,nullzero,notnull,default:'{}'"`
	Source              string     `bun:"source"`
	SourceID            string     `bun:"source_id"`
	Version             int        `bun:"version"`
	CreatedBy           *string    `bun:"created_by"`
	UpdatedBy           *string    `bun:"updated_by"`
	CreatedAt           time.Time  `bun:"created_at"`
	UpdatedAt           time.Time  `bun:"updated_at"`

	// Joined, read-only.
	AssigneeName  *string `bun:"assignee_name,scanonly"`
	AssigneeEmail *string `bun:"assignee_email,scanonly"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func dateUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func riskRowOf(r *risk.Risk) *riskRow {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	objs := r.ThreatObjectives
	if objs == nil {
		objs = []string{}
	}
	return &riskRow{
		RiskType: nullable(r.Type), ThreatObjectives: objs,
		OrganizationID: r.OrganizationID, ID: r.ID, RegisterID: r.RegisterID, Number: r.Number,
		Title: r.Title, Description: r.Description, Category: r.Category, Department: r.Department,
		Status: r.Status, Probability: r.Probability, Impact: r.Impact,
		ResidualProbability: r.ResidualProbability, ResidualImpact: r.ResidualImpact,
		InherentLevel: r.InherentLevel, ResidualLevel: r.ResidualLevel,
		AssigneeID: nullable(r.AssigneeID), ClosureReason: nullable(r.ClosureReason), ClosedAt: r.ClosedAt,
		DueDate: dateUTC(r.DueDate), NextReviewDate: dateUTC(r.NextReviewDate), LastReviewedAt: r.LastReviewedAt, Tags: tags,
		Source: r.Source, SourceID: r.SourceID, Version: r.Version,
		CreatedBy: nullable(r.CreatedBy), UpdatedBy: nullable(r.UpdatedBy),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func (row *riskRow) toDomain() *risk.Risk {
	r := &risk.Risk{
		ID: row.ID, OrganizationID: row.OrganizationID, RegisterID: row.RegisterID, Number: row.Number,
		Title: row.Title, Description: row.Description, Category: row.Category, Department: row.Department,
		Status: row.Status, Probability: row.Probability, Impact: row.Impact,
		ResidualProbability: row.ResidualProbability, ResidualImpact: row.ResidualImpact,
		InherentLevel: row.InherentLevel, ResidualLevel: row.ResidualLevel,
		AssigneeID: deref(row.AssigneeID), ClosureReason: deref(row.ClosureReason), ClosedAt: utc(row.ClosedAt),
		DueDate: dateUTC(row.DueDate), NextReviewDate: dateUTC(row.NextReviewDate), LastReviewedAt: utc(row.LastReviewedAt), Tags: row.Tags,
		Source: row.Source, SourceID: row.SourceID, Version: row.Version,
		CreatedBy: deref(row.CreatedBy), UpdatedBy: deref(row.UpdatedBy),
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	r.Type, r.ThreatObjectives = deref(row.RiskType), row.ThreatObjectives
	if r.ThreatObjectives == nil {
		r.ThreatObjectives = []string{}
	}
	if row.AssigneeID != nil {
		r.Assignee = &risk.Person{MemberID: *row.AssigneeID, Name: deref(row.AssigneeName), Email: deref(row.AssigneeEmail)}
	}
	return r
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type eventRow struct {
	bun.BaseModel  `bun:"table:events,alias:e"`
	OrganizationID string         `bun:"organization_id,pk"`
	ID             int64          `bun:"id,pk,autoincrement"`
	EntityType     string         `bun:"entity_type"`
	EntityID       string         `bun:"entity_id"`
	EntityLabel    string         `bun:"entity_label"`
	Action         string         `bun:"action"`
	ActorMemberID  *string        `bun:"actor_member_id"`
	ActorAPIKeyID  *string        `bun:"actor_api_key_id"`
	ActorName      string         `bun:"actor_name"`
	Changes        []audit.Change `bun:"changes,type:jsonb"`
	Snapshot       map[string]any `bun:"snapshot,type:jsonb"`
	CreatedAt      time.Time      `bun:"created_at"`
}

func (row *eventRow) toDomain() *audit.Event {
	return &audit.Event{
		ID: row.ID, OrganizationID: row.OrganizationID, EntityType: row.EntityType, EntityID: row.EntityID,
		EntityLabel: row.EntityLabel, Action: row.Action,
		Actor:   audit.Actor{MemberID: deref(row.ActorMemberID), APIKeyID: deref(row.ActorAPIKeyID), Name: row.ActorName},
		Changes: row.Changes, Snapshot: row.Snapshot, CreatedAt: row.CreatedAt.UTC(),
	}
}

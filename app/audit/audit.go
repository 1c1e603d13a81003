// Package audit defines the append-only trail of changes: who changed
// which entity, how, and when.
package audit

import "time"

// Entity types.
const (
	EntityRisk     = "risk"
	EntityRegister = "register"
	EntityAPIKey   = "api_key"
)

// Actions.
const (
	ActionCreated = "created"
	ActionUpdated = "updated"
	ActionDeleted = "deleted"
	// ActionRestored brings a deleted entity back from its last state.
	ActionRestored = "restored"
)

// Actor is who made a change: a member in the browser, or an API key
// (with the member who created it).
type Actor struct {
	MemberID string
	APIKeyID string
	Name     string
}

// Change is one field's change, as display strings.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Event is one entry of the audit trail.
type Event struct {
	ID             int64
	OrganizationID string
	EntityType     string
	EntityID       string
	EntityLabel    string // e.g. RSK-00042, kept so deleted entities stay readable
	Action         string
	Actor          Actor
	Changes        []Change
	Snapshot       map[string]any // the last state of a deleted entity
	CreatedAt      time.Time
}

// Diff collects the changes between two sets of display values.
type Diff []Change

// Add records a change of field when old and new differ.
func (d *Diff) Add(field, old, new string) {
	if old != new {
		*d = append(*d, Change{Field: field, Old: old, New: new})
	}
}

// Entity types of the team: members and invitations.
const (
	EntityMember = "member"
	EntityInvite = "invite"
)

// Package account is the domain of organizations, users, memberships and
// browser sessions: sign-up, login with rate limiting, session validation
// and roles.
package account

import (
	"time"
)

// Role is a member's role in an organization.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Roles lists the valid roles.
var Roles = []Role{RoleOwner, RoleAdmin, RoleEditor, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// CanWrite reports whether the role may change risks.
func (r Role) CanWrite() bool { return r == RoleOwner || r == RoleAdmin || r == RoleEditor }

// CanManage reports whether the role may change settings and members.
func (r Role) CanManage() bool { return r == RoleOwner || r == RoleAdmin }

// Organization is a tenant.
type Organization struct {
	ID        string
	Name      string
	Slug      string
	CreatedAt time.Time
}

// User is a person who can sign in.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	DisabledAt   *time.Time
	CreatedAt    time.Time
}

// Member is a user's membership of an organization.
type Member struct {
	ID             string
	OrganizationID string
	UserID         string
	Role           Role
	CreatedAt      time.Time

	// Filled by stores that join them.
	Name  string
	Email string
}

// Membership is one organization a user belongs to, for the switcher.
type Membership struct {
	Organization Organization
	MemberID     string
	Role         Role
}

// Session is a server-side browser session. Its ID is the SHA-256 of the
// token held in the cookie, so a database leak does not leak sessions.
type Session struct {
	ID             string
	UserID         string
	OrganizationID string
	MemberID       string
	CSRFToken      string
	CreatedAt      time.Time
	LastSeenAt     time.Time
	ExpiresAt      time.Time // the absolute timeout
	UserAgent      string
	IP             string
}

// Principal is an authenticated member acting in one organization.
type Principal struct {
	Session      *Session
	User         User
	Organization Organization
	MemberID     string
	Role         Role
	// MemberInactive: the membership is disabled or removed; the session
	// is refused.
	MemberInactive bool
	// Organizations are the user's, by their active memberships (as
	// Service.Memberships lists them), for the organization switcher.
	Organizations []Organization
}

package account

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// Member statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
	StatusInvited  = "invited"
)

// Invitation statuses.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteRevoked  = "revoked"
	InviteExpired  = "expired"
)

// Link lifetimes.
const (
	InviteTTL = 7 * 24 * time.Hour
	ResetTTL  = 24 * time.Hour
)

// TeamMember is a member as the Members page lists it.
type TeamMember struct {
	Member
	DisabledAt   *time.Time
	LastSignInAt *time.Time
}

// Status is StatusActive or StatusDisabled.
func (m *TeamMember) Status() string {
	if m.DisabledAt != nil {
		return StatusDisabled
	}
	return StatusActive
}

// Invitation is an invitation to join an organization by a one-time link.
type Invitation struct {
	ID             string
	OrganizationID string
	Email          string
	Role           Role
	InvitedBy      string
	InviterName    string // filled by stores that join it
	OrgName        string // filled by ByToken
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	RevokedAt      *time.Time
}

// Status is the invitation's status at now.
func (i *Invitation) Status(now time.Time) string {
	switch {
	case i.AcceptedAt != nil:
		return InviteAccepted
	case i.RevokedAt != nil:
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	}
	return InvitePending
}

// PasswordReset is a one-time link that sets a member's password.
type PasswordReset struct {
	ID             string
	OrganizationID string
	UserID         string
	MemberID       string
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	UsedAt         *time.Time
	UserEmail      string // filled by ByToken
}

// TeamStore persists what the team pages change. Member lookups are
// scoped by the organization: another organization's id is NotFound.
type TeamStore interface {
	// TeamMembers lists the organization's members that are not removed,
	// with their status and last sign-in, by name.
	TeamMembers(ctx context.Context, orgID string) ([]TeamMember, error)
	// TeamMember returns one member (removed ones too); forUpdate locks it.
	TeamMember(ctx context.Context, orgID, id string, forUpdate bool) (*TeamMember, bool, error)
	// MemberByUser returns the user's membership of the organization
	// (removed ones too), or NotFound; removed reports a removed one.
	MemberByUser(ctx context.Context, orgID, userID string) (*TeamMember, bool, error)
	// OtherOrganizations counts the user's memberships (in any state) of
	// organizations other than orgID.
	OtherOrganizations(ctx context.Context, userID, orgID string) (int, error)
	// LockOwners locks and counts the organization's active owners.
	LockOwners(ctx context.Context, orgID string) (int, error)
	SetMemberRole(ctx context.Context, orgID, id string, role Role) error
	SetMemberDisabled(ctx context.Context, orgID, id string, at *time.Time) error
	// SetMemberRemoved marks a member removed (at) or back (nil, with role).
	SetMemberRemoved(ctx context.Context, orgID, id string, at *time.Time, role Role) error
	DeleteMemberSessions(ctx context.Context, orgID, memberID string) error

	CreateInvitation(ctx context.Context, inv *Invitation, tokenHash string) error
	Invitations(ctx context.Context, orgID string) ([]Invitation, error)
	Invitation(ctx context.Context, orgID, id string, forUpdate bool) (*Invitation, error)
	// InvitationByToken finds an invitation of any organization by the
	// hash of its token and locks it; NotFound when none.
	InvitationByToken(ctx context.Context, tokenHash string) (*Invitation, error)
	RevokeInvitation(ctx context.Context, orgID, id string, at time.Time) error
	AcceptInvitation(ctx context.Context, orgID, id, memberID string, at time.Time) error
	// PendingInvitation reports whether email has a pending invitation at now.
	PendingInvitation(ctx context.Context, orgID, email string, now time.Time) (bool, error)

	CreatePasswordReset(ctx context.Context, r *PasswordReset, tokenHash string) error
	// PasswordResetByToken finds and locks a reset by its token's hash.
	PasswordResetByToken(ctx context.Context, tokenHash string) (*PasswordReset, error)
	UsePasswordReset(ctx context.Context, orgID, id string, at time.Time) error

	SetUserName(ctx context.Context, userID, name string) error
	SetUserPassword(ctx context.Context, userID, hash string) error
	SetUserSignIn(ctx context.Context, userID string, at time.Time) error
	// UserSessions lists the user's sessions, last seen first.
	UserSessions(ctx context.Context, userID string) ([]Session, error)
	DeleteUserSession(ctx context.Context, userID, id string) error
	// DeleteOtherSessions revokes every session of the user but keepID.
	DeleteOtherSessions(ctx context.Context, userID, keepID string) error
}

// EventWriter appends to the audit trail.
type EventWriter interface {
	Append(ctx context.Context, e *audit.Event) error
}

// InviteInput is the invite form.
type InviteInput struct {
	Email string
	Role  Role
}

// Manager is who changes the team: a member acting in an organization.
type Manager struct {
	OrganizationID string
	MemberID       string
	Name           string
	Role           Role
}

// Actor is the manager as the audit trail records them.
func (m Manager) Actor() audit.Actor { return audit.Actor{MemberID: m.MemberID, Name: m.Name} }

// ManagerOf is the manager a signed-in principal is.
func ManagerOf(p *Principal) Manager {
	return Manager{OrganizationID: p.Organization.ID, MemberID: p.MemberID, Name: p.User.Name, Role: p.Role}
}

// RoleLabel is a role as people read it.
func RoleLabel(r Role) string {
	switch r {
	case RoleOwner:
		return "Owner"
	case RoleAdmin:
		return "Admin"
	case RoleEditor:
		return "Editor"
	case RoleViewer:
		return "Viewer"
	}
	return string(r)
}

var (
	errOwnerOnly = apperr.New(apperr.Forbidden, "Only an owner can give or change the owner role")
	errLastOwner = apperr.New(apperr.Conflict, "The organization needs at least one active owner: make someone else owner first")
	errSelf      = apperr.New(apperr.Conflict, "You cannot do this to yourself here; use your account page or ask another owner or admin")
)

func memberNotFound() error { return apperr.New(apperr.NotFound, "Member not found") }

// TeamMembers lists the organization's members and its invitations.
func (s *Service) TeamMembers(ctx context.Context, orgID string) ([]TeamMember, []Invitation, error) {
	ms, err := s.Team.TeamMembers(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	invs, err := s.Team.Invitations(ctx, orgID)
	return ms, invs, err
}

func (s *Service) event(ctx context.Context, orgID, typ, id, label, action string, actor audit.Actor, changes ...audit.Change) error {
	return s.Events.Append(ctx, &audit.Event{
		OrganizationID: orgID, EntityType: typ, EntityID: id, EntityLabel: label,
		Action: action, Actor: actor, Changes: changes, CreatedAt: s.Now().UTC(),
	})
}

// Invite creates an invitation and returns it with its token, which is
// never stored and is shown once. An admin cannot invite an owner; an
// address that is already a member, or invited, is an Invalid error on
// "email".
func (s *Service) Invite(ctx context.Context, by Manager, in InviteInput) (*Invitation, string, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	fe := apperr.FieldErrors{}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		fe.Add("email", "Enter a valid email address")
	}
	if !in.Role.Valid() {
		fe.Add("role", "Choose a role: owner, admin, editor or viewer")
	} else if in.Role == RoleOwner && by.Role != RoleOwner {
		fe.Add("role", "Only an owner can invite an owner")
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	token := randomToken()
	now := s.Now().UTC()
	inv := &Invitation{
		ID: s.NewID("inv"), OrganizationID: by.OrganizationID, Email: in.Email, Role: in.Role,
		InvitedBy: by.MemberID, InviterName: by.Name, CreatedAt: now, ExpiresAt: now.Add(InviteTTL),
	}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		ms, err := s.Store.MembersByEmail(ctx, by.OrganizationID, []string{in.Email})
		if err != nil {
			return err
		}
		if len(ms) > 0 {
			fe.Add("email", ms[0].Name+" <"+ms[0].Email+"> is already a member of this organization")
			return fe.Err()
		}
		pending, err := s.Team.PendingInvitation(ctx, by.OrganizationID, in.Email, now)
		if err != nil {
			return err
		}
		if pending {
			fe.Add("email", "This address already has a pending invitation: revoke it to send a new one")
			return fe.Err()
		}
		if err := s.Team.CreateInvitation(ctx, inv, HashToken(token)); err != nil {
			return err
		}
		return s.event(ctx, by.OrganizationID, audit.EntityInvite, inv.ID, inv.Email, audit.ActionCreated, by.Actor(),
			audit.Change{Field: "email", New: inv.Email}, audit.Change{Field: "role", New: string(inv.Role)},
			audit.Change{Field: "expiresAt", New: inv.ExpiresAt.Format(time.RFC3339)})
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// RevokeInvitation makes a pending invitation's link unusable.
func (s *Service) RevokeInvitation(ctx context.Context, by Manager, id string) (*Invitation, error) {
	var inv *Invitation
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.Team.Invitation(ctx, by.OrganizationID, id, true); err != nil {
			return err
		}
		now := s.Now().UTC()
		st := inv.Status(now)
		if st == InviteAccepted || st == InviteRevoked {
			return apperr.New(apperr.Conflict, "This invitation is "+st+" already")
		}
		if inv.Role == RoleOwner && by.Role != RoleOwner {
			return errOwnerOnly
		}
		if err := s.Team.RevokeInvitation(ctx, by.OrganizationID, id, now); err != nil {
			return err
		}
		inv.RevokedAt = &now
		return s.event(ctx, by.OrganizationID, audit.EntityInvite, inv.ID, inv.Email, audit.ActionUpdated, by.Actor(),
			audit.Change{Field: "status", Old: st, New: InviteRevoked})
	})
	return inv, err
}

// LinkError says why a one-time link (invitation, password reset) was
// refused: unknown, accepted (used), revoked or expired.
type LinkError struct{ Reason string }

func (e *LinkError) Error() string { return "link " + e.Reason }

func linkErr(reason string) error {
	return &apperr.Error{Code: apperr.NotFound, Message: linkMessage(reason), Err: &LinkError{Reason: reason}}
}

func linkMessage(reason string) string {
	switch reason {
	case InviteAccepted:
		return "This link has been used already."
	case InviteRevoked:
		return "This link has been withdrawn."
	case InviteExpired:
		return "This link has expired."
	}
	return "This link is not valid."
}

// LinkReason returns why a link was refused ("unknown", "accepted",
// "revoked", "expired"), or "" for other errors.
func LinkReason(err error) string {
	var le *LinkError
	if errors.As(err, &le) {
		return le.Reason
	}
	return ""
}

// InvitationInfo is what the invitation page shows.
type InvitationInfo struct {
	Invitation
	// ExistingAccount: the email has an account, which joins with its
	// current password.
	ExistingAccount bool
}

// OpenInvitation returns a pending invitation by its token, or a NotFound
// error carrying a LinkError.
func (s *Service) OpenInvitation(ctx context.Context, token string) (*InvitationInfo, error) {
	var info *InvitationInfo
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.pendingInvitation(ctx, token)
		if err != nil {
			return err
		}
		_, err = s.Store.UserByEmail(ctx, inv.Email)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		info = &InvitationInfo{Invitation: *inv, ExistingAccount: err == nil}
		return nil
	})
	return info, err
}

func (s *Service) pendingInvitation(ctx context.Context, token string) (*Invitation, error) {
	if token == "" || len(token) > 100 {
		return nil, linkErr("unknown")
	}
	inv, err := s.Team.InvitationByToken(ctx, HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, linkErr("unknown")
	}
	if err != nil {
		return nil, err
	}
	if st := inv.Status(s.Now().UTC()); st != InvitePending {
		return nil, linkErr(st)
	}
	return inv, nil
}

// AcceptInput is the invitation form: a new account's name and password,
// or an existing account's current password.
type AcceptInput struct {
	Name     string
	Password string
}

// AcceptInvitation joins the invitation's organization and signs in
// there, returning the session token. A new address becomes a user with
// the name and password given; an existing account must give its current
// password (counted as a sign-in attempt).
func (s *Service) AcceptInvitation(ctx context.Context, token string, in AcceptInput, ua, ip string) (string, error) {
	info, err := s.OpenInvitation(ctx, token)
	if err != nil {
		return "", err
	}
	if info.ExistingAccount {
		a := Attempt{Kind: AttemptLogin, Account: attemptAccount(info.Email), IP: attemptAddress(ip), At: s.Now()}
		if err := s.countAttempt(ctx, a, loginQuery(a.At), loginWait,
			"Too many sign-in attempts. Please wait a few minutes and try again."); err != nil {
			return "", err
		}
	}
	var session string
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.pendingInvitation(ctx, token) // locked now
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		u, err := s.Store.UserByEmail(ctx, inv.Email)
		switch {
		case err == nil:
			ok, cerr := CheckPassword(u.PasswordHash, in.Password)
			if cerr != nil {
				return cerr
			}
			if !ok || u.DisabledAt != nil {
				fe := apperr.FieldErrors{}
				fe.Add("password", "Incorrect password for "+u.Email)
				return fe.Err()
			}
		case apperr.Is(err, apperr.NotFound):
			nu := NewUserInput{Organization: "-", Name: in.Name, Email: inv.Email, Password: in.Password, Role: inv.Role}
			if err := nu.Validate(); err != nil {
				return err
			}
			hash, err := HashPassword(in.Password)
			if err != nil {
				return err
			}
			u = &User{ID: s.NewID("usr"), Email: inv.Email, Name: nu.Name, PasswordHash: hash, CreatedAt: now}
			if err := s.Store.CreateUser(ctx, u); err != nil {
				return err
			}
		default:
			return err
		}
		m, removed, err := s.Team.MemberByUser(ctx, inv.OrganizationID, u.ID)
		switch {
		case err == nil && !removed:
			return apperr.New(apperr.Conflict, "You are a member of this organization already: sign in")
		case err == nil && removed:
			if err := s.Team.SetMemberRemoved(ctx, inv.OrganizationID, m.ID, nil, inv.Role); err != nil {
				return err
			}
			if m.DisabledAt != nil {
				if err := s.Team.SetMemberDisabled(ctx, inv.OrganizationID, m.ID, nil); err != nil {
					return err
				}
			}
		case apperr.Is(err, apperr.NotFound):
			m = &TeamMember{Member: Member{ID: s.NewID("mem"), OrganizationID: inv.OrganizationID, UserID: u.ID, Role: inv.Role, CreatedAt: now}}
			if err := s.Store.CreateMember(ctx, &m.Member); err != nil {
				return err
			}
		default:
			return err
		}
		if err := s.Team.AcceptInvitation(ctx, inv.OrganizationID, inv.ID, m.ID, now); err != nil {
			return err
		}
		if err := s.Team.SetUserSignIn(ctx, u.ID, now); err != nil {
			return err
		}
		actor := audit.Actor{MemberID: m.ID, Name: u.Name}
		if err := s.event(ctx, inv.OrganizationID, audit.EntityInvite, inv.ID, inv.Email, audit.ActionUpdated, actor,
			audit.Change{Field: "status", Old: InvitePending, New: InviteAccepted}); err != nil {
			return err
		}
		if err := s.event(ctx, inv.OrganizationID, audit.EntityMember, m.ID, u.Name, audit.ActionCreated, actor,
			audit.Change{Field: "email", New: u.Email}, audit.Change{Field: "role", New: string(inv.Role)}); err != nil {
			return err
		}
		session, err = s.newSession(ctx, u.ID, inv.OrganizationID, m.ID, ua, ip)
		return err
	})
	if err == nil && info.ExistingAccount {
		err = s.Attempts.Forget(ctx, AttemptLogin, attemptAccount(info.Email), attemptAddress(ip))
	}
	return session, err
}

// target locks a member of the manager's organization for a change (after
// the organization's owners) and
// applies the guards every change shares: not removed, and an admin
// cannot change an owner.
func (s *Service) target(ctx context.Context, by Manager, id string) (*TeamMember, error) {
	// The owners first, always in the same order, then the member: two
	// owners changing each other at once wait instead of deadlocking.
	if _, err := s.Team.LockOwners(ctx, by.OrganizationID); err != nil {
		return nil, err
	}
	m, removed, err := s.Team.TeamMember(ctx, by.OrganizationID, id, true)
	if apperr.Is(err, apperr.NotFound) || (err == nil && removed) {
		return nil, memberNotFound()
	}
	if err != nil {
		return nil, err
	}
	if m.Role == RoleOwner && by.Role != RoleOwner {
		return nil, apperr.New(apperr.Forbidden, "Only an owner can change an owner")
	}
	return m, nil
}

// lastOwner reports whether m is the organization's only active owner.
func (s *Service) lastOwner(ctx context.Context, orgID string, m *TeamMember) (bool, error) {
	if m.Role != RoleOwner || m.DisabledAt != nil {
		return false, nil
	}
	n, err := s.Team.LockOwners(ctx, orgID)
	return n <= 1, err
}

// ChangeRole gives a member another role. Only an owner gives or takes
// the owner role; the last active owner keeps it.
func (s *Service) ChangeRole(ctx context.Context, by Manager, id string, role Role) (*TeamMember, error) {
	if !role.Valid() {
		fe := apperr.FieldErrors{}
		fe.Add("role", "Choose a role: owner, admin, editor or viewer")
		return nil, fe.Err()
	}
	if role == RoleOwner && by.Role != RoleOwner {
		return nil, errOwnerOnly
	}
	var m *TeamMember
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.target(ctx, by, id); err != nil {
			return err
		}
		if m.Role == role {
			return nil
		}
		if role != RoleOwner {
			last, err := s.lastOwner(ctx, by.OrganizationID, m)
			if err != nil {
				return err
			}
			if last {
				return errLastOwner
			}
		}
		if err := s.Team.SetMemberRole(ctx, by.OrganizationID, m.ID, role); err != nil {
			return err
		}
		old := m.Role
		m.Role = role
		return s.event(ctx, by.OrganizationID, audit.EntityMember, m.ID, m.Name, audit.ActionUpdated, by.Actor(),
			audit.Change{Field: "role", Old: string(old), New: string(role)})
	})
	return m, err
}

// SetDisabled disables a member (their sessions end at once, their API
// keys are refused, they cannot sign in to the organization) or enables
// them again. Nobody disables themselves or the last active owner.
func (s *Service) SetDisabled(ctx context.Context, by Manager, id string, disabled bool) (*TeamMember, error) {
	var m *TeamMember
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.target(ctx, by, id); err != nil {
			return err
		}
		if (m.DisabledAt != nil) == disabled {
			return nil
		}
		var at *time.Time
		if disabled {
			if m.ID == by.MemberID {
				return errSelf
			}
			last, err := s.lastOwner(ctx, by.OrganizationID, m)
			if err != nil {
				return err
			}
			if last {
				return errLastOwner
			}
			now := s.Now().UTC()
			at = &now
			if err := s.Team.DeleteMemberSessions(ctx, by.OrganizationID, m.ID); err != nil {
				return err
			}
		}
		if err := s.Team.SetMemberDisabled(ctx, by.OrganizationID, m.ID, at); err != nil {
			return err
		}
		old := m.Status()
		m.DisabledAt = at
		return s.event(ctx, by.OrganizationID, audit.EntityMember, m.ID, m.Name, audit.ActionUpdated, by.Actor(),
			audit.Change{Field: "status", Old: old, New: m.Status()})
	})
	return m, err
}

// Remove takes a member out of the organization: their sessions end, they
// can no longer sign in to it, and they leave the team lists; what they
// did stays in the history under their name. They can be invited again.
func (s *Service) Remove(ctx context.Context, by Manager, id string) (*TeamMember, error) {
	var m *TeamMember
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.target(ctx, by, id); err != nil {
			return err
		}
		if m.ID == by.MemberID {
			return errSelf
		}
		last, err := s.lastOwner(ctx, by.OrganizationID, m)
		if err != nil {
			return err
		}
		if last {
			return errLastOwner
		}
		now := s.Now().UTC()
		if err := s.Team.DeleteMemberSessions(ctx, by.OrganizationID, m.ID); err != nil {
			return err
		}
		if err := s.Team.SetMemberRemoved(ctx, by.OrganizationID, m.ID, &now, m.Role); err != nil {
			return err
		}
		return s.event(ctx, by.OrganizationID, audit.EntityMember, m.ID, m.Name, audit.ActionDeleted, by.Actor(),
			audit.Change{Field: "email", Old: m.Email}, audit.Change{Field: "role", Old: string(m.Role)})
	})
	return m, err
}

// IssuePasswordReset returns a one-time link token that lets the member
// set a new password, valid ResetTTL. Only for a person who belongs to
// this organization alone (an admin here must not take over an account
// that is also someone's elsewhere), and only an owner resets an owner.
func (s *Service) IssuePasswordReset(ctx context.Context, by Manager, id string) (*TeamMember, string, error) {
	var m *TeamMember
	token := randomToken()
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.target(ctx, by, id); err != nil {
			return err
		}
		if m.ID == by.MemberID {
			return apperr.New(apperr.Conflict, "Change your own password on your account page")
		}
		others, err := s.Team.OtherOrganizations(ctx, m.UserID, by.OrganizationID)
		if err != nil {
			return err
		}
		if others > 0 {
			return apperr.New(apperr.Conflict, m.Name+" belongs to other organizations too: they can change their password on their account page")
		}
		now := s.Now().UTC()
		r := &PasswordReset{ID: s.NewID("pwr"), OrganizationID: by.OrganizationID, UserID: m.UserID, MemberID: m.ID,
			CreatedBy: by.MemberID, CreatedAt: now, ExpiresAt: now.Add(ResetTTL)}
		if err := s.Team.CreatePasswordReset(ctx, r, HashToken(token)); err != nil {
			return err
		}
		return s.event(ctx, by.OrganizationID, audit.EntityMember, m.ID, m.Name, audit.ActionUpdated, by.Actor(),
			audit.Change{Field: "password", New: "reset link issued, valid until " + r.ExpiresAt.Format(time.RFC3339)})
	})
	if err != nil {
		return nil, "", err
	}
	return m, token, nil
}

func (s *Service) pendingReset(ctx context.Context, token string) (*PasswordReset, error) {
	if token == "" || len(token) > 100 {
		return nil, linkErr("unknown")
	}
	r, err := s.Team.PasswordResetByToken(ctx, HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, linkErr("unknown")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case r.UsedAt != nil:
		return nil, linkErr(InviteAccepted)
	case !s.Now().UTC().Before(r.ExpiresAt):
		return nil, linkErr(InviteExpired)
	}
	// A link for someone removed since is withdrawn with them.
	if _, removed, err := s.Team.TeamMember(ctx, r.OrganizationID, r.MemberID, false); err != nil || removed {
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		return nil, linkErr(InviteRevoked)
	}
	return r, nil
}

// OpenPasswordReset returns a usable reset by its token, or a NotFound
// error carrying a LinkError.
func (s *Service) OpenPasswordReset(ctx context.Context, token string) (*PasswordReset, error) {
	var r *PasswordReset
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		r, err = s.pendingReset(ctx, token)
		return err
	})
	return r, err
}

// ResetPassword sets the password of a reset link's member, uses the link
// up and ends every session of theirs.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*PasswordReset, error) {
	var r *PasswordReset
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.pendingReset(ctx, token); err != nil {
			return err
		}
		if err := checkPassword("password", password); err != nil {
			return err
		}
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		if err := s.Team.SetUserPassword(ctx, r.UserID, hash); err != nil {
			return err
		}
		if err := s.Team.UsePasswordReset(ctx, r.OrganizationID, r.ID, now); err != nil {
			return err
		}
		if err := s.Store.DeleteUserSessions(ctx, r.UserID); err != nil {
			return err
		}
		u, err := s.Store.UserByID(ctx, r.UserID)
		if err != nil {
			return err
		}
		return s.event(ctx, r.OrganizationID, audit.EntityMember, r.MemberID, u.Name, audit.ActionUpdated,
			audit.Actor{MemberID: r.MemberID, Name: u.Name}, audit.Change{Field: "password", New: "set with a reset link"})
	})
	return r, err
}

func checkPassword(field, password string) error {
	fe := apperr.FieldErrors{}
	switch n := len([]rune(password)); {
	case n < MinPassword:
		fe.Add(field, "Password must be at least 12 characters")
	case n > MaxPassword:
		fe.Add(field, "Password must be at most 256 characters")
	}
	return fe.Err()
}

package db

import (
	"context"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
)

var _ account.TeamStore = (*AccountStore)(nil)

// teamMemberRow is a member joined with their user.
type teamMemberRow struct {
	ID           string     `bun:"id"`
	UserID       string     `bun:"user_id"`
	Role         string     `bun:"role"`
	CreatedAt    time.Time  `bun:"created_at"`
	DisabledAt   *time.Time `bun:"disabled_at"`
	RemovedAt    *time.Time `bun:"removed_at"`
	Name         string     `bun:"name"`
	Email        string     `bun:"email"`
	LastSignInAt *time.Time `bun:"last_sign_in_at"`
}

func (r *teamMemberRow) toDomain(orgID string) *account.TeamMember {
	return &account.TeamMember{
		Member: account.Member{ID: r.ID, OrganizationID: orgID, UserID: r.UserID, Role: account.Role(r.Role),
			CreatedAt: r.CreatedAt, Name: r.Name, Email: r.Email},
		DisabledAt: r.DisabledAt, LastSignInAt: r.LastSignInAt,
	}
}

const teamMemberSelect = `SELECT m.id, m.user_id, m.role, m.created_at, m.disabled_at, m.removed_at, u.name, u.email, u.last_sign_in_at
	FROM members m JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? `

// TeamMembers lists the members that are not removed, by name.
func (s *AccountStore) TeamMembers(ctx context.Context, orgID string) ([]account.TeamMember, error) {
	var rows []teamMemberRow
	if err := idb(ctx, s.DB).NewRaw(teamMemberSelect+`AND m.removed_at IS NULL ORDER BY lower(u.name), m.id`, orgID).Scan(ctx, &rows); err != nil {
		return nil, dbErr("list team", err)
	}
	out := make([]account.TeamMember, len(rows))
	for i := range rows {
		out[i] = *rows[i].toDomain(orgID)
	}
	return out, nil
}

func (s *AccountStore) teamMember(ctx context.Context, orgID, where, arg string, forUpdate bool) (*account.TeamMember, bool, error) {
	if !validText(arg) {
		return nil, false, apperr.New(apperr.NotFound, "Member not found")
	}
	q := teamMemberSelect + `AND ` + where
	if forUpdate {
		q += ` FOR UPDATE OF m`
	}
	var rows []teamMemberRow
	if err := idb(ctx, s.DB).NewRaw(q, orgID, arg).Scan(ctx, &rows); err != nil {
		return nil, false, dbErr("get member", err)
	}
	if len(rows) == 0 {
		return nil, false, apperr.New(apperr.NotFound, "Member not found")
	}
	return rows[0].toDomain(orgID), rows[0].RemovedAt != nil, nil
}

// TeamMember returns one member of the organization.
func (s *AccountStore) TeamMember(ctx context.Context, orgID, id string, forUpdate bool) (*account.TeamMember, bool, error) {
	return s.teamMember(ctx, orgID, "m.id = ?", id, forUpdate)
}

// MemberByUser returns the user's membership of the organization.
func (s *AccountStore) MemberByUser(ctx context.Context, orgID, userID string) (*account.TeamMember, bool, error) {
	return s.teamMember(ctx, orgID, "m.user_id = ?", userID, true)
}

// OtherOrganizations counts the user's memberships of other organizations,
// disabled and removed ones included.
func (s *AccountStore) OtherOrganizations(ctx context.Context, userID, orgID string) (int, error) {
	var n int
	err := idb(ctx, s.DB).NewRaw(`SELECT count(*) FROM members WHERE user_id = ? AND organization_id <> ?`, userID, orgID).Scan(ctx, &n)
	return n, dbErr("count memberships", err)
}

// LockOwners locks the organization's active owners and counts them.
func (s *AccountStore) LockOwners(ctx context.Context, orgID string) (int, error) {
	var ids []string
	err := idb(ctx, s.DB).NewRaw(`SELECT id FROM members WHERE organization_id = ? AND role = 'owner'
		AND disabled_at IS NULL AND removed_at IS NULL ORDER BY id FOR UPDATE`, orgID).Scan(ctx, &ids)
	return len(ids), dbErr("count owners", err)
}

func (s *AccountStore) updateMember(ctx context.Context, op, orgID, id, set string, args ...any) error {
	_, err := idb(ctx, s.DB).NewUpdate().Model((*memberRow)(nil)).Set(set, args...).
		Where("organization_id = ? AND id = ?", orgID, id).Exec(ctx)
	return dbErr(op, err)
}

// SetMemberRole changes a member's role.
func (s *AccountStore) SetMemberRole(ctx context.Context, orgID, id string, role account.Role) error {
	return s.updateMember(ctx, "set role", orgID, id, "role = ?", string(role))
}

// SetMemberDisabled disables (at) or enables (nil) a member.
func (s *AccountStore) SetMemberDisabled(ctx context.Context, orgID, id string, at *time.Time) error {
	return s.updateMember(ctx, "disable member", orgID, id, "disabled_at = ?", at)
}

// SetMemberRemoved removes (at) or restores (nil) a member with role.
func (s *AccountStore) SetMemberRemoved(ctx context.Context, orgID, id string, at *time.Time, role account.Role) error {
	return s.updateMember(ctx, "remove member", orgID, id, "removed_at = ?, role = ?", at, string(role))
}

// DeleteMemberSessions ends every session acting as the member.
func (s *AccountStore) DeleteMemberSessions(ctx context.Context, orgID, memberID string) error {
	_, err := idb(ctx, s.DB).NewDelete().Model((*sessionRow)(nil)).
		Where("organization_id = ? AND member_id = ?", orgID, memberID).Exec(ctx)
	return dbErr("end member sessions", err)
}

type invitationRow struct {
	OrganizationID string     `bun:"organization_id"`
	ID             string     `bun:"id"`
	Email          string     `bun:"email"`
	Role           string     `bun:"role"`
	InvitedBy      *string    `bun:"invited_by"`
	InviterName    string     `bun:"inviter_name"`
	OrgName        string     `bun:"org_name"`
	CreatedAt      time.Time  `bun:"created_at"`
	ExpiresAt      time.Time  `bun:"expires_at"`
	AcceptedAt     *time.Time `bun:"accepted_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`
}

func (r *invitationRow) toDomain() *account.Invitation {
	inv := &account.Invitation{ID: r.ID, OrganizationID: r.OrganizationID, Email: r.Email, Role: account.Role(r.Role),
		InviterName: r.InviterName, OrgName: r.OrgName, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		AcceptedAt: r.AcceptedAt, RevokedAt: r.RevokedAt}
	if r.InvitedBy != nil {
		inv.InvitedBy = *r.InvitedBy
	}
	return inv
}

// CreateInvitation stores an invitation with the hash of its token.
func (s *AccountStore) CreateInvitation(ctx context.Context, inv *account.Invitation, tokenHash string) error {
	_, err := idb(ctx, s.DB).NewRaw(`INSERT INTO invitations (organization_id, id, email, role, token_hash, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, inv.OrganizationID, inv.ID, inv.Email, string(inv.Role), tokenHash,
		nullable(inv.InvitedBy), inv.CreatedAt, inv.ExpiresAt).Exec(ctx)
	return dbErr("create invitation", err)
}

const invitationSelect = `SELECT i.organization_id, i.id, i.email, i.role, i.invited_by, i.created_at, i.expires_at,
		i.accepted_at, i.revoked_at, coalesce(u.name, '') AS inviter_name, o.name AS org_name
	FROM invitations i JOIN organizations o ON o.id = i.organization_id
	LEFT JOIN members m ON m.organization_id = i.organization_id AND m.id = i.invited_by
	LEFT JOIN users u ON u.id = m.user_id `

// Invitations lists the organization's open invitations (pending or
// expired; not accepted or revoked), newest first.
func (s *AccountStore) Invitations(ctx context.Context, orgID string) ([]account.Invitation, error) {
	var rows []invitationRow
	err := idb(ctx, s.DB).NewRaw(invitationSelect+`WHERE i.organization_id = ? AND i.accepted_at IS NULL AND i.revoked_at IS NULL
		ORDER BY i.created_at DESC, i.id DESC LIMIT 200`, orgID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("list invitations", err)
	}
	out := make([]account.Invitation, len(rows))
	for i := range rows {
		out[i] = *rows[i].toDomain()
	}
	return out, nil
}

func (s *AccountStore) invitation(ctx context.Context, where string, forUpdate bool, args ...any) (*account.Invitation, error) {
	q := invitationSelect + where
	if forUpdate {
		q += ` FOR UPDATE OF i`
	}
	var rows []invitationRow
	if err := idb(ctx, s.DB).NewRaw(q, args...).Scan(ctx, &rows); err != nil {
		return nil, dbErr("get invitation", err)
	}
	if len(rows) == 0 {
		return nil, apperr.New(apperr.NotFound, "Invitation not found")
	}
	return rows[0].toDomain(), nil
}

// Invitation returns one invitation of the organization.
func (s *AccountStore) Invitation(ctx context.Context, orgID, id string, forUpdate bool) (*account.Invitation, error) {
	if !validText(id) {
		return nil, apperr.New(apperr.NotFound, "Invitation not found")
	}
	return s.invitation(ctx, `WHERE i.organization_id = ? AND i.id = ?`, forUpdate, orgID, id)
}

// InvitationByToken finds an invitation by its token's hash and locks it.
func (s *AccountStore) InvitationByToken(ctx context.Context, tokenHash string) (*account.Invitation, error) {
	return s.invitation(ctx, `WHERE i.token_hash = ?`, true, tokenHash)
}

// RevokeInvitation withdraws an invitation.
func (s *AccountStore) RevokeInvitation(ctx context.Context, orgID, id string, at time.Time) error {
	_, err := idb(ctx, s.DB).NewRaw(`UPDATE invitations SET revoked_at = ? WHERE organization_id = ? AND id = ?`, at, orgID, id).Exec(ctx)
	return dbErr("revoke invitation", err)
}

// AcceptInvitation records that the member joined with the invitation.
func (s *AccountStore) AcceptInvitation(ctx context.Context, orgID, id, memberID string, at time.Time) error {
	_, err := idb(ctx, s.DB).NewRaw(`UPDATE invitations SET accepted_at = ?, accepted_member = ? WHERE organization_id = ? AND id = ?`,
		at, memberID, orgID, id).Exec(ctx)
	return dbErr("accept invitation", err)
}

// PendingInvitation reports whether email has a pending invitation.
func (s *AccountStore) PendingInvitation(ctx context.Context, orgID, email string, now time.Time) (bool, error) {
	var ok bool
	err := idb(ctx, s.DB).NewRaw(`SELECT EXISTS (SELECT 1 FROM invitations WHERE organization_id = ? AND lower(email) = lower(?)
		AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?)`, orgID, email, now).Scan(ctx, &ok)
	return ok, dbErr("check invitations", err)
}

// CreatePasswordReset stores a reset link with the hash of its token.
func (s *AccountStore) CreatePasswordReset(ctx context.Context, r *account.PasswordReset, tokenHash string) error {
	_, err := idb(ctx, s.DB).NewRaw(`INSERT INTO password_resets (organization_id, id, user_id, member_id, token_hash, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.OrganizationID, r.ID, r.UserID, r.MemberID, tokenHash, nullable(r.CreatedBy),
		r.CreatedAt, r.ExpiresAt).Exec(ctx)
	return dbErr("create password reset", err)
}

// PasswordResetByToken finds a reset by its token's hash and locks it.
func (s *AccountStore) PasswordResetByToken(ctx context.Context, tokenHash string) (*account.PasswordReset, error) {
	var rows []struct {
		OrganizationID string     `bun:"organization_id"`
		ID             string     `bun:"id"`
		UserID         string     `bun:"user_id"`
		MemberID       string     `bun:"member_id"`
		CreatedAt      time.Time  `bun:"created_at"`
		ExpiresAt      time.Time  `bun:"expires_at"`
		UsedAt         *time.Time `bun:"used_at"`
		Email          string     `bun:"email"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT r.organization_id, r.id, r.user_id, r.member_id, r.created_at, r.expires_at, r.used_at, u.email
		FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = ? FOR UPDATE OF r`, tokenHash).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("get password reset", err)
	}
	if len(rows) == 0 {
		return nil, apperr.New(apperr.NotFound, "Link not found")
	}
	r := rows[0]
	return &account.PasswordReset{ID: r.ID, OrganizationID: r.OrganizationID, UserID: r.UserID, MemberID: r.MemberID,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), UsedAt: r.UsedAt, UserEmail: r.Email}, nil
}

// UsePasswordReset marks a reset used.
func (s *AccountStore) UsePasswordReset(ctx context.Context, orgID, id string, at time.Time) error {
	_, err := idb(ctx, s.DB).NewRaw(`UPDATE password_resets SET used_at = ? WHERE organization_id = ? AND id = ?`, at, orgID, id).Exec(ctx)
	return dbErr("use password reset", err)
}

func (s *AccountStore) updateUser(ctx context.Context, op, userID, set string, arg any) error {
	_, err := idb(ctx, s.DB).NewUpdate().Model((*userRow)(nil)).Set(set, arg).Where("id = ?", userID).Exec(ctx)
	return dbErr(op, err)
}

// SetUserName changes a user's name.
func (s *AccountStore) SetUserName(ctx context.Context, userID, name string) error {
	return s.updateUser(ctx, "set name", userID, "name = ?", name)
}

// SetUserPassword changes a user's password hash.
func (s *AccountStore) SetUserPassword(ctx context.Context, userID, hash string) error {
	return s.updateUser(ctx, "set password", userID, "password_hash = ?", hash)
}

// SetUserSignIn records a sign-in.
func (s *AccountStore) SetUserSignIn(ctx context.Context, userID string, at time.Time) error {
	return s.updateUser(ctx, "record sign-in", userID, "last_sign_in_at = ?", at)
}

// UserSessions lists a user's sessions, last seen first.
func (s *AccountStore) UserSessions(ctx context.Context, userID string) ([]account.Session, error) {
	var rows []sessionRow
	if err := idb(ctx, s.DB).NewSelect().Model(&rows).Where("user_id = ?", userID).
		OrderExpr("last_seen_at DESC, id").Limit(100).Scan(ctx); err != nil {
		return nil, dbErr("list sessions", err)
	}
	out := make([]account.Session, len(rows))
	for i, ss := range rows {
		out[i] = account.Session{ID: ss.ID, UserID: ss.UserID, OrganizationID: ss.OrganizationID, MemberID: ss.MemberID,
			CreatedAt: ss.CreatedAt.UTC(), LastSeenAt: ss.LastSeenAt.UTC(), ExpiresAt: ss.ExpiresAt.UTC(),
			UserAgent: ss.UserAgent, IP: ss.IP}
	}
	return out, nil
}

// DeleteUserSession ends one session of the user; NotFound when the user
// has no such session.
func (s *AccountStore) DeleteUserSession(ctx context.Context, userID, id string) error {
	if !validText(id) {
		return apperr.New(apperr.NotFound, "Session not found")
	}
	res, err := idb(ctx, s.DB).NewDelete().Model((*sessionRow)(nil)).Where("user_id = ? AND id = ?", userID, id).Exec(ctx)
	if err != nil {
		return dbErr("end session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "Session not found")
	}
	return nil
}

// DeleteOtherSessions ends every session of the user but keepID.
func (s *AccountStore) DeleteOtherSessions(ctx context.Context, userID, keepID string) error {
	_, err := idb(ctx, s.DB).NewDelete().Model((*sessionRow)(nil)).Where("user_id = ? AND id <> ?", userID, keepID).Exec(ctx)
	return dbErr("end other sessions", err)
}

package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
)

// AccountStore implements account.Store on PostgreSQL.
type AccountStore struct{ DB *bun.DB }

var _ account.Store = (*AccountStore)(nil)

// CreateOrganization stores an organization.
func (s *AccountStore) CreateOrganization(ctx context.Context, o *account.Organization) error {
	_, err := idb(ctx, s.DB).NewInsert().Model(&organizationRow{ID: o.ID, Name: o.Name, Slug: o.Slug, CreatedAt: o.CreatedAt}).Exec(ctx)
	return dbErr("create organization", err)
}

func (s *AccountStore) organization(ctx context.Context, where string, arg any) (*account.Organization, error) {
	var row organizationRow
	if err := idb(ctx, s.DB).NewSelect().Model(&row).Where(where, arg).Limit(1).Scan(ctx); err != nil {
		return nil, dbErr("get organization", err)
	}
	return row.toDomain(), nil
}

// OrganizationByID returns an organization by id.
func (s *AccountStore) OrganizationByID(ctx context.Context, id string) (*account.Organization, error) {
	return s.organization(ctx, "id = ?", id)
}

// OrganizationBySlug returns an organization by slug.
func (s *AccountStore) OrganizationBySlug(ctx context.Context, slug string) (*account.Organization, error) {
	return s.organization(ctx, "slug = ?", slug)
}

// OrganizationByName returns the oldest organization with this name.
func (s *AccountStore) OrganizationByName(ctx context.Context, name string) (*account.Organization, error) {
	return s.organization(ctx, "name = ?", name)
}

// SlugTaken reports whether an organization uses slug.
func (s *AccountStore) SlugTaken(ctx context.Context, slug string) (bool, error) {
	ok, err := idb(ctx, s.DB).NewSelect().Model((*organizationRow)(nil)).Where("slug = ?", slug).Exists(ctx)
	return ok, dbErr("check slug", err)
}

// CreateUser stores a user; a taken email is a Conflict.
func (s *AccountStore) CreateUser(ctx context.Context, u *account.User) error {
	row := &userRow{ID: u.ID, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash, CreatedAt: u.CreatedAt}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Exec(ctx)
	return dbErr("create user", err)
}

// UserByEmail finds a user by email, case-insensitively.
func (s *AccountStore) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	var row userRow
	if err := idb(ctx, s.DB).NewSelect().Model(&row).Where("lower(email) = lower(?)", email).Scan(ctx); err != nil {
		return nil, dbErr("get user", err)
	}
	return row.toDomain(), nil
}

// UserByID finds a user by id.
func (s *AccountStore) UserByID(ctx context.Context, id string) (*account.User, error) {
	var row userRow
	if err := idb(ctx, s.DB).NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("get user", err)
	}
	return row.toDomain(), nil
}

// CreateMember stores a membership.
func (s *AccountStore) CreateMember(ctx context.Context, m *account.Member) error {
	row := &memberRow{OrganizationID: m.OrganizationID, ID: m.ID, UserID: m.UserID, Role: string(m.Role), CreatedAt: m.CreatedAt}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Exec(ctx)
	return dbErr("create member", err)
}

// activeMemberships are the user's (the ? argument) memberships that are
// neither disabled nor removed, with their organizations: the switcher's
// list, read by Memberships and with every session.
const (
	activeMemberships = `members am JOIN organizations ao ON ao.id = am.organization_id
		WHERE am.user_id = ? AND am.disabled_at IS NULL AND am.removed_at IS NULL`
	membershipOrder = "am.created_at, ao.name"
)

// Memberships lists the user's organizations, oldest membership first.
func (s *AccountStore) Memberships(ctx context.Context, userID string) ([]account.Membership, error) {
	var rows []struct {
		OrgID     string    `bun:"org_id"`
		OrgName   string    `bun:"org_name"`
		OrgSlug   string    `bun:"org_slug"`
		CreatedAt time.Time `bun:"created_at"`
		MemberID  string    `bun:"member_id"`
		Role      string    `bun:"role"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT ao.id AS org_id, ao.name AS org_name, ao.slug AS org_slug, ao.created_at,
			am.id AS member_id, am.role
		FROM `+activeMemberships+` ORDER BY `+membershipOrder, userID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("list memberships", err)
	}
	out := make([]account.Membership, len(rows))
	for i, r := range rows {
		out[i] = account.Membership{
			Organization: account.Organization{ID: r.OrgID, Name: r.OrgName, Slug: r.OrgSlug, CreatedAt: r.CreatedAt},
			MemberID:     r.MemberID, Role: account.Role(r.Role),
		}
	}
	return out, nil
}

// Members lists an organization's members with their names, by name.
func (s *AccountStore) Members(ctx context.Context, orgID string) ([]account.Member, error) {
	return s.members(ctx, "list members", orgID, "")
}

// MembersByEmail returns the organization's members whose lower-case
// email is one of emails, with their names, from one query. An address
// PostgreSQL cannot receive (a NUL byte) matches nobody.
func (s *AccountStore) MembersByEmail(ctx context.Context, orgID string, emails []string) ([]account.Member, error) {
	var sendable []string
	for _, e := range emails {
		if validText(e) {
			sendable = append(sendable, e)
		}
	}
	if len(sendable) == 0 {
		return nil, nil
	}
	return s.members(ctx, "members by email", orgID, "AND lower(u.email) IN (?)", bun.List(sendable))
}

// members returns the organization's members, with their users' names
// and emails, ordered by name; and is a constant SQL condition on m and u
// (never input) with args for its placeholders.
func (s *AccountStore) members(ctx context.Context, op, orgID, and string, args ...any) ([]account.Member, error) {
	var rows []struct {
		ID        string    `bun:"id"`
		UserID    string    `bun:"user_id"`
		Role      string    `bun:"role"`
		CreatedAt time.Time `bun:"created_at"`
		Name      string    `bun:"name"`
		Email     string    `bun:"email"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT m.id, m.user_id, m.role, m.created_at, u.name, u.email
		FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = ? AND m.removed_at IS NULL `+and+` ORDER BY lower(u.name), m.id`, append([]any{orgID}, args...)...).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(op, err)
	}
	out := make([]account.Member, len(rows))
	for i, r := range rows {
		out[i] = account.Member{ID: r.ID, OrganizationID: orgID, UserID: r.UserID, Role: account.Role(r.Role),
			CreatedAt: r.CreatedAt, Name: r.Name, Email: r.Email}
	}
	return out, nil
}

// CreateSession stores a session.
func (s *AccountStore) CreateSession(ctx context.Context, ss *account.Session) error {
	row := &sessionRow{ID: ss.ID, UserID: ss.UserID, OrganizationID: ss.OrganizationID, MemberID: ss.MemberID,
		CSRFToken: ss.CSRFToken, CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt,
		UserAgent: ss.UserAgent, IP: ss.IP}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Exec(ctx)
	return dbErr("create session", err)
}

// Session returns the principal of a session in one query.
func (s *AccountStore) Session(ctx context.Context, id string) (*account.Principal, error) {
	var r struct {
		sessionRow
		Email      string     `bun:"email"`
		Name       string     `bun:"name"`
		DisabledAt *time.Time `bun:"disabled_at"`
		OrgName    string     `bun:"org_name"`
		OrgSlug    string     `bun:"org_slug"`
		Role       string     `bun:"role"`
		Inactive   bool       `bun:"member_inactive"`
		Orgs       []byte     `bun:"orgs"` // JSON: the user's organizations
	}
	// The organizations come in the same statement: every page's frame
	// shows them (the switcher), and a second query per page cost more
	// than decoding them.
	err := idb(ctx, s.DB).NewRaw(`SELECT s.*, u.email, u.name, u.disabled_at, o.name AS org_name, o.slug AS org_slug, m.role,
			(m.disabled_at IS NOT NULL OR m.removed_at IS NOT NULL) AS member_inactive,
			(SELECT coalesce(json_agg(json_build_object('id', ao.id, 'name', ao.name, 'slug', ao.slug) ORDER BY `+membershipOrder+`), '[]')
				FROM `+activeMemberships+`) AS orgs
		FROM sessions s
		JOIN users u ON u.id = s.user_id
		JOIN members m ON m.organization_id = s.organization_id AND m.id = s.member_id
		JOIN organizations o ON o.id = s.organization_id
		WHERE s.id = ?`, bun.Safe("s.user_id"), id).Scan(ctx, &r)
	if err != nil {
		return nil, dbErr("get session", err)
	}
	var orgRows []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Slug string `json:"slug"`
	}
	if err := json.Unmarshal(r.Orgs, &orgRows); err != nil {
		return nil, fmt.Errorf("get session: organizations: %w", err)
	}
	orgs := make([]account.Organization, len(orgRows))
	for i, o := range orgRows {
		orgs[i] = account.Organization{ID: o.ID, Name: o.Name, Slug: o.Slug}
	}
	ss := r.sessionRow
	return &account.Principal{
		Session: &account.Session{ID: ss.ID, UserID: ss.UserID, OrganizationID: ss.OrganizationID, MemberID: ss.MemberID,
			CSRFToken: ss.CSRFToken, CreatedAt: ss.CreatedAt.UTC(), LastSeenAt: ss.LastSeenAt.UTC(),
			ExpiresAt: ss.ExpiresAt.UTC(), UserAgent: ss.UserAgent, IP: ss.IP},
		User:           account.User{ID: ss.UserID, Email: r.Email, Name: r.Name, DisabledAt: r.DisabledAt},
		Organization:   account.Organization{ID: ss.OrganizationID, Name: r.OrgName, Slug: r.OrgSlug},
		MemberID:       ss.MemberID,
		Role:           account.Role(r.Role),
		MemberInactive: r.Inactive,
		Organizations:  orgs,
	}, nil
}

// TouchSession records activity on a session.
func (s *AccountStore) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := idb(ctx, s.DB).NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", at).Where("id = ?", id).Exec(ctx)
	return dbErr("touch session", err)
}

// SwitchSession moves a session to another organization.
func (s *AccountStore) SwitchSession(ctx context.Context, id, orgID, memberID string) error {
	res, err := idb(ctx, s.DB).NewUpdate().Model((*sessionRow)(nil)).
		Set("organization_id = ?, member_id = ?", orgID, memberID).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbErr("switch session", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Unauthenticated, "Please sign in")
	}
	return nil
}

// DeleteSession revokes one session.
func (s *AccountStore) DeleteSession(ctx context.Context, id string) error {
	_, err := idb(ctx, s.DB).NewDelete().Model((*sessionRow)(nil)).Where("id = ?", id).Exec(ctx)
	return dbErr("delete session", err)
}

// DeleteUserSessions revokes every session of a user.
func (s *AccountStore) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := idb(ctx, s.DB).NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return dbErr("delete sessions", err)
}

// DeleteExpiredSessions purges sessions past their absolute or idle limit.
func (s *AccountStore) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res, err := idb(ctx, s.DB).NewDelete().Model((*sessionRow)(nil)).
		Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-idle)).Exec(ctx)
	if err != nil {
		return 0, dbErr("purge sessions", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

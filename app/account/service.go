package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// Store persists organizations, users, members and sessions.
type Store interface {
	CreateOrganization(ctx context.Context, o *Organization) error
	OrganizationByID(ctx context.Context, id string) (*Organization, error)
	OrganizationBySlug(ctx context.Context, slug string) (*Organization, error)
	OrganizationByName(ctx context.Context, name string) (*Organization, error)
	SlugTaken(ctx context.Context, slug string) (bool, error)
	CreateUser(ctx context.Context, u *User) error // Conflict when the email exists
	UserByEmail(ctx context.Context, email string) (*User, error)
	UserByID(ctx context.Context, id string) (*User, error)
	CreateMember(ctx context.Context, m *Member) error
	// Memberships lists the user's organizations, oldest first.
	Memberships(ctx context.Context, userID string) ([]Membership, error)
	Members(ctx context.Context, orgID string) ([]Member, error)
	// MembersByEmail returns the organization's members whose email is one
	// of emails (lower case), from one query.
	MembersByEmail(ctx context.Context, orgID string, emails []string) ([]Member, error)
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with the hashed id joined with its
	// user, organization and role.
	Session(ctx context.Context, id string) (*Principal, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	SwitchSession(ctx context.Context, id, orgID, memberID string) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error)
}

// RegisterCreator creates an organization's first register.
type RegisterCreator interface {
	CreateRegister(ctx context.Context, r *risk.Register) error
}

// TxRunner runs fn in one transaction carried by ctx.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service signs people up and in and validates their sessions.
type Service struct {
	Store       Store
	Registers   RegisterCreator
	Tx          TxRunner
	NewID       func(prefix string) string
	Now         func() time.Time
	Attempts    AttemptStore
	IdleTimeout time.Duration
	MaxLifetime time.Duration
	// Team and Events serve the members and account pages (team.go, own.go).
	Team   TeamStore
	Events EventWriter
}

// SignupInput is the sign-up form.
type SignupInput struct {
	Organization string
	Name         string
	Email        string
	Password     string
}

// NewUserInput creates a user (CLI) in an organization, creating the
// organization when it does not exist.
type NewUserInput struct {
	Organization string
	Name         string
	Email        string
	Password     string
	Role         Role
}

// Validate names every bad field.
func (in *NewUserInput) Validate() error {
	fe := apperr.FieldErrors{}
	in.Organization = strings.TrimSpace(in.Organization)
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	checkName(fe, "organization", in.Organization, "Organization name is required")
	checkName(fe, "name", in.Name, "Name is required")
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		fe.Add("email", "Enter a valid email address")
	}
	switch n := utf8.RuneCountInString(in.Password); {
	case n < MinPassword:
		fe.Add("password", fmt.Sprintf("Password must be at least %d characters", MinPassword))
	case n > MaxPassword:
		fe.Add("password", fmt.Sprintf("Password must be at most %d characters", MaxPassword))
	}
	if !in.Role.Valid() {
		fe.Add("role", "Role must be owner, admin, editor or viewer")
	}
	return fe.Err()
}

func checkName(fe apperr.FieldErrors, field, v, required string) {
	switch {
	case v == "":
		fe.Add(field, required)
	case strings.ContainsRune(v, 0) || !utf8.ValidString(v):
		fe.Add(field, "Must be valid text")
	case utf8.RuneCountInString(v) > 120:
		fe.Add(field, "Must be at most 120 characters")
	}
}

// Signup creates an organization, its owner and its default register,
// and signs the owner in. It returns the session token for the cookie, or
// a RateLimited error after too many sign-ups from the address (signupLimit).
func (s *Service) Signup(ctx context.Context, in SignupInput, ua, ip string) (string, error) {
	nu := NewUserInput{Organization: in.Organization, Name: in.Name, Email: in.Email, Password: in.Password, Role: RoleOwner}
	if err := nu.Validate(); err != nil {
		return "", err
	}
	// Counted in a transaction of its own, so that a sign-up refused for
	// an existing email counts too: sign-up cannot test emails in bulk.
	a := Attempt{Kind: AttemptSignup, IP: attemptAddress(ip), At: s.Now()}
	if err := s.countAttempt(ctx, a, signupQuery(a.At), signupWait,
		"Too many sign-ups from your network. Please try again in an hour."); err != nil {
		return "", err
	}
	var token string
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		org, err := s.createOrganization(ctx, nu.Organization)
		if err != nil {
			return err
		}
		user, member, err := s.createUser(ctx, org, nu)
		if err != nil {
			return err
		}
		token, err = s.newSession(ctx, user.ID, org.ID, member.ID, ua, ip)
		return err
	})
	return token, err
}

// CreateUser adds a user to an organization (created when missing by
// name or slug). It is the CLI's way in; it signs nobody in.
func (s *Service) CreateUser(ctx context.Context, in NewUserInput) (*User, *Organization, error) {
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	var user *User
	var org *Organization
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		org, err = s.Store.OrganizationByName(ctx, in.Organization)
		if apperr.Is(err, apperr.NotFound) {
			org, err = s.Store.OrganizationBySlug(ctx, in.Organization)
		}
		if apperr.Is(err, apperr.NotFound) {
			org, err = s.createOrganization(ctx, in.Organization)
		}
		if err != nil {
			return err
		}
		user, _, err = s.createUser(ctx, org, in)
		return err
	})
	return user, org, err
}

func (s *Service) createOrganization(ctx context.Context, name string) (*Organization, error) {
	slug, err := s.uniqueSlug(ctx, name)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	org := &Organization{ID: s.NewID("org"), Name: name, Slug: slug, CreatedAt: now}
	if err := s.Store.CreateOrganization(ctx, org); err != nil {
		return nil, err
	}
	reg := &risk.Register{
		ID: s.NewID("reg"), OrganizationID: org.ID, Name: "Risk register",
		Description: "The organization's main risk register.", Matrix: risk.DefaultMatrix(),
		IsDefault: true, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Registers.CreateRegister(ctx, reg); err != nil {
		return nil, err
	}
	return org, nil
}

func (s *Service) createUser(ctx context.Context, org *Organization, in NewUserInput) (*User, *Member, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now().UTC()
	u := &User{ID: s.NewID("usr"), Email: in.Email, Name: in.Name, PasswordHash: hash, CreatedAt: now}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			fe := apperr.FieldErrors{}
			fe.Add("email", "An account with this email already exists")
			return nil, nil, fe.Err()
		}
		return nil, nil, err
	}
	m := &Member{ID: s.NewID("mem"), OrganizationID: org.ID, UserID: u.ID, Role: in.Role, CreatedAt: now}
	if err := s.Store.CreateMember(ctx, m); err != nil {
		return nil, nil, err
	}
	return u, m, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns a name into a URL-safe slug.
func Slugify(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" {
		s = "org"
	}
	return s
}

func (s *Service) uniqueSlug(ctx context.Context, name string) (string, error) {
	base := Slugify(name)
	for i := 1; ; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		taken, err := s.Store.SlugTaken(ctx, slug)
		if err != nil || !taken {
			return slug, err
		}
	}
}

// ErrBadCredentials is the one message for a wrong email or password, so
// the response does not reveal which accounts exist.
var ErrBadCredentials = apperr.New(apperr.Unauthenticated, "Incorrect email or password")

// Login checks the credentials and starts a new session (a fresh id, so
// a session planted before login is never reused). It returns the token,
// or a RateLimited error when the address has failed too often (loginWait).
func (s *Service) Login(ctx context.Context, email, password, ua, ip string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	// The attempt counts as a failure before the password is checked, so
	// concurrent guesses cannot all pass the check; a good login takes it
	// back below.
	a := Attempt{Kind: AttemptLogin, Account: attemptAccount(email), IP: attemptAddress(ip), At: s.Now()}
	if err := s.countAttempt(ctx, a, loginQuery(a.At), loginWait,
		"Too many sign-in attempts. Please wait a few minutes and try again."); err != nil {
		return "", err
	}
	if email == "" || password == "" || len(password) > MaxPassword*4 || strings.ContainsRune(email, 0) {
		return "", ErrBadCredentials
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", err
	}
	if u == nil || !ok || u.DisabledAt != nil {
		return "", ErrBadCredentials
	}
	ms, err := s.Store.Memberships(ctx, u.ID)
	if err != nil {
		return "", err
	}
	if len(ms) == 0 {
		return "", apperr.New(apperr.Forbidden, "This account is not an active member of any organization: ask an owner or admin")
	}
	if s.Team != nil {
		if err := s.Team.SetUserSignIn(ctx, u.ID, s.Now().UTC()); err != nil {
			return "", err
		}
	}
	// The owner's own typos from this address are forgiven with this
	// attempt; the address's failures for other accounts still count.
	if err := s.Attempts.Forget(ctx, AttemptLogin, a.Account, a.IP); err != nil {
		return "", err
	}
	return s.newSession(ctx, u.ID, ms[0].Organization.ID, ms[0].MemberID, ua, ip)
}

func (s *Service) newSession(ctx context.Context, userID, orgID, memberID, ua, ip string) (string, error) {
	token := randomToken()
	now := s.Now().UTC()
	sess := &Session{
		ID: HashToken(token), UserID: userID, OrganizationID: orgID, MemberID: memberID,
		CSRFToken: randomToken(), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.MaxLifetime),
		UserAgent: truncate(ua, 300), IP: truncate(ip, 64),
	}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the principal of a session token, or an
// Unauthenticated error when the session is unknown, expired, idle too
// long, or its user is disabled.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > 100 {
		return nil, apperr.New(apperr.Unauthenticated, "Please sign in")
	}
	id := HashToken(token)
	p, err := s.Store.Session(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.Unauthenticated, "Please sign in")
	}
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	if now.After(p.Session.ExpiresAt) || now.Sub(p.Session.LastSeenAt) > s.IdleTimeout || p.User.DisabledAt != nil || p.MemberInactive {
		if err := s.Store.DeleteSession(ctx, id); err != nil {
			return nil, err
		}
		return nil, apperr.New(apperr.Unauthenticated, "Your session has expired; please sign in again")
	}
	// Record activity at most once a minute to spare the database.
	if now.Sub(p.Session.LastSeenAt) > time.Minute {
		if err := s.Store.TouchSession(ctx, id, now); err != nil {
			return nil, err
		}
		p.Session.LastSeenAt = now
	}
	return p, nil
}

// Logout revokes the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.Store.DeleteSession(ctx, HashToken(token))
}

// SwitchOrganization moves the session to another organization of the
// same user; NotFound when the user is not a member.
func (s *Service) SwitchOrganization(ctx context.Context, p *Principal, orgID string) error {
	ms, err := s.Store.Memberships(ctx, p.User.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Organization.ID == orgID {
			return s.Store.SwitchSession(ctx, p.Session.ID, orgID, m.MemberID)
		}
	}
	return apperr.New(apperr.NotFound, "Organization not found")
}

// PurgeSessions deletes the sessions that have expired at now.
func (s *Service) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	return s.Store.DeleteExpiredSessions(ctx, now, s.IdleTimeout)
}

// Organization returns the organization by id, or NotFound.
func (s *Service) Organization(ctx context.Context, id string) (*Organization, error) {
	return s.Store.OrganizationByID(ctx, id)
}

// FindOrganization returns the organization whose slug (any case) or
// name is ref, or NotFound.
func (s *Service) FindOrganization(ctx context.Context, ref string) (*Organization, error) {
	o, err := s.Store.OrganizationBySlug(ctx, strings.ToLower(ref))
	if apperr.Is(err, apperr.NotFound) {
		o, err = s.Store.OrganizationByName(ctx, ref)
	}
	return o, err
}

// Memberships lists the organizations of the user.
func (s *Service) Memberships(ctx context.Context, userID string) ([]Membership, error) {
	return s.Store.Memberships(ctx, userID)
}

// Members lists an organization's members with names, for pickers.
func (s *Service) Members(ctx context.Context, orgID string) ([]Member, error) {
	return s.Store.Members(ctx, orgID)
}

// MembersByEmail returns the organization's members with these email
// addresses (any case) as people keyed by lower-case address, from one
// query; an address without a member, or with a member of another
// organization only, is absent.
func (s *Service) MembersByEmail(ctx context.Context, orgID string, emails []string) (map[string]risk.Person, error) {
	out := make(map[string]risk.Person, len(emails))
	if len(emails) == 0 {
		return out, nil
	}
	lower := make([]string, len(emails))
	for i, e := range emails {
		lower[i] = strings.ToLower(strings.TrimSpace(e))
	}
	ms, err := s.Store.MembersByEmail(ctx, orgID, lower)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		out[strings.ToLower(m.Email)] = risk.Person{MemberID: m.ID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

// HashToken returns the hex SHA-256 of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

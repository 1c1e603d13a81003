package apikey

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// Store persists API keys. Every method but ByPrefix is scoped by the
// organization; a key of another organization is reported as NotFound.
type Store interface {
	// Insert stores k with the hash of its secret; a taken prefix is a Conflict.
	Insert(ctx context.Context, k *Key, secretHash []byte) error
	// List returns the organization's keys with their creators' names,
	// newest first.
	List(ctx context.Context, orgID string) ([]*Key, error)
	// Get returns one key; forUpdate locks its row.
	Get(ctx context.Context, orgID, id string, forUpdate bool) (*Key, error)
	// Revoke sets the key's revoked_at.
	Revoke(ctx context.Context, orgID, id string, at time.Time) error
	// ByPrefix is the one unscoped lookup: it finds a key of any
	// organization by its prefix, or returns NotFound.
	ByPrefix(ctx context.Context, prefix string) (*Credential, error)
	// Touch records a use of the key at at.
	Touch(ctx context.Context, orgID, id string, at time.Time) error
}

// Credential is a stored key as Authenticate needs it: the key with its
// secret's hash and its creator's standing.
type Credential struct {
	Key             Key
	SecretHash      []byte
	CreatorCanWrite bool // the creator's current role may change risks
	CreatorDisabled bool // the creator's user account is disabled
}

// EventWriter appends to the audit trail; *db.EventStore is one.
type EventWriter interface {
	Append(ctx context.Context, e *audit.Event) error
}

// TxRunner runs fn in one database transaction carried by ctx.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service creates, lists, revokes and authenticates API keys; every change
// writes its audit event in the same transaction.
type Service struct {
	Store  Store
	Events EventWriter
	Tx     TxRunner
	NewID  func(prefix string) string
	Now    func() time.Time
}

// Principal is an organization acting through one API key.
type Principal struct {
	OrganizationID  string
	KeyID           string
	KeyName         string
	Scopes          []string // effective scopes: the key's, within its creator's current role
	CreatorMemberID string
	CreatorName     string
}

// Has reports whether the key may do what scope allows; risks:write
// implies risks:read.
func (p *Principal) Has(scope string) bool { return Has(p.Scopes, scope) }

// Actor is who the audit trail records for a change made with the key:
// the key and the member who created it.
func (p *Principal) Actor() audit.Actor {
	return audit.Actor{MemberID: p.CreatorMemberID, APIKeyID: p.KeyID, Name: p.CreatorName + " (API key " + p.KeyName + ")"}
}

// Authentication errors. Each is an apperr.Unauthenticated error.
var (
	ErrInvalid = apperr.New(apperr.Unauthenticated, "Invalid or missing API key")
	ErrRevoked = apperr.New(apperr.Unauthenticated, "This API key has been revoked")
	ErrExpired = apperr.New(apperr.Unauthenticated, "This API key has expired")
	ErrCreator = apperr.New(apperr.Unauthenticated, "The member who created this API key can no longer sign in")
)

// Create validates in and stores a new key for the organization, created
// by creator. It returns the key and its secret (rr_<prefix>_<secret>),
// which is never stored and cannot be shown again. Bad input is an Invalid
// error naming "name", "scopes" or "expiresAt".
func (s *Service) Create(ctx context.Context, orgID string, creator audit.Actor, in CreateInput) (*Key, string, error) {
	now := s.Now().UTC()
	in.Normalize()
	if err := in.Validate(now); err != nil {
		return nil, "", err
	}
	var expires *time.Time
	if in.ExpiresAt != nil {
		e := in.ExpiresAt.UTC()
		expires = &e
	}
	// A prefix collision (36^8 prefixes) is a Conflict; draw again.
	var err error
	for range 3 {
		presented, prefix := generate()
		k := &Key{
			ID: s.NewID("key"), OrganizationID: orgID, Name: in.Name, Prefix: prefix, Scopes: in.Scopes,
			CreatedBy: creator.MemberID, CreatorName: creator.Name, CreatedAt: now, ExpiresAt: expires,
		}
		err = s.Tx.InTx(ctx, func(ctx context.Context) error {
			if err := s.Store.Insert(ctx, k, hash(presented)); err != nil {
				return err
			}
			changes := []audit.Change{
				{Field: "name", New: k.Name},
				{Field: "scopes", New: strings.Join(k.Scopes, ", ")},
				{Field: "prefix", New: k.Hint()},
			}
			if expires != nil {
				changes = append(changes, audit.Change{Field: "expiresAt", New: expires.Format(time.RFC3339)})
			}
			return s.Events.Append(ctx, &audit.Event{
				OrganizationID: orgID, EntityType: audit.EntityAPIKey, EntityID: k.ID, EntityLabel: k.Name,
				Action: audit.ActionCreated, Actor: creator, Changes: changes, CreatedAt: now,
			})
		})
		if err == nil {
			return k, presented, nil
		}
		if !apperr.Is(err, apperr.Conflict) {
			break
		}
	}
	return nil, "", err
}

// List returns the organization's keys, newest first, with the names of
// their creators.
func (s *Service) List(ctx context.Context, orgID string) ([]*Key, error) {
	return s.Store.List(ctx, orgID)
}

// Revoke makes the key unusable from the next request on and records who
// did it. Revoking a revoked key changes nothing; a key of another
// organization is NotFound.
func (s *Service) Revoke(ctx context.Context, orgID string, actor audit.Actor, id string) (*Key, error) {
	var revoked *Key
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		k, err := s.Store.Get(ctx, orgID, id, true)
		if err != nil {
			return err
		}
		revoked = k
		if k.RevokedAt != nil {
			return nil
		}
		now := s.Now().UTC()
		old := k.Status(now)
		if err := s.Store.Revoke(ctx, orgID, k.ID, now); err != nil {
			return err
		}
		k.RevokedAt = &now
		return s.Events.Append(ctx, &audit.Event{
			OrganizationID: orgID, EntityType: audit.EntityAPIKey, EntityID: k.ID, EntityLabel: k.Name,
			Action: audit.ActionUpdated, Actor: actor, CreatedAt: now,
			Changes: []audit.Change{{Field: "status", Old: old, New: StatusRevoked}},
		})
	})
	if err != nil {
		return nil, err
	}
	return revoked, nil
}

// Authenticate returns the principal of a presented key. An empty,
// malformed, unknown, wrong, revoked or expired key, or one whose
// creator's account is disabled, is an apperr.Unauthenticated error (one
// of the Err* values); revocation and expiry apply from the very next
// request. A key whose creator can no longer write loses risks:write.
// Use is recorded in last_used_at at most once a minute.
func (s *Service) Authenticate(ctx context.Context, presented string) (*Principal, error) {
	prefix, ok := parse(presented)
	if !ok {
		return nil, ErrInvalid
	}
	sum := hash(presented)
	cred, err := s.Store.ByPrefix(ctx, prefix)
	if apperr.Is(err, apperr.NotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(sum, cred.SecretHash) != 1 {
		return nil, ErrInvalid
	}
	k := &cred.Key
	now := s.Now().UTC()
	switch {
	case k.Status(now) == StatusRevoked:
		return nil, ErrRevoked
	case k.Status(now) == StatusExpired:
		return nil, ErrExpired
	case cred.CreatorDisabled:
		return nil, ErrCreator
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= time.Minute {
		if err := s.Store.Touch(ctx, k.OrganizationID, k.ID, now); err != nil {
			return nil, err
		}
	}
	scopes := slices.Clone(k.Scopes)
	if !cred.CreatorCanWrite {
		scopes = slices.DeleteFunc(scopes, func(sc string) bool { return sc == ScopeWrite })
		if !slices.Contains(scopes, ScopeRead) {
			scopes = append(scopes, ScopeRead)
		}
	}
	return &Principal{
		OrganizationID: k.OrganizationID, KeyID: k.ID, KeyName: k.Name, Scopes: scopes,
		CreatorMemberID: k.CreatedBy, CreatorName: k.CreatorName,
	}, nil
}

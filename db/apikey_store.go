package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
)

// APIKeyStore implements apikey.Store on PostgreSQL.
type APIKeyStore struct{ DB *bun.DB }

var _ apikey.Store = (*APIKeyStore)(nil)

// apiKeyRow is an API key as stored; the secret itself never is.
type apiKeyRow struct {
	bun.BaseModel  `bun:"table:api_keys,alias:k"`
	OrganizationID string     `bun:"organization_id,pk"`
	ID             string     `bun:"id,pk"`
	Name           string     `bun:"name"`
	Prefix         string     `bun:"prefix"`
	SecretHash     []byte     `bun:"secret_hash,type:bytea"`
	Scopes         []string   `bun:"scopes,array"`
	CreatedBy      string     `bun:"created_by"`
	CreatedAt      time.Time  `bun:"created_at"`
	LastUsedAt     *time.Time `bun:"last_used_at"`
	ExpiresAt      *time.Time `bun:"expires_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`

	// Joined, read-only.
	CreatorName     string     `bun:"creator_name,scanonly"`
	CreatorRole     string     `bun:"creator_role,scanonly"`
	CreatorDisabled *time.Time `bun:"creator_disabled_at,scanonly"`
}

func (r *apiKeyRow) toDomain() *apikey.Key {
	return &apikey.Key{
		ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name, Prefix: r.Prefix, Scopes: r.Scopes,
		CreatedBy: r.CreatedBy, CreatorName: r.CreatorName, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utc(r.LastUsedAt), ExpiresAt: utc(r.ExpiresAt), RevokedAt: utc(r.RevokedAt),
	}
}

// withCreator selects keys joined with their creator's name, role and
// account state.
func (s *APIKeyStore) withCreator(ctx context.Context, rows any) *bun.SelectQuery {
	return idb(ctx, s.DB).NewSelect().Model(rows).
		ColumnExpr("k.*").
		ColumnExpr("u.name AS creator_name, m.role AS creator_role, COALESCE(u.disabled_at, m.disabled_at, m.removed_at) AS creator_disabled_at").
		Join("JOIN members AS m ON m.organization_id = k.organization_id AND m.id = k.created_by").
		Join("JOIN users AS u ON u.id = m.user_id")
}

// Insert stores a key with the SHA-256 of its secret.
func (s *APIKeyStore) Insert(ctx context.Context, k *apikey.Key, secretHash []byte) error {
	row := &apiKeyRow{
		OrganizationID: k.OrganizationID, ID: k.ID, Name: k.Name, Prefix: k.Prefix, SecretHash: secretHash,
		Scopes: k.Scopes, CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt,
	}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Exec(ctx)
	return dbErr("create api key", err)
}

// List returns the organization's keys, newest first.
func (s *APIKeyStore) List(ctx context.Context, orgID string) ([]*apikey.Key, error) {
	var rows []apiKeyRow
	err := s.withCreator(ctx, &rows).Where("k.organization_id = ?", orgID).
		OrderExpr("k.created_at DESC, k.id DESC").Scan(ctx)
	if err != nil {
		return nil, dbErr("list api keys", err)
	}
	out := make([]*apikey.Key, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// Get returns one of the organization's keys; forUpdate locks the key row.
func (s *APIKeyStore) Get(ctx context.Context, orgID, id string, forUpdate bool) (*apikey.Key, error) {
	var row apiKeyRow
	q := s.withCreator(ctx, &row).Where("k.organization_id = ? AND k.id = ?", orgID, id)
	if forUpdate {
		q = q.For("UPDATE OF k")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("get api key", err)
	}
	return row.toDomain(), nil
}

// Revoke sets revoked_at once; a revoked key keeps its first revocation time.
func (s *APIKeyStore) Revoke(ctx context.Context, orgID, id string, at time.Time) error {
	_, err := idb(ctx, s.DB).NewUpdate().Model((*apiKeyRow)(nil)).
		Set("revoked_at = ?", at).
		Where("organization_id = ? AND id = ? AND revoked_at IS NULL", orgID, id).Exec(ctx)
	return dbErr("revoke api key", err)
}

// ByPrefix finds a key of any organization by its lookup prefix: the only
// query on api_keys not scoped by an organization, because the key is how
// the organization is found. The result carries the organization id.
func (s *APIKeyStore) ByPrefix(ctx context.Context, prefix string) (*apikey.Credential, error) {
	var row apiKeyRow
	if err := s.withCreator(ctx, &row).Where("k.prefix = ?", prefix).Scan(ctx); err != nil {
		return nil, dbErr("find api key", err)
	}
	return &apikey.Credential{
		Key:             *row.toDomain(),
		SecretHash:      row.SecretHash,
		CreatorCanWrite: account.Role(row.CreatorRole).CanWrite(),
		CreatorDisabled: row.CreatorDisabled != nil,
	}, nil
}

// Touch records a use, skipping the write when another request recorded
// one in the last minute.
func (s *APIKeyStore) Touch(ctx context.Context, orgID, id string, at time.Time) error {
	_, err := idb(ctx, s.DB).NewUpdate().Model((*apiKeyRow)(nil)).
		Set("last_used_at = ?", at).
		Where("organization_id = ? AND id = ?", orgID, id).
		Where("last_used_at IS NULL OR last_used_at <= ?", at.Add(-time.Minute)).Exec(ctx)
	return dbErr("touch api key", err)
}

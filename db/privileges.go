package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// CanRewriteEvents reports whether the connection's role could change or
// erase the audit trail: a superuser, the owner of the events table (or a
// member of its role: an owner can disable the triggers that refuse it), or
// a role holding UPDATE, DELETE or TRUNCATE on it. The app's role must not;
// the schema owner does. It returns false when there is no events table.
func CanRewriteEvents(ctx context.Context, bdb bun.IDB) (bool, error) {
	var can bool
	err := bdb.QueryRowContext(ctx, `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
		OR pg_has_role(c.relowner, 'MEMBER')
		OR has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE')
		FROM pg_class c WHERE c.oid = to_regclass('events')`).Scan(&can)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check the privileges on events: %w", err)
	}
	return can, nil
}

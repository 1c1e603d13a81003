// Package db is the PostgreSQL side of riskreg: Bun row models, the
// stores behind the domain interfaces, transactions carried in a context,
// the migration runner, and (in devdb) a project-local PostgreSQL.
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/riskreg/riskreg/app/apperr"
)

// Open connects to PostgreSQL through pgx and returns a Bun handle. It
// does not wait for the server; call Ping for that.
func Open(dsn string) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: parse the database URL: %w", err)
	}
	return OpenConfig(cfg), nil
}

// OpenConfig is Open with a parsed configuration (riskbench adds a tracer
// to it, which sees every statement, also those scanned by pgx itself).
func OpenConfig(cfg *pgx.ConnConfig) *bun.DB {
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New(), bun.WithDiscardUnknownColumns())
}

type txKey struct{}

// Tx runs functions in transactions and lets stores find the current one.
type Tx struct{ DB *bun.DB }

// InTx runs fn in a transaction carried by ctx; nested calls join the
// outer transaction. It commits when fn returns nil and rolls back otherwise.
func (t Tx) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return fn(ctx)
	}
	return t.DB.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// idb returns the transaction in ctx, or db.
func idb(ctx context.Context, db *bun.DB) bun.IDB {
	if tx, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return tx
	}
	return db
}

// NewID returns an opaque random id such as "rsk_7k2m9q4x1c8v5b3n6z0a".
func NewID(prefix string) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz" // Crockford base32
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + "_" + string(b)
}

// validText reports whether PostgreSQL can receive s as text: Bun cannot
// send a NUL byte, and text must be UTF-8.
func validText(s string) bool {
	return !strings.ContainsRune(s, 0) && utf8.ValidString(s)
}

// validKey reports whether s can be an id: ids never hold NUL bytes (which
// Bun cannot send) and are short, so anything else is simply not found.
func validKey(s string) bool {
	return len(s) <= 100 && !strings.ContainsRune(s, 0) && utf8.ValidString(s)
}

// dbErr maps driver errors to application errors: missing rows to
// NotFound, unique violations to Conflict, a down database to Unavailable;
// everything else is Internal with op as context.
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Code: apperr.NotFound, Message: "Not found", Err: fmt.Errorf("%s: %w", op, err)}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &apperr.Error{Code: apperr.Conflict, Message: "Already exists", Err: fmt.Errorf("%s: %w", op, err)}
		case "23503":
			return &apperr.Error{Code: apperr.Invalid, Message: "Refers to something that does not exist", Err: fmt.Errorf("%s: %w", op, err)}
		case "57P01", "57P02", "57P03", "53300":
			return &apperr.Error{Code: apperr.Unavailable, Message: "The database is unavailable", Err: fmt.Errorf("%s: %w", op, err)}
		}
	}
	if isConnError(err) {
		return &apperr.Error{Code: apperr.Unavailable, Message: "The database is unavailable", Err: fmt.Errorf("%s: %w", op, err)}
	}
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), "Something went wrong")
}

func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such file or directory") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "bad connection") || errors.Is(err, context.DeadlineExceeded)
}

// Package migrations embeds the SQL migrations. Files are named
// NNNN_name.tx.up.sql / NNNN_name.tx.down.sql and each runs in one
// transaction.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS

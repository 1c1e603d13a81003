package config

import (
	"strings"
	"testing"
)

func TestDatabaseURLs(t *testing.T) {
	const app, owner = "postgres://riskreg_app@db/riskreg", "postgres://riskreg_owner@db/riskreg"
	for _, tc := range []struct {
		name, database, migrate string
		wantMigration, wantErr  string
	}{
		{name: "embedded", wantMigration: ""},
		{name: "one URL for both", database: app, wantMigration: app},
		{name: "the owner for migrations", database: app, migrate: owner, wantMigration: owner},
		{name: "an owner without the app", migrate: owner, wantErr: "MIGRATE_DATABASE_URL: needs DATABASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(func(k string) string {
				return map[string]string{"DATABASE_URL": tc.database, "MIGRATE_DATABASE_URL": tc.migrate}[k]
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DatabaseURL != tc.database || c.MigrationURL() != tc.wantMigration {
				t.Fatalf("app %q, migrations %q; want %q and %q", c.DatabaseURL, c.MigrationURL(), tc.database, tc.wantMigration)
			}
		})
	}
}

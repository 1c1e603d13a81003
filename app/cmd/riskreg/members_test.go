package main

import (
	"context"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/db/dbtest"
)

func TestUserInviteRoleDisableEnable(t *testing.T) {
	bdb, name := dbtest.NewDB(t)
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("BASE_URL", "https://risks.example.com")
	ctx := context.Background()
	mustRun := func(args ...string) string {
		t.Helper()
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%v: %s", args, describe(err))
		}
		return out
	}
	mustRun("user", "create", "--email", "owner@team.example", "--name", "Olga", "--password", "long enough password", "--org", "Team Co")
	mustRun("user", "create", "--email", "ed@team.example", "--name", "Ed", "--password", "long enough password", "--org", "Team Co", "--role", "editor")

	out := mustRun("user", "invite", "--org", "team-co", "--email", "New@Team.example", "--role", "viewer")
	if !strings.Contains(out, "https://risks.example.com/invite/") || !strings.Contains(out, "new@team.example as viewer") {
		t.Errorf("invite output: %s", out)
	}
	token := strings.TrimSpace(out[strings.Index(out, "/invite/")+len("/invite/"):])
	var stored int
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM invitations WHERE email = 'new@team.example' AND token_hash <> ? AND invited_by IS NULL", token).Scan(&stored)
	if stored != 1 || len(token) < 43 {
		t.Errorf("invitation stored %d times (token %q)", stored, token)
	}
	if _, err := runCLI(t, "user", "invite", "--org", "team-co", "--email", "ed@team.example"); err == nil || !strings.Contains(describe(err), "--email") {
		t.Errorf("inviting a member: %v", err)
	}

	if out := mustRun("user", "role", "--org", "team-co", "--email", "ed@team.example", "--role", "admin"); !strings.Contains(out, "is admin, active") {
		t.Errorf("role: %s", out)
	}
	if out := mustRun("user", "disable", "--org", "team-co", "--email", "ed@team.example"); !strings.Contains(out, "disabled") {
		t.Errorf("disable: %s", out)
	}
	var disabled int
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'ed@team.example' AND m.disabled_at IS NOT NULL").Scan(&disabled)
	if disabled != 1 {
		t.Error("ed is not disabled in the database")
	}
	if out := mustRun("user", "enable", "--org", "team-co", "--email", "ed@team.example"); !strings.Contains(out, "active") {
		t.Errorf("enable: %s", out)
	}
	// The last owner keeps the role and cannot be disabled.
	for _, args := range [][]string{
		{"user", "role", "--org", "team-co", "--email", "owner@team.example", "--role", "viewer"},
		{"user", "disable", "--org", "team-co", "--email", "owner@team.example"},
	} {
		if _, err := runCLI(t, args...); err == nil || !strings.Contains(describe(err), "at least one active owner") {
			t.Errorf("%v: %v, want the last-owner refusal", args, err)
		}
	}
	// Bad flags are named; unknown people and organizations are plain errors.
	if _, err := runCLI(t, "user", "role", "--org", "", "--email", "", "--role", "god"); err == nil ||
		!strings.Contains(describe(err), "--org") || !strings.Contains(describe(err), "--email") || !strings.Contains(describe(err), "--role") {
		t.Errorf("bad flags: %v", describe(err))
	}
	if _, err := runCLI(t, "user", "disable", "--org", "team-co", "--email", "nobody@team.example"); err == nil || !strings.Contains(err.Error(), "not a member") {
		t.Errorf("unknown member: %v", err)
	}
	if _, err := runCLI(t, "user", "enable", "--org", "no-such-org", "--email", "ed@team.example"); err == nil || !strings.Contains(err.Error(), "no organization") {
		t.Errorf("unknown organization: %v", err)
	}
	var events int
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM events WHERE entity_type IN ('member', 'invite') AND actor_name = 'riskreg CLI'").Scan(&events)
	if events != 4 {
		t.Errorf("audited CLI changes: %d, want 4 (invite, role, disable, enable)", events)
	}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/config"
)

// The team commands: what Settings → Members does, from the command line.
// They act as the operator, with an owner's rights (the last-owner guard
// still applies), and are audited as "riskreg CLI".

const memberUsage = `usage:
  riskreg user invite  --org SLUG --email E [--role owner|admin|editor|viewer]   prints a one-time link (7 days)
  riskreg user role    --org SLUG --email E --role owner|admin|editor|viewer
  riskreg user disable --org SLUG --email E
  riskreg user enable  --org SLUG --email E`

// cliManager is the operator acting on an organization.
func cliManager(o *account.Organization) account.Manager {
	return account.Manager{OrganizationID: o.ID, Name: "riskreg CLI", Role: account.RoleOwner}
}

func memberCmd(ctx context.Context, cfg *config.Config, sub string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	org := fs.String("org", "", "the organization's slug (or exact name)")
	email := fs.String("email", "", "the person's email address")
	defRole := ""
	if sub == "invite" {
		defRole = string(account.RoleEditor)
	}
	role := fs.String("role", defRole, "owner, admin, editor or viewer")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, memberUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), memberUsage)
	}
	fe := apperr.FieldErrors{}
	if strings.TrimSpace(*org) == "" {
		fe.Add("org", "the organization's slug is required")
	}
	if strings.TrimSpace(*email) == "" {
		fe.Add("email", "the person's email address is required")
	}
	if sub == "role" && !account.Role(*role).Valid() {
		fe.Add("role", "Role must be owner, admin, editor or viewer")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	srv, stop, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer stop()
	o, err := findOrganization(ctx, srv, strings.TrimSpace(*org))
	if err != nil {
		return err
	}
	by := cliManager(o)
	if sub == "invite" {
		inv, token, err := srv.Accounts.Invite(ctx, by, account.InviteInput{Email: *email, Role: account.Role(*role)})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "invited %s as %s of %s; send them this link (single use, valid until %s):\n%s/invite/%s\n",
			inv.Email, inv.Role, o.Name, inv.ExpiresAt.Format("2006-01-02 15:04 MST"), cfg.BaseURL, token)
		return nil
	}
	ms, err := srv.Accounts.MembersByEmail(ctx, o.ID, []string{*email})
	if err != nil {
		return err
	}
	p, ok := ms[strings.ToLower(strings.TrimSpace(*email))]
	if !ok {
		return fmt.Errorf("%s is not a member of %s", *email, o.Name)
	}
	var m *account.TeamMember
	switch sub {
	case "role":
		m, err = srv.Accounts.ChangeRole(ctx, by, p.MemberID, account.Role(*role))
	case "disable":
		m, err = srv.Accounts.SetDisabled(ctx, by, p.MemberID, true)
	case "enable":
		m, err = srv.Accounts.SetDisabled(ctx, by, p.MemberID, false)
	default:
		return errors.New(memberUsage)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s (%s) is %s, %s, in %s\n", m.Name, m.Email, m.Role, m.Status(), o.Name)
	return nil
}

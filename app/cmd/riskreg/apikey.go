package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/config"
)

const apikeyUsage = "usage: riskreg apikey create --org SLUG --name N [--scopes risks:read,risks:write] [--expires YYYY-MM-DD]"

// apikeyCmd creates an API key as the organization's oldest owner. The
// secret is printed alone on the last line, so scripts can take it with
// `tail -n 1`.
func apikeyCmd(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(apikeyUsage)
	}
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	org := fs.String("org", "", "the organization's slug (or exact name)")
	name := fs.String("name", "", "what the key is for, e.g. \"Scanner import\"")
	scopes := fs.String("scopes", apikey.ScopeRead, "comma-separated scopes: risks:read, risks:write")
	expires := fs.String("expires", "", "YYYY-MM-DD: the key stops working at 00:00 UTC on this date; default: never expires")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), apikeyUsage)
	}
	if strings.TrimSpace(*org) == "" {
		return fmt.Errorf("--org is required: the organization's slug\n%s", apikeyUsage)
	}
	expiresAt, err := apikey.ParseExpiry(*expires)
	if err != nil {
		return flagErrors(err)
	}
	in := apikey.CreateInput{Name: *name, Scopes: apikey.ParseScopes(*scopes), ExpiresAt: expiresAt}
	check := in
	check.Normalize()
	if err := check.Validate(time.Now()); err != nil {
		return flagErrors(err)
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
	owner, err := oldestOwner(ctx, srv, o)
	if err != nil {
		return err
	}
	k, secret, err := srv.APIKeys.Create(ctx, o.ID, audit.Actor{MemberID: owner.ID, Name: owner.Name}, in)
	if err != nil {
		return flagErrors(err)
	}
	expiry := "never expires"
	if k.ExpiresAt != nil {
		expiry = "expires " + k.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	fmt.Fprintf(out, "created API key %q (%s, %s) for %s (%s) with scopes %s; %s; created by %s\n",
		k.Name, k.ID, k.Hint(), o.Name, o.Slug, strings.Join(k.Scopes, ","), expiry, owner.Name)
	fmt.Fprintln(out, "The key is shown only this once; store it now:")
	fmt.Fprintln(out, secret)
	return nil
}

// findOrganization returns the organization with this slug or, failing
// that, this exact name.
func findOrganization(ctx context.Context, srv *cli, ref string) (*account.Organization, error) {
	o, err := srv.Accounts.FindOrganization(ctx, ref)
	if apperr.Is(err, apperr.NotFound) {
		return nil, fmt.Errorf("no organization with the slug or name %q", ref)
	}
	return o, err
}

// oldestOwner returns the owner who joined the organization first: the
// member a key created from the command line is attributed to.
func oldestOwner(ctx context.Context, srv *cli, o *account.Organization) (*account.Member, error) {
	ms, err := srv.Accounts.Members(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	var oldest *account.Member
	for i := range ms {
		m := &ms[i]
		if m.Role != account.RoleOwner {
			continue
		}
		if oldest == nil || m.CreatedAt.Before(oldest.CreatedAt) || (m.CreatedAt.Equal(oldest.CreatedAt) && m.ID < oldest.ID) {
			oldest = m
		}
	}
	if oldest == nil {
		return nil, fmt.Errorf("organization %s (%s) has no owner to create the key as", o.Name, o.Slug)
	}
	return oldest, nil
}

// flagErrors names the --expires flag for the domain's "expiresAt" field,
// so describe prints the flag the user typed.
func flagErrors(err error) error {
	e, ok := apperr.As(err)
	if !ok || !e.Fields.Has("expiresAt") {
		return err
	}
	fields := apperr.FieldErrors{}
	for f, msgs := range e.Fields {
		if f == "expiresAt" {
			f = "expires"
		}
		fields[f] = msgs
	}
	return &apperr.Error{Code: e.Code, Message: e.Message, Fields: fields, Err: e.Err}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/csvio"
	"github.com/riskreg/riskreg/app/risk"
)

const importUsage = "usage: riskreg import --org SLUG [--dry-run] file.csv"

// importCmd imports a CSV file into an organization as its oldest owner:
// it prints each row's action and errors and a summary. With --dry-run, or
// when any row has errors, nothing is written; errors make it fail.
func importCmd(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(out)
	org := fs.String("org", "", "the organization's slug (or exact name)")
	dryRun := fs.Bool("dry-run", false, "show what the import would do without writing anything")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if strings.TrimSpace(*org) == "" {
		return fmt.Errorf("--org is required: the organization's slug\n%s", importUsage)
	}
	if fs.NArg() != 1 {
		return errors.New(importUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csvio.Read(f)
	if err != nil {
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
	var plan *risk.Plan
	if *dryRun {
		plan, err = srv.Importer.PlanImport(ctx, o.ID, rows)
	} else {
		owner, oerr := oldestOwner(ctx, srv, o)
		if oerr != nil {
			return oerr
		}
		plan, err = srv.Importer.Commit(ctx, o.ID, audit.Actor{MemberID: owner.ID, Name: owner.Name}, rows)
	}
	if plan != nil {
		printPlan(out, plan)
	}
	if err != nil && !errors.Is(err, risk.ErrImportInvalid) {
		return err
	}
	if plan.Invalid > 0 {
		if plan.Invalid == 1 {
			return errors.New("1 row has errors; nothing was imported")
		}
		return fmt.Errorf("%d rows have errors; nothing was imported", plan.Invalid)
	}
	if *dryRun {
		fmt.Fprintln(out, "dry run: nothing was written")
	}
	return nil
}

func printPlan(out io.Writer, plan *risk.Plan) {
	for _, r := range plan.Rows {
		action := r.Action
		if len(r.Errors) > 0 {
			action = "error"
		}
		label := r.Identifier
		if label == "" {
			label = "new"
		}
		fmt.Fprintf(out, "row %d: %s %s %q\n", r.Row, action, label, r.Title)
		for _, e := range r.Errors {
			fmt.Fprintf(out, "  %s: %s\n", e.Column, e.Message)
		}
		if len(r.Errors) == 0 {
			for _, c := range r.Changes {
				fmt.Fprintf(out, "  %s: %s → %s\n", c.Field, c.Old, c.New)
			}
		}
	}
	fmt.Fprintf(out, "%d created, %d updated, %d unchanged, %d with errors\n", plan.Created, plan.Updated, plan.Unchanged, plan.Invalid)
}

// Command riskreg is the risk register: a web server and its
// administration commands.
//
//	riskreg [serve] [--migrate]     serve the web app (default)
//	riskreg migrate up|down|status  manage the database schema
//	riskreg seed [--risks N]        create the demo organization (and N generated risks)
//	riskreg user create --email E --name N --password P --org "Org" [--role owner|admin|editor|viewer]
//	riskreg user invite|role|disable|enable --org SLUG --email E [--role R]
//	riskreg apikey create --org SLUG --name N [--scopes risks:read,risks:write] [--expires YYYY-MM-DD]
//	riskreg import --org SLUG [--dry-run] file.csv
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/seed"
	"github.com/riskreg/riskreg/app/web"
	"github.com/riskreg/riskreg/app/wire"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/devdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "riskreg:", describe(err))
		os.Exit(1)
	}
}

// describe turns validation errors into one readable line per field.
func describe(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		var b strings.Builder
		b.WriteString(e.Message)
		for _, f := range e.Fields.Names() {
			fmt.Fprintf(&b, "\n  --%s: %s", f, strings.Join(e.Fields[f], "; "))
		}
		return b.String()
	}
	if e, ok := apperr.As(err); ok && e.Code != apperr.Internal {
		return e.Message // user-safe and self-explanatory (a bad file, a missing organization…)
	}
	return err.Error()
}

const usage = `usage:
  riskreg [serve] [--migrate]
  riskreg migrate up|down|status
  riskreg seed [--risks N]
  riskreg user create --email E --name N --password P --org "Org Name" [--role owner|admin|editor|viewer]
  riskreg user invite --org SLUG --email E [--role R]    (a one-time link to send)
  riskreg user role|disable|enable --org SLUG --email E [--role R]
  riskreg apikey create --org SLUG --name N [--scopes risks:read,risks:write] [--expires YYYY-MM-DD]
  riskreg import --org SLUG [--dry-run] file.csv`

func run(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := config.Load(nil)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, args, out)
	case "migrate":
		return migrateCmd(ctx, cfg, args, out)
	case "seed":
		return seedCmd(ctx, cfg, args, out)
	case "user":
		return userCmd(ctx, cfg, args, out)
	case "apikey":
		return apikeyCmd(ctx, cfg, args, out)
	case "import":
		return importCmd(ctx, cfg, args, out)
	case "help", "-h", "--help":
		fmt.Fprintln(out, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

func newLogger(cfg *config.Config, out io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: cfg.LogLevel}))
}

// databases are where a command's connections go: the app's role for
// reading and writing data, the schema owner for migrations.
type databases struct {
	AppURL   string // DATABASE_URL, or the embedded database as devdb.AppRole
	OwnerURL string // MIGRATE_DATABASE_URL or else DATABASE_URL, or the embedded database as devdb.OwnerRole
	Embedded bool
	cluster  *devdb.Cluster
}

// startDatabases takes DATABASE_URL and MIGRATE_DATABASE_URL, or, when
// DATABASE_URL is unset, starts the embedded PostgreSQL under DATA_DIR and
// creates its roles and database. Stop releases the embedded one.
//
// attach lets a short command (migrate, seed, user, apikey, import) use the
// embedded PostgreSQL of a running `riskreg serve`; serve itself refuses to
// start a second copy.
func startDatabases(ctx context.Context, cfg *config.Config, log *slog.Logger, attach bool) (*databases, error) {
	if cfg.DatabaseURL != "" {
		return &databases{AppURL: cfg.DatabaseURL, OwnerURL: cfg.MigrationURL()}, nil
	}
	cluster, err := devdb.Start(ctx, devdb.Options{
		Dir:    filepath.Join(cfg.DataDir, "postgres"),
		Logf:   func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) },
		Attach: attach,
	})
	if err != nil {
		return nil, fmt.Errorf("start the embedded PostgreSQL: %w", err)
	}
	if err := cluster.CreateDatabase(ctx, "riskreg"); err != nil {
		_ = cluster.Stop()
		return nil, err
	}
	return &databases{
		AppURL:   cluster.RoleDSN(devdb.AppRole, "riskreg"),
		OwnerURL: cluster.RoleDSN(devdb.OwnerRole, "riskreg"),
		Embedded: true,
		cluster:  cluster,
	}, nil
}

// Stop stops the embedded PostgreSQL if this process started it.
func (d *databases) Stop() {
	if d.cluster != nil {
		_ = d.cluster.Stop()
	}
}

// open connects to url and waits for the database to answer.
func open(ctx context.Context, url string) (*bun.DB, error) {
	bdb, err := db.Open(url)
	if err != nil {
		return nil, err
	}
	if err := pingWithRetry(ctx, bdb); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return bdb, nil
}

func pingWithRetry(ctx context.Context, bdb *bun.DB) error {
	var err error
	for range 30 {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = bdb.PingContext(pctx)
		cancel()
		if err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	return nil
}

// serverGCPercent is the garbage collector's target for the server unless
// GOGC is set. The server's live heap is small (about 15 MB) while a page
// allocates a few hundred KB, so with Go's default of 100 it collected
// every few dozen requests. At 200 the register's p99 under make bench fell
// by about a tenth for some 10 MB more heap; the export's peak RSS stays
// under its 64 MB goal (the README has the figures).
const serverGCPercent = 200

// setServerGC applies serverGCPercent unless the operator chose GOGC
// (which the runtime has applied already).
func setServerGC(gogc string) {
	if gogc == "" {
		debug.SetGCPercent(serverGCPercent)
	}
}

func serve(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	migrateFlag := fs.Bool("migrate", false, "apply pending migrations before serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(cfg, out)
	setServerGC(os.Getenv("GOGC"))
	dbs, err := startDatabases(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer dbs.Stop()
	bdb, err := open(ctx, dbs.AppURL)
	if err != nil {
		return err
	}
	defer bdb.Close()
	embedded := dbs.Embedded

	if err := prepareSchema(ctx, dbs, bdb, embedded || *migrateFlag, log); err != nil {
		return err
	}
	if can, err := db.CanRewriteEvents(ctx, bdb); err != nil {
		return err
	} else if can {
		log.Warn("the database role of DATABASE_URL can rewrite the audit trail (a superuser, or the owner of the tables): " +
			"run the app as riskreg_app and migrations as the owner with MIGRATE_DATABASE_URL (README, Security)")
	}

	svc := wire.Services(cfg, bdb)
	srv, err := web.NewServer(cfg, svc, log)
	if err != nil {
		return err
	}
	demo := ""
	if embedded {
		created, err := (&seed.Seeder{Accounts: svc.Accounts, Risks: svc.Risks, Incidents: svc.Incidents}).Demo(ctx)
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if created {
			log.Info("demo organization created", "organization", seed.DemoOrganization)
		}
		demo = fmt.Sprintf("  demo login: %s / %s\n", seed.DemoEmail(), seed.DemoPassword)
	}
	go purge(ctx, svc, log)

	app := web.New(srv)
	errc := make(chan error, 1)
	go func() { errc <- app.Listen(cfg.Addr) }()
	fmt.Fprintf(out, "\nriskreg is running at %s\n%s  stop with Ctrl-C\n\n", cfg.BaseURL, demo)

	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	if err := app.ShutdownWithTimeout(20 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// prepareSchema applies pending migrations as the schema owner when migrate
// is set (the embedded database, or --migrate); otherwise it refuses to go
// on with an out-of-date schema, so an old binary never runs against a
// newer one. app is the app's connection.
func prepareSchema(ctx context.Context, dbs *databases, app *bun.DB, migrate bool, log *slog.Logger) error {
	if migrate {
		owner := app
		if dbs.OwnerURL != dbs.AppURL {
			var err error
			if owner, err = open(ctx, dbs.OwnerURL); err != nil {
				return err
			}
			defer owner.Close()
		}
		applied, err := db.MigrateUp(ctx, owner)
		if err == nil && len(applied) > 0 {
			log.Info("migrations applied", "migrations", applied)
		}
		return err
	}
	n, err := db.Pending(ctx, app)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database schema is %d migration(s) behind; run `riskreg migrate up` or start with `riskreg serve --migrate`", n)
	}
	return nil
}

// purge deletes expired sessions, sign-in and sign-up attempts older than
// the rate limits' windows, and Idempotency-Key responses past their
// retention, every hour.
func purge(ctx context.Context, svc web.Services, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := time.Now()
		if n, err := svc.Accounts.PurgeSessions(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("purge sessions", "err", err)
		} else if n > 0 {
			log.Info("purged expired sessions", "count", n)
		}
		if n, err := svc.Accounts.PurgeAttempts(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("purge login attempts", "err", err)
		} else if n > 0 {
			log.Info("purged login attempts", "count", n)
		}
		if n, err := svc.Idempotency.Purge(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("purge idempotency keys", "err", err)
		} else if n > 0 {
			log.Info("purged idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func migrateCmd(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: riskreg migrate up|down|status")
	}
	dbs, err := startDatabases(ctx, cfg, newLogger(cfg, io.Discard), true)
	if err != nil {
		return err
	}
	defer dbs.Stop()
	bdb, err := open(ctx, dbs.OwnerURL)
	if err != nil {
		return err
	}
	defer bdb.Close()
	switch args[0] {
	case "up":
		applied, err := db.MigrateUp(ctx, bdb)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(out, "the database is up to date")
		}
		for _, m := range applied {
			fmt.Fprintln(out, "applied", m)
		}
	case "down":
		rolled, err := db.MigrateDown(ctx, bdb)
		if err != nil {
			return err
		}
		if len(rolled) == 0 {
			fmt.Fprintln(out, "nothing to roll back")
		}
		for _, m := range rolled {
			fmt.Fprintln(out, "rolled back", m)
		}
	case "status":
		ms, err := db.MigrateStatus(ctx, bdb)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(out, "%-8s %s\n", state, m.Name)
		}
	default:
		return fmt.Errorf("unknown migrate command %q: want up, down or status", args[0])
	}
	return nil
}

// cli is what a command-line command works with: the domain services and,
// for bulk operations below the services, the database.
type cli struct {
	web.Services
	DB *bun.DB
}

// openMigrated opens the database as the app's role for a CLI command that
// needs the current schema: the embedded one is migrated, an external one
// must be.
func openMigrated(ctx context.Context, cfg *config.Config) (*cli, func(), error) {
	log := newLogger(cfg, io.Discard)
	dbs, err := startDatabases(ctx, cfg, log, true)
	if err != nil {
		return nil, nil, err
	}
	bdb, err := open(ctx, dbs.AppURL)
	if err != nil {
		dbs.Stop()
		return nil, nil, err
	}
	stop := func() {
		_ = bdb.Close()
		dbs.Stop()
	}
	if err := prepareSchema(ctx, dbs, bdb, dbs.Embedded, log); err != nil {
		stop()
		return nil, nil, err
	}
	return &cli{Services: wire.Services(cfg, bdb), DB: bdb}, stop, nil
}

func seedCmd(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(out)
	n := fs.Int("risks", 0, "also add this many generated risks to the demo register (scale tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 || *n > 10_000_000 {
		return errors.New("--risks must be between 0 and 10000000")
	}
	srv, stop, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer stop()
	seeder := &seed.Seeder{Accounts: srv.Accounts, Risks: srv.Risks, Incidents: srv.Incidents}
	created, err := seeder.Demo(ctx)
	if err != nil {
		return err
	}
	if *n > 0 {
		start := time.Now()
		err := seeder.ManyRisks(ctx, *n, func(ctx context.Context, reg *risk.Register, memberID, name string, n int) error {
			return db.BulkInsertRisks(ctx, srv.DB, reg, memberID, name, n)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "added %d risks to %s in %s\n", *n, seed.DemoOrganization, time.Since(start).Round(time.Millisecond))
	}
	if created {
		fmt.Fprintf(out, "created %s; sign in as %s / %s\n", seed.DemoOrganization, seed.DemoEmail(), seed.DemoPassword)
	} else {
		fmt.Fprintf(out, "%s already exists; sign in as %s / %s\n", seed.DemoOrganization, seed.DemoEmail(), seed.DemoPassword)
	}
	return nil
}

func userCmd(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	if len(args) > 0 && (args[0] == "invite" || args[0] == "role" || args[0] == "disable" || args[0] == "enable") {
		return memberCmd(ctx, cfg, args[0], args[1:], out)
	}
	if len(args) == 0 || args[0] != "create" {
		return errors.New(`usage: riskreg user create --email E --name N --password P --org "Org Name" [--role owner|admin|editor|viewer]` + "\n" + memberUsage)
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "email address (sign-in)")
	name := fs.String("name", "", "display name")
	password := fs.String("password", "", "password, at least 12 characters")
	org := fs.String("org", "", "organization name or slug; created when it does not exist")
	role := fs.String("role", "owner", "owner, admin, editor or viewer")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	srv, stop, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer stop()
	u, o, err := srv.Accounts.CreateUser(ctx, account.NewUserInput{
		Organization: *org, Name: *name, Email: *email, Password: *password, Role: account.Role(*role),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created user %s (%s) as %s of %s (%s)\n", u.Email, u.ID, *role, o.Name, o.Slug)
	return nil
}

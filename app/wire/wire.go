// Package wire is the one place where the PostgreSQL stores meet the
// domain services: main and the tests build the application with it, so
// both run the same wiring.
package wire

import (
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/activity"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/idempotency"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/report"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web"
	"github.com/riskreg/riskreg/app/work"
	"github.com/riskreg/riskreg/db"
)

// Services returns the domain services over bdb.
func Services(cfg *config.Config, bdb *bun.DB) web.Services {
	tx := db.Tx{DB: bdb}
	now := cfg.Clock()
	registers := &db.RegisterStore{DB: bdb}
	events := &db.EventStore{DB: bdb}
	accountStore := &db.AccountStore{DB: bdb}
	accounts := &account.Service{
		Store: accountStore, Registers: registers, Tx: tx, NewID: db.NewID, Now: now,
		Attempts: &db.LoginAttemptStore{DB: bdb}, IdleTimeout: cfg.SessionIdleTimeout, MaxLifetime: cfg.SessionMaxLifetime,
		Team: accountStore, Events: events,
	}
	risks := &risk.Service{Risks: &db.RiskStore{DB: bdb}, Registers: registers, Plans: &db.PlanStore{DB: bdb},
		Prefs:  &db.PreferenceStore{DB: bdb},
		Events: events, Past: &db.HistoryStore{DB: bdb}, TrendCache: &risk.TrendCache{}, Tx: tx, NewID: db.NewID, Now: now, Incidents: &db.IncidentStore{DB: bdb}}
	return web.Services{
		Accounts:    accounts,
		Risks:       risks,
		Incidents:   &incident.Service{Store: &db.IncidentStore{DB: bdb}, Risks: risks, Events: events, Tx: tx, NewID: db.NewID, Now: now},
		Importer:    &risk.Importer{Risks: risks, Members: accounts},
		APIKeys:     &apikey.Service{Store: &db.APIKeyStore{DB: bdb}, Events: events, Tx: tx, NewID: db.NewID, Now: now},
		Idempotency: &idempotency.Service{Store: &db.IdempotencyStore{DB: bdb}, Tx: tx},
		Reports:     &report.Service{Risks: risks, Store: &db.ReportStore{DB: bdb}, Now: now},
		Ping:        bdb.PingContext,
		Work:        &work.Service{Store: &db.WorkStore{DB: bdb}, Now: now},
		Activity:    &activity.Service{Store: &db.ActivityStore{DB: bdb}},
		Reviews: &risk.ReviewService{Risks: risks.Risks, Registers: registers, Reviews: &db.ReviewStore{DB: bdb},
			Events: events, Tx: tx, NewID: db.NewID, Now: now},
		Comments: &risk.CommentService{Risks: risks.Risks, Comments: &db.ReviewStore{DB: bdb},
			Events: events, Tx: tx, NewID: db.NewID, Now: now},
	}
}

// Server returns the web server over bdb.
func Server(cfg *config.Config, bdb *bun.DB, log *slog.Logger) (*web.Server, error) {
	return web.NewServer(cfg, Services(cfg, bdb), log)
}

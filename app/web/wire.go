package web

import (
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

// NewServer wires the domain services to the PostgreSQL stores.
func NewServer(cfg *config.Config, bdb *bun.DB, log *slog.Logger) (*Server, error) {
	sessions, err := NewSessionStore(cfg)
	if err != nil {
		return nil, err
	}
	tx := db.Tx{DB: bdb}
	riskStore := &db.RiskStore{DB: bdb}
	events := &db.EventStore{DB: bdb}
	accounts := &account.Service{
		Store: &db.AccountStore{DB: bdb}, Registers: riskStore, Tx: tx, NewID: db.NewID, Now: time.Now,
		Limiter: account.NewLoginLimiter(), IdleTimeout: cfg.SessionIdleTimeout, MaxLifetime: cfg.SessionMaxLifetime,
	}
	risks := &risk.Service{Store: riskStore, Events: events, Tx: tx, NewID: db.NewID, Now: time.Now,
		Plans: &db.PlanStore{DB: bdb}}
	return &Server{
		Config:      cfg,
		DB:          bdb,
		Accounts:    accounts,
		Risks:       risks,
		Importer:    &risk.Importer{Risks: risks, Members: accounts},
		APIKeys:     &apikey.Service{Store: &db.APIKeyStore{DB: bdb}, Events: events, Tx: tx, NewID: db.NewID, Now: time.Now},
		Events:      events,
		Idempotency: &db.Idempotency{DB: bdb},
		Sessions:    sessions,
		Log:         log,
		Now:         time.Now,
	}, nil
}

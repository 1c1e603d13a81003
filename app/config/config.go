// Package config reads riskreg's settings from environment variables into
// one typed, validated Config.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is every setting of the process.
type Config struct {
	Env                string        // APP_ENV: development (default) or production
	Addr               string        // ADDR: listen address, default 127.0.0.1:8080
	BaseURL            string        // BASE_URL: public origin, default http://ADDR
	DatabaseURL        string        // DATABASE_URL: the app's role; empty = embedded PostgreSQL under DataDir
	MigrateDatabaseURL string        // MIGRATE_DATABASE_URL: the schema owner, for migrations; empty = DatabaseURL
	DataDir            string        // DATA_DIR: default .data
	SessionSecret      string        // SESSION_SECRET: ≥ 32 characters; required in production
	LogLevel           slog.Level    // LOG_LEVEL: debug, info, warn, error
	SessionIdleTimeout time.Duration // SESSION_IDLE_TIMEOUT: default 1h
	SessionMaxLifetime time.Duration // SESSION_MAX_LIFETIME: default 12h
	RequestTimeout     time.Duration // REQUEST_TIMEOUT: default 30s
	TrustedProxies     []string      // TRUSTED_PROXIES: comma-separated IPs/CIDRs whose X-Forwarded-For is believed

	// Now is the clock every service and the server read: time.Now, unless a
	// test injects its own to let days pass (overdue reviews, as-of views).
	Now func() time.Time
}

// Clock returns c.Now, or time.Now when none was set.
func (c *Config) Clock() func() time.Time {
	if c == nil || c.Now == nil {
		return time.Now
	}
	return c.Now
}

// MigrationURL returns the database URL migrations run on: the schema
// owner's MIGRATE_DATABASE_URL, else DATABASE_URL (which then gives the app
// the owner's rights); empty for the embedded database.
func (c *Config) MigrationURL() string {
	if c.MigrateDatabaseURL != "" {
		return c.MigrateDatabaseURL
	}
	return c.DatabaseURL
}

// Production reports whether APP_ENV is production.
func (c *Config) Production() bool { return c.Env == "production" }

// Load reads the environment through getenv (os.Getenv when nil) and
// returns an error naming every bad variable.
func Load(getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	dur := func(key, def string) time.Duration {
		d, err := time.ParseDuration(get(key, def))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive duration such as 30m, got %q", key, get(key, def)))
			return 0
		}
		return d
	}
	c := &Config{
		Env:                get("APP_ENV", "development"),
		Addr:               get("ADDR", "127.0.0.1:8080"),
		DatabaseURL:        get("DATABASE_URL", ""),
		MigrateDatabaseURL: get("MIGRATE_DATABASE_URL", ""),
		DataDir:            get("DATA_DIR", ".data"),
		SessionSecret:      getenv("SESSION_SECRET"),
		SessionIdleTimeout: dur("SESSION_IDLE_TIMEOUT", "1h"),
		SessionMaxLifetime: dur("SESSION_MAX_LIFETIME", "12h"),
		RequestTimeout:     dur("REQUEST_TIMEOUT", "30s"),
		Now:                time.Now,
	}
	if c.MigrateDatabaseURL != "" && c.DatabaseURL == "" {
		errs = append(errs, errors.New("MIGRATE_DATABASE_URL: needs DATABASE_URL (the embedded database makes its own roles)"))
	}
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("APP_ENV: want development or production, got %q", c.Env))
	}
	c.BaseURL = strings.TrimRight(get("BASE_URL", "http://"+c.Addr), "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("BASE_URL: want an origin such as https://risks.example.com, got %q", c.BaseURL))
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL: want debug, info, warn or error, got %q", get("LOG_LEVEL", "info")))
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		errs = append(errs, errors.New("SESSION_SECRET: must be at least 32 characters"))
	}
	if c.Production() && c.SessionSecret == "" {
		errs = append(errs, errors.New("SESSION_SECRET: required when APP_ENV=production"))
	}
	if c.Production() && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, errors.New("BASE_URL: must be https:// when APP_ENV=production"))
	}
	for _, p := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return c, errors.Join(errs...)
}

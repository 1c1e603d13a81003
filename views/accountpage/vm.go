// Package accountpage renders /account: a person's own name, password
// and sessions.
package accountpage

import (
	"net/url"
	"strings"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
)

// Path is the account page.
const Path = "/account"

// VM is the account page.
type VM struct {
	Name      string
	Email     string
	Role      string
	OrgName   string
	Sessions  []account.Session
	CurrentID string
	// Errors of the name form and of the password form.
	NameErrors     apperr.FieldErrors
	PasswordErrors apperr.FieldErrors
}

// EndSessionURL is the action that ends a session.
func EndSessionURL(id string) string { return Path + "/sessions/" + url.PathEscape(id) + "/end" }

func invalid(fe apperr.FieldErrors, f string) string {
	if fe.Has(f) {
		return "true"
	}
	return "false"
}

// Device is a short description of a user agent: browser on system.
func Device(ua string) string {
	if ua == "" {
		return "Unknown device"
	}
	browser := "Browser"
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "HeadlessChrome"):
		browser = "Headless Chrome"
	case strings.Contains(ua, "Chrome/"):
		browser = "Chrome"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	case strings.Contains(ua, "curl/"):
		browser = "curl"
	case strings.Contains(ua, "Go-http-client"):
		browser = "Go HTTP client"
	}
	system := ""
	switch {
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad"):
		system = "iOS"
	case strings.Contains(ua, "Android"):
		system = "Android"
	case strings.Contains(ua, "Windows"):
		system = "Windows"
	case strings.Contains(ua, "Mac OS X"):
		system = "macOS"
	case strings.Contains(ua, "Linux"):
		system = "Linux"
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}

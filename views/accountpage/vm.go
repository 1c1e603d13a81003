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

// uaName is a name shown for user agents holding a token.
type uaName struct{ token, name string }

// Browsers and systems by their user-agent tokens, most specific first
// (Edge and headless Chrome also say Chrome; Chrome also says Safari).
var (
	browsers = []uaName{{"Edg/", "Edge"}, {"HeadlessChrome", "Headless Chrome"}, {"Chrome/", "Chrome"},
		{"Firefox/", "Firefox"}, {"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "Go HTTP client"}}
	systems = []uaName{{"iPhone", "iOS"}, {"iPad", "iOS"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"Linux", "Linux"}}
)

// firstName returns the name of the first entry whose token ua holds, or def.
func firstName(ua string, names []uaName, def string) string {
	for _, n := range names {
		if strings.Contains(ua, n.token) {
			return n.name
		}
	}
	return def
}

// Device is a short description of a user agent: browser on system.
func Device(ua string) string {
	if ua == "" {
		return "Unknown device"
	}
	browser := firstName(ua, browsers, "Browser")
	if system := firstName(ua, systems, ""); system != "" {
		return browser + " on " + system
	}
	return browser
}

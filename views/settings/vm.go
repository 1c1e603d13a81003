// Package settings renders the organization's settings pages: the API
// keys (create, show the secret once, revoke).
package settings

import (
	"net/url"
	"slices"
	"time"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/views/components"
)

// Paths and DOM ids shared by templates and handlers.
const (
	APIKeysPath  = "/settings/api-keys"
	APIKeysID    = "api-keys"    // the swappable region: new-key panel, form and table
	NewKeyFormID = "new-api-key" // the create form
	SecretID     = "new-key-secret"
)

// APIKeysVM is the API keys page.
type APIKeysVM struct {
	Keys    []*apikey.Key
	Now     time.Time
	Form    KeyForm
	Errors  apperr.FieldErrors
	Created *CreatedKey // the key just created, with its secret: rendered once, never stored
}

// KeyForm is the create form as the user filled it in.
type KeyForm struct {
	Name      string
	Scopes    []string
	ExpiresAt string // YYYY-MM-DD or empty
}

// NewKeyForm is the empty form: read-only by default.
func NewKeyForm() KeyForm { return KeyForm{Scopes: []string{apikey.ScopeRead}} }

// Checked reports whether the form has scope ticked.
func (f KeyForm) Checked(scope string) bool { return slices.Contains(f.Scopes, scope) }

// CreatedKey is a key that was just created, with its secret.
type CreatedKey struct {
	Name   string
	Scopes []string
	Secret string
}

// ErrorCount is the number of fields with errors.
func (vm APIKeysVM) ErrorCount() int { return len(vm.Errors) }

// invalid is the aria-invalid value of a field.
func (vm APIKeysVM) invalid(field string) string {
	if vm.Errors.Has(field) {
		return "true"
	}
	return "false"
}

// ScopeOption is a scope checkbox.
type ScopeOption struct {
	Value string
	Label string
	Hint  string
}

// ScopeOptions lists the scopes a key can be given.
var ScopeOptions = []ScopeOption{
	{Value: apikey.ScopeRead, Label: "Read risks", Hint: "List and read risks."},
	{Value: apikey.ScopeWrite, Label: "Write risks", Hint: "Create, change and delete risks (includes read)."},
}

// RevokeURL is the revoke action of a key.
func RevokeURL(id string) string { return APIKeysPath + "/" + url.PathEscape(id) + "/revoke" }

// StatusLabel names a key status.
func StatusLabel(status string) string {
	switch status {
	case apikey.StatusRevoked:
		return "Revoked"
	case apikey.StatusExpired:
		return "Expired"
	default:
		return "Active"
	}
}

// StatusClass maps a key status to whole Tailwind class names.
func StatusClass(status string) string {
	switch status {
	case apikey.StatusRevoked:
		return "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100"
	case apikey.StatusExpired:
		return "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100"
	default:
		return "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
	}
}

// ScopeClass maps a scope to whole Tailwind class names.
func ScopeClass(scope string) string {
	if scope == apikey.ScopeWrite {
		return "bg-indigo-100 text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100"
	}
	return "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100"
}

// FormatTime formats a timestamp in UTC, or returns never when it is nil.
func FormatTime(t *time.Time, never string) string {
	if t == nil {
		return never
	}
	return components.DateTime(*t)
}

// Package activity renders the organization's activity log.
package activity

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	act "github.com/riskreg/riskreg/app/activity"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/views/components"
)

// Path is the log's URL; ExportPath its CSV.
const (
	Path       = "/activity"
	ExportPath = "/activity/export.csv"
)

// Actor is a member the actor filter offers.
type Actor struct{ ID, Name string }

// VM is the activity log page.
type VM struct {
	Filter act.Filter
	Raw    map[string]string // the filter's parameters as given
	Page   *act.Page
	Actors []Actor
	Errors apperr.FieldErrors
	First  bool // the page starts at the newest event
}

// Value is a filter parameter's value as given.
func (vm VM) Value(key string) string { return vm.Raw[key] }

func (vm VM) query() url.Values {
	v := url.Values{}
	for _, k := range act.Params {
		if s := vm.Raw[k]; s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// HasFilters reports whether any filter is set.
func (vm VM) HasFilters() bool { return len(vm.query()) > 0 }

// NextURL is the next (older) page.
func (vm VM) NextURL() string {
	v := vm.query()
	v.Set("after", vm.Page.Next.String())
	return Path + "?" + v.Encode()
}

// FirstURL is the newest page with the same filters.
func (vm VM) FirstURL() string { return withQuery(Path, vm.query()) }

// ExportURL exports every event the filters select.
func (vm VM) ExportURL() string { return withQuery(ExportPath, vm.query()) }

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// Kinds are the kind filter's options.
func Kinds() []act.Kind { return act.Kinds }

// Actions are the action filter's options.
func Actions() []string { return act.Actions }

// KindLabel names an entity type.
func KindLabel(v string) string { return act.KindLabel(v) }

// SubjectURL links an event to its subject; "" when it has no page. A
// deleted risk's link shows its deleted page, with restore for managers.
func SubjectURL(e *audit.Event) string {
	id := url.PathEscape(e.EntityID)
	switch e.EntityType {
	case audit.EntityRisk:
		return "/risks/" + id
	case audit.EntityRegister:
		return "/settings/registers/" + id
	case audit.EntityAPIKey:
		return "/settings/api-keys"
	case "incident":
		return "/incidents/" + id
	case "member", "invite":
		return "/settings/members"
	case "comment": // labelled with its risk's identifier
		if e.EntityLabel != "" {
			return "/risks/" + url.PathEscape(e.EntityLabel) + "#comment-" + id
		}
	}
	return ""
}

// Subject names the event's entity.
func Subject(e *audit.Event) string {
	if e.EntityLabel != "" {
		return e.EntityLabel
	}
	return e.EntityID
}

// Summary lists the changed fields, e.g. "title, status (+3)".
func Summary(e *audit.Event) string {
	if len(e.Changes) == 0 {
		return ""
	}
	var names []string
	for i, ch := range e.Changes {
		if i == 4 {
			names = append(names, "+"+itoa(len(e.Changes)-4))
			break
		}
		names = append(names, strings.ReplaceAll(ch.Field, "_", " "))
	}
	return strings.Join(names, ", ")
}

func itoa(n int) string { return strconv.Itoa(n) }

// When formats an event's time.
func When(t time.Time) string { return components.DateTime(t) }

// ActionClass colours an action badge.
func ActionClass(a string) string {
	switch a {
	case audit.ActionCreated:
		return "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
	case audit.ActionDeleted:
		return "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200"
	case audit.ActionRestored:
		return "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200"
	}
	return "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200"
}

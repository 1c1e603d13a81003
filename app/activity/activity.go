// Package activity reads the organization's audit trail as one log:
// filtered by actor, kind, action, entity and dates, paged by keyset
// (created_at, id) and exported as CSV.
package activity

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// PageSize is how many events a page of the log shows.
const PageSize = 50

// Kinds are the entity types the log knows by name, in the filter's order;
// an unknown type stored by a later feature still lists, under its own name.
var Kinds = []Kind{
	{audit.EntityRisk, "Risk"}, {audit.EntityRegister, "Register"}, {"incident", "Incident"},
	{"member", "Member"}, {"invite", "Invitation"}, {audit.EntityAPIKey, "API key"}, {"comment", "Comment"},
}

// Kind is an entity type and its label.
type Kind struct{ Value, Label string }

// KindLabel names an entity type for people.
func KindLabel(v string) string {
	for _, k := range Kinds {
		if k.Value == v {
			return k.Label
		}
	}
	return strings.ReplaceAll(v, "_", " ")
}

// Actions the filter offers.
var Actions = []string{audit.ActionCreated, audit.ActionUpdated, audit.ActionDeleted, audit.ActionRestored}

// Cursor is the position after which the next page starts: the last
// event shown, newest first.
type Cursor struct {
	At time.Time
	ID int64
}

// String encodes the cursor for a URL: microseconds since the epoch and
// the event id.
func (c Cursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "-" + strconv.FormatInt(c.ID, 10)
}

func parseCursor(s string) (*Cursor, bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return nil, false
	}
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || us < 0 || id < 0 {
		return nil, false
	}
	return &Cursor{At: time.UnixMicro(us).UTC(), ID: id}, true
}

// Filter selects events of one organization.
type Filter struct {
	ActorID string // a member id
	Kind    string // entity type
	Action  string
	Entity  string // an entity's id or label (RSK-00042, a register's name)
	From    *time.Time
	To      *time.Time // inclusive day
	After   *Cursor
}

// Params are the filter's query parameters, in the order a URL carries them.
var Params = []string{"actor", "kind", "action", "entity", "from", "to"}

const maxParam = 200

// ParseFilter reads a filter from query parameters; a bad value is a
// field error naming the parameter, never a server error.
func ParseFilter(get func(string) string) (Filter, apperr.FieldErrors) {
	var f Filter
	fe := apperr.FieldErrors{}
	text := func(key string) string {
		v := strings.TrimSpace(get(key))
		if len(v) > maxParam || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			fe.Add(key, "Must be valid text of at most 200 characters")
			return ""
		}
		return v
	}
	f.ActorID, f.Kind, f.Action, f.Entity = text("actor"), text("kind"), text("action"), text("entity")
	if f.Action != "" && !contains(Actions, f.Action) {
		fe.Add("action", "Must be one of created, updated, deleted, restored")
	}
	date := func(key string) *time.Time {
		v := text(key)
		if v == "" {
			return nil
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fe.Add(key, "Must be a date like 2030-01-31")
			return nil
		}
		return &d
	}
	f.From, f.To = date("from"), date("to")
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		fe.Add("to", "Must not be before the start date")
	}
	if v := text("after"); v != "" {
		c, ok := parseCursor(v)
		if !ok {
			fe.Add("after", "Must be a position from a previous page")
		}
		f.After = c
	}
	if len(fe) > 0 {
		return Filter{}, fe
	}
	return f, nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Store reads events.
type Store interface {
	// Activity returns at most limit events matching f, newest first by
	// (created_at, id), after f.After.
	Activity(ctx context.Context, orgID string, f Filter, limit int) ([]*audit.Event, error)
}

// Service reads the activity log.
type Service struct {
	Store Store
}

// Page is one page of the log.
type Page struct {
	Events []*audit.Event
	Next   *Cursor // nil on the last page
}

// List returns the page of events after f.After.
func (s *Service) List(ctx context.Context, orgID string, f Filter) (*Page, error) {
	es, err := s.Store.Activity(ctx, orgID, f, PageSize+1)
	if err != nil {
		return nil, err
	}
	p := &Page{Events: es}
	if len(es) > PageSize {
		p.Events = es[:PageSize]
		last := p.Events[PageSize-1]
		p.Next = &Cursor{At: last.CreatedAt, ID: last.ID}
	}
	return p, nil
}

// exportBatch is how many events the export reads at a time.
const exportBatch = 500

// Export calls emit for every event matching f, newest first, reading the
// trail in keyset batches so a long log streams in constant memory.
func (s *Service) Export(ctx context.Context, orgID string, f Filter, emit func(*audit.Event) error) error {
	for {
		es, err := s.Store.Activity(ctx, orgID, f, exportBatch)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := emit(e); err != nil {
				return err
			}
		}
		if len(es) < exportBatch {
			return nil
		}
		last := es[len(es)-1]
		f.After = &Cursor{At: last.CreatedAt, ID: last.ID}
	}
}

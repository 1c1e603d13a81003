package csvio

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/audit"
)

// EventColumns are the activity log export's columns, in order.
var EventColumns = []string{"created_at", "event_id", "kind", "action", "entity_id", "entity", "actor",
	"actor_member_id", "actor_api_key_id", "changes"}

// EventWriter writes audit events as CSV, one record per event, text
// cells neutralised like the risk export's.
type EventWriter struct {
	w   *bufio.Writer
	buf []string
}

// NewEventWriter writes the optional BOM and the header row.
func NewEventWriter(w io.Writer, bom bool) (*EventWriter, error) {
	if bom {
		if _, err := io.WriteString(w, BOM); err != nil {
			return nil, err
		}
	}
	bw := bufio.NewWriter(w)
	if err := writeRecord(bw, EventColumns); err != nil {
		return nil, err
	}
	return &EventWriter{w: bw, buf: make([]string, len(EventColumns))}, nil
}

// Write writes one event; its changes are one line per field,
// "field: old → new".
func (w *EventWriter) Write(e *audit.Event) error {
	lines := make([]string, len(e.Changes))
	for i, ch := range e.Changes {
		lines[i] = ch.Field + ": " + ch.Old + " → " + ch.New
	}
	w.buf = append(w.buf[:0], e.CreatedAt.UTC().Format(time.RFC3339), strconv.FormatInt(e.ID, 10), e.EntityType,
		e.Action, SafeCell(e.EntityID), SafeCell(e.EntityLabel), SafeCell(e.Actor.Name), e.Actor.MemberID,
		e.Actor.APIKeyID, SafeCell(strings.Join(lines, "\n")))
	return writeRecord(w.w, w.buf)
}

// Flush writes what is buffered.
func (w *EventWriter) Flush() error { return w.w.Flush() }

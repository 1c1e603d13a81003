// Package work renders "My work" and the notifications.
package work

import (
	"strconv"
	"time"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/work"
	"github.com/riskreg/riskreg/views/components"
)

// VM is the My work page.
type VM struct {
	Work     *work.MyWork
	Today    time.Time
	MemberID string
}

// NotificationsVM is the notifications page.
type NotificationsVM struct {
	Items  []work.Notification
	Unread int
}

// RiskPath links a risk by its identifier.
func RiskPath(r work.RiskRef) string { return "/risks/" + risk.FormatIdentifier(r.Number) }

// Ident is a risk's RSK identifier.
func Ident(r work.RiskRef) string { return risk.FormatIdentifier(r.Number) }

// Count is a section's count, "12 of 80" when the list is cut.
func Count(shown, total int) string {
	if shown < total {
		return strconv.Itoa(shown) + " of " + strconv.Itoa(total)
	}
	return strconv.Itoa(total)
}

func dateOf(t *time.Time, today time.Time) string {
	if t == nil {
		return "—"
	}
	return components.ShortDate(*t, today)
}

// Days describes how far a date is from today: "3 days overdue", "due today", "in 5 days".
func Days(d, today time.Time) string {
	n := int(d.Sub(today).Hours() / 24)
	switch {
	case n < -1:
		return strconv.Itoa(-n) + " days overdue"
	case n == -1:
		return "1 day overdue"
	case n == 0:
		return "due today"
	case n == 1:
		return "tomorrow"
	}
	return "in " + strconv.Itoa(n) + " days"
}

// Title is a notification's sentence.
func Title(n work.Notification) string {
	switch n.Kind {
	case work.KindRiskAssigned:
		return actor(n.Actor) + " assigned you " + Ident(n.Risk)
	case work.KindTaskAssigned:
		return actor(n.Actor) + " assigned you the task “" + n.Task + "”"
	case work.KindMention:
		return actor(n.Actor) + " mentioned you on " + Ident(n.Risk)
	case work.KindComment:
		return actor(n.Actor) + " commented on your risk " + Ident(n.Risk)
	case work.KindTaskOverdue:
		return "Task “" + n.Task + "” is overdue"
	case work.KindReviewOverdue:
		return "Review of " + Ident(n.Risk) + " is overdue"
	}
	return n.Kind
}

func actor(name string) string {
	if name == "" {
		return "Someone"
	}
	return name
}

// Icon is a notification's one-character mark.
func Icon(kind string) string {
	switch kind {
	case work.KindMention:
		return "@"
	case work.KindComment:
		return "💬"
	case work.KindTaskOverdue, work.KindReviewOverdue:
		return "⏰"
	}
	return "→"
}

// StatusLabel names a risk status.
func StatusLabel(s string) string { return risk.Statuses.Label(s) }

// TaskStatusLabel names a task status.
func TaskStatusLabel(s string) string { return risk.TaskStatuses.Label(s) }

// Package work gathers what is one member's to do: their risks, open
// tasks, reviews due and mentions ("My work"), and the notifications of
// the bell, computed on read from the data and the service clock (no
// background job, no email).
package work

import (
	"context"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

// ReviewWindow is how far ahead a review counts as due.
const ReviewWindow = 30 * 24 * time.Hour

// SectionLimit is how many rows a My work section lists (the count covers all).
const SectionLimit = 50

// Who is the member and the moment a question is asked about.
type Who struct {
	OrgID    string
	MemberID string
	Now      time.Time // the service clock
	Today    time.Time // Now's day (UTC midnight)
}

// RiskRef names a risk.
type RiskRef struct {
	ID     string
	Number int64
	Title  string
}

// MyRisk is a risk assigned to the member.
type MyRisk struct {
	RiskRef
	Status         string
	Register       string
	ResidualScore  int
	InherentScore  int
	DueDate        *time.Time
	NextReviewDate *time.Time
}

// MyTask is an open task assigned to the member.
type MyTask struct {
	ID      string
	Title   string
	Status  string
	DueDate *time.Time
	Overdue bool
	Risk    RiskRef
}

// Review is a review due (or overdue) on one of the member's risks.
type Review struct {
	Risk    RiskRef
	Due     time.Time
	Overdue bool
}

// Mention is a comment that mentions the member.
type Mention struct {
	CommentID string
	Risk      RiskRef
	Author    string
	Body      string
	At        time.Time
	Unread    bool
}

// MyWork is the member's page.
type MyWork struct {
	Risks     []MyRisk
	RiskCount int
	Tasks     []MyTask
	TaskCount int
	// TasksOverdue counts the open tasks past their due date.
	TasksOverdue   int
	Reviews        []Review
	ReviewCount    int
	ReviewsOverdue int
	Mentions       []Mention
	MentionCount   int
	MentionsUnread int
}

// Badge is the navigation's count: what is late or unread.
func (w *MyWork) Badge() int { return w.TasksOverdue + w.ReviewsOverdue + w.MentionsUnread }

// Notification kinds.
const (
	KindRiskAssigned  = "risk_assigned"
	KindTaskAssigned  = "task_assigned"
	KindMention       = "mention"
	KindComment       = "comment"
	KindTaskOverdue   = "task_overdue"
	KindReviewOverdue = "review_overdue"
)

// Notification is one item of the bell.
type Notification struct {
	Key    string // stable: marks read refer to it
	Kind   string
	At     time.Time
	Risk   RiskRef
	Task   string // the task's title (task kinds)
	TaskID string
	Actor  string // who did it (assignments, comments)
	Text   string // a comment's excerpt
	Due    *time.Time
	Unread bool
}

// Counts are the frame's badges, read in one query on every page.
type Counts struct {
	Work   int // My work: open tasks overdue + reviews overdue + unread mentions
	Unread int // the bell: unread notifications
}

// NotificationLimit is how many notifications the list shows.
const NotificationLimit = 100

// Store reads a member's work and keeps their read marks.
type Store interface {
	MyWork(ctx context.Context, w Who, limit int) (*MyWork, error)
	Notifications(ctx context.Context, w Who, limit int) ([]Notification, error)
	Counts(ctx context.Context, w Who) (Counts, error)
	MarkRead(ctx context.Context, w Who, key string) error
	MarkAllRead(ctx context.Context, w Who) error
}

// Service answers for the signed-in member.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) who(orgID, memberID string) Who {
	now := s.Now().UTC().Truncate(time.Microsecond)
	return Who{OrgID: orgID, MemberID: memberID, Now: now, Today: now.Truncate(24 * time.Hour)}
}

// MyWork returns the member's sections.
func (s *Service) MyWork(ctx context.Context, orgID, memberID string) (*MyWork, error) {
	return s.Store.MyWork(ctx, s.who(orgID, memberID), SectionLimit)
}

// Notifications returns the member's latest notifications, newest first.
func (s *Service) Notifications(ctx context.Context, orgID, memberID string) ([]Notification, error) {
	return s.Store.Notifications(ctx, s.who(orgID, memberID), NotificationLimit)
}

// Counts returns the frame's badges.
func (s *Service) Counts(ctx context.Context, orgID, memberID string) (Counts, error) {
	return s.Store.Counts(ctx, s.who(orgID, memberID))
}

// MarkRead marks one notification read; an unknown key is a field error.
func (s *Service) MarkRead(ctx context.Context, orgID, memberID, key string) error {
	if !validKey(key) {
		fe := apperr.FieldErrors{}
		fe.Add("key", "Must be a notification from the list")
		return fe.Err()
	}
	return s.Store.MarkRead(ctx, s.who(orgID, memberID), key)
}

// MarkAllRead marks everything up to now read.
func (s *Service) MarkAllRead(ctx context.Context, orgID, memberID string) error {
	return s.Store.MarkAllRead(ctx, s.who(orgID, memberID))
}

var keyPrefixes = []string{"assigned:", "task-assigned:", "mention:", "comment:", "task-overdue:", "review-overdue:"}

func validKey(k string) bool {
	if len(k) > 200 || strings.ContainsAny(k, "\x00\r\n") {
		return false
	}
	for _, p := range keyPrefixes {
		if strings.HasPrefix(k, p) && len(k) > len(p) {
			return true
		}
	}
	return false
}

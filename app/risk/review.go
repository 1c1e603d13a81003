package risk

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/audit"
)

// Review is one "Mark reviewed" of a risk: who reviewed it, when, an
// optional note, what changed on the risk since the previous review (empty
// = no change) and the next review date it set.
type Review struct {
	ID             string
	OrganizationID string
	RiskID         string
	ReviewerID     string // member id; "" when the member is gone
	ReviewerName   string
	ReviewedAt     time.Time
	Note           string
	Changes        []audit.Change
	NextReviewDate *time.Time // a calendar date (UTC midnight)
}

// NoChange reports whether nothing changed on the risk since the previous review.
func (r *Review) NoChange() bool { return len(r.Changes) == 0 }

// ReviewIntervals are a register's review intervals in days, keyed by the
// risk-level index of its matrix as text ("0" = the lowest level). A level
// without an entry has the default of DefaultReviewDays.
type ReviewIntervals map[string]int

// Review interval limits, in days.
const (
	MinReviewDays = 1
	MaxReviewDays = 3660
)

// DefaultReviewDays is the default review interval of the level at index
// idx of m: by name (Critical 30, High 90, Medium/Moderate 180, Low 365),
// else by position from the top (30, 90, 180, then 365).
func DefaultReviewDays(m *Matrix, idx int) int {
	if idx >= 0 && idx < len(m.Levels) {
		name := strings.ToLower(strings.TrimSpace(m.Levels[idx].Name))
		switch {
		case strings.Contains(name, "critical"), strings.Contains(name, "extreme"), name == "very high", name == "severe":
			return 30
		case name == "high":
			return 90
		case name == "medium", name == "moderate":
			return 180
		case name == "low", name == "very low", name == "minimal", name == "negligible":
			return 365
		}
	}
	switch fromTop := len(m.Levels) - 1 - idx; {
	case fromTop <= 0:
		return 30
	case fromTop == 1:
		return 90
	case fromTop == 2:
		return 180
	default:
		return 365
	}
}

// ReviewDays returns the review interval of the level at index idx on the
// register: its own setting, else the default.
func (reg *Register) ReviewDays(idx int) int {
	if d, ok := reg.ReviewIntervals[strconv.Itoa(idx)]; ok && d >= MinReviewDays {
		return d
	}
	return DefaultReviewDays(&reg.Matrix, idx)
}

// ReviewLevel returns the level index a risk's review interval follows:
// the residual level, else the inherent one; ok is false when neither is
// assessed.
func ReviewLevel(r *Risk) (int, bool) {
	if r.ResidualLevel != nil {
		return *r.ResidualLevel, true
	}
	if r.InherentLevel != nil {
		return *r.InherentLevel, true
	}
	return 0, false
}

// NextReviewFrom returns the next review date of r reviewed on day
// today: today plus the interval of its level on reg (an unassessed risk
// takes the lowest level's interval).
func (reg *Register) NextReviewFrom(r *Risk, today time.Time) time.Time {
	idx, ok := ReviewLevel(r)
	if !ok {
		idx = 0
	}
	d := today.UTC().Truncate(24 * time.Hour)
	return d.AddDate(0, 0, reg.ReviewDays(idx))
}

// ReviewDueSoonDays is the window of the "Review due in 30 days" filter.
const ReviewDueSoonDays = 30

// IsReviewOverdue reports whether r's next review date has passed on day
// today, for a risk still being worked on (not closed or archived).
func (r *Risk) IsReviewOverdue(today time.Time) bool {
	if r.NextReviewDate == nil || r.Status == StatusClosed || r.Status == StatusArchived {
		return false
	}
	return r.NextReviewDate.Before(today.UTC().Truncate(24 * time.Hour))
}

// Comment is a member's plain-text remark on a risk. Mentions holds the
// ids of the members named with @name, resolved when it was written.
type Comment struct {
	ID             string
	OrganizationID string
	RiskID         string
	AuthorID       string // member id; "" when the member is gone
	AuthorName     string
	Body           string
	Mentions       []string
	CreatedAt      time.Time
	EditedAt       *time.Time
}

// Comment limits and rules.
const (
	MaxCommentLen = 5000
	// CommentEditWindow is how long an author may edit or delete their own comment.
	CommentEditWindow = 15 * time.Minute
)

// EntityComment is the audit entity of a comment's own events; a comment
// is also recorded on its risk's history.
const EntityComment = "comment"

// ReviewStore keeps reviews, scoped by the organization.
type ReviewStore interface {
	InsertReview(ctx context.Context, r *Review) error
	// Reviews returns a risk's reviews, newest first.
	Reviews(ctx context.Context, orgID, riskID string, limit int) ([]*Review, error)
	// SetReviewed writes the risk's last_reviewed_at and next_review_date
	// with a new version, updated by member by.
	SetReviewed(ctx context.Context, orgID, riskID string, at time.Time, next *time.Time, by string) error
	// SetReviewIntervals writes a register's review intervals.
	SetReviewIntervals(ctx context.Context, orgID, registerID string, iv ReviewIntervals, at time.Time) error
}

// IntervalsOf returns the register's review interval per level index of
// its matrix (its own setting or the default).
func (reg *Register) IntervalsOf() []int {
	out := make([]int, len(reg.Matrix.Levels))
	for i := range out {
		out[i] = reg.ReviewDays(i)
	}
	return out
}

// CommentStore keeps comments, scoped by the organization.
type CommentStore interface {
	InsertComment(ctx context.Context, c *Comment) error
	UpdateComment(ctx context.Context, c *Comment) error
	DeleteComment(ctx context.Context, orgID, id string) error
	// Comment returns one comment of the risk, or NotFound.
	Comment(ctx context.Context, orgID, riskID, id string) (*Comment, error)
	// Comments returns a risk's comments, oldest first.
	Comments(ctx context.Context, orgID, riskID string) ([]*Comment, error)
	// CountComments returns the number of comments per risk id of ids.
	CountComments(ctx context.Context, orgID string, riskIDs []string) (map[string]int, error)
	// MemberNames returns the organization's active members as id → name,
	// for resolving @name mentions.
	MemberNames(ctx context.Context, orgID string) (map[string]string, error)
}

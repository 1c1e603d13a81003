package risks

import (
	"net/url"
	"sort"
	"time"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// Timeline filters: the risk page's ?show= values.
const (
	ShowAll      = "all"
	ShowComments = "comments"
	ShowChanges  = "changes"
)

// Ids of the risk page's review card and comment form.
const (
	ReviewID      = "review"
	CommentFormID = "comment-form"
)

// TeamVM is what the risk page shows of the review cycle and comments.
type TeamVM struct {
	CSRF      string
	Now       time.Time // the service clock: the comment edit window
	MemberID  string    // the signed-in member
	Moderator bool      // an owner or admin: may delete any comment
	CanReview bool      // a writer: may mark the risk reviewed
	Reviews   []*risk.Review
	Comments  []*risk.Comment
	Members   map[string]string // member id → name, for mentions
	Show      string            // ShowAll, ShowComments or ShowChanges
	// SuggestedNext is the next review date a review today would set.
	SuggestedNext time.Time
	// The review and comment forms as submitted, with their messages (422).
	ReviewNote, ReviewNext string
	ReviewErrors           map[string][]string
	CommentBody            string
	CommentErrors          map[string][]string
}

// ParseShow returns the timeline filter named by v, ShowAll when unknown.
func ParseShow(v string) string {
	switch v {
	case ShowComments, ShowChanges:
		return v
	}
	return ShowAll
}

// TimelineItem is a change (Event) or a comment (Comment) on the timeline.
type TimelineItem struct {
	At      time.Time
	Event   *audit.Event
	Comment *risk.Comment
}

// Timeline merges the history and the comments, newest first, as the
// filter keeps them.
func (vm DetailVM) Timeline() []TimelineItem {
	var out []TimelineItem
	if vm.Team.Show != ShowComments {
		for _, e := range vm.Events {
			out = append(out, TimelineItem{At: e.CreatedAt, Event: e})
		}
	}
	if vm.Team.Show != ShowChanges {
		for _, c := range vm.Team.Comments {
			out = append(out, TimelineItem{At: c.CreatedAt, Comment: c})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

// ShowURL is the risk page with the timeline filter show (without JS).
func (vm DetailVM) ShowURL(show string) string {
	u := RegisterPath + "/" + vm.Risk.Identifier()
	if show != ShowAll {
		u += "?show=" + url.QueryEscape(show)
	}
	return u + "#" + HistoryID
}

// TimelineURL is the timeline fragment with the filter show (htmx).
func (vm DetailVM) TimelineURL(show string) string {
	return RegisterPath + "/" + vm.Risk.Identifier() + "/timeline?show=" + url.QueryEscape(show)
}

// CommentParts splits a comment for display: the mentions it resolved
// when written, by the members' current names.
func (vm TeamVM) CommentParts(c *risk.Comment) []risk.CommentPart {
	names := map[string]string{}
	for _, id := range c.Mentions {
		if n, ok := vm.Members[id]; ok {
			names[id] = n
		}
	}
	return risk.CommentParts(c.Body, names)
}

// CanEdit reports whether the signed-in member may edit c now.
func (vm TeamVM) CanEdit(c *risk.Comment) bool { return c.CanEdit(vm.MemberID, vm.Now) }

// CanDelete reports whether the signed-in member may delete c now.
func (vm TeamVM) CanDelete(c *risk.Comment) bool { return vm.Moderator || vm.CanEdit(c) }

// CommentURL is the path of a comment's actions.
func CommentURL(r *risk.Risk, c *risk.Comment) string {
	return RegisterPath + "/" + r.Identifier() + "/comments/" + c.ID
}

// DateInput formats a day for an <input type="date">.
func DateInput(t time.Time) string { return t.Format(time.DateOnly) }

// CommentEditVM is the page that edits a comment.
type CommentEditVM struct {
	Risk    *risk.Risk
	Comment *risk.Comment
	Body    string
	Errors  map[string][]string
}

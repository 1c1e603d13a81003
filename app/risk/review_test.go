package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/audit"
)

func TestCommentParts(t *testing.T) {
	members := map[string]string{"m1": "Vera Viewer", "m2": "Bob", "m3": "Vera Stone"}
	body := "@vera viewer, see https://example.com/a?b=1. Ask @Bob.\n<script>@Bobby javascript:alert(1) (http://x.example/p)" +
		" mail@Bob @Vera"
	parts := CommentParts(body, members)
	var links, mentions []string
	for _, p := range parts {
		switch p.Kind {
		case PartLink:
			links = append(links, p.Text)
		case PartMention:
			mentions = append(mentions, p.Text+"="+p.MemberID)
		}
	}
	if want := []string{"https://example.com/a?b=1", "http://x.example/p"}; !slices.Equal(links, want) {
		t.Errorf("links = %q, want %q", links, want)
	}
	// "@Bobby" is not Bob, "mail@Bob" is an address, and "@Vera" is
	// ambiguous (two members are called Vera).
	if want := []string{"@vera viewer=m1", "@Bob=m2"}; !slices.Equal(mentions, want) {
		t.Errorf("mentions = %q, want %q", mentions, want)
	}
	joined := ""
	for _, p := range parts {
		joined += p.Text
	}
	if joined != body {
		t.Errorf("parts do not add up to the body:\n%q\n%q", joined, body)
	}
	if got := ResolveMentions("@Bob and @bob again, @Vera Stone", members); !slices.Equal(got, []string{"m2", "m3"}) {
		t.Errorf("ResolveMentions = %v", got)
	}
}

func TestChangesSinceReview(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(h int, action string, ch ...audit.Change) *audit.Event {
		return &audit.Event{Action: action, CreatedAt: t0.Add(time.Duration(h) * time.Hour), Changes: ch}
	}
	// Newest first, as the trail returns them.
	events := []*audit.Event{
		ev(5, audit.ActionUpdated, audit.Change{Field: "status", Old: "pending", New: "open"}),
		ev(4, audit.ActionUpdated, audit.Change{Field: "title", Old: "B", New: "C"}),
		ev(3, audit.ActionUpdated, audit.Change{Field: FieldReviewed, New: "No change"}, audit.Change{Field: "next_review_date", New: "2026-02-01"}),
		ev(2, audit.ActionUpdated, audit.Change{Field: "title", Old: "A", New: "B"}, audit.Change{Field: "status", Old: "open", New: "pending"}),
		ev(0, audit.ActionCreated, audit.Change{Field: "title", New: "A"}),
	}
	got := ChangesSinceReview(events, nil)
	if len(got) != 1 || got[0] != (audit.Change{Field: "title", Old: "A", New: "C"}) {
		t.Errorf("since creation = %v, want title A → C (status came back)", got)
	}
	since := t0.Add(3 * time.Hour)
	if got := ChangesSinceReview(events, &since); len(got) != 2 {
		t.Errorf("since the review = %v, want title and status", got)
	}
	after := t0.Add(6 * time.Hour)
	if got := ChangesSinceReview(events, &after); got == nil || len(got) != 0 {
		t.Errorf("nothing since = %#v, want an empty list", got)
	}
}

func TestReviewIntervals(t *testing.T) {
	reg := &Register{Matrix: DefaultMatrix()}
	if got := reg.IntervalsOf(); !slices.Equal(got, []int{365, 180, 90, 30}) {
		t.Errorf("default intervals = %v", got)
	}
	reg.ReviewIntervals = ReviewIntervals{"3": 14}
	lvl := 3
	today := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	if got := reg.NextReviewFrom(&Risk{InherentLevel: &lvl}, today); !got.Equal(time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("next review = %v", got)
	}
	low := 0
	if got := reg.NextReviewFrom(&Risk{InherentLevel: &lvl, ResidualLevel: &low}, today); got.Year() != 2027 {
		t.Errorf("residual level decides: %v", got)
	}
	custom := Matrix{Levels: []RiskLevel{{Name: "Green"}, {Name: "Amber"}, {Name: "Red"}}}
	if got := (&Register{Matrix: custom}).IntervalsOf(); !slices.Equal(got, []int{180, 90, 30}) {
		t.Errorf("custom level names by position = %v", got)
	}
}

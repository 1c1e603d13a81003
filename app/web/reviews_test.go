package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// TestReviewIntervalsSetting: the register's settings page edits the review
// interval per level (owners and admins; 422 names a bad one), and Mark
// reviewed takes the next date from it.
func TestReviewIntervalsSetting(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Intervals", "owner@intervals.example")
	_, editor := e.addNamedMember(o, "ed@intervals.example", "Ed Editor", account.RoleEditor)
	regs, err := e.Server.Risks.ListRegisters(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	reg := regs[0]
	path := "/settings/registers/" + reg.ID
	doc := o.Owner.get(path).Doc(t)
	for idx, want := range map[string]string{"0": "365", "1": "180", "2": "90", "3": "30"} {
		if got, _ := doc.Find(`[data-testid="review-days-` + idx + `"]`).Attr("value"); got != want {
			t.Errorf("interval of level %s = %q, want the default %s", idx, got, want)
		}
	}
	if res := o.Owner.postForm(path+"/reviews", url.Values{"days_3": {"0"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		res.Doc(t).Find(`[data-testid="error-days_3"]`).Length() != 1 {
		t.Errorf("0 days: %d, want 422 naming the Critical level", res.StatusCode)
	}
	if res := editor.noRedirect().postForm(path+"/reviews", url.Values{"days_3": {"7"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor sets intervals: %d, want 403", res.StatusCode)
	}
	if res := o.Owner.postForm(path+"/reviews", url.Values{"days_3": {"7"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if got, _ := o.Owner.get(path).Doc(t).Find(`[data-testid="review-days-3"]`).Attr("value"); got != "7" {
		t.Errorf("saved Critical interval = %q, want 7", got)
	}

	r := e.createRisk(o, risk.Input{Title: "Critical one", Probability: 9, Impact: 9})
	page := editor.get("/risks/" + r.Identifier())
	want := e.Clock.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 7).Format(time.DateOnly)
	if got, _ := page.Doc(t).Find(`[data-testid="review-next"]`).Attr("value"); got != want {
		t.Errorf("proposed next review = %q, want %s", got, want)
	}
	if res := editor.postForm("/risks/"+r.Identifier()+"/reviews", url.Values{"next_review_date": {"2001-01-01"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Pick today or a later date") {
		t.Errorf("a past date: %d, want 422 with the message", res.StatusCode)
	}
	if res := editor.postForm("/risks/"+r.Identifier()+"/reviews", url.Values{"note": {"Looked again"}}); res.StatusCode != http.StatusSeeOther { // noRedirect above
		t.Fatalf("mark reviewed: %d", res.StatusCode)
	}
	got, err := e.Server.Risks.Get(context.Background(), o.ID, r.ID)
	if err != nil || got.NextReviewDate == nil || got.NextReviewDate.Format(time.DateOnly) != want || got.LastReviewedAt == nil {
		t.Errorf("after the review: next %v, last %v, %v; want next %s", got.NextReviewDate, got.LastReviewedAt, err, want)
	}
}

// TestCommentModeration: an admin deletes a viewer's comment after the
// author's window; the author cannot; both are audited.
func TestCommentModeration(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Moderated", "owner@mod.example")
	_, viewer := e.addNamedMember(o, "v@mod.example", "Val Viewer", account.RoleViewer)
	r := e.createRisk(o, risk.Input{Title: "Noisy risk"})
	if res := viewer.postForm("/risks/"+r.Identifier()+"/comments", url.Values{"body": {"First!"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("comment: %d", res.StatusCode)
	}
	_, cs, err := e.Server.Comments.List(context.Background(), o.ID, r.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("comments: %v %v", cs, err)
	}
	del := "/risks/" + r.Identifier() + "/comments/" + cs[0].ID + "/delete"
	e.Clock.Advance(20 * time.Minute)
	viewer = e.login("v@mod.example", testPassword)
	owner := e.login("owner@mod.example", testPassword)
	if res := viewer.noRedirect().postForm(del, url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the author deletes after 15 minutes: %d, want 403", res.StatusCode)
	}
	if res := owner.postForm(del, url.Values{}); res.StatusCode != http.StatusOK {
		t.Errorf("the owner deletes: %d", res.StatusCode)
	}
	if _, cs, _ := e.Server.Comments.List(context.Background(), o.ID, r.ID); len(cs) != 0 {
		t.Errorf("%d comments left", len(cs))
	}
	var n int
	if err := e.DB.QueryRowContext(context.Background(),
		"SELECT count(*) FROM events WHERE organization_id = ? AND entity_type = 'comment' AND entity_label = ?", o.ID, r.Identifier()).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d comment events (%v), want created and deleted", n, err)
	}
}

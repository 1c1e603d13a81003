package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// addNamedMember creates a member with a chosen name and role in o and
// returns their member id and a signed-in client.
func (e *env) addNamedMember(o *org, email, name string, role account.Role) (string, *client) {
	e.t.Helper()
	_, _, err := e.Server.Accounts.CreateUser(context.Background(), account.NewUserInput{
		Organization: o.Name, Name: name, Email: email, Password: testPassword, Role: role,
	})
	if err != nil {
		e.t.Fatalf("add member: %v", err)
	}
	c := e.login(email, testPassword)
	return c.principal().MemberID, c
}

// TestAPIReviews: POST /risks/{id}/reviews records a review, sets the next
// review date from the register's interval (Critical: 30 days) and
// lastReviewedAt, lists the fields changed since the previous review, is
// audited on the risk's history and feeds reviewOverdue=true when time
// passes; validation, scopes and other organizations.
func TestAPIReviews(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Bravo", "owner@bravo.example")
	api, ro, other := e.apiKey(a), e.apiKey(a, apikey.ScopeRead), e.apiKey(b)
	r := e.createRisk(a, risk.Input{Title: "Ransomware", Probability: 9, Impact: 9}) // Critical
	today := e.Clock.Now().UTC().Truncate(24 * time.Hour)
	path := "/api/v1/risks/" + r.Identifier() + "/reviews"

	if got := api.get(path); got.Status != http.StatusOK || len(got.dataList()) != 0 {
		t.Fatalf("no reviews yet: %d %s", got.Status, got.Body)
	}
	first := api.post(path, map[string]any{"note": "Checked with IT"})
	if first.Status != http.StatusCreated {
		t.Fatalf("review: %d %s", first.Status, first.Body)
	}
	rv := first.dataMap()
	want := today.AddDate(0, 0, 30).Format(time.DateOnly)
	if rv["nextReviewDate"] != want || rv["noChange"] != true || rv["note"] != "Checked with IT" || !strings.HasPrefix(rv["reviewerName"].(string), "Owner Acme") {
		t.Errorf("review = %v, want next %s, no change, the note and the key's creator", rv, want)
	}
	got := api.get("/api/v1/risks/" + r.ID).dataMap()
	if got["nextReviewDate"] != want+"T00:00:00.000Z" || got["lastReviewedAt"] == nil || got["version"] != float64(2) {
		t.Errorf("risk after review: next %v, last %v, version %v", got["nextReviewDate"], got["lastReviewedAt"], got["version"])
	}

	// A change, then a review with a chosen date: the change is listed.
	if p := api.patch("/api/v1/risks/"+r.ID, map[string]any{"title": "Ransomware on file servers"}); p.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", p.Status, p.Body)
	}
	second := api.post(path, map[string]any{"nextReviewDate": today.AddDate(0, 0, 7).Format(time.DateOnly)})
	rv = second.dataMap()
	changes, _ := rv["changes"].([]any)
	if second.Status != http.StatusCreated || rv["noChange"] != false || len(changes) != 1 ||
		changes[0].(map[string]any)["field"] != "title" || changes[0].(map[string]any)["new"] != "Ransomware on file servers" {
		t.Errorf("second review: %d %s, want the title change", second.Status, second.Body)
	}
	if list := api.get(path).dataList(); len(list) != 2 || list[0].(map[string]any)["id"] != rv["id"] {
		t.Errorf("reviews, newest first: %v", list)
	}
	events, err := e.Server.Risks.History(context.Background(), a.ID, r.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	if n := countEvents(events, risk.FieldReviewed); n != 2 {
		t.Errorf("%d review events on the risk's history, want 2", n)
	}

	// Validation: 400 naming the field; nothing written.
	for body, field := range map[string]string{
		`{"nextReviewDate": "` + today.AddDate(0, 0, -1).Format(time.DateOnly) + `"}`: "nextReviewDate",
		`{"nextReviewDate": "soon"}`:                    "nextReviewDate",
		`{"note": "` + strings.Repeat("n", 2001) + `"}`: "note",
		`{"note": 5}`: "note",
	} {
		res := api.post(path, body)
		if res.Status != http.StatusBadRequest || fieldErrors(res)[field] == "" {
			t.Errorf("POST %s: %d %s, want 400 naming %s", body, res.Status, res.Body, field)
		}
	}
	if n := len(api.get(path).dataList()); n != 2 {
		t.Errorf("%d reviews after refused ones, want 2", n)
	}

	// Scopes and tenancy.
	if res := ro.post(path, map[string]any{}); res.Status != http.StatusForbidden {
		t.Errorf("read-only key marks reviewed: %d", res.Status)
	}
	if res := ro.get(path); res.Status != http.StatusOK {
		t.Errorf("read-only key lists reviews: %d", res.Status)
	}
	for _, res := range []*apiResponse{other.get(path), other.post(path, map[string]any{}), other.get("/api/v1/risks/" + r.ID + "/reviews")} {
		if res.Status != http.StatusNotFound || res.JSON["error"] != "Risk not found" {
			t.Errorf("other organization: %d %s, want 404", res.Status, res.Body)
		}
	}

	// reviewOverdue: not yet; eight days on, the risk is overdue for review.
	if l := api.get("/api/v1/risks?reviewOverdue=true").dataList(); len(l) != 0 {
		t.Errorf("overdue for review before its date: %v", l)
	}
	if l := api.get("/api/v1/risks?reviewDueSoon=true").dataList(); len(l) != 1 {
		t.Errorf("due for review within 30 days: %d risks, want 1", len(l))
	}
	e.Clock.Advance(8 * 24 * time.Hour)
	if l := api.get("/api/v1/risks?reviewOverdue=true").dataList(); len(l) != 1 || l[0].(map[string]any)["id"] != r.ID {
		t.Errorf("overdue for review eight days later: %v", l)
	}
	if res := api.get("/api/v1/risks?reviewOverdue=maybe"); res.Status != http.StatusBadRequest {
		t.Errorf("reviewOverdue=maybe: %d", res.Status)
	}
}

func countEvents(events []*audit.Event, field string) int {
	n := 0
	for _, e := range events {
		for _, c := range e.Changes {
			if c.Field == field {
				n++
			}
		}
	}
	return n
}

// TestAPIComments: GET/POST /risks/{id}/comments, mentions resolved to
// member ids, commentsCount on the risk, validation naming body, scopes
// and other organizations.
func TestAPIComments(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Bravo", "owner@bravo.example")
	vera, _ := e.addNamedMember(a, "vera@acme.example", "Vera Viewer", account.RoleViewer)
	bravoMember, _ := e.addNamedMember(b, "bob@bravo.example", "Bob Bravo", account.RoleEditor)
	api, ro, other := e.apiKey(a), e.apiKey(a, apikey.ScopeRead), e.apiKey(b)
	r := e.createRisk(a, risk.Input{Title: "Vendor outage"})
	path := "/api/v1/risks/" + r.Identifier() + "/comments"

	for body, msg := range map[string]string{
		`{}`:                "Required",
		`{"body": ""}`:      "Write a comment",
		`{"body": "  \n "}`: "Write a comment",
		`{"body": 3}`:       "Expected string, received number",
		`{"body": "` + strings.Repeat("x", 5001) + `"}`: "Keep the comment under 5000 characters",
	} {
		res := api.post(path, body)
		if res.Status != http.StatusBadRequest || fieldErrors(res)["body"] != msg {
			t.Errorf("POST %.40s: %d %s, want 400 naming body (%s)", body, res.Status, res.Body, msg)
		}
	}
	created := api.post(path, map[string]any{"body": "@vera viewer can you check https://status.example.com/x?\nThanks @Bob Bravo"})
	if created.Status != http.StatusCreated {
		t.Fatalf("comment: %d %s", created.Status, created.Body)
	}
	c := created.dataMap()
	mentions, _ := c["mentions"].([]any)
	if len(mentions) != 1 || mentions[0] != vera || !strings.HasPrefix(c["authorName"].(string), "Owner Acme") || !strings.Contains(c["body"].(string), "\n") {
		t.Errorf("comment = %v, want Vera mentioned (not Bravo's %s), by the key's creator, line break kept", c, bravoMember)
	}
	if list := api.get(path).dataList(); len(list) != 1 {
		t.Errorf("comments: %v", list)
	}
	if n := api.get("/api/v1/risks/" + r.ID).dataMap()["commentsCount"]; n != float64(1) {
		t.Errorf("commentsCount on the risk = %v", n)
	}
	if l := api.get("/api/v1/risks?fields=commentsCount").dataList(); len(l) != 1 || l[0].(map[string]any)["commentsCount"] != float64(1) {
		t.Errorf("commentsCount in the list = %v", l)
	}

	if res := ro.post(path, map[string]any{"body": "hi"}); res.Status != http.StatusForbidden {
		t.Errorf("read-only key comments: %d", res.Status)
	}
	if res := ro.get(path); res.Status != http.StatusOK || len(res.dataList()) != 1 {
		t.Errorf("read-only key lists comments: %d", res.Status)
	}
	for _, res := range []*apiResponse{other.get(path), other.post(path, map[string]any{"body": "hi"})} {
		if res.Status != http.StatusNotFound {
			t.Errorf("other organization: %d %s, want 404", res.Status, res.Body)
		}
	}
	if l := api.get(path).dataList(); len(l) != 1 {
		t.Errorf("the other organization's comment landed: %v", l)
	}
	events, err := e.Server.Risks.History(context.Background(), a.ID, r.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(events, func(ev *audit.Event) bool { return ev.EntityType != audit.EntityRisk }) {
		t.Errorf("the risk's history holds a non-risk event")
	}
}

package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

func reviewCounts(t *testing.T, f *fixture) string {
	t.Helper()
	rows, err := f.DB.QueryContext(context.Background(),
		`SELECT concat_ws('|', organization_id, register_id, next_review_date, n) FROM risk_review_counts WHERE n <> 0 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// TestReviewCountsAndReviews: the maintained review counts follow creates,
// edits, reviews, closing and deletes and equal a recount; the overdue
// count from them equals an exact COUNT; reviews and comments are scoped
// by organization.
func TestReviewCountsAndReviews(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Acme"), f.tenant(t, "Other")
	reviews := &risk.ReviewService{Risks: f.Risks.Risks, Registers: f.Risks.Registers, Reviews: &db.ReviewStore{DB: f.DB},
		Events: f.Risks.Events, Tx: f.Risks.Tx, NewID: db.NewID, Now: time.Now}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	past, future := today.AddDate(0, 0, -5), today.AddDate(0, 0, 40)
	var rs []*risk.Risk
	for i := range 8 {
		in := risk.Input{Title: "Risk", Probability: i + 1, Impact: 5}
		if i%2 == 0 {
			in.NextReviewDate = &past
		} else {
			in.NextReviewDate = &future
		}
		rs = append(rs, f.create(t, a, in))
		f.create(t, b, risk.Input{Title: "Other", NextReviewDate: &past})
	}
	// Close one overdue risk, delete another, review a third (its next date
	// moves to the future).
	in := risk.InputOf(rs[0])
	in.Status, in.ClosureReason = "closed", "mitigated"
	if _, err := f.Risks.Update(ctx, a.OrgID, a.Actor, rs[0].ID, rs[0].Version, in); err != nil {
		t.Fatal(err)
	}
	if err := f.Risks.Delete(ctx, a.OrgID, a.Actor, rs[2].ID, rs[2].Version); err != nil {
		t.Fatal(err)
	}
	rv, err := reviews.MarkReviewed(ctx, a.OrgID, a.Actor, rs[4].ID, risk.ReviewInput{Note: "ok"})
	if err != nil || rv.NextReviewDate == nil || !rv.NextReviewDate.After(today) {
		t.Fatalf("review: %+v, %v", rv, err)
	}
	if _, err := reviews.MarkReviewed(ctx, b.OrgID, b.Actor, rs[6].ID, risk.ReviewInput{}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another organization reviews a risk: %v, want NotFound", err)
	}

	kept := reviewCounts(t, f)
	if _, err := f.DB.ExecContext(ctx, "SELECT risk_review_counts_recount()"); err != nil {
		t.Fatal(err)
	}
	if again := reviewCounts(t, f); kept != again || kept == "" {
		t.Fatalf("maintained review counts differ from a recount:\n%s\n---\n%s", kept, again)
	}
	s := &db.RiskStore{DB: f.DB}
	want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND status IN ('open', 'pending') AND next_review_date < current_date", a.OrgID)
	got, err := s.Count(ctx, a.OrgID, risk.ListQuery{ReviewOverdue: true, Today: today})
	if err != nil || got != want || want != 1 {
		t.Errorf("review overdue count = %d, %v; want %d (= 1: rs[6])", got, err, want)
	}
	page, err := s.List(ctx, a.OrgID, risk.ListQuery{ReviewOverdue: true, Today: today, Page: 1, PerPage: 10})
	if err != nil || len(page.Risks) != 1 || page.Risks[0].ID != rs[6].ID {
		t.Errorf("review overdue list = %v, %v", page.Risks, err)
	}

	store := &db.ReviewStore{DB: f.DB}
	if list, err := store.Reviews(ctx, b.OrgID, rs[4].ID, 10); err != nil || len(list) != 0 {
		t.Errorf("another organization reads reviews: %v, %v", list, err)
	}
	if list, err := store.Reviews(ctx, a.OrgID, rs[4].ID, 10); err != nil || len(list) != 1 || list[0].Note != "ok" {
		t.Errorf("reviews: %v, %v", list, err)
	}
}

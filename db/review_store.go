package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// ReviewStore implements risk.ReviewStore and risk.CommentStore on
// PostgreSQL: risk_reviews and risk_comments, every query scoped by the
// organization.
type ReviewStore struct{ DB *bun.DB }

var (
	_ risk.ReviewStore  = (*ReviewStore)(nil)
	_ risk.CommentStore = (*ReviewStore)(nil)
)

type reviewRow struct {
	bun.BaseModel  `bun:"table:risk_reviews,alias:rv"`
	OrganizationID string         `bun:"organization_id,pk"`
	ID             string         `bun:"id,pk"`
	RiskID         string         `bun:"risk_id"`
	ReviewerID     *string        `bun:"reviewer_id"`
	ReviewerName   string         `bun:"reviewer_name"`
	ReviewedAt     time.Time      `bun:"reviewed_at"`
	Note           string         `bun:"note"`
	Changes        []audit.Change `bun:"changes,type:jsonb"`
	NextReviewDate *time.Time     `bun:"next_review_date,type:date"`

	// Joined, read-only: the reviewer's current name.
	MemberName *string `bun:"member_name,scanonly"`
}

type commentRow struct {
	bun.BaseModel  `bun:"table:risk_comments,alias:co"`
	OrganizationID string     `bun:"organization_id,pk"`
	ID             string     `bun:"id,pk"`
	RiskID         string     `bun:"risk_id"`
	AuthorID       *string    `bun:"author_id"`
	AuthorName     string     `bun:"author_name"`
	Body           string     `bun:"body"`
	Mentions       []string   `bun:"mentions,array"`
	CreatedAt      time.Time  `bun:"created_at"`
	EditedAt       *time.Time `bun:"edited_at"`

	MemberName *string `bun:"member_name,scanonly"`
}

func (row *reviewRow) toDomain() *risk.Review {
	// The name as it was (an API key's review says so), as events keep it.
	name := row.ReviewerName
	if name == "" && row.MemberName != nil {
		name = *row.MemberName
	}
	ch := row.Changes
	if ch == nil {
		ch = []audit.Change{}
	}
	return &risk.Review{ID: row.ID, OrganizationID: row.OrganizationID, RiskID: row.RiskID,
		ReviewerID: deref(row.ReviewerID), ReviewerName: name, ReviewedAt: row.ReviewedAt.UTC(), Note: row.Note,
		Changes: ch, NextReviewDate: dateUTC(row.NextReviewDate)}
}

func (row *commentRow) toDomain() *risk.Comment {
	name := row.AuthorName
	if name == "" && row.MemberName != nil {
		name = *row.MemberName
	}
	m := row.Mentions
	if m == nil {
		m = []string{}
	}
	return &risk.Comment{ID: row.ID, OrganizationID: row.OrganizationID, RiskID: row.RiskID,
		AuthorID: deref(row.AuthorID), AuthorName: name, Body: row.Body, Mentions: m,
		CreatedAt: row.CreatedAt.UTC(), EditedAt: utc(row.EditedAt)}
}

// InsertReview stores a review.
func (s *ReviewStore) InsertReview(ctx context.Context, r *risk.Review) error {
	ch := r.Changes
	if ch == nil {
		ch = []audit.Change{}
	}
	row := &reviewRow{OrganizationID: r.OrganizationID, ID: r.ID, RiskID: r.RiskID, ReviewerID: nullable(r.ReviewerID),
		ReviewerName: r.ReviewerName, ReviewedAt: r.ReviewedAt, Note: r.Note, Changes: ch,
		NextReviewDate: dateUTC(r.NextReviewDate)}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Exec(ctx)
	return dbErr("insert review", err)
}

// Reviews returns a risk's latest reviews, newest first.
func (s *ReviewStore) Reviews(ctx context.Context, orgID, riskID string, limit int) ([]*risk.Review, error) {
	var rows []reviewRow
	err := idb(ctx, s.DB).NewSelect().Model(&rows).ColumnExpr("rv.*").
		ColumnExpr("u.name AS member_name").
		Join("LEFT JOIN members AS m ON m.organization_id = rv.organization_id AND m.id = rv.reviewer_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id").
		Where("rv.organization_id = ? AND rv.risk_id = ?", orgID, riskID).
		OrderExpr("rv.reviewed_at DESC, rv.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list reviews", err)
	}
	out := make([]*risk.Review, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// SetReviewed records a review on the risk: last_reviewed_at, the next
// review date and a new version, updated by the reviewer.
func (s *ReviewStore) SetReviewed(ctx context.Context, orgID, riskID string, at time.Time, next *time.Time, by string) error {
	res, err := idb(ctx, s.DB).NewUpdate().Table("risks").
		Set("last_reviewed_at = ?", at).Set("next_review_date = ?", dateUTC(next)).
		Set("version = version + 1").Set("updated_at = ?", at).Set("updated_by = ?", nullable(by)).
		Where("organization_id = ? AND id = ?", orgID, riskID).Exec(ctx)
	if err != nil {
		return dbErr("set reviewed", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "Risk not found")
	}
	return nil
}

// InsertComment stores a comment.
func (s *ReviewStore) InsertComment(ctx context.Context, c *risk.Comment) error {
	_, err := idb(ctx, s.DB).NewInsert().Model(commentRowOf(c)).Exec(ctx)
	return dbErr("insert comment", err)
}

func commentRowOf(c *risk.Comment) *commentRow {
	m := c.Mentions
	if m == nil {
		m = []string{}
	}
	return &commentRow{OrganizationID: c.OrganizationID, ID: c.ID, RiskID: c.RiskID, AuthorID: nullable(c.AuthorID),
		AuthorName: c.AuthorName, Body: c.Body, Mentions: m, CreatedAt: c.CreatedAt, EditedAt: c.EditedAt}
}

// UpdateComment writes a comment's body, mentions and edited_at.
func (s *ReviewStore) UpdateComment(ctx context.Context, c *risk.Comment) error {
	_, err := idb(ctx, s.DB).NewUpdate().Model(commentRowOf(c)).Column("body", "mentions", "edited_at").WherePK().Exec(ctx)
	return dbErr("update comment", err)
}

// DeleteComment removes a comment.
func (s *ReviewStore) DeleteComment(ctx context.Context, orgID, id string) error {
	_, err := idb(ctx, s.DB).NewDelete().TableExpr("risk_comments").Where("organization_id = ? AND id = ?", orgID, id).Exec(ctx)
	return dbErr("delete comment", err)
}

func (s *ReviewStore) selectComments(ctx context.Context, rows *[]commentRow) *bun.SelectQuery {
	return idb(ctx, s.DB).NewSelect().Model(rows).ColumnExpr("co.*").ColumnExpr("u.name AS member_name").
		Join("LEFT JOIN members AS m ON m.organization_id = co.organization_id AND m.id = co.author_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")
}

// Comment returns one comment of the risk.
func (s *ReviewStore) Comment(ctx context.Context, orgID, riskID, id string) (*risk.Comment, error) {
	if !validKey(id) {
		return nil, apperr.New(apperr.NotFound, "Comment not found")
	}
	var rows []commentRow
	err := s.selectComments(ctx, &rows).Where("co.organization_id = ? AND co.risk_id = ? AND co.id = ?", orgID, riskID, id).Scan(ctx)
	if err != nil {
		return nil, dbErr("get comment", err)
	}
	if len(rows) == 0 {
		return nil, apperr.New(apperr.NotFound, "Comment not found")
	}
	return rows[0].toDomain(), nil
}

// Comments returns a risk's comments, oldest first.
func (s *ReviewStore) Comments(ctx context.Context, orgID, riskID string) ([]*risk.Comment, error) {
	var rows []commentRow
	err := s.selectComments(ctx, &rows).Where("co.organization_id = ? AND co.risk_id = ?", orgID, riskID).
		OrderExpr("co.created_at, co.id").Scan(ctx)
	if err != nil {
		return nil, dbErr("list comments", err)
	}
	out := make([]*risk.Comment, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// CountComments returns the number of comments per risk id of ids (a risk
// without comments is absent).
func (s *ReviewStore) CountComments(ctx context.Context, orgID string, riskIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(riskIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		RiskID string `bun:"risk_id"`
		N      int    `bun:"n"`
	}
	err := idb(ctx, s.DB).NewSelect().TableExpr("risk_comments").ColumnExpr("risk_id, count(*) AS n").
		Where("organization_id = ? AND risk_id IN (?)", orgID, bun.List(riskIDs)).GroupExpr("risk_id").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("count comments", err)
	}
	for _, r := range rows {
		out[r.RiskID] = r.N
	}
	return out, nil
}

// MemberNames returns the organization's members whose account is not
// disabled, as member id → name.
func (s *ReviewStore) MemberNames(ctx context.Context, orgID string) (map[string]string, error) {
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	err := idb(ctx, s.DB).NewSelect().TableExpr("members AS m").ColumnExpr("m.id, u.name").
		Join("JOIN users AS u ON u.id = m.user_id").
		Where("m.organization_id = ? AND u.disabled_at IS NULL", orgID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("member names", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// SetReviewIntervals writes a register's review intervals (not its version:
// the matrix form's optimistic check is about the matrix).
func (s *ReviewStore) SetReviewIntervals(ctx context.Context, orgID, registerID string, iv risk.ReviewIntervals, at time.Time) error {
	if iv == nil {
		iv = risk.ReviewIntervals{}
	}
	res, err := idb(ctx, s.DB).NewUpdate().Table("registers").Set("review_intervals = ?", iv).Set("updated_at = ?", at).
		Where("organization_id = ? AND id = ?", orgID, registerID).Exec(ctx)
	if err != nil {
		return dbErr("set review intervals", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "Register not found")
	}
	return nil
}

package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// apiReview is a review of a risk as the API shows it.
type apiReview struct {
	ID             string         `json:"id"`
	RiskID         string         `json:"riskId"`
	ReviewerID     *string        `json:"reviewerId"`
	ReviewerName   string         `json:"reviewerName"`
	ReviewedAt     string         `json:"reviewedAt"`
	Note           string         `json:"note"`
	NoChange       bool           `json:"noChange"`
	Changes        []audit.Change `json:"changes"`
	NextReviewDate *string        `json:"nextReviewDate"`
}

func toAPIReview(r *risk.Review) apiReview {
	ch := r.Changes
	if ch == nil {
		ch = []audit.Change{}
	}
	var next *string
	if r.NextReviewDate != nil {
		d := r.NextReviewDate.Format("2006-01-02")
		next = &d
	}
	return apiReview{ID: r.ID, RiskID: r.RiskID, ReviewerID: optional(r.ReviewerID), ReviewerName: r.ReviewerName,
		ReviewedAt: apiTime(r.ReviewedAt), Note: r.Note, NoChange: r.NoChange(), Changes: ch, NextReviewDate: next}
}

// apiComment is a comment on a risk as the API shows it.
type apiComment struct {
	ID         string   `json:"id"`
	RiskID     string   `json:"riskId"`
	AuthorID   *string  `json:"authorId"`
	AuthorName string   `json:"authorName"`
	Body       string   `json:"body"`
	Mentions   []string `json:"mentions"`
	CreatedAt  string   `json:"createdAt"`
	EditedAt   *string  `json:"editedAt"`
}

func toAPIComment(c *risk.Comment) apiComment {
	m := c.Mentions
	if m == nil {
		m = []string{}
	}
	return apiComment{ID: c.ID, RiskID: c.RiskID, AuthorID: optional(c.AuthorID), AuthorName: c.AuthorName,
		Body: c.Body, Mentions: m, CreatedAt: apiTime(c.CreatedAt), EditedAt: apiTimePtr(c.EditedAt)}
}

// listReviewsAPI is GET /api/v1/risks/:id/reviews: newest first.
func (s *Server) listReviewsAPI(c *fiber.Ctx) error {
	_, rs, err := s.Reviews.List(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id"))
	if err != nil {
		return apiNotFound(err)
	}
	out := make([]apiReview, len(rs))
	for i, r := range rs {
		out[i] = toAPIReview(r)
	}
	return sendData(c, fiber.StatusOK, out)
}

// createReviewAPI is POST /api/v1/risks/:id/reviews {note?, nextReviewDate?}:
// a "Mark reviewed" by the key (for the member who created it).
func (s *Server) createReviewAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	var in risk.ReviewInput
	if note, ok := z.str("note", false, true); ok {
		in.Note = note
	}
	if d, ok := z.date("nextReviewDate"); ok {
		in.NextReviewDate = d
	}
	if !z.ok() {
		return z.err()
	}
	r, err := s.Reviews.MarkReviewed(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), in)
	if err != nil {
		return apiNotFound(err)
	}
	return sendData(c, fiber.StatusCreated, toAPIReview(r))
}

// listCommentsAPI is GET /api/v1/risks/:id/comments: oldest first.
func (s *Server) listCommentsAPI(c *fiber.Ctx) error {
	_, cs, err := s.Comments.List(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id"))
	if err != nil {
		return apiNotFound(err)
	}
	out := make([]apiComment, len(cs))
	for i, cm := range cs {
		out[i] = toAPIComment(cm)
	}
	return sendData(c, fiber.StatusOK, out)
}

// createCommentAPI is POST /api/v1/risks/:id/comments {body}: a comment by
// the member who created the key.
func (s *Server) createCommentAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	body, _ := z.str("body", true, false)
	if !z.ok() {
		return z.err()
	}
	cm, err := s.Comments.Add(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), body)
	if err != nil {
		return apiNotFound(err)
	}
	return sendData(c, fiber.StatusCreated, toAPIComment(cm))
}

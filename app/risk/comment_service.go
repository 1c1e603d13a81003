package risk

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// CommentService keeps the comments on risks: any member may comment; an
// author edits or deletes their own within CommentEditWindow; a moderator
// (owner or admin) deletes any.
type CommentService struct {
	Risks    RiskStore
	Comments CommentStore
	Events   EventStore
	Tx       TxRunner
	NewID    IDFunc
	Now      func() time.Time
}

// normalizeBody trims a comment and keeps its line breaks as \n.
func normalizeBody(body string) (string, error) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	body = strings.TrimSpace(body)
	fe := apperr.FieldErrors{}
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		fe.Add("body", "Write a comment")
	case n > MaxCommentLen:
		fe.Add("body", "Keep the comment under 5000 characters")
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		fe.Add("body", "The comment has characters that cannot be stored")
	}
	return body, fe.Err()
}

// Add posts a comment on the risk by actor.
func (s *CommentService) Add(ctx context.Context, orgID string, actor audit.Actor, riskID, body string) (*Comment, error) {
	body, err := normalizeBody(body)
	if err != nil {
		return nil, err
	}
	var out *Comment
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, false)
		if err != nil {
			return err
		}
		members, err := s.Comments.MemberNames(ctx, orgID)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		out = &Comment{ID: s.NewID("cmt"), OrganizationID: orgID, RiskID: r.ID, AuthorID: actor.MemberID,
			AuthorName: actor.Name, Body: body, Mentions: ResolveMentions(body, members), CreatedAt: now}
		if err := s.Comments.InsertComment(ctx, out); err != nil {
			return err
		}
		return s.Events.Append(ctx, commentEvent(r, out, actor, audit.ActionCreated, []audit.Change{{Field: "body", New: body}}, now))
	})
	return out, err
}

func commentEvent(r *Risk, c *Comment, actor audit.Actor, action string, changes []audit.Change, now time.Time) *audit.Event {
	e := &audit.Event{OrganizationID: r.OrganizationID, EntityType: EntityComment, EntityID: c.ID, EntityLabel: r.Identifier(),
		Action: action, Actor: actor, Changes: changes, CreatedAt: now}
	if action == audit.ActionDeleted {
		e.Snapshot = map[string]any{"riskId": r.ID, "risk": r.Identifier(), "authorId": c.AuthorID, "author": c.AuthorName,
			"body": c.Body, "createdAt": c.CreatedAt}
	}
	return e
}

// CanEdit reports whether the member may still edit (or delete) their own
// comment at now.
func (c *Comment) CanEdit(memberID string, now time.Time) bool {
	return memberID != "" && c.AuthorID == memberID && now.Sub(c.CreatedAt) < CommentEditWindow
}

// Get returns one comment of the risk.
func (s *CommentService) Get(ctx context.Context, orgID, riskID, id string) (*Risk, *Comment, error) {
	r, err := s.Risks.Get(ctx, orgID, riskID, false)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Comments.Comment(ctx, orgID, r.ID, id)
	return r, c, err
}

// Edit replaces the body of actor's own comment within the edit window.
func (s *CommentService) Edit(ctx context.Context, orgID string, actor audit.Actor, riskID, id, body string) (*Comment, error) {
	body, err := normalizeBody(body)
	if err != nil {
		return nil, err
	}
	var out *Comment
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, c, err := s.Get(ctx, orgID, riskID, id)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		if c.AuthorID != actor.MemberID {
			return apperr.New(apperr.Forbidden, "Only the author can edit a comment")
		}
		if !c.CanEdit(actor.MemberID, now) {
			return apperr.New(apperr.Forbidden, "A comment can be edited for 15 minutes after it is posted")
		}
		if body == c.Body {
			out = c
			return nil
		}
		members, err := s.Comments.MemberNames(ctx, orgID)
		if err != nil {
			return err
		}
		old := c.Body
		c.Body, c.Mentions, c.EditedAt = body, ResolveMentions(body, members), &now
		if err := s.Comments.UpdateComment(ctx, c); err != nil {
			return err
		}
		out = c
		return s.Events.Append(ctx, commentEvent(r, c, actor, audit.ActionUpdated, []audit.Change{{Field: "body", Old: old, New: body}}, now))
	})
	return out, err
}

// Delete removes a comment: the author's own within the edit window, or
// any comment when moderator (an owner or admin) is true.
func (s *CommentService) Delete(ctx context.Context, orgID string, actor audit.Actor, riskID, id string, moderator bool) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, c, err := s.Get(ctx, orgID, riskID, id)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		if !moderator {
			if c.AuthorID != actor.MemberID {
				return apperr.New(apperr.Forbidden, "Only the author or an admin can delete a comment")
			}
			if !c.CanEdit(actor.MemberID, now) {
				return apperr.New(apperr.Forbidden, "A comment can be deleted by its author for 15 minutes after it is posted")
			}
		}
		if err := s.Comments.DeleteComment(ctx, orgID, c.ID); err != nil {
			return err
		}
		return s.Events.Append(ctx, commentEvent(r, c, actor, audit.ActionDeleted, []audit.Change{{Field: "body", Old: c.Body}}, now))
	})
}

// List returns the risk's comments, oldest first, or NotFound for a risk
// of another organization.
func (s *CommentService) List(ctx context.Context, orgID, riskID string) (*Risk, []*Comment, error) {
	r, err := s.Risks.Get(ctx, orgID, riskID, false)
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.Comments.Comments(ctx, orgID, r.ID)
	return r, cs, err
}

// Counts returns the number of comments per risk id.
func (s *CommentService) Counts(ctx context.Context, orgID string, riskIDs []string) (map[string]int, error) {
	return s.Comments.CountComments(ctx, orgID, riskIDs)
}

// Members returns the organization's members as id → name (for rendering mentions).
func (s *CommentService) Members(ctx context.Context, orgID string) (map[string]string, error) {
	return s.Comments.MemberNames(ctx, orgID)
}

// mentionAt returns the member whose name (case-insensitive) starts body
// right after an @ and ends at a word boundary, the longest first, and the
// length in bytes of the name matched.
func mentionAt(rest string, names []nameOf) (string, int) {
	for _, n := range names {
		if len(rest) < len(n.name) || !strings.EqualFold(rest[:len(n.name)], n.name) {
			continue
		}
		if after, _ := utf8.DecodeRuneInString(rest[len(n.name):]); len(rest) > len(n.name) && isWordRune(after) {
			continue
		}
		return n.id, len(n.name)
	}
	return "", 0
}

type nameOf struct{ id, name string }

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-'
}

// mentionNames lists the names a member can be mentioned by: the full name,
// and the first name when no other member shares it; longest first.
func mentionNames(members map[string]string) []nameOf {
	first := map[string][]string{}
	var out []nameOf
	for id, name := range members {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		out = append(out, nameOf{id, name})
		if f := strings.Fields(name); len(f) > 1 {
			k := strings.ToLower(f[0])
			first[k] = append(first[k], id)
		}
	}
	for _, ids := range first {
		if len(ids) == 1 {
			out = append(out, nameOf{ids[0], strings.Fields(members[ids[0]])[0]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].name) != len(out[j].name) {
			return len(out[i].name) > len(out[j].name)
		}
		return out[i].id < out[j].id
	})
	return out
}

// ResolveMentions returns the ids of the members body mentions with
// @name (full name, or a first name no other member shares; any case),
// each once, in order of first mention.
func ResolveMentions(body string, members map[string]string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, p := range CommentParts(body, members) {
		if p.Kind == PartMention && !seen[p.MemberID] {
			seen[p.MemberID] = true
			out = append(out, p.MemberID)
		}
	}
	return out
}

// Kinds of CommentPart.
const (
	PartText    = "text"
	PartLink    = "link"
	PartMention = "mention"
)

// CommentPart is a piece of a comment's body as shown: plain text, an
// http(s) link, or a mention of a member.
type CommentPart struct {
	Kind     string
	Text     string
	MemberID string // PartMention
}

var urlRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"'` + "`" + `]+`)

// CommentParts splits body into text, links (http and https only) and
// mentions of members (id → name); the caller escapes every part.
func CommentParts(body string, members map[string]string) []CommentPart {
	names := mentionNames(members)
	var out []CommentPart
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Kind == PartText {
			out[n-1].Text += s
			return
		}
		out = append(out, CommentPart{Kind: PartText, Text: s})
	}
	mentions := func(s string) {
		start := 0
		for i := 0; i < len(s); i++ {
			if s[i] != '@' {
				continue
			}
			if i > 0 {
				if prev, _ := utf8.DecodeLastRuneInString(s[:i]); isWordRune(prev) || prev == '@' {
					continue
				}
			}
			id, n := mentionAt(s[i+1:], names)
			if id == "" {
				continue
			}
			text(s[start:i])
			out = append(out, CommentPart{Kind: PartMention, Text: s[i : i+1+n], MemberID: id})
			start = i + 1 + n
			i = start - 1
		}
		text(s[start:])
	}
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(body, -1) {
		u := strings.TrimRight(body[loc[0]:loc[1]], ".,;:!?)]}'")
		if strings.Contains(u, "(") && loc[0]+len(u) < loc[1] && body[loc[0]+len(u)] == ')' {
			u += ")"
		}
		if len(u) <= len("https://") {
			continue
		}
		mentions(body[last:loc[0]])
		out = append(out, CommentPart{Kind: PartLink, Text: u})
		last = loc[0] + len(u)
	}
	mentions(body[last:])
	return out
}

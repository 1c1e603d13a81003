package db

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/work"
)

// WorkStore reads one member's work and notifications, and keeps their
// read marks (migration 0020).
type WorkStore struct{ DB *bun.DB }

// named rewrites ?name placeholders to positional ones with their values
// from args (bun's raw queries take positional arguments).
func named(query string, args map[string]any) (string, []any) {
	var b strings.Builder
	var out []any
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		j := i + 1
		for j < len(query) && (query[j] >= 'a' && query[j] <= 'z') {
			j++
		}
		v, ok := args[query[i+1:j]]
		if !ok {
			panic("work store: no argument " + query[i:j])
		}
		b.WriteByte('?')
		out = append(out, v)
		i = j - 1
	}
	return b.String(), out
}

// raw is a raw query with named arguments.
func (s *WorkStore) raw(ctx context.Context, query string, args map[string]any) *bun.RawQuery {
	q, a := named(query, args)
	return idb(ctx, s.DB).NewRaw(q, a...)
}

func workArgs(w work.Who, limit int) map[string]any {
	return map[string]any{"org": w.OrgID, "me": w.MemberID, "today": w.Today.Format(time.DateOnly),
		"soon": w.Today.Add(work.ReviewWindow).Format(time.DateOnly), "limit": limit}
}

// notificationItems is the CTE of a member's notifications, computed on
// read: "me" (name and watermark) and "items", one row per notification
// with its stable key and the moment it happened. Assignments come from
// the risks' events (their changes keep names, so an event counts when it
// names the member and the risk or task is still theirs); overdue items
// happen at the start of the day after the due date; comments from
// risk_comments (mentions, and comments on the member's risks).
const notificationItems = `
WITH me AS (
    SELECT m.id, u.name,
           coalesce((SELECT w.read_until FROM notification_watermarks w
                     WHERE w.organization_id = ?org AND w.member_id = ?me), '-infinity'::timestamptz) AS read_until
    FROM members m JOIN users u ON u.id = m.user_id
    WHERE m.organization_id = ?org AND m.id = ?me
), items AS (
    SELECT 'assigned:' || e.id AS key, 'risk_assigned' AS kind, e.created_at AS at,
           r.id AS risk_id, r.number, r.title, '' AS task, '' AS task_id, e.actor_name AS actor, '' AS text, NULL::date AS due
    FROM me, risks r
    JOIN events e ON e.organization_id = r.organization_id AND e.entity_type = 'risk' AND e.entity_id = r.id
    WHERE r.organization_id = ?org AND r.assignee_id = ?me
      AND e.actor_member_id IS DISTINCT FROM ?me
      AND e.changes @> jsonb_build_array(jsonb_build_object('field', 'assignee', 'new', me.name))
    UNION ALL
    SELECT 'task-assigned:' || e.id || ':' || t.id, 'task_assigned', e.created_at,
           r.id, r.number, r.title, t.title, t.id, e.actor_name, '', t.due_date
    FROM me, tasks t
    JOIN risks r ON r.organization_id = t.organization_id AND r.id = t.risk_id
    JOIN events e ON e.organization_id = r.organization_id AND e.entity_type = 'risk' AND e.entity_id = r.id
    WHERE t.organization_id = ?org AND t.assignee_id = ?me
      AND e.actor_member_id IS DISTINCT FROM ?me
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.changes) ch WHERE
            (ch->>'field' = 'task_assignee' AND ch->>'new' = t.title || ': ' || me.name)
         OR (ch->>'field' = 'task' AND coalesce(ch->>'old', '') = ''
             AND starts_with(ch->>'new', t.title || ' (') AND right(ch->>'new', length(me.name) + 1) = me.name || ')'))
    UNION ALL
    SELECT 'task-overdue:' || t.id || ':' || t.due_date, 'task_overdue', (t.due_date + 1)::timestamp AT TIME ZONE 'UTC',
           r.id, r.number, r.title, t.title, t.id, '', '', t.due_date
    FROM tasks t
    JOIN risks r ON r.organization_id = t.organization_id AND r.id = t.risk_id
    WHERE t.organization_id = ?org AND t.assignee_id = ?me AND t.status <> 'completed' AND t.due_date < ?today::date
    UNION ALL
    SELECT 'review-overdue:' || r.id || ':' || r.next_review_date, 'review_overdue',
           (r.next_review_date + 1)::timestamp AT TIME ZONE 'UTC',
           r.id, r.number, r.title, '', '', '', '', r.next_review_date
    FROM risks r
    WHERE r.organization_id = ?org AND r.assignee_id = ?me AND r.status NOT IN ('closed', 'archived')
      AND r.next_review_date < ?today::date
    UNION ALL
    SELECT 'mention:' || c.id, 'mention', c.created_at,
           r.id, r.number, r.title, '', '', c.author_name, left(c.body, 280), NULL::date
    FROM risk_comments c
    JOIN risks r ON r.organization_id = c.organization_id AND r.id = c.risk_id
    WHERE c.organization_id = ?org AND c.mentions @> ARRAY[?me]::text[] AND c.author_id IS DISTINCT FROM ?me
    UNION ALL
    SELECT 'comment:' || c.id, 'comment', c.created_at,
           r.id, r.number, r.title, '', '', c.author_name, left(c.body, 280), NULL::date
    FROM risks r
    JOIN risk_comments c ON c.organization_id = r.organization_id AND c.risk_id = r.id
    WHERE r.organization_id = ?org AND r.assignee_id = ?me AND c.author_id IS DISTINCT FROM ?me
      AND NOT c.mentions @> ARRAY[?me]::text[]
), marked AS (
    SELECT items.*, (items.at > me.read_until AND NOT EXISTS (
               SELECT 1 FROM notification_reads nr
               WHERE nr.organization_id = ?org AND nr.member_id = ?me AND nr.key = items.key)) AS unread
    FROM items, me
)
`

type notificationRow struct {
	Key    string     `bun:"key"`
	Kind   string     `bun:"kind"`
	At     time.Time  `bun:"at"`
	RiskID string     `bun:"risk_id"`
	Number int64      `bun:"number"`
	Title  string     `bun:"title"`
	Task   string     `bun:"task"`
	TaskID string     `bun:"task_id"`
	Actor  string     `bun:"actor"`
	Text   string     `bun:"text"`
	Due    *time.Time `bun:"due"`
	Unread bool       `bun:"unread"`
}

func (r notificationRow) toDomain() work.Notification {
	return work.Notification{Key: r.Key, Kind: r.Kind, At: r.At.UTC(), Risk: work.RiskRef{ID: r.RiskID, Number: r.Number, Title: r.Title},
		Task: r.Task, TaskID: r.TaskID, Actor: r.Actor, Text: r.Text, Due: r.Due, Unread: r.Unread}
}

// Notifications returns the member's latest notifications, newest first.
func (s *WorkStore) Notifications(ctx context.Context, w work.Who, limit int) ([]work.Notification, error) {
	return s.notifications(ctx, w, "", limit)
}

func (s *WorkStore) notifications(ctx context.Context, w work.Who, kind string, limit int) ([]work.Notification, error) {
	var rows []notificationRow
	args := workArgs(w, limit)
	args["kind"] = kind
	err := s.raw(ctx, notificationItems+`SELECT * FROM marked WHERE (?kind = '' OR kind = ?kind)
        ORDER BY at DESC, key LIMIT ?limit`, args).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("list notifications", err)
	}
	out := make([]work.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Counts returns the frame's badges in one query.
func (s *WorkStore) Counts(ctx context.Context, w work.Who) (work.Counts, error) {
	var c struct {
		Work   int `bun:"work"`
		Unread int `bun:"unread"`
	}
	err := s.raw(ctx, notificationItems+`SELECT
        count(*) FILTER (WHERE unread) AS unread,
        count(*) FILTER (WHERE kind IN ('task_overdue', 'review_overdue') OR (kind = 'mention' AND unread)) AS work
        FROM marked`, workArgs(w, 0)).Scan(ctx, &c)
	if err != nil {
		return work.Counts{}, dbErr("count notifications", err)
	}
	return work.Counts{Work: c.Work, Unread: c.Unread}, nil
}

// MarkRead records one notification as read.
func (s *WorkStore) MarkRead(ctx context.Context, w work.Who, key string) error {
	_, err := idb(ctx, s.DB).NewRaw(`INSERT INTO notification_reads (organization_id, member_id, key, read_at)
        VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, w.OrgID, w.MemberID, key, w.Now).Exec(ctx)
	return dbErr("mark notification read", err)
}

// MarkAllRead moves the member's watermark to now and forgets the single
// marks it covers.
func (s *WorkStore) MarkAllRead(ctx context.Context, w work.Who) error {
	return (Tx{DB: s.DB}).InTx(ctx, func(ctx context.Context) error {
		_, err := idb(ctx, s.DB).NewRaw(`INSERT INTO notification_watermarks (organization_id, member_id, read_until)
            VALUES (?, ?, ?) ON CONFLICT (organization_id, member_id)
            DO UPDATE SET read_until = greatest(notification_watermarks.read_until, excluded.read_until)`,
			w.OrgID, w.MemberID, w.Now).Exec(ctx)
		if err != nil {
			return dbErr("mark notifications read", err)
		}
		_, err = idb(ctx, s.DB).NewRaw(`DELETE FROM notification_reads WHERE organization_id = ? AND member_id = ?`,
			w.OrgID, w.MemberID).Exec(ctx)
		return dbErr("mark notifications read", err)
	})
}

// MyWork returns the member's sections: open risks assigned to them, open
// tasks (overdue first), reviews due within the window on their risks, and
// the comments that mention them.
func (s *WorkStore) MyWork(ctx context.Context, w work.Who, limit int) (*work.MyWork, error) {
	out := &work.MyWork{}
	args := workArgs(w, limit)
	var risks []struct {
		ID             string     `bun:"id"`
		Number         int64      `bun:"number"`
		Title          string     `bun:"title"`
		Status         string     `bun:"status"`
		Register       string     `bun:"register"`
		ResidualScore  int        `bun:"residual_score"`
		InherentScore  int        `bun:"inherent_score"`
		DueDate        *time.Time `bun:"due_date"`
		NextReviewDate *time.Time `bun:"next_review_date"`
		Total          int        `bun:"total"`
	}
	err := s.raw(ctx, `SELECT r.id, r.number, r.title, r.status, g.name AS register, r.residual_score,
            r.inherent_score, r.due_date, r.next_review_date, count(*) OVER () AS total
        FROM risks r JOIN registers g ON g.organization_id = r.organization_id AND g.id = r.register_id
        WHERE r.organization_id = ?org AND r.assignee_id = ?me AND r.status NOT IN ('closed', 'archived')
        ORDER BY coalesce(nullif(r.residual_score, 0), r.inherent_score) DESC, r.number
        LIMIT ?limit`, args).Scan(ctx, &risks)
	if err != nil {
		return nil, dbErr("list my risks", err)
	}
	for _, r := range risks {
		out.RiskCount = r.Total
		out.Risks = append(out.Risks, work.MyRisk{RiskRef: work.RiskRef{ID: r.ID, Number: r.Number, Title: r.Title},
			Status: r.Status, Register: r.Register, ResidualScore: r.ResidualScore, InherentScore: r.InherentScore,
			DueDate: r.DueDate, NextReviewDate: r.NextReviewDate})
	}

	var tasks []struct {
		ID        string     `bun:"id"`
		Title     string     `bun:"title"`
		Status    string     `bun:"status"`
		DueDate   *time.Time `bun:"due_date"`
		Overdue   bool       `bun:"overdue"`
		RiskID    string     `bun:"risk_id"`
		Number    int64      `bun:"number"`
		RiskTitle string     `bun:"risk_title"`
		Total     int        `bun:"total"`
		Late      int        `bun:"late"`
	}
	err = s.raw(ctx, `SELECT t.id, t.title, t.status, t.due_date,
            coalesce(t.due_date < ?today::date, false) AS overdue,
            r.id AS risk_id, r.number, r.title AS risk_title, count(*) OVER () AS total,
            count(*) FILTER (WHERE t.due_date < ?today::date) OVER () AS late
        FROM tasks t JOIN risks r ON r.organization_id = t.organization_id AND r.id = t.risk_id
        WHERE t.organization_id = ?org AND t.assignee_id = ?me AND t.status <> 'completed'
        ORDER BY coalesce(t.due_date < ?today::date, false) DESC, t.due_date NULLS LAST, t.created_at, t.id
        LIMIT ?limit`, args).Scan(ctx, &tasks)
	if err != nil {
		return nil, dbErr("list my tasks", err)
	}
	for _, t := range tasks {
		out.TaskCount, out.TasksOverdue = t.Total, t.Late
		out.Tasks = append(out.Tasks, work.MyTask{ID: t.ID, Title: t.Title, Status: t.Status, DueDate: t.DueDate,
			Overdue: t.Overdue, Risk: work.RiskRef{ID: t.RiskID, Number: t.Number, Title: t.RiskTitle}})
	}

	var reviews []struct {
		ID     string    `bun:"id"`
		Number int64     `bun:"number"`
		Title  string    `bun:"title"`
		Due    time.Time `bun:"next_review_date"`
		Total  int       `bun:"total"`
		Late   int       `bun:"late"`
	}
	err = s.raw(ctx, `SELECT r.id, r.number, r.title, r.next_review_date, count(*) OVER () AS total,
            count(*) FILTER (WHERE r.next_review_date < ?today::date) OVER () AS late
        FROM risks r
        WHERE r.organization_id = ?org AND r.assignee_id = ?me AND r.status NOT IN ('closed', 'archived')
          AND r.next_review_date <= ?soon::date
        ORDER BY r.next_review_date, r.number
        LIMIT ?limit`, args).Scan(ctx, &reviews)
	if err != nil {
		return nil, dbErr("list my reviews", err)
	}
	for _, r := range reviews {
		out.ReviewCount, out.ReviewsOverdue = r.Total, r.Late
		out.Reviews = append(out.Reviews, work.Review{Risk: work.RiskRef{ID: r.ID, Number: r.Number, Title: r.Title},
			Due: r.Due, Overdue: r.Due.Before(w.Today)})
	}

	mentions, err := s.notifications(ctx, w, work.KindMention, limit)
	if err != nil {
		return nil, err
	}
	var counts struct {
		Total  int `bun:"total"`
		Unread int `bun:"unread"`
	}
	err = s.raw(ctx, notificationItems+`SELECT count(*) AS total, count(*) FILTER (WHERE unread) AS unread
        FROM marked WHERE kind = 'mention'`, args).Scan(ctx, &counts)
	if err != nil {
		return nil, dbErr("count my mentions", err)
	}
	out.MentionCount, out.MentionsUnread = counts.Total, counts.Unread
	for _, m := range mentions {
		out.Mentions = append(out.Mentions, work.Mention{CommentID: m.Key[len("mention:"):], Risk: m.Risk, Author: m.Actor,
			Body: m.Text, At: m.At, Unread: m.Unread})
	}
	return out, nil
}

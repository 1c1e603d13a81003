package db

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// detailRow is a risk with its assignee, and its register, treatment and
// tasks as JSON, read in one statement.
type detailRow struct {
	riskRow       `bun:",extend"`
	RegisterJSON  []byte `bun:"register_json,scanonly"`
	TreatmentJSON []byte `bun:"treatment_json,scanonly"`
	TasksJSON     []byte `bun:"tasks_json,scanonly"`
	// The single-risk API's incident ids and comment count, read here so
	// that it needs no statement of its own for them.
	IncidentIDs   []string `bun:"incident_ids,array,scanonly"`
	CommentsCount int      `bun:"comments_count,scanonly"`
}

type registerJSON struct {
	OrganizationID  string               `json:"organization_id"`
	ID              string               `json:"id"`
	Name            string               `json:"name"`
	Description     string               `json:"description"`
	Matrix          risk.Matrix          `json:"matrix"`
	IsDefault       bool                 `json:"is_default"`
	ReviewIntervals risk.ReviewIntervals `json:"review_intervals"`
	Version         int                  `json:"version"`
	CreatedAt       time.Time            `json:"created_at"`
	UpdatedAt       time.Time            `json:"updated_at"`
}

type treatmentJSON struct {
	OrganizationID string    `json:"organization_id"`
	ID             string    `json:"id"`
	RiskID         string    `json:"risk_id"`
	Type           string    `json:"type"`
	Description    string    `json:"description"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type taskJSON struct {
	OrganizationID string     `json:"organization_id"`
	ID             string     `json:"id"`
	RiskID         string     `json:"risk_id"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Status         string     `json:"status"`
	DueDate        *string    `json:"due_date"` // yyyy-mm-dd
	CompletedAt    *time.Time `json:"completed_at"`
	AssigneeID     *string    `json:"assignee_id"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	AssigneeName   *string    `json:"assignee_name"`
	AssigneeEmail  *string    `json:"assignee_email"`
}

// Detail returns the risk by id or RSK identifier with its assignee,
// register, treatment, tasks (oldest first), linked incidents' ids (newest
// first) and comment count from one statement: one round trip for the
// risk page and the single-risk API.
func (s *RiskStore) Detail(ctx context.Context, orgID, idOrIdentifier string) (*risk.Detail, error) {
	if !validKey(idOrIdentifier) {
		return nil, apperr.New(apperr.NotFound, "Risk not found")
	}
	var row detailRow
	q := s.selectRisks(ctx).Where("r.organization_id = ?", orgID).
		ColumnExpr(`(SELECT to_jsonb(g) FROM registers AS g WHERE g.organization_id = r.organization_id AND g.id = r.register_id) AS register_json`).
		ColumnExpr(`(SELECT to_jsonb(rt) FROM risk_treatments AS rt WHERE rt.organization_id = r.organization_id AND rt.risk_id = r.id) AS treatment_json`).
		ColumnExpr(`(SELECT coalesce(jsonb_agg(to_jsonb(t) || jsonb_build_object('assignee_name', tu.name, 'assignee_email', tu.email) ORDER BY t.created_at, t.id), '[]')
			FROM tasks AS t LEFT JOIN members AS tm ON tm.organization_id = t.organization_id AND tm.id = t.assignee_id
			LEFT JOIN users AS tu ON tu.id = tm.user_id
			WHERE t.organization_id = r.organization_id AND t.risk_id = r.id) AS tasks_json`).
		ColumnExpr(`(SELECT coalesce(array_agg(i.id ORDER BY i.number DESC), '{}') FROM incident_risks AS l
			JOIN incidents AS i ON i.organization_id = l.organization_id AND i.id = l.incident_id
			WHERE l.organization_id = r.organization_id AND l.risk_id = r.id) AS incident_ids`).
		ColumnExpr(`(SELECT count(*) FROM risk_comments AS rc WHERE rc.organization_id = r.organization_id AND rc.risk_id = r.id) AS comments_count`)
	if n, ok := risk.ParseIdentifier(idOrIdentifier); ok {
		q = q.Where("r.number = ?", n)
	} else {
		q = q.Where("r.id = ?", idOrIdentifier)
	}
	if err := q.Scan(ctx, &row); err != nil {
		if e := dbErr("get risk", err); apperr.Is(e, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "Risk not found")
		} else {
			return nil, e
		}
	}
	d := &risk.Detail{Risk: row.toDomain(), Related: &risk.Related{IncidentIDs: row.IncidentIDs, CommentsCount: row.CommentsCount}}
	var err error
	if d.Register, err = decodedRegisters.decode(row.RegisterJSON); err != nil {
		return nil, err
	}
	if len(row.TreatmentJSON) > 0 && string(row.TreatmentJSON) != "null" {
		var t treatmentJSON
		if err := json.Unmarshal(row.TreatmentJSON, &t); err != nil {
			return nil, fmt.Errorf("risk detail: treatment: %w", err)
		}
		d.Treatment = (&treatmentRow{OrganizationID: t.OrganizationID, ID: t.ID, RiskID: t.RiskID, Type: t.Type,
			Description: t.Description, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}).toDomain()
	}
	var tasks []taskJSON
	if err := json.Unmarshal(row.TasksJSON, &tasks); err != nil {
		return nil, fmt.Errorf("risk detail: tasks: %w", err)
	}
	d.Tasks = make([]*risk.Task, len(tasks))
	for i, t := range tasks {
		tr := taskRow{OrganizationID: t.OrganizationID, ID: t.ID, RiskID: t.RiskID, Title: t.Title, Description: t.Description,
			Status: t.Status, CompletedAt: t.CompletedAt, AssigneeID: t.AssigneeID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
			AssigneeName: t.AssigneeName, AssigneeEmail: t.AssigneeEmail}
		if t.DueDate != nil {
			due, err := time.Parse(time.DateOnly, *t.DueDate)
			if err != nil {
				return nil, fmt.Errorf("risk detail: task due date: %w", err)
			}
			tr.DueDate = &due
		}
		d.Tasks[i] = tr.toDomain()
	}
	return d, nil
}

// decodedRegisters is the one cache of decoded registers, shared by the
// stores that read registers as JSON text (Detail and RegisterStore). It is
// keyed by the whole text, so it holds no state of its own to keep right.
var decodedRegisters registerCache

// registerCache keeps decoded registers by their JSON text: decoding a
// register's matrix was most of the Go time of a single-risk API request,
// and the same text always decodes to the same register (the text has the
// register's version and updated_at, so an edit is a new entry).
type registerCache struct {
	mu   sync.Mutex
	regs map[string]*risk.Register
}

// maxCachedRegisters bounds the cache; when full it starts over.
const maxCachedRegisters = 256

// decode returns a copy of the register whose to_jsonb text is text, which
// the caller may change.
func (c *registerCache) decode(text []byte) (*risk.Register, error) {
	c.mu.Lock()
	reg, ok := c.regs[string(text)]
	c.mu.Unlock()
	if !ok {
		var j registerJSON
		if err := json.Unmarshal(text, &j); err != nil {
			return nil, fmt.Errorf("decode register: %w", err)
		}
		reg = &risk.Register{ID: j.ID, OrganizationID: j.OrganizationID, Name: j.Name, Description: j.Description,
			Matrix: j.Matrix, IsDefault: j.IsDefault, ReviewIntervals: j.ReviewIntervals, Version: j.Version,
			CreatedAt: j.CreatedAt.UTC(), UpdatedAt: j.UpdatedAt.UTC()}
		c.mu.Lock()
		if c.regs == nil || len(c.regs) >= maxCachedRegisters {
			c.regs = make(map[string]*risk.Register)
		}
		c.regs[string(text)] = reg
		c.mu.Unlock()
	}
	return cloneRegister(reg), nil
}

// cloneRegister copies reg down to its matrix's slices and its intervals.
func cloneRegister(reg *risk.Register) *risk.Register {
	cp := *reg
	m := &cp.Matrix
	m.Likelihood, m.Impact, m.Levels = slices.Clone(m.Likelihood), slices.Clone(m.Impact), slices.Clone(m.Levels)
	if m.Grid != nil {
		m.Grid = make([][]int, len(reg.Matrix.Grid))
		for i, row := range reg.Matrix.Grid {
			m.Grid[i] = slices.Clone(row)
		}
	}
	cp.ReviewIntervals = maps.Clone(reg.ReviewIntervals)
	return &cp
}

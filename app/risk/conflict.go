package risk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/audit"
)

// Base is the state of a risk an edit form started from; the form carries
// it so that a refused stale save can tell the editor's own changes from
// everyone else's.
type Base struct {
	Version   int       `json:"v"`
	UpdatedAt time.Time `json:"u"`
	Input     Input     `json:"in"`
}

// BaseOf returns the base of a form editing r.
func BaseOf(r *Risk) Base { return Base{Version: r.Version, UpdatedAt: r.UpdatedAt, Input: InputOf(r)} }

// Encode returns b as a form value.
func (b Base) Encode() string {
	raw, _ := json.Marshal(b)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// DecodeBase reads a form's base; ok is false when it is missing or
// malformed (the conflict page then compares with the stored risk).
func DecodeBase(s string) (b Base, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) == 0 || json.Unmarshal(raw, &b) != nil || b.Version < 1 {
		return Base{}, false
	}
	return b, true
}

// EditChange is one field an editor changed: From is the value they
// started from, To what they entered, Now what is stored; Clash says that
// someone else changed it too. Values are display strings (enum values
// raw, people and registers by name).
type EditChange struct {
	Field         string
	From, To, Now string
	Clash         bool
}

// Conflict explains a refused stale edit.
type Conflict struct {
	Stored *Risk
	// Mine are the fields the editor changed from the version they
	// started from (from the stored risk when that is unknown).
	Mine []EditChange
	// Theirs are the risk's history events after the version the editor
	// started from, newest first; empty when that version is unknown.
	Theirs []*audit.Event
	// Merged is the latest version with the editor's changes applied: the
	// values of a form that re-applies them.
	Merged Input
}

// inputField is one comparable field of an Input.
type inputField struct {
	name string
	get  func(in *Input) string
	set  func(dst, src *Input)
}

var inputFields = []inputField{
	{"register", func(in *Input) string { return in.RegisterID }, func(d, s *Input) { d.RegisterID = s.RegisterID }},
	{"title", func(in *Input) string { return in.Title }, func(d, s *Input) { d.Title = s.Title }},
	{"description", func(in *Input) string { return in.Description }, func(d, s *Input) { d.Description = s.Description }},
	{"category", func(in *Input) string { return in.Category }, func(d, s *Input) { d.Category = s.Category }},
	{"department", func(in *Input) string { return in.Department }, func(d, s *Input) { d.Department = s.Department }},
	{"status", func(in *Input) string { return in.Status }, func(d, s *Input) { d.Status = s.Status }},
	{"closure_reason", func(in *Input) string { return in.ClosureReason }, func(d, s *Input) { d.ClosureReason = s.ClosureReason }},
	{"probability", func(in *Input) string { return score(in.Probability) }, func(d, s *Input) { d.Probability = s.Probability }},
	{"impact", func(in *Input) string { return score(in.Impact) }, func(d, s *Input) { d.Impact = s.Impact }},
	{"residual_probability", func(in *Input) string { return score(in.ResidualProbability) }, func(d, s *Input) { d.ResidualProbability = s.ResidualProbability }},
	{"residual_impact", func(in *Input) string { return score(in.ResidualImpact) }, func(d, s *Input) { d.ResidualImpact = s.ResidualImpact }},
	{"assignee", func(in *Input) string { return in.AssigneeID }, func(d, s *Input) { d.AssigneeID = s.AssigneeID }},
	{"due_date", func(in *Input) string { return dateString(in.DueDate) }, func(d, s *Input) { d.DueDate = s.DueDate }},
	{"next_review_date", func(in *Input) string { return dateString(in.NextReviewDate) }, func(d, s *Input) { d.NextReviewDate = s.NextReviewDate }},
	{"tags", func(in *Input) string { return strings.Join(in.Tags, ", ") }, func(d, s *Input) { d.Tags = s.Tags }},
	{"risk_type", func(in *Input) string { return in.Type }, func(d, s *Input) { d.Type = s.Type }},
	{"threat_objectives", func(in *Input) string { return strings.Join(in.ThreatObjectives, ", ") }, func(d, s *Input) { d.ThreatObjectives = s.ThreatObjectives }},
}

// Conflict explains why a save of submitted, started from base (nil when
// unknown), was refused: the editor's own changes, the history since base
// and the latest version with the editor's changes applied.
func (s *Service) Conflict(ctx context.Context, orgID, id string, base *Base, submitted Input) (*Conflict, error) {
	stored, err := s.Risks.Get(ctx, orgID, id, false)
	if err != nil {
		return nil, err
	}
	latest := InputOf(stored)
	from := latest
	if base != nil {
		from = base.Input
		from.Normalize()
	}
	submitted.Normalize()
	if submitted.RegisterID == "" {
		submitted.RegisterID = from.RegisterID
	}
	c := &Conflict{Stored: stored, Merged: latest}
	names := map[string]string{}
	name := func(field, v string) string {
		if v == "" || (field != "register" && field != "assignee") {
			return v
		}
		if n, ok := names[field+v]; ok {
			return n
		}
		n := v
		if field == "register" {
			if reg, err := s.Registers.Register(ctx, orgID, v); err == nil {
				n = reg.Name
			}
		} else if p, err := s.Risks.Assignee(ctx, orgID, v); err == nil {
			n = p.Name
		}
		names[field+v] = n
		return n
	}
	for _, f := range inputFields {
		was, mine, now := f.get(&from), f.get(&submitted), f.get(&latest)
		if was == mine {
			continue
		}
		f.set(&c.Merged, &submitted)
		c.Mine = append(c.Mine, EditChange{Field: f.name, From: name(f.name, was), To: name(f.name, mine), Now: name(f.name, now),
			Clash: base != nil && now != was && now != mine})
	}
	if base != nil {
		events, err := s.History(ctx, orgID, stored.ID, 200)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if e.CreatedAt.After(base.UpdatedAt) {
				c.Theirs = append(c.Theirs, e)
			}
		}
	}
	return c, nil
}

package risk

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// MaxBulk is the most risks one bulk edit changes, in the browser and the API.
const MaxBulk = 1000

// BulkChange is what a bulk edit does to every selected risk. Zero values
// keep a field; Delete removes the risks and excludes every other change.
// Field errors are named as in the API's "changes" object.
type BulkChange struct {
	Status        string     // "" keeps the status; "archived" archives
	ClosureReason string     // required when Status is closed
	AssigneeID    *string    // nil keeps; "" unassigns
	RegisterID    string     // "" keeps the register
	AddTags       []string   // added to each risk's tags
	RemoveTags    []string   // removed from each risk's tags
	SetDueDate    bool       // DueDate applies: a date, or nil to clear it
	DueDate       *time.Time //
	SetType       bool       // Type applies: a RiskTypes value, or "" to clear it
	Type          string     //
	Delete        bool
}

// IsEmpty reports whether the change would do nothing.
func (ch *BulkChange) IsEmpty() bool {
	return ch.Status == "" && ch.ClosureReason == "" && ch.AssigneeID == nil && ch.RegisterID == "" &&
		len(ch.AddTags) == 0 && len(ch.RemoveTags) == 0 && !ch.SetDueDate && !ch.SetType && !ch.Delete
}

// Normalize trims values and folds tags.
func (ch *BulkChange) Normalize() {
	ch.Status = strings.TrimSpace(ch.Status)
	ch.ClosureReason = strings.TrimSpace(ch.ClosureReason)
	ch.RegisterID = strings.TrimSpace(ch.RegisterID)
	if ch.AssigneeID != nil {
		a := strings.TrimSpace(*ch.AssigneeID)
		ch.AssigneeID = &a
	}
	ch.AddTags = NormalizeTags(ch.AddTags)
	ch.RemoveTags = NormalizeTags(ch.RemoveTags)
	if v, ok := RiskTypes.Parse(ch.Type); ok {
		ch.Type = v
	} else {
		ch.Type = strings.TrimSpace(ch.Type)
	}
}

// Validate returns an Invalid error naming every bad field of the change.
func (ch *BulkChange) Validate() error {
	fe := apperr.NewProblems()
	if ch.IsEmpty() {
		fe.Add("changes", "Choose at least one change")
		return fe.Err()
	}
	if ch.Delete && (ch.Status != "" || ch.ClosureReason != "" || ch.AssigneeID != nil || ch.RegisterID != "" ||
		len(ch.AddTags) > 0 || len(ch.RemoveTags) > 0 || ch.SetDueDate || ch.SetType) {
		fe.Add("delete", "Deleting cannot be combined with other changes")
	}
	if ch.Status != "" {
		checkEnum(fe, "status", ch.Status, Statuses)
	}
	switch {
	case ch.Status == StatusClosed && ch.ClosureReason == "":
		fe.Add("closureReason", "Choose a closure reason to close risks")
	case ch.ClosureReason != "" && ch.Status != StatusClosed:
		fe.Add("closureReason", "A closure reason applies only when closing (status closed)")
	case ch.ClosureReason != "":
		checkEnum(fe, "closureReason", ch.ClosureReason, ClosureReasons)
	}
	checkDate(fe, "dueDate", ch.DueDate)
	if ch.SetType && ch.Type != "" && !RiskTypes.Has(ch.Type) {
		fe.Add2("type", EnumMessage(RiskTypes, ch.Type), PlainEnumMessage("risk_type", RiskTypes, ch.Type))
	}
	for field, tags := range map[string][]string{"addTags": ch.AddTags, "removeTags": ch.RemoveTags} {
		if len(tags) > MaxTags {
			fe.Add(field, fmt.Sprintf("At most %d tags", MaxTags))
		}
		for _, t := range tags {
			if utf8.RuneCountInString(t) > MaxTag || strings.ContainsRune(t, 0) {
				fe.Add(field, fmt.Sprintf("Each tag must contain at most %d character(s)", MaxTag))
				break
			}
		}
	}
	for _, t := range ch.AddTags {
		for _, u := range ch.RemoveTags {
			if t == u {
				fe.Add("removeTags", "A tag cannot be both added and removed: "+t)
			}
		}
	}
	if ch.AssigneeID != nil && (strings.ContainsRune(*ch.AssigneeID, 0) || len(*ch.AssigneeID) > 100) {
		fe.Add("assigneeId", "Assignee is not a member of this organization")
	}
	if strings.ContainsRune(ch.RegisterID, 0) || len(ch.RegisterID) > 100 {
		fe.Add("registerId", "Register not found")
	}
	return fe.Err()
}

// applyTo returns the input of cur with the change applied.
func (ch *BulkChange) applyTo(cur *Risk) Input {
	in := InputOf(cur)
	in.Tags = append([]string(nil), cur.Tags...)
	if ch.Status != "" {
		in.Status = ch.Status
		if ch.Status == StatusClosed {
			in.ClosureReason = ch.ClosureReason
		}
	}
	if ch.AssigneeID != nil {
		in.AssigneeID = *ch.AssigneeID
	}
	if ch.RegisterID != "" {
		in.RegisterID = ch.RegisterID
	}
	if len(ch.RemoveTags) > 0 {
		kept := in.Tags[:0]
		for _, t := range in.Tags {
			if !containsString(ch.RemoveTags, strings.ToLower(t)) {
				kept = append(kept, t)
			}
		}
		in.Tags = kept
	}
	in.Tags = append(in.Tags, ch.AddTags...)
	if ch.SetDueDate {
		in.DueDate = ch.DueDate
	}
	if ch.SetType {
		in.Type = ch.Type
	}
	return in
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// BulkTarget is one selected risk: Key is its id or RSK identifier, Ref
// what the caller called it (echoed in errors), Version the version the
// caller saw (0: no check).
type BulkTarget struct {
	Key     string
	Ref     string
	Version int
}

// MatchStamp summarises the risks matching a filter when a page showed
// them: how many, and the latest update among them. A bulk edit of "all
// matching" is refused when the stamp differs at the time of the write.
type MatchStamp struct {
	Count       int
	LastUpdated time.Time // zero when Count is 0
}

// Equal reports whether two stamps describe the same set, to the
// microsecond PostgreSQL keeps.
func (m MatchStamp) Equal(o MatchStamp) bool {
	return m.Count == o.Count && m.LastUpdated.Truncate(time.Microsecond).Equal(o.LastUpdated.Truncate(time.Microsecond))
}

// BulkSelection is which risks a bulk edit changes: the Targets, or every
// risk matching Query when Query is set, provided they still match Expect.
type BulkSelection struct {
	Targets []BulkTarget
	Query   *ListQuery
	Expect  MatchStamp
}

// Bulk outcomes of one risk.
const (
	BulkUpdated   = "updated"
	BulkUnchanged = "unchanged"
	BulkDeleted   = "deleted"
)

// BulkItem is what a bulk edit did to one risk.
type BulkItem struct {
	ID         string
	Identifier string
	Version    int // after the edit; the last version for a deleted risk
	Action     string
}

// BulkResult is what a bulk edit did, risk by risk, in risk-number order.
type BulkResult struct {
	Items                       []BulkItem
	Updated, Unchanged, Deleted int
}

// Message is a one-line summary for people.
func (r *BulkResult) Message() string {
	switch {
	case r.Deleted > 0:
		return fmt.Sprintf("%s deleted.", plural(r.Deleted, "risk"))
	case r.Unchanged == 0:
		return fmt.Sprintf("%s updated.", plural(r.Updated, "risk"))
	default:
		return fmt.Sprintf("%s updated, %d already as requested.", plural(r.Updated, "risk"), r.Unchanged)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// MatchStamp returns the stamp of the risks matching q, for a page that
// offers to edit all of them; total is the page's total. It counts no
// further than one past MaxBulk, and not at all when total is above it: a
// larger set is refused by Bulk whatever its stamp.
func (s *Service) MatchStamp(ctx context.Context, orgID string, q ListQuery, total int) (MatchStamp, error) {
	if total > MaxBulk {
		return MatchStamp{Count: MaxBulk + 1}, nil
	}
	return s.Risks.MatchStamp(ctx, orgID, s.dated(q), MaxBulk+1)
}

// Bulk applies ch to every selected risk in one transaction: each changed
// risk gets its next version and a history event, each deleted one a
// "deleted" event with its last state. It changes nothing and returns an
// error listing every offending risk (apperr.Error.Items) when any risk is
// not the organization's (NotFound), was changed since the version the
// caller gave (PreconditionFailed) or would become invalid (Invalid); and a
// PreconditionFailed when the risks matching sel.Query no longer match
// sel.Expect. Selected risks are locked in number order, so concurrent bulk
// edits cannot deadlock.
func (s *Service) Bulk(ctx context.Context, orgID string, actor audit.Actor, sel BulkSelection, ch BulkChange) (*BulkResult, error) {
	ch.Normalize()
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	if sel.Query == nil {
		switch {
		case len(sel.Targets) == 0:
			return nil, invalidField("riskIds", "Select at least one risk")
		case len(sel.Targets) > MaxBulk:
			return nil, invalidField("riskIds", fmt.Sprintf("At most %d risks can be changed at once", MaxBulk))
		}
	}
	var res *BulkResult
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		rows, refs, err := s.lockSelection(ctx, orgID, sel)
		if err != nil {
			return err
		}
		res, err = s.bulkWrite(ctx, orgID, actor, rows, refs, ch)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// lockSelection locks the selected risks and returns them in number order,
// once each, after checking the versions the caller gave, with the
// reference the caller used for each (by risk id).
func (s *Service) lockSelection(ctx context.Context, orgID string, sel BulkSelection) ([]*Risk, map[string]string, error) {
	if sel.Query != nil {
		rows, err := s.Risks.LockMatching(ctx, orgID, s.dated(*sel.Query), MaxBulk+1)
		if err != nil {
			return nil, nil, err
		}
		if len(rows) > MaxBulk || sel.Expect.Count > MaxBulk {
			return nil, nil, invalidField("riskIds", fmt.Sprintf("At most %d risks can be changed at once; narrow the filters", MaxBulk))
		}
		now := MatchStamp{Count: len(rows)}
		for _, r := range rows {
			if r.UpdatedAt.After(now.LastUpdated) {
				now.LastUpdated = r.UpdatedAt
			}
		}
		if !now.Equal(sel.Expect) {
			return nil, nil, &apperr.Error{Code: apperr.PreconditionFailed, Message: fmt.Sprintf(
				"The risks matching these filters changed since the page loaded (%s then, %d now, or some were edited). Nothing was changed; reload the page and try again.",
				plural(sel.Expect.Count, "risk"), now.Count)}
		}
		if len(rows) == 0 {
			return nil, nil, invalidField("riskIds", "No risk matches these filters")
		}
		return rows, map[string]string{}, nil
	}
	keys := make([]string, len(sel.Targets))
	for i, t := range sel.Targets {
		keys[i] = t.Key
	}
	rows, err := s.Risks.LockKeys(ctx, orgID, keys)
	if err != nil {
		return nil, nil, err
	}
	byKey := make(map[string]*Risk, 2*len(rows))
	for _, r := range rows {
		byKey[r.ID] = r
		byKey[strings.ToUpper(r.Identifier())] = r
	}
	var missing, stale []apperr.Item
	versions := make(map[string]int, len(rows))
	refs := make(map[string]string, len(rows))
	for _, t := range sel.Targets {
		r := byKey[t.Key]
		if n, ok := ParseIdentifier(t.Key); ok && r == nil {
			r = byKey[FormatIdentifier(n)]
		}
		if r == nil {
			missing = append(missing, apperr.Item{Ref: t.Ref, Code: apperr.NotFound, Message: "Risk not found"})
			continue
		}
		if _, named := refs[r.ID]; !named {
			refs[r.ID] = t.Ref
		}
		if t.Version == 0 {
			continue
		}
		if v, seen := versions[r.ID]; (seen && v != t.Version) || r.Version != t.Version {
			stale = append(stale, apperr.Item{Ref: t.Ref, ID: r.ID, Label: r.Identifier(), Code: apperr.PreconditionFailed,
				Message: fmt.Sprintf("Changed since it was loaded (version %d, now %d)", t.Version, r.Version), Version: r.Version})
			continue
		}
		versions[r.ID] = t.Version
	}
	switch {
	case len(missing) > 0:
		return nil, nil, &apperr.Error{Code: apperr.NotFound, Items: missing, Message: fmt.Sprintf(
			"%s not found: %s. Nothing was changed.", plural(len(missing), "selected risk"), refList(missing))}
	case len(stale) > 0:
		return nil, nil, &apperr.Error{Code: apperr.PreconditionFailed, Items: stale, Message: fmt.Sprintf(
			"%s changed since the page loaded: %s. Nothing was changed; reload the page and try again.",
			plural(len(stale), "selected risk"), refList(stale))}
	}
	return rows, refs, nil
}

// refList lists the labels (or references) of items, at most ten.
func refList(items []apperr.Item) string {
	var names []string
	for i, it := range items {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(items)-10))
			break
		}
		names = append(names, firstNonEmpty(it.Label, it.Ref))
	}
	return strings.Join(names, ", ")
}

// bulkWrite applies ch to the locked rows and writes the result.
func (s *Service) bulkWrite(ctx context.Context, orgID string, actor audit.Actor, rows []*Risk, refs map[string]string, ch BulkChange) (*BulkResult, error) {
	now := s.Now().UTC()
	res := &BulkResult{Items: make([]BulkItem, 0, len(rows))}
	events := make([]*audit.Event, 0, len(rows))
	if ch.Delete {
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			res.Items = append(res.Items, BulkItem{ID: r.ID, Identifier: r.Identifier(), Version: r.Version, Action: BulkDeleted})
			// The snapshot keeps the treatment and tasks, as a single
			// delete does, so the risk can be restored whole.
			snap := Snapshot(r)
			if err := s.snapshotPlan(ctx, r, snap); err != nil {
				return nil, err
			}
			if err := s.unlinkIncidents(ctx, r, actor, snap); err != nil {
				return nil, err
			}
			events = append(events, &audit.Event{
				OrganizationID: orgID, EntityType: audit.EntityRisk, EntityID: r.ID, EntityLabel: r.Identifier(),
				Action: audit.ActionDeleted, Actor: actor, Snapshot: snap, CreatedAt: now,
			})
		}
		if err := s.Risks.DeleteMany(ctx, orgID, ids); err != nil {
			return nil, err
		}
		res.Deleted = len(rows)
		return res, s.Events.AppendMany(ctx, events)
	}
	regs, err := s.Registers.Registers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	regByID := make(map[string]*Register, len(regs))
	for _, r := range regs {
		regByID[r.ID] = r
	}
	var target *Register
	if ch.RegisterID != "" {
		if target = regByID[ch.RegisterID]; target == nil {
			return nil, invalidField("registerId", "Register not found")
		}
	}
	var assignee *Person
	if ch.AssigneeID != nil && *ch.AssigneeID != "" {
		if assignee, err = s.assignee(ctx, orgID, *ch.AssigneeID); err != nil {
			return nil, err
		}
	}
	updated := make([]*Risk, 0, len(rows))
	var invalid []apperr.Item
	for _, cur := range rows {
		in := ch.applyTo(cur)
		in.Normalize()
		if err := in.Validate(); err != nil {
			e, _ := apperr.As(err)
			item := apperr.Item{Ref: firstNonEmpty(refs[cur.ID], cur.Identifier()), ID: cur.ID, Label: cur.Identifier(), Code: apperr.Invalid, Message: "Would be invalid"}
			if e != nil {
				item.Fields = e.Fields
				var parts []string
				for _, f := range e.Fields.Names() {
					parts = append(parts, f+": "+e.Fields.First(f))
				}
				item.Message = strings.Join(parts, "; ")
			}
			invalid = append(invalid, item)
			continue
		}
		oldReg, reg := regByID[cur.RegisterID], regByID[cur.RegisterID]
		if target != nil {
			reg = target
		}
		if oldReg == nil {
			return nil, fmt.Errorf("bulk edit: register %s of %s not found", cur.RegisterID, cur.ID)
		}
		who := cur.Assignee
		if ch.AssigneeID != nil {
			who = assignee
		}
		next, event := revise(cur, in, oldReg, reg, who, actor, now)
		if next == nil {
			res.Items = append(res.Items, BulkItem{ID: cur.ID, Identifier: cur.Identifier(), Version: cur.Version, Action: BulkUnchanged})
			res.Unchanged++
			continue
		}
		updated = append(updated, next)
		events = append(events, event)
		res.Items = append(res.Items, BulkItem{ID: next.ID, Identifier: next.Identifier(), Version: next.Version, Action: BulkUpdated})
		res.Updated++
	}
	if len(invalid) > 0 {
		return nil, &apperr.Error{Code: apperr.Invalid, Items: invalid, Message: fmt.Sprintf(
			"%s would become invalid: %s. Nothing was changed.", plural(len(invalid), "selected risk"), refList(invalid))}
	}
	if err := s.Risks.UpdateMany(ctx, updated); err != nil {
		return nil, err
	}
	if err := s.Events.AppendMany(ctx, events); err != nil {
		return nil, err
	}
	return res, nil
}

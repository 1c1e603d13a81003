package risk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// ImportRow is one data row of an import file: its raw cells keyed by
// (lower-case) column name and its row number as a spreadsheet shows it.
// A column missing from the file is missing from Fields.
type ImportRow struct {
	Row    int
	Fields map[string]string
}

// Import actions.
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
)

// RowError is one problem of an import row, named by its CSV column.
type RowError struct {
	Row     int
	Column  string
	Message string
}

// PlannedRow is what an import will do with one row.
type PlannedRow struct {
	Row        int
	Action     string // ImportCreated, ImportUpdated or ImportUnchanged
	Identifier string // the existing risk's identifier for updates
	Title      string
	Input      Input
	Errors     []RowError

	riskID string
}

// Plan is the preview of an import: every row with its action and errors.
type Plan struct {
	Rows                        []PlannedRow
	Created, Updated, Unchanged int
	Invalid                     int // rows with errors
}

// ErrImportInvalid is returned by Commit when a row has errors; nothing is written.
var ErrImportInvalid = apperr.New(apperr.Invalid, "The import has errors; nothing was imported.")

// MemberDirectory finds an organization's members by email address.
type MemberDirectory interface {
	// MemberIDByEmail returns the id of the organization's member with this
	// email (case-insensitive), or "" when there is none.
	MemberIDByEmail(ctx context.Context, orgID, email string) (string, error)
}

// Importer plans and applies CSV imports through the risk service, so every
// imported change is validated and recorded in the risk's history.
type Importer struct {
	Risks   *Service
	Members MemberDirectory
}

// importColumns are the columns the importer reads, in the order of the
// export; a row's errors are listed in this order.
var importColumns = []string{
	"identifier", "title", "description", "category", "department", "status", "closure_reason",
	"probability", "impact", "residual_probability", "residual_impact", "assignee_email",
	"due_date", "next_review_date", "tags",
}

// inputColumns maps Input.Validate field names to CSV column names.
var inputColumns = map[string]string{"assigneeId": "assignee_email", "registerId": "identifier"}

// PlanImport resolves every row against the organization's risks, registers
// and members without writing anything. Row problems are in the plan; the
// error is for failures of the database.
func (im *Importer) PlanImport(ctx context.Context, orgID string, rows []ImportRow) (*Plan, error) {
	p := &Plan{}
	regs := map[string]*Register{}
	seen := map[int64]int{}
	for _, row := range rows {
		pr, err := im.planRow(ctx, orgID, row, regs, seen)
		if err != nil {
			return nil, err
		}
		switch {
		case len(pr.Errors) > 0:
			p.Invalid++
		case pr.Action == ImportCreated:
			p.Created++
		case pr.Action == ImportUpdated:
			p.Updated++
		default:
			p.Unchanged++
		}
		p.Rows = append(p.Rows, pr)
	}
	return p, nil
}

func (im *Importer) planRow(ctx context.Context, orgID string, row ImportRow, regs map[string]*Register, seen map[int64]int) (PlannedRow, error) {
	pr := PlannedRow{Row: row.Row, Action: ImportCreated}
	fail := func(col, msg string) {
		pr.Errors = append(pr.Errors, RowError{Row: row.Row, Column: col, Message: msg})
	}
	f := row.Fields
	var cur *Risk
	if ident := strings.TrimSpace(f["identifier"]); ident != "" {
		num, ok := ParseIdentifier(ident)
		if !ok {
			fail("identifier", "Not a risk identifier such as RSK-00042")
		} else if first, dup := seen[num]; dup {
			fail("identifier", fmt.Sprintf("Appears more than once (first on row %d)", first))
		} else {
			seen[num] = row.Row
			r, err := im.Risks.Risks.Get(ctx, orgID, FormatIdentifier(num), false)
			switch {
			case apperr.Is(err, apperr.NotFound):
				fail("identifier", "No risk with this identifier in this organization")
			case err != nil:
				return pr, fmt.Errorf("import: find %s: %w", ident, err)
			default:
				cur = r
			}
		}
	}
	var in Input
	var reg *Register
	var err error
	if cur != nil {
		in = InputOf(cur)
		pr.Identifier, pr.riskID, pr.Action = cur.Identifier(), cur.ID, ImportUpdated
		reg, err = im.register(ctx, orgID, cur.RegisterID, regs)
	} else {
		in = Input{}
		reg, err = im.register(ctx, orgID, "", regs)
	}
	if err != nil {
		return pr, err
	}
	text := func(col string, dst *string) {
		if v, ok := f[col]; ok {
			*dst = v
		}
	}
	text("title", &in.Title)
	text("description", &in.Description)
	text("category", &in.Category)
	text("department", &in.Department)
	text("status", &in.Status)
	text("closure_reason", &in.ClosureReason)
	scale := func(col string, levels []ScaleLevel, dst *int) {
		v, ok := f[col]
		if !ok {
			return
		}
		n, msg := parseScale(v, levels)
		if msg != "" {
			fail(col, msg)
			return
		}
		*dst = n
	}
	scale("probability", reg.Matrix.Likelihood, &in.Probability)
	scale("impact", reg.Matrix.Impact, &in.Impact)
	scale("residual_probability", reg.Matrix.Likelihood, &in.ResidualProbability)
	scale("residual_impact", reg.Matrix.Impact, &in.ResidualImpact)
	if v, ok := f["assignee_email"]; ok {
		in.AssigneeID = ""
		if email := strings.TrimSpace(v); email != "" {
			id, err := im.Members.MemberIDByEmail(ctx, orgID, email)
			if err != nil {
				return pr, fmt.Errorf("import: find member: %w", err)
			}
			if id == "" {
				fail("assignee_email", "no member with this email")
			}
			in.AssigneeID = id
		}
	}
	date := func(col string, dst **time.Time) {
		v, ok := f[col]
		if !ok {
			return
		}
		*dst = nil
		if v = strings.TrimSpace(v); v != "" {
			t, ok := ParseDate(v)
			if !ok {
				fail(col, DateMessage)
				return
			}
			*dst = &t
		}
	}
	date("due_date", &in.DueDate)
	date("next_review_date", &in.NextReviewDate)
	if v, ok := f["tags"]; ok {
		in.Tags = strings.Split(v, ";")
	}
	in.Normalize()
	pr.Title, pr.Input = in.Title, in
	if err := in.Validate(); err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return pr, err
		}
		for _, field := range e.Fields.Names() {
			col := field
			if c, ok := inputColumns[field]; ok {
				col = c
			}
			for _, msg := range e.Fields[field] {
				fail(col, msg)
			}
		}
	}
	slices.SortStableFunc(pr.Errors, func(a, b RowError) int {
		return slices.Index(importColumns, a.Column) - slices.Index(importColumns, b.Column)
	})
	if cur != nil && len(pr.Errors) == 0 {
		was := InputOf(cur)
		was.Normalize()
		if sameInput(was, in) {
			pr.Action = ImportUnchanged
		}
	}
	return pr, nil
}

func (im *Importer) register(ctx context.Context, orgID, id string, regs map[string]*Register) (*Register, error) {
	if reg, ok := regs[id]; ok {
		return reg, nil
	}
	var reg *Register
	var err error
	if id == "" {
		reg, err = im.Risks.Registers.DefaultRegister(ctx, orgID)
	} else {
		reg, err = im.Risks.Registers.Register(ctx, orgID, id)
	}
	if err != nil {
		return nil, fmt.Errorf("import: load register: %w", err)
	}
	regs[id] = reg
	return reg, nil
}

// parseScale reads a 0-10 score or the name of a level of the scale (its
// upper bound); empty is 0 (not assessed). It returns a message when the
// value is neither.
func parseScale(v string, levels []ScaleLevel) (int, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, ""
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n > 10 {
			return 0, "Must be a number from 0 to 10 or a level name"
		}
		return n, ""
	}
	names := make([]string, len(levels))
	for i, l := range levels {
		if strings.EqualFold(l.Name, v) {
			return l.Upper, ""
		}
		names[i] = l.Name
	}
	return 0, fmt.Sprintf("Must be a number from 0 to 10 or a level name (%s)", strings.Join(names, ", "))
}

func sameInput(a, b Input) bool {
	return a.RegisterID == b.RegisterID && a.Title == b.Title && a.Description == b.Description &&
		a.Category == b.Category && a.Department == b.Department && a.Status == b.Status &&
		a.Probability == b.Probability && a.Impact == b.Impact &&
		a.ResidualProbability == b.ResidualProbability && a.ResidualImpact == b.ResidualImpact &&
		a.AssigneeID == b.AssigneeID && a.ClosureReason == b.ClosureReason &&
		dateString(a.DueDate) == dateString(b.DueDate) && dateString(a.NextReviewDate) == dateString(b.NextReviewDate) &&
		slices.Equal(a.Tags, b.Tags)
}

// Commit re-plans rows and, when no row has errors, applies every created
// and updated row in one transaction through Create and Patch, so each
// change is in the risk's history. With any row error it writes nothing
// and returns the plan with ErrImportInvalid; a failing write rolls back
// the whole import.
func (im *Importer) Commit(ctx context.Context, orgID string, actor audit.Actor, rows []ImportRow) (*Plan, error) {
	var plan *Plan
	err := im.Risks.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		plan, err = im.PlanImport(ctx, orgID, rows)
		if err != nil {
			return err
		}
		if plan.Invalid > 0 {
			return ErrImportInvalid
		}
		for _, pr := range plan.Rows {
			switch pr.Action {
			case ImportCreated:
				_, err = im.Risks.Create(ctx, orgID, actor, pr.Input)
			case ImportUpdated:
				in := pr.Input
				_, err = im.Risks.Patch(ctx, orgID, actor, pr.riskID, 0, func(*Risk) (Input, error) { return in, nil })
			}
			if err != nil {
				return fmt.Errorf("import row %d: %w", pr.Row, err)
			}
		}
		return nil
	})
	if errors.Is(err, ErrImportInvalid) {
		return plan, err
	}
	if err != nil {
		return nil, err
	}
	return plan, nil
}

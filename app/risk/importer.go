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
	Version    int    // the existing risk's version, as read, for updates
	Title      string
	Input      Input
	Errors     []RowError
	// Changes lists what an update changes, field by field, in the words
	// and labels the UI shows (Field is the label: "Category").
	Changes []audit.Change

	cur      *Risk     // the existing risk of an update
	reg      *Register // the register the row writes to
	assignee *Person   // the assignee the row sets; nil for none
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
	// MembersByEmail returns the organization's members with these email
	// addresses (any case) keyed by lower-case address, from one query; an
	// address without a member is absent.
	MembersByEmail(ctx context.Context, orgID string, emails []string) (map[string]Person, error)
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
	"due_date", "next_review_date", "tags", "risk_type", "threat_objectives", "version",
}

// ImportColumns returns the columns the importer reads, in order.
func ImportColumns() []string { return slices.Clone(importColumns) }

// importEnums are the enumerated columns: a cell may hold the value or
// the label the UI shows, in any case.
var importEnums = map[string]Enum{
	"category": Categories, "department": Departments, "status": Statuses, "closure_reason": ClosureReasons,
	"risk_type": RiskTypes,
}

// inputColumns maps Input.Validate field names to CSV column names.
var inputColumns = map[string]string{"assigneeId": "assignee_email", "registerId": "identifier"}

// importLookups is what planning a file reads from the database: one
// query each for the risks its identifiers name, the members its
// assignee emails name, and the organization's registers.
type importLookups struct {
	risks           map[int64]*Risk
	members         map[string]Person // by lower-case email
	registers       map[string]*Register
	defaultRegister *Register
}

// PlanImport resolves every row against the organization's risks, registers
// and members without writing anything. Row problems are in the plan; the
// error is for failures of the database.
func (im *Importer) PlanImport(ctx context.Context, orgID string, rows []ImportRow) (*Plan, error) {
	return im.plan(ctx, orgID, rows, false)
}

// plan is PlanImport; lock locks the risks the file updates until the
// transaction in ctx ends.
func (im *Importer) plan(ctx context.Context, orgID string, rows []ImportRow, lock bool) (*Plan, error) {
	lk, err := im.lookup(ctx, orgID, rows, lock)
	if err != nil {
		return nil, err
	}
	p := &Plan{Rows: make([]PlannedRow, 0, len(rows))}
	seen := map[int64]int{}
	for _, row := range rows {
		pr, err := planRow(row, lk, seen)
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

// lookup reads, in one query each, the risks the rows' identifiers name
// (locked when lock is set), the members their assignee emails name and
// the organization's registers.
func (im *Importer) lookup(ctx context.Context, orgID string, rows []ImportRow, lock bool) (*importLookups, error) {
	var numbers []int64
	var emails []string
	seenEmail := map[string]bool{}
	for _, row := range rows {
		if n, ok := ParseIdentifier(strings.TrimSpace(row.Fields["identifier"])); ok {
			numbers = append(numbers, n)
		}
		if email := strings.ToLower(strings.TrimSpace(row.Fields["assignee_email"])); email != "" && !seenEmail[email] {
			seenEmail[email] = true
			emails = append(emails, email)
		}
	}
	lk := &importLookups{registers: map[string]*Register{}}
	var err error
	if lk.risks, err = im.Risks.Risks.GetMany(ctx, orgID, numbers, lock); err != nil {
		return nil, fmt.Errorf("import: find risks: %w", err)
	}
	if lk.members, err = im.Members.MembersByEmail(ctx, orgID, emails); err != nil {
		return nil, fmt.Errorf("import: find members: %w", err)
	}
	regs, err := im.Risks.Registers.Registers(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("import: load registers: %w", err)
	}
	for _, reg := range regs {
		lk.registers[reg.ID] = reg
		if reg.IsDefault {
			lk.defaultRegister = reg
		}
	}
	if lk.defaultRegister == nil {
		return nil, fmt.Errorf("import: organization %s has no default register", orgID)
	}
	return lk, nil
}

// planRow plans one row from what lookup read; it reads nothing itself.
// The error is for a risk whose register is missing, which the database
// does not allow.
func planRow(row ImportRow, lk *importLookups, seen map[int64]int) (PlannedRow, error) {
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
			if cur = lk.risks[num]; cur == nil {
				fail("identifier", "No risk with this identifier in this organization")
			}
		}
	}
	var in Input
	if cur != nil {
		in = InputOf(cur)
		pr.Identifier, pr.Version, pr.Action = cur.Identifier(), cur.Version, ImportUpdated
		pr.cur, pr.reg, pr.assignee = cur, lk.registers[cur.RegisterID], cur.Assignee
		if pr.reg == nil {
			return pr, fmt.Errorf("import: %s: register %s not found", cur.Identifier(), cur.RegisterID)
		}
	} else {
		pr.reg = lk.defaultRegister
	}
	reg := pr.reg
	text := func(col string, dst *string) {
		if v, ok := f[col]; ok {
			*dst = v
		}
	}
	// enum takes a value or its label; anything else is left for
	// Validate to name the choices.
	enum := func(col string, dst *string) {
		if v, ok := f[col]; ok {
			*dst, _ = importEnums[col].Parse(v)
		}
	}
	text("title", &in.Title)
	text("description", &in.Description)
	enum("category", &in.Category)
	enum("department", &in.Department)
	enum("status", &in.Status)
	enum("closure_reason", &in.ClosureReason)
	enum("risk_type", &in.Type)
	if v, ok := f["threat_objectives"]; ok {
		in.ThreatObjectives = ParseObjectives(v)
	}
	scale := func(col string, levels []ScaleLevel, dst *int) {
		v, ok := f[col]
		if !ok {
			return
		}
		n, msg := parseScale(col, v, levels)
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
		in.AssigneeID, pr.assignee = "", nil
		if email := strings.TrimSpace(v); email != "" {
			if m, ok := lk.members[strings.ToLower(email)]; ok {
				in.AssigneeID, pr.assignee = m.MemberID, &m
			} else {
				fail("assignee_email", "no member with this email")
			}
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
	if msg := checkVersion(f["version"], cur); msg != "" {
		fail("version", msg)
	}
	in.Normalize()
	pr.Title, pr.Input = in.Title, in
	if err := in.Validate(); err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return pr, err
		}
		plain := e.ForPeople()
		for _, field := range plain.Names() {
			col := field
			if c, ok := inputColumns[field]; ok {
				col = c
			}
			for _, msg := range plain[field] {
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
		} else {
			pr.Changes = inputChanges(was, in, &reg.Matrix, cur.Assignee, pr.assignee)
		}
	}
	return pr, nil
}

// inputChanges lists the fields that differ between a risk's input old and
// the input new of an import row, as people read them: labels of enums
// and levels, names of members, "—" for nothing.
func inputChanges(old, new Input, m *Matrix, oldAssignee, newAssignee *Person) []audit.Change {
	var d audit.Diff
	add := func(field, o, n string) {
		if o == n {
			return
		}
		d.Add(fieldLabel(field), orDash(o), orDash(n))
	}
	add("title", old.Title, new.Title)
	add("description", old.Description, new.Description)
	add("category", Categories.Label(old.Category), Categories.Label(new.Category))
	add("department", Departments.Label(old.Department), Departments.Label(new.Department))
	add("status", Statuses.Label(old.Status), Statuses.Label(new.Status))
	add("closure_reason", ClosureReasons.Label(old.ClosureReason), ClosureReasons.Label(new.ClosureReason))
	add("probability", levelValueText(m.Likelihood, old.Probability), levelValueText(m.Likelihood, new.Probability))
	add("impact", levelValueText(m.Impact, old.Impact), levelValueText(m.Impact, new.Impact))
	add("residual_probability", levelValueText(m.Likelihood, old.ResidualProbability), levelValueText(m.Likelihood, new.ResidualProbability))
	add("residual_impact", levelValueText(m.Impact, old.ResidualImpact), levelValueText(m.Impact, new.ResidualImpact))
	if old.AssigneeID != new.AssigneeID {
		add("assignee", personName(oldAssignee), personName(newAssignee))
	}
	add("due_date", dateString(old.DueDate), dateString(new.DueDate))
	add("next_review_date", dateString(old.NextReviewDate), dateString(new.NextReviewDate))
	add("tags", strings.Join(old.Tags, ", "), strings.Join(new.Tags, ", "))
	add("risk_type", RiskTypes.Label(old.Type), RiskTypes.Label(new.Type))
	add("threat_objectives", objectiveLabels(old.ThreatObjectives), objectiveLabels(new.ThreatObjectives))
	return d
}

// levelValueText shows a 0-10 value with its level: "8 (High)"; "" when not
// assessed.
func levelValueText(levels []ScaleLevel, v int) string {
	if v == 0 {
		return ""
	}
	if i := band(levels, v); i >= 0 {
		return fmt.Sprintf("%d (%s)", v, levels[i].Name)
	}
	return strconv.Itoa(v)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// checkVersion checks a row's version cell, the version of the risk when
// it was exported: empty (or no version column) accepts any version, a
// malformed one is refused, and for an update (cur is the stored risk) it
// must be the stored version, else the risk changed since the export and
// the row would overwrite that change. It returns the problem, or "".
func checkVersion(cell string, cur *Risk) string {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return ""
	}
	v, err := strconv.Atoi(cell)
	if err != nil || v < 1 {
		return "Must be the risk's version from the export: a whole number from 1, or empty"
	}
	if cur != nil && v != cur.Version {
		return fmt.Sprintf("%s changed since it was exported (version %d, now %d); export again", cur.Identifier(), v, cur.Version)
	}
	return ""
}

// parseScale reads column col: a 0-10 score or the name of a level of the
// scale (its upper bound), in any case; empty is 0 (not assessed). It
// returns a message naming the levels when the value is neither.
func parseScale(col, v string, levels []ScaleLevel) (int, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, ""
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 10 {
		return n, ""
	}
	names := make([]string, len(levels))
	for i, l := range levels {
		if strings.EqualFold(strings.TrimSpace(l.Name), v) {
			return l.Upper, ""
		}
		names[i] = l.Name
	}
	return 0, fmt.Sprintf("%s must be one of %s, or a number from 0 to 10; got “%s”",
		fieldLabel(col), strings.Join(names, ", "), truncate(v, 40))
}

func sameInput(a, b Input) bool {
	return a.RegisterID == b.RegisterID && a.Title == b.Title && a.Description == b.Description &&
		a.Category == b.Category && a.Department == b.Department && a.Status == b.Status &&
		a.Probability == b.Probability && a.Impact == b.Impact &&
		a.ResidualProbability == b.ResidualProbability && a.ResidualImpact == b.ResidualImpact &&
		a.AssigneeID == b.AssigneeID && a.ClosureReason == b.ClosureReason &&
		dateString(a.DueDate) == dateString(b.DueDate) && dateString(a.NextReviewDate) == dateString(b.NextReviewDate) &&
		slices.Equal(a.Tags, b.Tags) && a.Type == b.Type && slices.Equal(a.ThreatObjectives, b.ThreatObjectives)
}

// objectiveLabels joins the labels of threat objectives.
func objectiveLabels(objs []string) string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = ThreatObjectives.Label(o)
	}
	return strings.Join(out, ", ")
}

// Commit re-plans rows and, when no row has errors, applies every created
// and updated row in one transaction, each change in the risk's history.
// The rows' risks are read and locked in one query inside the transaction,
// so a version that changed since the export, or since the preview, is a
// row error, and no other write can change them until the import commits.
// The numbers of new risks are reserved in one statement before the
// transaction: the organization's counter is held for that statement only,
// not for the whole import, and an import that then fails leaves a gap in
// the numbering. With any row error it writes no risk and returns the plan
// with ErrImportInvalid; a failing write rolls back the whole import.
func (im *Importer) Commit(ctx context.Context, orgID string, actor audit.Actor, rows []ImportRow) (*Plan, error) {
	plan, err := im.PlanImport(ctx, orgID, rows)
	if err != nil {
		return nil, err
	}
	if plan.Invalid > 0 {
		return plan, ErrImportInvalid
	}
	creates := plan.Created
	var first int64
	if creates > 0 {
		if first, err = im.Risks.Risks.ReserveNumbers(ctx, orgID, creates); err != nil {
			return nil, fmt.Errorf("import: reserve %d risk numbers: %w", creates, err)
		}
	}
	err = im.Risks.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		plan, err = im.plan(ctx, orgID, rows, true)
		if err != nil {
			return err
		}
		if plan.Invalid > 0 {
			return ErrImportInvalid
		}
		if plan.Created != creates {
			return fmt.Errorf("import: %d risks to create, %d numbers reserved", plan.Created, creates)
		}
		return im.write(ctx, orgID, actor, plan, first)
	})
	if errors.Is(err, ErrImportInvalid) {
		return plan, err
	}
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// write applies a valid plan whose updated risks are locked: the new risks
// numbered from first, in a few multi-row statements, and one history
// event per created or changed risk.
func (im *Importer) write(ctx context.Context, orgID string, actor audit.Actor, plan *Plan, first int64) error {
	now := im.Risks.Now().UTC()
	created := make([]*Risk, 0, plan.Created)
	updated := make([]*Risk, 0, plan.Updated)
	events := make([]*audit.Event, 0, plan.Created+plan.Updated)
	for i := range plan.Rows {
		pr := &plan.Rows[i]
		switch pr.Action {
		case ImportCreated:
			r, event := im.Risks.newRisk(orgID, actor, pr.Input, pr.reg, pr.assignee, first+int64(len(created)), now)
			created = append(created, r)
			events = append(events, event)
		case ImportUpdated:
			next, event := revise(pr.cur, pr.Input, pr.reg, pr.reg, pr.assignee, actor, now)
			if next == nil { // equal once stored, though the input differed
				pr.Action = ImportUnchanged
				plan.Updated--
				plan.Unchanged++
				continue
			}
			updated = append(updated, next)
			events = append(events, event)
		}
	}
	if err := im.Risks.Risks.InsertMany(ctx, created); err != nil {
		return fmt.Errorf("import: insert risks: %w", err)
	}
	if err := im.Risks.Risks.UpdateMany(ctx, updated); err != nil {
		return fmt.Errorf("import: update risks: %w", err)
	}
	if err := im.Risks.Events.AppendMany(ctx, events); err != nil {
		return fmt.Errorf("import: history: %w", err)
	}
	return nil
}

package risk

import "time"

// Treatment types (how the organization responds to a risk).
var TreatmentTypes = Enum{
	{"accept", "Accept"}, {"avoid", "Avoid"}, {"mitigate", "Mitigate"}, {"transfer", "Transfer"},
}

// Task statuses.
const (
	TaskOpen       = "open"
	TaskInProgress = "in_progress"
	TaskCompleted  = "completed"
)

// TaskStatuses lists the statuses of a mitigation task.
var TaskStatuses = Enum{{TaskOpen, "Open"}, {TaskInProgress, "In progress"}, {TaskCompleted, "Completed"}}

// Treatment is a risk's treatment strategy; a risk has at most one.
type Treatment struct {
	ID             string
	OrganizationID string
	RiskID         string
	Type           string // one of TreatmentTypes
	Description    string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Task is a mitigation task of a risk.
type Task struct {
	ID             string
	OrganizationID string
	RiskID         string
	Title          string
	Description    string
	Status         string // one of TaskStatuses
	DueDate        *time.Time
	CompletedAt    *time.Time // set when the status becomes completed, cleared when reopened
	AssigneeID     string     // member id; "" when unassigned
	Assignee       *Person    // filled by the store
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// IsOverdue reports whether an unfinished task's due date has passed on day today.
func (t *Task) IsOverdue(today time.Time) bool {
	return t.DueDate != nil && t.Status != TaskCompleted && t.DueDate.Before(today.Truncate(24*time.Hour))
}

// TreatmentInput sets a risk's treatment.
type TreatmentInput struct {
	Type        string
	Description string
}

// TaskInput is what a user may set on a task.
type TaskInput struct {
	Title       string
	Description string
	Status      string // "" means open
	DueDate     *time.Time
	AssigneeID  string
}

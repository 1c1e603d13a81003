package risks

import (
	"strconv"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

// Bulk edit of the register: the form's path and ids.
const (
	BulkPath      = "/risks/bulk"
	BulkFormID    = "bulk-form"
	BulkMessageID = "bulk-message"
)

// BulkVM is what the bulk action bar needs: who may use it, the filter
// and the stamp of its matching set (for "all matching"), and the choices.
type BulkVM struct {
	Enabled       bool // the member may write
	CSRF          string
	StaticVersion string
	Filter        string // the filters as a URL query, without sort and page
	Stamp         risk.MatchStamp
	Members       []MemberOption
	Registers     []*risk.Register
}

// BulkValue is a row checkbox's value: the risk's id and the version the
// page showed, so a risk changed since is refused.
func BulkValue(r *risk.Risk) string { return r.ID + ":" + strconv.Itoa(r.Version) }

// StampValue renders the latest update of the matching set exactly.
func (vm BulkVM) StampValue() string {
	if vm.Stamp.LastUpdated.IsZero() {
		return ""
	}
	return vm.Stamp.LastUpdated.UTC().Format(time.RFC3339Nano)
}

// Bulk actions, in the order the bar offers them.
var BulkActions = []risk.Option{
	{Value: "status", Label: "Set status"},
	{Value: "assignee", Label: "Assign to"},
	{Value: "register", Label: "Move to register"},
	{Value: "add_tags", Label: "Add tags"},
	{Value: "remove_tags", Label: "Remove tags"},
	{Value: "due_date", Label: "Set due date"},
	{Value: "risk_type", Label: "Set type"},
	{Value: "archive", Label: "Archive"},
	{Value: "delete", Label: "Delete"},
}

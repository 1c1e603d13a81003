package settings

import (
	"net/url"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
)

// Members page paths and DOM ids.
const (
	MembersPath     = "/settings/members"
	InvitePath      = "/settings/members/invite"
	InvitationsPath = "/settings/invitations"
	NewLinkID       = "new-link"
)

// MembersVM is the Members page.
type MembersVM struct {
	Members     []account.TeamMember
	Invitations []account.Invitation
	Now         time.Time
	// Me is the member viewing the page; MyRole their role.
	Me     string
	MyRole account.Role
	Form   InviteForm
	Errors apperr.FieldErrors
	// Link is a one-time link just issued (invitation or password reset),
	// shown once.
	Link *IssuedLink
}

// InviteForm is the invite form as filled in.
type InviteForm struct {
	Email string
	Role  string
}

// IssuedLink is a one-time link to hand over by any channel.
type IssuedLink struct {
	Title   string // "Invitation for …" / "Password reset link for …"
	URL     string
	Expires time.Time
	Hint    string
}

// RoleOption is a choice of role.
type RoleOption struct {
	Value account.Role
	Label string
	Hint  string
}

// RoleOptions lists the roles, most powerful first.
var RoleOptions = []RoleOption{
	{account.RoleOwner, "Owner", "Everything, including owners and the organization"},
	{account.RoleAdmin, "Admin", "Settings, members (not owners), API keys, registers"},
	{account.RoleEditor, "Editor", "Create and change risks, plans, incidents"},
	{account.RoleViewer, "Viewer", "Read everything, change nothing"},
}

// AssignableRoles are the roles the viewer may give: an admin cannot give owner.
func (vm MembersVM) AssignableRoles() []RoleOption {
	if vm.MyRole == account.RoleOwner {
		return RoleOptions
	}
	return RoleOptions[1:]
}

// CanChange reports whether the viewer may change m at all.
func (vm MembersVM) CanChange(m account.TeamMember) bool {
	return m.Role != account.RoleOwner || vm.MyRole == account.RoleOwner
}

func (vm MembersVM) invalid(field string) string {
	if vm.Errors.Has(field) {
		return "true"
	}
	return "false"
}

// MemberURL is a member's action path.
func MemberURL(id, action string) string {
	return MembersPath + "/" + url.PathEscape(id) + "/" + action
}

// InvitationRevokeURL is the revoke action of an invitation.
func InvitationRevokeURL(id string) string {
	return InvitationsPath + "/" + url.PathEscape(id) + "/revoke"
}

// MemberStatusClass maps a member status to whole Tailwind class names.
func MemberStatusClass(status string) string {
	switch status {
	case account.StatusDisabled:
		return "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100"
	case account.StatusInvited:
		return "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100"
	}
	return "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
}

// StatusText names a member status.
func StatusText(status string) string {
	switch status {
	case account.StatusDisabled:
		return "Disabled"
	case account.StatusInvited:
		return "Invited"
	}
	return "Active"
}

// RoleClass maps a role to whole Tailwind class names.
func RoleClass(r account.Role) string {
	switch r {
	case account.RoleOwner:
		return "bg-indigo-100 text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100"
	case account.RoleAdmin:
		return "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-100"
	}
	return "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100"
}

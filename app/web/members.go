package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/views/auth"
	"github.com/riskreg/riskreg/views/layout"
	"github.com/riskreg/riskreg/views/settings"
)

// The Members page (owners and admins) and the one-time link pages
// (invitation, password reset) that anyone with the link opens.

func managerOf(c *fiber.Ctx) account.Manager { return account.ManagerOf(principal(c)) }

func (s *Server) renderMembers(c *fiber.Ctx, status int, vm settings.MembersVM) error {
	ms, invs, err := s.Accounts.TeamMembers(c.UserContext(), orgID(c))
	if err != nil {
		return err
	}
	p := principal(c)
	vm.Members, vm.Invitations, vm.Now, vm.Me, vm.MyRole = ms, invs, s.Now().UTC(), p.MemberID, p.Role
	return render(c, status, settings.MembersPage(s.page(c, "Members", layout.NavSettings), vm))
}

func (s *Server) listMembers(c *fiber.Ctx) error {
	return s.renderMembers(c, fiber.StatusOK, settings.MembersVM{})
}

func (s *Server) inviteMember(c *fiber.Ctx) error {
	form := settings.InviteForm{Email: c.FormValue("email"), Role: c.FormValue("role")}
	inv, token, err := s.Accounts.Invite(c.UserContext(), managerOf(c), account.InviteInput{Email: form.Email, Role: account.Role(form.Role)})
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		return s.renderMembers(c, fiber.StatusUnprocessableEntity, settings.MembersVM{Form: form, Errors: e.ForPeople()})
	}
	if err != nil {
		return err
	}
	link := &settings.IssuedLink{
		Title: "Invitation for " + inv.Email + " (" + account.RoleLabel(inv.Role) + ")", URL: s.Config.BaseURL + "/invite/" + token,
		Expires: inv.ExpiresAt,
		Hint:    "They open it signed out (or in another browser), choose a name and password, and join. Someone who already has a riskreg account joins with their current password.",
	}
	return s.renderMembers(c, fiber.StatusOK, settings.MembersVM{Link: link})
}

// memberAction runs a change and reports it as a flash on the Members
// page; a refused change (guards) is an error flash, not an error page.
func (s *Server) memberAction(c *fiber.Ctx, do func() (string, error)) error {
	msg, err := do()
	switch e, _ := apperr.As(err); {
	case err == nil:
		if err := s.flash(c, layout.FlashSuccess, msg); err != nil {
			return err
		}
	case e != nil && (e.Code == apperr.Conflict || e.Code == apperr.Forbidden || e.Code == apperr.Invalid):
		if err := s.flash(c, layout.FlashError, e.Message+firstField(e)); err != nil {
			return err
		}
		c.Status(codeStatus[e.Code])
		return s.renderMembers(c, codeStatus[e.Code], settings.MembersVM{})
	default:
		return err
	}
	return redirect(c, settings.MembersPath)
}

func firstField(e *apperr.Error) string {
	for _, f := range e.ForPeople().Names() {
		return ": " + e.ForPeople().First(f)
	}
	return ""
}

func (s *Server) changeMemberRole(c *fiber.Ctx) error {
	return s.memberAction(c, func() (string, error) {
		m, err := s.Accounts.ChangeRole(c.UserContext(), managerOf(c), c.Params("id"), account.Role(c.FormValue("role")))
		if err != nil {
			return "", err
		}
		return m.Name + " is now " + account.RoleLabel(m.Role) + ".", nil
	})
}

func (s *Server) disableMember(c *fiber.Ctx) error {
	return s.memberAction(c, func() (string, error) {
		m, err := s.Accounts.SetDisabled(c.UserContext(), managerOf(c), c.Params("id"), true)
		if err != nil {
			return "", err
		}
		return m.Name + " is disabled: signed out everywhere, API keys refused.", nil
	})
}

func (s *Server) enableMember(c *fiber.Ctx) error {
	return s.memberAction(c, func() (string, error) {
		m, err := s.Accounts.SetDisabled(c.UserContext(), managerOf(c), c.Params("id"), false)
		if err != nil {
			return "", err
		}
		return m.Name + " is enabled again and can sign in.", nil
	})
}

func (s *Server) removeMember(c *fiber.Ctx) error {
	return s.memberAction(c, func() (string, error) {
		m, err := s.Accounts.Remove(c.UserContext(), managerOf(c), c.Params("id"))
		if err != nil {
			return "", err
		}
		return m.Name + " was removed from the organization.", nil
	})
}

func (s *Server) revokeInvitation(c *fiber.Ctx) error {
	return s.memberAction(c, func() (string, error) {
		inv, err := s.Accounts.RevokeInvitation(c.UserContext(), managerOf(c), c.Params("id"))
		if err != nil {
			return "", err
		}
		return "The invitation for " + inv.Email + " was revoked: its link no longer works.", nil
	})
}

func (s *Server) resetMemberPassword(c *fiber.Ctx) error {
	m, token, err := s.Accounts.IssuePasswordReset(c.UserContext(), managerOf(c), c.Params("id"))
	if err != nil {
		return s.memberAction(c, func() (string, error) { return "", err })
	}
	link := &settings.IssuedLink{
		Title: "Password reset link for " + m.Name, URL: s.Config.BaseURL + "/reset/" + token,
		Expires: s.Now().UTC().Add(account.ResetTTL),
		Hint:    "Opening it lets " + m.Name + " choose a new password; their sessions end when they do.",
	}
	return s.renderMembers(c, fiber.StatusOK, settings.MembersVM{Link: link})
}

// linkProblem renders the page of an unusable link (404), or returns
// other errors.
func (s *Server) linkProblem(c *fiber.Ctx, err error) error {
	reason := account.LinkReason(err)
	if reason == "" {
		return err
	}
	vm := auth.LinkProblemVM{Title: "This link cannot be used", Message: "The link is not valid. Check that you copied all of it, or ask for a new one."}
	switch reason {
	case account.InviteAccepted:
		vm.Title, vm.Message = "This link has been used", "Each link works once. If it was you, sign in; otherwise ask an owner or admin for a new link."
	case account.InviteRevoked:
		vm.Title, vm.Message = "This link was withdrawn", "An owner or admin revoked it. Ask them for a new one if you still need it."
	case account.InviteExpired:
		vm.Title, vm.Message = "This link has expired", "Links are valid for a limited time. Ask an owner or admin for a new one."
	}
	return render(c, fiber.StatusNotFound, auth.LinkProblemPage(s.page(c, vm.Title, ""), vm))
}

func inviteVM(info *account.InvitationInfo, token string) auth.InviteVM {
	return auth.InviteVM{Token: token, OrgName: info.OrgName, Email: info.Email, Role: account.RoleLabel(info.Role),
		Inviter: info.InviterName, Existing: info.ExistingAccount}
}

func (s *Server) showInvitation(c *fiber.Ctx) error {
	token := c.Params("token")
	info, err := s.Accounts.OpenInvitation(c.UserContext(), token)
	if err != nil {
		return s.linkProblem(c, err)
	}
	return render(c, fiber.StatusOK, auth.InvitePage(s.page(c, "Join "+info.OrgName, ""), inviteVM(info, token)))
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	token := c.Params("token")
	in := account.AcceptInput{Name: c.FormValue("name"), Password: c.FormValue("password")}
	session, err := s.Accounts.AcceptInvitation(c.UserContext(), token, in, c.Get(fiber.HeaderUserAgent), c.IP())
	if err != nil {
		if account.LinkReason(err) != "" {
			return s.linkProblem(c, err)
		}
		e, ok := apperr.As(err)
		if !ok || (e.Code != apperr.Invalid && e.Code != apperr.TooManyRequests && e.Code != apperr.Conflict) {
			return err
		}
		info, oerr := s.Accounts.OpenInvitation(c.UserContext(), token)
		if oerr != nil {
			return s.linkProblem(c, oerr)
		}
		vm := inviteVM(info, token)
		vm.Name = in.Name
		if e.Code == apperr.Invalid {
			vm.Errors = e.ForPeople()
		} else {
			setRetryAfter(c, e)
			vm.Error = e.Message
		}
		return render(c, codeStatus[e.Code], auth.InvitePage(s.page(c, "Join "+info.OrgName, ""), vm))
	}
	if err := s.startSession(c, session); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Welcome! You have joined the organization."); err != nil {
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) showPasswordReset(c *fiber.Ctx) error {
	token := c.Params("token")
	r, err := s.Accounts.OpenPasswordReset(c.UserContext(), token)
	if err != nil {
		return s.linkProblem(c, err)
	}
	return render(c, fiber.StatusOK, auth.ResetPage(s.page(c, "Choose a new password", ""), auth.ResetVM{Token: token, Email: r.UserEmail}))
}

func (s *Server) resetPassword(c *fiber.Ctx) error {
	token := c.Params("token")
	r, err := s.Accounts.ResetPassword(c.UserContext(), token, c.FormValue("password"))
	if err != nil {
		if account.LinkReason(err) != "" {
			return s.linkProblem(c, err)
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid {
			return err
		}
		r, oerr := s.Accounts.OpenPasswordReset(c.UserContext(), token)
		if oerr != nil {
			return s.linkProblem(c, oerr)
		}
		return render(c, fiber.StatusUnprocessableEntity, auth.ResetPage(s.page(c, "Choose a new password", ""),
			auth.ResetVM{Token: token, Email: r.UserEmail, Errors: e.ForPeople()}))
	}
	// The browser that opened the link may hold one of the ended sessions.
	sess := s.browserSession(c)
	delete(sess.Values, valToken)
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	if err := s.flash(c, layout.FlashSuccess, "Your password is set. Sign in with it as "+r.UserEmail+"."); err != nil {
		return err
	}
	return redirect(c, "/login")
}
